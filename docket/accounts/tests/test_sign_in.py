"""Password sign-in: the same answer for an unknown user, lockout and its end, the address throttle, the audit."""

import datetime as dt
import re
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from docket import testing as t
from docket.accounts.models import AddressFailures
from docket.accounts.services import account_unlock
from docket.accounts.tests.conftest import sign_in
from docket.audit.models import AuditEntry, Outcome
from docket.core.errors import Conflict, Denied
from docket.officers.actors import SYSTEM
from docket.officers.models import Role

pytestmark = pytest.mark.django_db

WRONG = "The username or password is not correct."
LOCKED = "Too many failed sign-ins for this username"


def _signed_in(client):
    return "_auth_user_id" in client.session


def _error(response):
    match = re.search(r'<p class="alert" role="alert">(.*?)</p>', response.content.decode())
    return match.group(1) if match else None


def test_sign_in_page_is_docket_s_own_with_labels(client):
    page = client.get("/login/")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<label for="id_username">' in html and '<label for="id_password">' in html
    assert 'action="/i18n/setlang/"' in html and "/static/accounts/docket.css" in html
    assert "admin" not in page.templates[0].name


def test_sign_in_works_and_is_audited_once(client, case_officer):
    response = sign_in(client, case_officer.username)
    assert response.status_code == 302 and response["Location"] == "/"
    assert _signed_in(client)
    assert client.get("/").status_code == 200
    assert AuditEntry.objects.filter(action="officer.login", actor_id=case_officer.pk).count() == 1


def test_language_switch_is_remembered(client):
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/login/"})
    assert 'lang="zh-hans"' in client.get("/login/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert 'lang="en"' in client.get("/login/").content.decode()


def test_unknown_user_and_wrong_password_get_the_same_answer(client, case_officer):
    calls = []
    original = MD5PasswordHasher.encode

    def counting(self, password, salt):
        calls.append(password)
        return original(self, password, salt)

    with mock.patch.object(MD5PasswordHasher, "encode", counting):
        wrong = sign_in(client, case_officer.username, "not-it")
        wrong_calls = len(calls)
        unknown = sign_in(client, "nobody-here", "not-it")
    assert wrong.status_code == unknown.status_code == 200
    assert _error(wrong) == _error(unknown) == WRONG
    # The password hasher runs for an unknown user too: no answer comes back faster for a name that does not exist.
    assert wrong_calls >= 1 and len(calls) - wrong_calls == wrong_calls
    assert not _signed_in(client)
    # An inactive officer's right password is answered the same.
    case_officer.is_active = False
    case_officer.save()
    assert _error(sign_in(client, case_officer.username)) == WRONG


def test_lockout_after_five_failures_for_known_and_unknown_users(client, case_officer):
    for _ in range(4):
        assert _error(sign_in(client, case_officer.username, "bad")) == WRONG
    fifth = sign_in(client, case_officer.username, "bad")
    assert fifth.status_code == 429 and LOCKED in _error(fifth)
    # Even the right password is refused while locked.
    assert LOCKED in _error(sign_in(client, case_officer.username))
    assert not _signed_in(client)
    for _ in range(5):
        unknown = sign_in(client, "ghost", "bad")
    assert unknown.status_code == 429 and _error(unknown) == _error(fifth)


def test_an_administrator_unlocks_and_it_is_audited(client, tree, case_officer, administrator):
    for _ in range(5):
        sign_in(client, case_officer.username, "bad")
    assert sign_in(client, case_officer.username).status_code == 429
    with pytest.raises(Denied):
        account_unlock(actor=t.officer(tree.hz, Role.CASE_OFFICER), username=case_officer.username, now=t.NOW)
    assert account_unlock(actor=administrator, username=case_officer.username, now=t.NOW) >= 1
    entry = AuditEntry.objects.get(action="auth.unlocked")
    assert entry.actor_id == administrator.pk and entry.detail == {"username": case_officer.username}
    with pytest.raises(Conflict):
        account_unlock(actor=administrator, username=case_officer.username, now=t.NOW)
    assert sign_in(client, case_officer.username).status_code == 302


def test_the_unlock_command_and_the_admin_action(client, case_officer, administrator):
    for _ in range(5):
        sign_in(client, case_officer.username, "bad")
    call_command("accounts", "unlock", case_officer.username)
    assert AuditEntry.objects.get(action="auth.unlocked").actor_name == SYSTEM.get_username()
    assert sign_in(client, case_officer.username).status_code == 302
    client.logout()
    for _ in range(5):
        sign_in(client, case_officer.username, "bad")
    t.verified_login(client, administrator)
    attempt = AccessAttempt.objects.get(username=case_officer.username)
    client.post("/admin/axes/accessattempt/", {"action": "unlock", "_selected_action": [attempt.pk], "index": 0})
    assert not AccessAttempt.objects.filter(username=case_officer.username).exists()
    assert AuditEntry.objects.filter(action="auth.unlocked", actor_id=administrator.pk).count() == 1


def test_the_lockout_ends_after_the_configured_time(client, case_officer, settings):
    settings.DOCKET_LOCKOUT_MINUTES = 10
    for _ in range(5):
        sign_in(client, case_officer.username, "bad")
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(minutes=9))
    assert sign_in(client, case_officer.username).status_code == 429
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(minutes=2))
    assert sign_in(client, case_officer.username).status_code == 302


