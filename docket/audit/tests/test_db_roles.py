"""The application role on PostgreSQL can write the audit trail but never rewrite it."""

import io
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from docket.audit.models import AuditEntry, AuditHead
from docket.audit.queries import audit_chain_verify
from docket.audit.roles import app_role_problems, apply_grants
from docket.audit.services import GENESIS, audit_record
from docket.pytest_roles import connected_as, owner_credentials, owner_cursor

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles and privileges are PostgreSQL's"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Used when the suite itself runs as a superuser (plain `bin/test` on PostgreSQL): the test makes an
# application role of its own and connects as it.
TEST_APP_ROLE = "docket_app_test"


def _current_user():
    with connection.cursor() as cur:
        cur.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
        return cur.fetchone()


@contextmanager
def _as_application_role() -> Iterator[str]:
    if owner_credentials() is not None:
        # The suite already runs as the application role (CI): this connection is the one production has.
        with nullcontext():
            yield connection.settings_dict["USER"]
        return
    user, superuser = _current_user()
    assert superuser, f"run the suite as a superuser, or as the application role with DOCKET_DB_OWNER_URL ({user})"
    with connection.cursor() as cur:
        cur.execute(
            f"DO $$ BEGIN CREATE ROLE {TEST_APP_ROLE} LOGIN PASSWORD '{TEST_APP_ROLE}'; "  # noqa: S608 - constants
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        )
        apply_grants(cur, app=TEST_APP_ROLE, owner=user)
    with connected_as(connection, {"USER": TEST_APP_ROLE, "PASSWORD": TEST_APP_ROLE}):
        yield TEST_APP_ROLE


def _refused(sql, match, params=None):
    with pytest.raises(DatabaseError, match=match), transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params)


def test_application_role_cannot_rewrite_the_trail():
    AuditHead.objects.update_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})
    with _as_application_role() as role:
        user, superuser = _current_user()
        assert user == role and not superuser
        # Writing through the service works: the role may INSERT the trail and update its head.
        entries = [audit_record(actor=None, action="test.step", object_id=i, detail={"i": i}) for i in range(3)]
        before = list(AuditEntry.objects.order_by("seq").values_list("seq", "hash"))
        assert [seq for seq, _h in before] == [1, 2, 3]
        denied = "permission denied for table audit_auditentry"
        _refused("UPDATE audit_auditentry SET action = 'x' WHERE id = %s", denied, [entries[0].id])
        _refused("DELETE FROM audit_auditentry WHERE id = %s", denied, [entries[2].id])
        _refused("TRUNCATE audit_auditentry", denied)
        # Locking out other writers needs UPDATE, DELETE or TRUNCATE too: bulk writers of the trail lock the
        # head row instead (every append takes it).
        _refused("LOCK TABLE audit_auditentry IN EXCLUSIVE MODE", denied)
        _refused("TRUNCATE audit_auditentry, audit_audithead", denied)
        _refused(
            "ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_no_update_delete",
            "must be owner of table audit_auditentry",
        )
        _refused("ALTER TABLE audit_auditentry DISABLE TRIGGER ALL", "must be owner of table audit_auditentry")
        _refused("DROP TRIGGER audit_entry_no_update_delete ON audit_auditentry", "must be owner of")
        _refused("SET session_replication_role = replica", "permission denied to set parameter")
        _refused("CREATE TABLE audit_shadow (id int)", "permission denied for schema public")
        with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
            AuditEntry.objects.filter(pk=entries[0].pk).delete()
        assert list(AuditEntry.objects.order_by("seq").values_list("seq", "hash")) == before
        assert audit_chain_verify() == (3, None)
        # What the role may write elsewhere it still writes (a registry table).
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("UPDATE audit_audithead SET seq = seq WHERE id = 1")
            assert cur.rowcount == 1
    # The owner's check agrees, and tells an unsafe role apart.
    with owner_cursor() as cur:
        assert app_role_problems(cur, app=role) == []
        cur.execute("SELECT current_user")
        owner = cur.fetchone()[0]
        assert any("owns" in p or "superuser" in p for p in app_role_problems(cur, app=owner))


def test_trigger_refuses_the_owner_too():
    AuditHead.objects.update_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})
    entry = audit_record(actor=None, action="test.step", object_id=1)
    for sql in ("UPDATE audit_auditentry SET action = 'x' WHERE id = %s", "DELETE FROM audit_auditentry WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), owner_cursor() as cur:
            cur.execute(sql, (entry.id,))
    assert AuditEntry.objects.get(pk=entry.pk).hash == entry.hash


def test_db_roles_command_checks_the_role():
    with _as_application_role() as role:
        pass
    with owner_cursor() as cur:
        cur.execute("SELECT current_user")
        owner = cur.fetchone()[0]
    credentials = owner_credentials()
    with connected_as(connection, credentials) if credentials else nullcontext():
        out = io.StringIO()
        call_command("db", "roles", role, "--check", stdout=out)
        assert "not UPDATE, DELETE or TRUNCATE" in out.getvalue()
        call_command("db", "roles", role, stdout=out)  # idempotent
        sql = io.StringIO()
        call_command("db", "roles", role, "--sql", stdout=sql)
        assert (
            f'REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON "public"."audit_auditentry" FROM "{role}"'
            in sql.getvalue()
        )
        with pytest.raises(CommandError, match="not set up safely") as exc:
            call_command("db", "roles", owner, "--check", stdout=io.StringIO())
        assert "owns" in str(exc.value) or "superuser" in str(exc.value)
        with pytest.raises(CommandError, match="not as the application role"):
            call_command("db", "roles", owner, stdout=io.StringIO())
        with pytest.raises(CommandError, match="does not exist"):
            call_command("db", "roles", "docket_no_such_role", "--check", stdout=io.StringIO())
