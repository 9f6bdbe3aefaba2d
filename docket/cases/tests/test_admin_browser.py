"""The admin in a real headless Chromium: sign in, find a case, take a procedure step through its form."""

import os
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
def test_head_starts_an_investigation_from_the_admin(server, browser_page, tree):
    team = t.Team(tree.hz)
    case = t.drive(team, to=State.FILED)
    from docket.cases import services as cs

    cs.case_assign(actor=team.head, case=case, officers=[team.a, team.b], on=case.filed_on, now=t.NOW)
    team.head.set_password("head-pass-123")
    team.head.save()
    page = browser_page
    SHOTS.mkdir(parents=True, exist_ok=True)

    # An office head signs in with a second factor (docket.accounts).
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=team.head, name="app", confirmed=True)
    page.goto(f"{server}/admin/login/")
    page.fill("#id_username", team.head.username)
    page.fill("#id_password", "head-pass-123")
    page.click("button[type=submit].primary")
    page.fill("#id_token", f"{TOTP(device.bin_key).token():06d}")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{server}/admin/")
    page.goto(f"{server}/admin/cases/case/")
    assert page.locator("#result_list").inner_text().count(case.ref) == 1
    page.screenshot(path=str(SHOTS / "admin-case-list.png"), full_page=True)

    page.check(f"input[name=_selected_action][value='{case.pk}']")
    page.select_option("select[name=action]", "investigation_start")
    page.click("button[name=index]")
    page.fill("#id_on", case.filed_on.isoformat())
    page.screenshot(path=str(SHOTS / "admin-step-form.png"), full_page=True)
    page.click("input[type=submit][value='提交']")
    page.wait_for_selector(".messagelist")
    assert "已完成 1 项" in page.locator(".messagelist").inner_text()
    page.screenshot(path=str(SHOTS / "admin-step-done.png"), full_page=True)
    assert Case.objects.get(pk=case.pk).state == State.INVESTIGATING
