"""Sign-in with the second factor in a real headless Chromium: password, enrolment by QR code, the workspace."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from docket.accounts.tests.conftest import PASSWORD
from docket.accounts.tests.test_two_factor import code_of
from docket.cases.tests.test_admin_browser import SHOTS, browser_page, server  # noqa: F401 - fixtures


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_head_signs_in_enrols_and_reaches_the_workspace(server, browser_page, head):  # noqa: F811
    page = browser_page
    SHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{server}/cases/")
    assert page.url.startswith(f"{server}/login/")
    page.locator("#id_username").fill(head.username)
    page.locator("#id_password").fill(PASSWORD)
    page.screenshot(path=str(SHOTS / "accounts-login.png"), full_page=True)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/account/two-factor/.*"))
    assert page.locator(".qr svg").count() == 1
    secret = page.locator("#secret").inner_text().replace(" ", "")
    device = TOTPDevice.objects.get(user=head, confirmed=False)
    assert secret and secret in device.config_url
    page.screenshot(path=str(SHOTS / "accounts-enrol.png"), full_page=True)

    page.locator("#id_token").fill(code_of(device))
    page.keyboard.press("Enter")
    page.wait_for_selector("ol.codes")
    assert page.locator("ol.codes li").count() == 10
    page.screenshot(path=str(SHOTS / "accounts-recovery-codes.png"), full_page=True)
    page.get_by_role("link").last.click()
    page.wait_for_url(f"{server}/cases/")
    assert page.locator("table.list").count() == 1

    # Signed out and in again: now the code is asked after the password.
    page.context.clear_cookies()
    page.goto(f"{server}/login/?next=/cases/")
    page.locator("#id_username").fill(head.username)
    page.locator("#id_password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/login/verify/.*"))
    device.refresh_from_db()
    page.locator("#id_token").fill(code_of(device, later=1))
    page.screenshot(path=str(SHOTS / "accounts-verify.png"), full_page=True)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/cases/")
    assert page.locator("table.list").count() == 1
