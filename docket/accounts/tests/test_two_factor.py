"""The second factor: required for heads, reviewers and administrators (the admin too), optional for others."""

import re

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from docket import testing as t
from docket.accounts.models import RecoveryCode
from docket.accounts.tests.conftest import sign_in
from docket.audit.models import AuditEntry, Outcome
from docket.officers.models import Role

pytestmark = pytest.mark.django_db


def code_of(device, *, later=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + later * device.step
    return f"{totp.token():0{device.digits}d}"


def enrol(client):
    """Go through the enrolment page; returns the device and the recovery codes shown."""
    page = client.get("/account/two-factor/")
    assert page.status_code == 200
    device = TOTPDevice.objects.get(confirmed=False)
    assert page.context["secret"].replace(" ", "") in device.config_url
    assert "<svg" in page.content.decode()
    shown = client.post("/account/two-factor/", {"action": "confirm", "token": code_of(device)})
    assert shown.status_code == 200
    codes = re.findall(r"<li><code>([A-Z0-9-]+)</code></li>", shown.content.decode())
    device.refresh_from_db()
    return device, codes


@pytest.mark.parametrize("role", [Role.OFFICE_HEAD, Role.LEGAL_REVIEWER, Role.ADMINISTRATOR])
def test_required_roles_are_held_at_enrolment_until_enrolled(client, tree, role):
    from docket.accounts.tests.conftest import with_password

    officer = with_password(t.officer(tree.hz, role))
    response = sign_in(client, officer.username)
    assert response.status_code == 302 and response["Location"].startswith("/account/two-factor/")
    for path in ("/admin/", "/admin/offices/office/", "/", "/cases/"):
        blocked = client.get(path)
        assert blocked.status_code == 302 and blocked["Location"].startswith("/account/two-factor/"), path
    device, codes = enrol(client)
    assert device.confirmed and len(codes) == 10 and len(set(codes)) == 10
    # Shown once, stored as digests only.
    stored = set(RecoveryCode.objects.values_list("digest", flat=True))
    assert len(stored) == 10 and not {c.replace("-", "") for c in codes} & stored
    assert client.get("/").status_code == 200
    # Past the second factor, the admin is still the administrator's alone.
    admin = client.get("/admin/")
    assert admin.status_code == 200 if role == Role.ADMINISTRATOR else admin["Location"] == "/"
    assert AuditEntry.objects.filter(action="auth.totp_enabled", actor_id=officer.pk).count() == 1


def test_a_wrong_code_does_not_enrol(client, head):
    sign_in(client, head.username)
    client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(confirmed=False)
    wrong = f"{(int(code_of(device)) + 1) % 1000000:06d}"
    page = client.post("/account/two-factor/", {"action": "confirm", "token": wrong})
    assert page.status_code == 200 and "The code is not valid" in page.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    assert client.get("/")["Location"].startswith("/account/two-factor/")


def test_enrolled_officer_passes_the_code_after_the_password(client, head):
    sign_in(client, head.username)
    device, _codes = enrol(client)
    client.post("/logout/")
    response = sign_in(client, head.username)
    assert response["Location"].startswith("/login/verify/")
    assert client.get("/cases/")["Location"] == "/login/verify/?next=%2Fcases%2F"
    bad = client.post("/login/verify/", {"token": "000000" if code_of(device, later=1) != "000000" else "111111"})
    assert bad.status_code == 200 and client.get("/cases/")["Location"].startswith("/login/verify/")
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    ok = client.post("/login/verify/", {"token": code_of(device, later=1), "next": "/cases/"})
    assert ok.status_code == 302 and ok["Location"] == "/cases/"
    assert client.get("/cases/").status_code == 200


def test_a_recovery_code_works_once(client, head):
    sign_in(client, head.username)
    _device, codes = enrol(client)
    client.post("/logout/")
    sign_in(client, head.username)
    assert client.post("/login/verify/", {"token": codes[3].lower()}).status_code == 302
    assert client.get("/").status_code == 200
    entry = AuditEntry.objects.filter(action="auth.second_factor", outcome=Outcome.OK).latest("seq")
    assert entry.detail == {"device": "recovery_code", "codes_left": 9}
    client.post("/logout/")
    sign_in(client, head.username)
    again = client.post("/login/verify/", {"token": codes[3]})
    assert again.status_code == 200 and "already been used" in again.content.decode()
    assert client.get("/")["Location"].startswith("/login/verify/")
    assert client.post("/login/verify/", {"token": codes[4]}).status_code == 302


def test_new_recovery_codes_replace_the_old(client, head):
    sign_in(client, head.username)
    _device, old = enrol(client)
    page = client.post("/account/two-factor/", {"action": "codes"})
    new = re.findall(r"<li><code>([A-Z0-9-]+)</code></li>", page.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    client.post("/logout/")
    sign_in(client, head.username)
    assert client.post("/login/verify/", {"token": old[0]}).status_code == 200
    # A wrong code makes the next try wait (a second, doubling with each failure).
    throttled = client.post("/login/verify/", {"token": new[0]})
    assert throttled.status_code == 200 and RecoveryCode.objects.filter(used_at__isnull=False).count() == 0
    TOTPDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)
    assert client.post("/login/verify/", {"token": new[0]}).status_code == 302


def test_a_case_officer_may_enrol_but_need_not(client, case_officer):
    response = sign_in(client, case_officer.username)
    assert response["Location"] == "/" and client.get("/").status_code == 200
    _device, codes = enrol(client)
    assert len(codes) == 10
    client.post("/logout/")
    assert sign_in(client, case_officer.username)["Location"].startswith("/login/verify/")
    assert client.get("/")["Location"].startswith("/login/verify/")


def test_the_admin_requires_the_second_factor(client, administrator):
    client.force_login(administrator)
    assert client.get("/admin/")["Location"].startswith("/account/two-factor/")
    TOTPDevice.objects.create(user=administrator, name="app", confirmed=True)
    assert client.get("/admin/")["Location"].startswith("/login/verify/")
    t.verified_login(client, administrator)
    assert client.get("/admin/").status_code == 200
    # The admin's own sign-in page is Docket's.
    client.logout()
    login = client.get("/admin/login/?next=/admin/cases/")
    assert login.status_code == 302 and login["Location"] == "/login/?next=%2Fadmin%2Fcases%2F"
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_without_the_setting_no_one_is_required(client, head, settings):
    settings.DOCKET_REQUIRE_2FA = False
    sign_in(client, head.username)
    assert client.get("/").status_code == 200
