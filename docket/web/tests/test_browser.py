"""The workspace in a real headless Chromium: sign in with the second factor, the dashboard, a case page, a step."""

import re

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from docket import testing as t
from docket.cases.models import Case, State
from docket.cases.tests.test_admin_browser import SHOTS, browser_page, server  # noqa: F401 - fixtures

PASSWORD = "Workspace-pass-42"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_head_assigns_investigators_from_the_case_page(server, browser_page, tree):  # noqa: F811
    team = t.Team(tree.hz)
    case = t.drive(team, to=State.FILED)
    t.drive(team, to=State.INVESTIGATING)
    team.head.set_password(PASSWORD)
    team.head.save()
    device = TOTPDevice.objects.create(user=team.head, name="app", confirmed=True)
    page = browser_page
    SHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{server}/cases/{case.ref}/")
    assert page.url.startswith(f"{server}/login/")
    page.locator("#id_username").fill(team.head.username)
    page.locator("#id_password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/login/verify/.*"))
    page.locator("#id_token").fill(f"{TOTP(device.bin_key).token():06d}")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/cases/.*"))

    page.goto(f"{server}/")
    assert page.locator("#by-state-h + ul.counts a").count() == 2
    assert page.locator("#by-officer-h + ul.counts a").count() == 2
    page.screenshot(path=str(SHOTS / "web-dashboard.png"), full_page=True)

    page.goto(f"{server}/cases/{case.ref}/")
    assert page.locator("[data-step=assign]:not([aria-disabled])").count() == 1
    refused = page.locator("[data-step][aria-disabled=true]")
    assert refused.count() >= 1 and refused.first.get_attribute("title")
    page.screenshot(path=str(SHOTS / "web-case.png"), full_page=True)

    page.locator("[data-step=assign]").click()
    page.wait_for_url(re.compile(r".*/steps/assign/$"))
    page.fill("#id_on", case.filed_on.isoformat())
    page.select_option("#id_officers", [str(team.a.pk), str(team.b.pk)])
    page.screenshot(path=str(SHOTS / "web-step-form.png"), full_page=True)
    page.locator("button.primary").click()
    page.wait_for_selector(".messages li.success")
    page.screenshot(path=str(SHOTS / "web-step-done.png"), full_page=True)
    assert Case.objects.get(pk=case.pk).assignments.filter(active=True).count() == 2
