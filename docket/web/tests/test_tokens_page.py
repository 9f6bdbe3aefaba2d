"""The officer's API tokens page: listed, made (shown once) and revoked through the token services."""

import datetime as dt
import hashlib
import re

import pytest
from django.utils import timezone

from docket import testing as t
from docket.api.models import ApiToken
from docket.api.services import token_create
from docket.audit.models import AuditEntry
from docket.officers.actors import SYSTEM
from docket.officers.models import Role

pytestmark = pytest.mark.django_db


def signed_in(client, officer):
    t.verified_login(client, officer)
    return client


def test_the_page_needs_a_sign_in(client, tree):
    answer = client.get("/tokens/")
    assert answer.status_code == 302 and "/login/" in answer["Location"]


def test_a_token_is_made_and_its_secret_shown_once(client, tree):
    officer = t.officer(tree.hz, Role.CASE_OFFICER)
    signed_in(client, officer)
    made = client.post("/tokens/", {"name": "laptop", "days": "30"})
    assert made.status_code == 201 and made["Cache-Control"] == "no-store"
    secret = re.search(r'value="(dkt_[^"]+)"', made.content.decode()).group(1)
    token = ApiToken.objects.get(officer=officer)
    assert hashlib.sha256(secret.encode()).hexdigest() == token.secret_hash
    assert token.expires_at - token.created_at == dt.timedelta(days=30)
    assert AuditEntry.objects.filter(action="api_token.create", object_id=str(token.pk)).count() == 1
    # The secret works against the API, and is never shown again.
    api = client.__class__(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/v1/cases/").status_code == 200
    page = client.get("/tokens/").content.decode()
    assert secret not in page and token.prefix in page and "laptop" in page


def test_the_list_shows_prefix_name_dates_and_state(client, tree):
    officer = t.officer(tree.hz, Role.CASE_OFFICER)
    now = timezone.now()
    used = token_create(actor=SYSTEM, officer=officer, name="ci", days=10, now=now).token
    ApiToken.objects.filter(pk=used.pk).update(last_used_at=now)
    revoked = token_create(actor=SYSTEM, officer=officer, name="old", days=10, now=now).token
    ApiToken.objects.filter(pk=revoked.pk).update(revoked_at=now)
    other = token_create(actor=SYSTEM, officer=t.officer(tree.hz, Role.CASE_OFFICER), name="theirs", days=5, now=now)
    page = signed_in(client, officer).get("/tokens/").content.decode()
    assert used.prefix in page and revoked.prefix in page and other.token.prefix not in page
    row = re.search(rf'<tr data-token="{re.escape(used.prefix)}">(.*?)</tr>', page, re.S).group(1)
    assert "ci" in row and "active" in row and "never" not in row and "Revoke ci" in row
    row = re.search(rf'<tr data-token="{re.escape(revoked.prefix)}">(.*?)</tr>', page, re.S).group(1)
    assert "revoked" in row and "Revoke" not in row


def test_bad_input_is_refused_with_the_field(client, tree):
    officer = t.officer(tree.hz, Role.CASE_OFFICER)
    signed_in(client, officer)
    answer = client.post("/tokens/", {"name": "", "days": "0"})
    assert answer.status_code == 422 and not ApiToken.objects.exists()
    token_create(actor=SYSTEM, officer=officer, name="laptop", days=10, now=timezone.now())
    twice = client.post("/tokens/", {"name": "laptop", "days": "10"})
    assert twice.status_code == 409 and "already has a token named laptop" in twice.content.decode()
    assert ApiToken.objects.count() == 1


def test_a_token_is_revoked_and_stops_working(client, tree):
    officer = t.officer(tree.hz, Role.CASE_OFFICER)
    new = token_create(actor=SYSTEM, officer=officer, name="laptop", days=10, now=timezone.now())
    signed_in(client, officer)
    answer = client.post("/tokens/", {"revoke": str(new.token.pk)})
    assert answer.status_code == 302
    assert ApiToken.objects.get().revoked_at is not None
    assert AuditEntry.objects.filter(action="api_token.revoke").count() == 1
    api = client.__class__(HTTP_AUTHORIZATION=f"Bearer {new.secret}")
    assert api.get("/api/v1/cases/").status_code == 401
    # Revoking again is the service's conflict, answered on the page.
    again = client.post("/tokens/", {"revoke": str(new.token.pk)})
    assert again.status_code == 409 and AuditEntry.objects.filter(action="api_token.revoke").count() == 1


def test_another_officers_token_is_not_found(client, tree):
    theirs = token_create(
        actor=SYSTEM, officer=t.officer(tree.hz, Role.CASE_OFFICER), name="x", days=10, now=timezone.now()
    )
    signed_in(client, t.officer(tree.hz, Role.ADMINISTRATOR))
    assert client.post("/tokens/", {"revoke": str(theirs.token.pk)}).status_code == 404
    assert client.post("/tokens/", {"revoke": "nope"}).status_code == 404
    assert ApiToken.objects.get().revoked_at is None
