import datetime as dt
import hashlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from docket import testing as t
from docket.api.models import ApiToken
from docket.api.services import token_create, token_revoke
from docket.audit.models import AuditEntry
from docket.core.errors import Conflict, Denied, GateRefused, InvalidInput, NotFound
from docket.officers.actors import SYSTEM
from docket.officers.models import Officer, Role

NOW = dt.datetime(2024, 3, 1, 9, tzinfo=dt.UTC)


def test_token_is_stored_as_its_hash_and_audited(tree):
    officer = t.officer(tree.hz, Role.CASE_OFFICER)
    new = token_create(actor=officer, officer=officer, name="laptop", days=30, now=NOW)
    token = ApiToken.objects.get()
    assert token.secret_hash == hashlib.sha256(new.secret.encode()).hexdigest()
    assert new.secret not in {token.prefix, token.secret_hash, token.name}
    assert token.expires_at == NOW + dt.timedelta(days=30)
    entry = AuditEntry.objects.get(action="api_token.create")
    assert entry.object_id == str(token.pk) and new.secret not in str(entry.detail)


def test_only_the_officer_or_an_administrator_of_their_jurisdiction(tree):
    officer = t.officer(tree.hz, Role.CASE_OFFICER)
    colleague = t.officer(tree.hz, Role.OFFICE_HEAD)
    with pytest.raises(Denied):
        token_create(actor=colleague, officer=officer, name="x", days=30, now=NOW)
    admin = t.officer(tree.zj, Role.ADMINISTRATOR)
    token_create(actor=admin, officer=officer, name="x", days=30, now=NOW)
    assert ApiToken.objects.filter(officer=officer).count() == 1


def test_bad_input_names_the_field_and_writes_nothing(tree):
    officer = t.officer(tree.hz, Role.CASE_OFFICER)
    with pytest.raises(InvalidInput) as info:
        token_create(actor=officer, officer=officer, name=" ", days=0, now=NOW)
    assert {e.field for e in info.value.errors} == {"name", "days"}
    assert not ApiToken.objects.exists()


def test_a_deactivated_officer_gets_no_token(tree):
    officer = t.officer(tree.hz, Role.CASE_OFFICER, is_active=False)
    with pytest.raises(GateRefused):
        token_create(actor=SYSTEM, officer=officer, name="x", days=30, now=NOW)


def test_revoke_once(tree):
    officer = t.officer(tree.hz, Role.CASE_OFFICER)
    new = token_create(actor=officer, officer=officer, name="x", days=30, now=NOW)
    token_revoke(actor=officer, token=new.token, now=NOW)
    assert ApiToken.objects.get().revoked_at == NOW
    with pytest.raises(Conflict):
        token_revoke(actor=officer, token=new.token, now=NOW)
    assert AuditEntry.objects.filter(action="api_token.revoke").count() == 1
    # The name is free again once the token is revoked.
    token_create(actor=officer, officer=officer, name="x", days=30, now=NOW)


@pytest.mark.jurisdiction("token_create")
def test_token_create_sibling_office_not_found(tree):
    admin = t.officer(tree.nb, Role.ADMINISTRATOR)
    officer = t.officer(tree.hz, Role.CASE_OFFICER)
    with pytest.raises(NotFound):
        token_create(actor=admin, officer=officer, name="x", days=30, now=NOW)
    assert not ApiToken.objects.exists()


@pytest.mark.jurisdiction("token_revoke")
def test_token_revoke_sibling_office_not_found(tree):
    admin = t.officer(tree.nb, Role.ADMINISTRATOR)
    officer = t.officer(tree.hz, Role.CASE_OFFICER)
    new = token_create(actor=officer, officer=officer, name="x", days=30, now=NOW)
    with pytest.raises(NotFound):
        token_revoke(actor=admin, token=new.token, now=NOW)
    assert ApiToken.objects.get().revoked_at is None


@pytest.mark.race("token_create")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_race_twenty_tokens_of_one_name_one_wins(tree):
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL")
    pk = t.officer(tree.hz, Role.CASE_OFFICER).pk
    results = t.race(
        lambda i: token_create(actor=SYSTEM, officer=Officer.objects.get(pk=pk), name="same", days=30, now=NOW)
    )
    wins = [r for r in results if not isinstance(r, Exception)]
    assert len(wins) == 1, results
    assert all(isinstance(r, Conflict) for r in results if isinstance(r, Exception)), results
    assert ApiToken.objects.filter(officer_id=pk).count() == 1
    assert AuditEntry.objects.filter(action="api_token.create").count() == 1


@pytest.mark.race("token_revoke")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_race_twenty_revocations_one_wins(tree):
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL")
    officer = t.officer(tree.hz, Role.CASE_OFFICER)
    token_pk = token_create(actor=SYSTEM, officer=officer, name="x", days=30, now=NOW).token.pk
    results = t.race(
        lambda i: token_revoke(
            actor=Officer.objects.get(pk=officer.pk), token=ApiToken.objects.get(pk=token_pk), now=NOW
        )
    )
    wins = [r for r in results if not isinstance(r, Exception)]
    assert len(wins) == 1, results
    assert all(isinstance(r, Conflict) for r in results if isinstance(r, Exception)), results
    assert ApiToken.objects.get(pk=token_pk).revoked_at == NOW
    assert AuditEntry.objects.filter(action="api_token.revoke").count() == 1


def test_command_prints_the_token_alone_on_the_last_line(tree):
    officer = t.officer(tree.hz, Role.CASE_OFFICER, username="zhang")
    out = StringIO()
    call_command("token", "create", "--user", "zhang", "--expires", "7", stdout=out)
    secret = out.getvalue().strip().splitlines()[-1]
    token = ApiToken.objects.get(officer=officer)
    assert hashlib.sha256(secret.encode()).hexdigest() == token.secret_hash
    assert token.expires_at - token.created_at == dt.timedelta(days=7)
    assert AuditEntry.objects.get(action="api_token.create").actor_name == "system:system"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_prepared_token_lookup_follows_the_connection_and_outlives_a_rollback(tree):
    """On PostgreSQL the lookup is prepared on each connection at its first request: a new connection prepares it
    again, and a transaction rolled back after preparing it leaves it in place."""
    from django.db import transaction

    from docket.api.tests.conftest import api_as, secret_for

    secret = secret_for(t.officer(tree.hz, Role.CASE_OFFICER))
    assert api_as(secret=secret).get("/api/v1/cases/").status_code == 200
    connection.close()
    assert api_as(secret=secret).get("/api/v1/cases/").status_code == 200

    class Undone(Exception):
        pass

    connection.close()
    with pytest.raises(Undone), transaction.atomic():
        assert api_as(secret=secret).get("/api/v1/cases/").status_code == 200
        raise Undone
    assert api_as(secret=secret).get("/api/v1/cases/").status_code == 200
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name = 'docket_token_lookup'")
            assert cursor.fetchone() == (1,)