def test_the_address_throttle_does_not_lock_others_below_it(client, tree, case_officer):
    shared = "10.1.2.3"
    # Nine colleagues behind one address each lock themselves out: 45 failures, below the address limit.
    for n in range(9):
        for _ in range(5):
            sign_in(client, f"colleague{n}", "bad", address=shared)
    assert sign_in(client, case_officer.username, address=shared).status_code == 302
    client.logout()
    for _ in range(5):
        sign_in(client, "someone", "bad", address=shared)
    refused = sign_in(client, case_officer.username, address=shared)
    assert refused.status_code == 429 and "network address" in _error(refused)
    assert not _signed_in(client)
    # The officer is not locked: from another address the sign-in works.
    assert sign_in(client, case_officer.username, address="10.9.9.9").status_code == 302


def test_failures_do_not_flood_the_audit_trail(client, case_officer):
    for _ in range(100):
        sign_in(client, case_officer.username, "secret-guess", address="10.0.0.7")
    entries = list(AuditEntry.objects.filter(action="auth.login_failed").order_by("seq"))
    row = AddressFailures.objects.get(address="10.0.0.7")
    assert 1 <= len(entries) <= 5, [e.detail for e in entries]
    assert sum(e.detail["count"] for e in entries) + row.unreported == 100 == row.failures
    assert all(e.outcome == Outcome.DENIED for e in entries)
    assert any(e.detail.get("locked") == case_officer.username for e in entries)
    assert any(e.detail.get("address_refused") for e in entries)
    assert "secret-guess" not in str([e.detail for e in entries])
    # A minute later the next failure reports the ones held back, with their count.
    AddressFailures.objects.update(reported_at=timezone.now() - dt.timedelta(seconds=61))
    sign_in(client, case_officer.username, "bad", address="10.0.0.7")
    last = AuditEntry.objects.filter(action="auth.login_failed").latest("seq")
    assert last.detail["count"] == row.unreported + 1


def test_an_administrator_of_another_province_cannot_unlock(client, tree, case_officer):
    from docket.core.errors import NotFound

    for _ in range(5):
        sign_in(client, case_officer.username, "bad")
    with pytest.raises(NotFound):
        account_unlock(actor=t.officer(tree.gd, Role.ADMINISTRATOR), username=case_officer.username, now=t.NOW)
    assert AccessAttempt.objects.filter(username=case_officer.username).exists()
    assert AuditEntry.objects.filter(action="account_unlock", outcome=Outcome.DENIED).count() == 1
