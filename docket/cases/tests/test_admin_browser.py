"""A head in a real headless Chromium: the admin sends them to the workspace, where they take a procedure step.

Also the browser fixtures (``server``, ``browser_page``) the other browser tests import."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from docket import testing as t
from docket.cases.models import Case, State

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path(os.environ.get("DOCKET_SCREENSHOTS", "var/screenshots"))


@pytest.fixture
def server():
    """A live server of this test's own, stopped (and its connection closed) before the database goes."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    thread = LiveServerThread("localhost", StaticFilesHandler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://localhost:{thread.port}"
    thread.terminate()


@pytest.fixture
def browser_page(monkeypatch):
    # The sync Playwright API runs an event loop in this thread; the ORM calls around it are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")
        yield page
        browser.close()
        # ORM calls made while Playwright's loop runs use a connection of that context: close it here, or
        # PostgreSQL keeps it open and the test database cannot be dropped.
        from django.db import connections

        connections.close_all()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_head_is_sent_from_the_admin_to_the_workspace_and_starts_an_investigation(server, browser_page, tree):
    team = t.Team(tree.hz)
    case = t.drive(team, to=State.FILED)
    from docket.cases import services as cs

    cs.case_assign(actor=team.head, case=case, officers=[team.a, team.b], on=case.filed_on, now=t.NOW)
    team.head.set_password("head-pass-123")
    team.head.save()
    page = browser_page
    SHOTS.mkdir(parents=True, exist_ok=True)

    # An office head signs in with a second factor (docket.accounts), through the admin's sign-in page.
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=team.head, name="app", confirmed=True)
    page.goto(f"{server}/admin/login/")
    page.fill("#id_username", team.head.username)
    page.fill("#id_password", "head-pass-123")
    page.click("button[type=submit].primary")
    page.fill("#id_token", f"{TOTP(device.bin_key).token():06d}")
    page.click("button[type=submit].primary")
    # The admin is the administrators': the head lands on the workspace, told why.
    page.wait_for_url(f"{server}/")
    assert page.locator(".messages li").count() == 1
    page.goto(f"{server}/admin/cases/case/")
    page.wait_for_url(f"{server}/")
    page.screenshot(path=str(SHOTS / "admin-refused.png"), full_page=True)

    page.goto(f"{server}/cases/{case.ref}/")
    page.locator("[data-step=investigation_start]").click()
    page.wait_for_url(re.compile(r".*/steps/investigation_start/$"))
    page.fill("#id_on", case.filed_on.isoformat())
    page.locator("button.primary").click()
    page.wait_for_selector(".messages li.success")
    page.screenshot(path=str(SHOTS / "workspace-step-done.png"), full_page=True)
    assert Case.objects.get(pk=case.pk).state == State.INVESTIGATING
