import io

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from docket import testing as t
from docket.audit.models import AuditEntry, AuditHead, Outcome
from docket.audit.queries import audit_chain_verify
from docket.audit.services import audit_record
from docket.audit.tests.tamper import tamper
from docket.officers.models import Role
from docket.pytest_roles import owner_credentials


def _entries(n, actor=None):
    return [
        audit_record(actor=actor, action="test.step", object_type="x", object_id=i, detail={"i": i}, now=t.NOW)
        for i in range(n)
    ]


def _raw(sql, params=()):
    """Tamper as a database owner would, bypassing PostgreSQL's append-only trigger."""
    tamper((sql, params))


# The owner tampers on its own connection (the suite may run as the application role), which sees only what
# was committed.
transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _verify_fails(seq_expected):
    err = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("audit", "verify", stderr=err)
    assert f"#{seq_expected}" in str(exc.value)
    return str(exc.value)


def test_intact_chain_verifies(tree):
    actor = t.officer(tree.hz, Role.CASE_OFFICER)
    _entries(5, actor)
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "intact: 5 entries" in out.getvalue()
    first = AuditEntry.objects.get(seq=1)
    assert first.prev_hash == "0" * 64 and first.office_code == "330100" and first.actor_name == actor.username
    assert AuditEntry.objects.get(seq=2).prev_hash == first.hash


@transactional
def test_edited_entry_is_detected():
    entries = _entries(5)
    _raw("UPDATE audit_auditentry SET detail = %s WHERE id = %s", ('{"i": 99}', entries[2].id))
    message = _verify_fails(3)
    assert "changed" in message


@transactional
def test_edited_outcome_is_detected():
    entries = _entries(3)
    _raw("UPDATE audit_auditentry SET outcome = %s WHERE id = %s", (Outcome.DENIED, entries[1].id))
    _verify_fails(2)


@transactional
def test_deleted_entry_is_detected():
    entries = _entries(5)
    _raw("DELETE FROM audit_auditentry WHERE id = %s", (entries[1].id,))
    message = _verify_fails(3)
    assert "missing" in message


@transactional
def test_deleted_last_entry_is_detected():
    entries = _entries(4)
    _raw("DELETE FROM audit_auditentry WHERE id = %s", (entries[-1].id,))
    _verify_fails(4)


@transactional
def test_reordered_entries_are_detected():
    import json

    entries = _entries(5)
    a, b = entries[1], entries[3]
    # Swap the contents of two rows, keeping their positions: a reordering of history.
    fields = ["action", "object_id", "detail", "hash", "prev_hash", "at"]
    rows = {e.pk: AuditEntry.objects.values(*fields).get(pk=e.pk) for e in (a, b)}
    sets = ", ".join(f"{f} = %s" for f in fields)
    _raw("UPDATE audit_auditentry SET hash = %s WHERE id = %s", ("f" * 64, b.pk))
    for src, dst in ((b, a), (a, b)):
        row = rows[src.pk]
        values = [json.dumps(row[f]) if f == "detail" else row[f] for f in fields]
        _raw(f"UPDATE audit_auditentry SET {sets} WHERE id = %s", (*values, dst.pk))  # noqa: S608 - fixed names
    _verify_fails(2)


@transactional
def test_seq_swap_is_detected():
    entries = _entries(4)
    _raw("UPDATE audit_auditentry SET seq = -1 WHERE id = %s", (entries[1].id,))
    _raw("UPDATE audit_auditentry SET seq = 2 WHERE id = %s", (entries[2].id,))
    _raw("UPDATE audit_auditentry SET seq = 3 WHERE id = %s", (entries[1].id,))
    checked, broken = audit_chain_verify()
    assert broken is not None and checked == 1


def test_head_tracks_the_tip(db):
    entries = _entries(3)
    head = AuditHead.objects.get(pk=1)
    assert head.seq == 3 and head.hash == entries[-1].hash


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's")
def test_postgresql_refuses_update_and_delete(db):
    entries = _entries(2)
    # As the application role the privileges refuse first (test_db_roles); as an owner, the trigger does.
    refused = "append-only" if owner_credentials() is None else "permission denied"
    for sql in ("UPDATE audit_auditentry SET action = 'x' WHERE id = %s", "DELETE FROM audit_auditentry WHERE id = %s"):
        with pytest.raises(DatabaseError, match=refused), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, (entries[0].id,))
    assert AuditEntry.objects.count() == 2
    with pytest.raises(DatabaseError, match=refused), transaction.atomic():
        AuditEntry.objects.filter(pk=entries[0].pk).delete()


def test_denied_access_is_recorded_after_rollback(tree, team):
    case = t.drive(team, to="filed")
    stranger = t.officer(tree.nb, Role.OFFICE_HEAD)
    parent = t.officer(tree.zj, Role.OFFICE_HEAD)
    from docket.cases import services as cs
    from docket.core.errors import Denied, NotFound

    # A sibling office: the case does not exist for it, and the refused read is on the trail.
    with pytest.raises(NotFound):
        cs.dismiss(actor=stranger, case=case, reason="x", on=case.filed_on, now=t.NOW)
    entry = AuditEntry.objects.filter(outcome=Outcome.DENIED).latest("seq")
    assert entry.action == "cases.case.read" and entry.actor_id == stranger.pk
    # The office above sees the case but may not take its office's step.
    with pytest.raises(Denied):
        cs.dismiss(actor=parent, case=case, reason="x", on=case.filed_on, now=t.NOW)
    entry = AuditEntry.objects.filter(outcome=Outcome.DENIED).latest("seq")
    assert entry.action == "dismiss" and entry.actor_id == parent.pk
    assert audit_chain_verify()[1] is None


def test_login_and_failed_login_are_audited(tree, client):
    officer = t.officer(tree.hz, Role.CASE_OFFICER)
    officer.set_password("s3cret-pass!")
    officer.save()
    client.post("/login/", {"username": officer.username, "password": "wrong"})
    client.post("/login/", {"username": officer.username, "password": "s3cret-pass!"})
    # Failures are audited by docket.accounts (summarised per address so they cannot flood the trail).
    actions = list(
        AuditEntry.objects.filter(action__in=["auth.login_failed", "officer.login"]).values_list("action", "outcome")
    )
    assert actions == [("auth.login_failed", Outcome.DENIED), ("officer.login", Outcome.OK)]
