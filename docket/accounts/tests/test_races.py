"""Twenty sign-in changes released together: each rule holds exactly (PostgreSQL only)."""

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django_otp.plugins.otp_totp.models import TOTPDevice

from docket import testing as t
from docket.accounts import services as s
from docket.accounts.models import AddressFailures, RecoveryCode, code_digest
from docket.accounts.tests.test_two_factor import code_of
from docket.audit.models import AuditEntry
from docket.core.errors import Conflict
from docket.officers.actors import SYSTEM
from docket.officers.models import Officer, Role

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="races need PostgreSQL"),
]


def _officer(tree, role=Role.OFFICE_HEAD):
    return t.officer(tree.hz, role)


def _fresh(officer):
    return Officer.objects.get(pk=officer.pk)


@pytest.mark.race("totp_device_start")
def test_enrolment_starts_once(tree):
    officer = _officer(tree)
    results = t.race(lambda i: s.totp_device_start(actor=_fresh(officer), now=t.NOW))
    assert all(isinstance(r, TOTPDevice) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert TOTPDevice.objects.filter(user=officer).count() == 1
    assert AuditEntry.objects.filter(action="auth.totp_started").count() == 1


@pytest.mark.race("totp_confirm")
def test_enrolment_is_confirmed_once(tree):
    officer = _officer(tree)
    device = s.totp_device_start(actor=officer, now=t.NOW)
    token = code_of(device)
    results = t.race(lambda i: s.totp_confirm(actor=_fresh(officer), token=token, now=t.NOW))
    done = [r for r in results if isinstance(r, tuple)]
    assert len(done) == 1, results
    assert all(isinstance(r, Conflict) for r in results if not isinstance(r, tuple))
    assert TOTPDevice.objects.filter(user=officer, confirmed=True).count() == 1
    assert RecoveryCode.objects.filter(device__user=officer).count() == 10
    assert AuditEntry.objects.filter(action="auth.totp_enabled").count() == 1


@pytest.mark.race("recovery_codes_issue")
def test_new_codes_leave_exactly_one_set(tree):
    officer = _officer(tree)
    TOTPDevice.objects.create(user=officer, name="app", confirmed=True)
    results = t.race(lambda i: s.recovery_codes_issue(actor=_fresh(officer), now=t.NOW))
    assert all(isinstance(r, list) and len(r) == 10 for r in results), results
    stored = set(RecoveryCode.objects.filter(device__user=officer).values_list("digest", flat=True))
    # The set kept is the one issued last, whole: no mixture of two sets.
    assert sum(stored == {code_digest(c) for c in r} for r in results) == 1
    assert AuditEntry.objects.filter(action="auth.recovery_codes_issued").count() == 20


@pytest.mark.race("second_factor_verify")
def test_a_recovery_code_is_spent_once(tree):
    officer = _officer(tree)
    device = s.totp_device_start(actor=officer, now=t.NOW)
    _device, codes = s.totp_confirm(actor=officer, token=code_of(device), now=t.NOW)
    results = t.race(lambda i: s.second_factor_verify(actor=_fresh(officer), token=codes[0], now=t.NOW))
    verified = [r for r in results if r is not None and not isinstance(r, Exception)]
    assert len(verified) == 1, results
    assert all(isinstance(r, Conflict) for r in results if r not in verified)
    assert RecoveryCode.objects.filter(used_at__isnull=False).count() == 1
    # A TOTP code is accepted once too: the others find it spent and are refused (None, no session verified).
    TOTPDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)
    token = code_of(TOTPDevice.objects.get(user=officer), later=1)
    results = t.race(lambda i: s.second_factor_verify(actor=_fresh(officer), token=token, now=t.NOW))
    assert sum(isinstance(r, TOTPDevice) for r in results) == 1, results
    assert sum(r is None for r in results) == 19


@pytest.mark.race("sign_in_failure_record")
def test_failures_are_all_counted_and_reported_once(tree):
    results = t.race(
        lambda i: s.sign_in_failure_record(username=f"user{i % 3}", address="10.0.0.9", now=t.NOW),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    row = AddressFailures.objects.get(address="10.0.0.9")
    entries = AuditEntry.objects.filter(action="auth.login_failed")
    assert row.failures == 20 and entries.count() == 1
    assert entries.get().detail["count"] + row.unreported == 20


@pytest.mark.race("account_unlock")
def test_an_unlock_happens_once(tree):
    officer = _officer(tree, Role.CASE_OFFICER)
    AccessAttempt.objects.create(
        username=officer.username,
        ip_address="10.0.0.1",
        user_agent="x",
        get_data="",
        post_data="",
        http_accept="",
        path_info="/login/",
        failures_since_start=5,
    )
    results = t.race(lambda i: s.account_unlock(actor=SYSTEM, username=officer.username, now=t.NOW))
    assert sum(isinstance(r, int) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 19
    assert not AccessAttempt.objects.exists()
    assert AuditEntry.objects.filter(action="auth.unlocked").count() == 1
