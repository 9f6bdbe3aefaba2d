"""Twenty officers pressing the same button at once (PostgreSQL, real concurrent connections).

Each test asserts the number of successes the law allows, that every other call was refused as a conflict
or by a gate, and that the data holds exactly what the successes wrote.
"""

import datetime as dt
from typing import Any

import pytest
from django.db import connection

from docket import testing as t
from docket.audit.models import AuditEntry
from docket.clues import services as cl
from docket.clues.models import Clue, ClueStatus, Source
from docket.core.errors import Conflict, GateRefused
from docket.officers.models import Officer

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL connections"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NOW = t.NOW
D = dt.date
N = t.RACERS


def tally(results: list[object]) -> tuple[list[object], list[Any]]:
    """The successes and the refusals; anything else (an IntegrityError, a deadlock) fails the test."""
    refused = [r for r in results if isinstance(r, Conflict | GateRefused)]
    broken = [r for r in results if isinstance(r, BaseException) and not isinstance(r, Conflict | GateRefused)]
    assert not broken, broken
    return [r for r in results if not isinstance(r, BaseException)], refused


def _me(officer: Officer) -> Officer:
    return Officer.objects.get(pk=officer.pk)


def _clue(team: t.Team) -> Clue:
    return cl.clue_register(
        actor=team.a,
        source=Source.PUBLIC_REPORT,
        received_on=D(2024, 6, 3),
        summary="举报",
        subjects=[t.organisation()],
        now=NOW,
    )


def _audits(action: str) -> int:
    return AuditEntry.objects.filter(action=action, outcome="ok").count()


@pytest.mark.race("clue_register")
def test_simultaneous_registrations_get_consecutive_references(tree):
    team = t.Team(tree.hz)
    subject = t.organisation()
    results = t.race(
        lambda i: cl.clue_register(
            actor=_me(team.a),
            source=Source.MEDIA,
            received_on=D(2024, 6, 3),
            summary=f"报道 {i}",
            subjects=[subject],
            now=NOW,
        )
    )
    ok, refused = tally(results)
    assert len(ok) == N and not refused
    refs = sorted(Clue.objects.filter(office=tree.hz).values_list("ref", flat=True))
    assert refs == [f"XS-330100-2024-{n:05d}" for n in range(1, N + 1)]
    assert _audits("clue.register") == N


@pytest.mark.race("clue_assign")
def test_simultaneous_assignments_get_consecutive_references(tree):
    head = t.officer(tree.zj, "office_head")
    results = t.race(
        lambda i: cl.clue_assign(
            actor=_me(head), to_office=tree.hz, received_on=D(2024, 6, 3), summary=f"交办 {i}", subjects=[], now=NOW
        )
    )
    ok, refused = tally(results)
    assert len(ok) == N and not refused
    refs = sorted(Clue.objects.filter(office=tree.hz, source=Source.ASSIGNMENT).values_list("ref", flat=True))
    assert refs == [f"XS-330100-2024-{n:05d}" for n in range(1, N + 1)]


@pytest.mark.race("clue_check_extend")
def test_the_check_period_is_extended_once(tree):
    team = t.Team(tree.hz)
    clue = _clue(team)
    before = clue.due_on
    results = t.race(
        lambda i: cl.clue_check_extend(
            actor=_me(team.head), clue=Clue.objects.get(pk=clue.pk), reason="复杂", on=D(2024, 6, 5), now=NOW
        )
    )
    ok, refused = tally(results)
    assert len(ok) == 1 and len(refused) == N - 1
    clue.refresh_from_db()
    assert clue.check_extended and clue.due_on == ok[0].due and (before is None or clue.due_on > before)
    assert _audits("clue.check_extend") == 1


@pytest.mark.race("clue_no_case")
def test_one_no_case_decision(tree):
    team = t.Team(tree.hz)
    clue = _clue(team)
    results = t.race(
        lambda i: cl.clue_no_case(
            actor=_me(team.head), clue=Clue.objects.get(pk=clue.pk), reason=f"理由 {i}", on=D(2024, 6, 5), now=NOW
        )
    )
    ok, refused = tally(results)
    assert len(ok) == 1 and len(refused) == N - 1
    clue.refresh_from_db()
    assert clue.status == ClueStatus.NO_CASE and clue.due_on is None
    assert _audits("clue.no_case") == 1


@pytest.mark.race("clue_merge")
def test_crossing_merges_merge_once(tree):
    """Half merge A into B, half B into A, all at once: one merge lands, and no deadlock."""
    team = t.Team(tree.hz)
    a, b = _clue(team), _clue(team)

    def call(i: int) -> None:
        src, dst = (a, b) if i % 2 else (b, a)
        cl.clue_merge(
            actor=_me(team.head),
            clue=Clue.objects.get(pk=src.pk),
            into=Clue.objects.get(pk=dst.pk),
            on=D(2024, 6, 5),
            now=NOW,
        )

    ok, refused = tally(t.race(call))
    assert len(ok) == 1 and len(refused) == N - 1
    statuses = sorted(Clue.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True))
    assert statuses == [ClueStatus.MERGED, ClueStatus.OPEN]
    assert _audits("clue.merge") == 1
