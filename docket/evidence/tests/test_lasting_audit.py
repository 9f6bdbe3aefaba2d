"""The audit entry of a read, failed or refused, outlives a rollback of the caller's transaction.

These tests commit for real (``transaction=True``), on SQLite and on PostgreSQL alike: a test's own
transaction would hide exactly the rollback they are about.
"""

import os

import pytest
from django.db import connection, transaction

from docket import testing as t
from docket.audit.models import AuditEntry, Outcome
from docket.audit.queries import audit_chain_walk
from docket.audit.services import audit_record
from docket.cases.models import State
from docket.core.errors import NotFound
from docket.evidence import storage
from docket.evidence.services import EvidenceCorrupted, evidence_add, evidence_read
from docket.officers.models import Role

NOW = t.NOW
lasting = pytest.mark.django_db(transaction=True, serialized_rollback=True)


class CallerFailed(Exception):
    pass


@pytest.fixture
def item(team):
    case = t.drive(team, to=State.INVESTIGATING)
    return evidence_add(
        actor=team.a,
        case=case,
        content=b"page capture",
        name="capture.txt",
        content_type="text/plain",
        collected_on=case.filed_on,
        collectors=[team.a, team.b],
        method="远程勘验",
        description="",
        now=NOW,
    )


def _reads(actor):
    return list(
        AuditEntry.objects.filter(actor_id=actor.pk)
        .exclude(action="evidence.add")
        .order_by("seq")
        .values_list("action", "outcome", "detail")
    )


def _chain_intact():
    checked, _tip, broken = audit_chain_walk()
    return checked == AuditEntry.objects.count() and broken is None


def _in_caller_transaction(call, *, audit_first=False):
    with pytest.raises(CallerFailed), transaction.atomic():
        if audit_first:
            # The caller's transaction already holds the chain's head row when the read is refused.
            audit_record(actor=None, action="caller.step", now=NOW)
        with pytest.raises((EvidenceCorrupted, NotFound)):
            call()
        raise CallerFailed


@lasting
@pytest.mark.parametrize("audit_first", [False, True])
def test_a_failed_read_stays_audited_when_the_caller_rolls_back(team, item, audit_first):
    path = storage._path(item.sha256)
    os.chmod(path, 0o640)
    path.write_bytes(b"page capture, altered")
    _in_caller_transaction(lambda: evidence_read(actor=team.b, item=item, now=NOW), audit_first=audit_first)
    assert not AuditEntry.objects.filter(action="caller.step").exists()
    assert _reads(team.b) == [
        (
            "evidence.read",
            Outcome.FAILED,
            {"sha256": item.sha256, "verified": False, "missing": False, "after_rollback": True},
        )
    ]
    assert _chain_intact()


@lasting
@pytest.mark.parametrize("audit_first", [False, True])
def test_a_refused_read_stays_audited_when_the_caller_rolls_back(tree, item, audit_first):
    outsider = t.officer(tree.nb, Role.CASE_OFFICER)
    _in_caller_transaction(lambda: evidence_read(actor=outsider, item=item.pk, now=NOW), audit_first=audit_first)
    [(action, outcome, detail)] = _reads(outsider)
    assert (action, outcome, detail["pk"], detail["after_rollback"]) == (
        "evidence.evidenceitem.read",
        Outcome.DENIED,
        item.pk,
        True,
    )
    assert _chain_intact()


@lasting
def test_a_successful_read_stays_audited_when_the_caller_rolls_back(team, item):
    with pytest.raises(CallerFailed), transaction.atomic():
        assert evidence_read(actor=team.b, item=item, now=NOW) == b"page capture"
        raise CallerFailed
    assert [(a, o) for a, o, _d in _reads(team.b)] == [("evidence.read", Outcome.OK)]
    assert _chain_intact()


@lasting
def test_a_caller_that_commits_keeps_one_entry(team, item, tree):
    outsider = t.officer(tree.gd, Role.CASE_OFFICER)
    with transaction.atomic():
        evidence_read(actor=team.b, item=item, now=NOW)
        with pytest.raises(NotFound):
            evidence_read(actor=outsider, item=item, now=NOW)
    assert [(a, o) for a, o, _d in _reads(team.b)] == [("evidence.read", Outcome.OK)]
    assert [(a, o) for a, o, _d in _reads(outsider)] == [("evidence.evidenceitem.read", Outcome.DENIED)]
    assert all("after_rollback" not in d for _a, _o, d in _reads(team.b) + _reads(outsider))
    assert _chain_intact()


@lasting
def test_nested_callers_write_it_once_after_the_outermost_rollback(team, item):
    path = storage._path(item.sha256)
    os.chmod(path, 0o640)
    path.unlink()
    with pytest.raises(CallerFailed), transaction.atomic():
        with transaction.atomic():
            with pytest.raises(EvidenceCorrupted):
                evidence_read(actor=team.b, item=item, now=NOW)
            # Still inside the caller's transaction, the caller sees the entry.
            assert AuditEntry.objects.filter(action="evidence.read", outcome=Outcome.FAILED).count() == 1
        raise CallerFailed
    assert AuditEntry.objects.filter(action="evidence.read", outcome=Outcome.FAILED).count() == 1
    assert _chain_intact()


def test_runs_on_this_database():
    # Names the backend in the test report, so a run on PostgreSQL is visibly one.
    assert connection.vendor in {"sqlite", "postgresql"}
