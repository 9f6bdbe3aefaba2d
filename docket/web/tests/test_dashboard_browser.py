"""The office head's and the inspector's dashboards and the draft decision's form in headless Chromium, in Chinese:
screenshots kept under ``var/artefacts/dashboards/`` (or ``$DOCKET_DASHBOARD_SHOTS``) to be looked at."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from docket import testing as t
from docket.cases.models import Case
from docket.cases.tests.test_admin_browser import browser_page, server  # noqa: F401 - fixtures
from docket.cases.tests.test_gates import _ready_to_draft
from docket.web.tests.test_dashboard import _today, office_work, supervised_below  # noqa: F401 - fixtures

SHOTS = Path(os.environ.get("DOCKET_DASHBOARD_SHOTS", "var/artefacts/dashboards"))


def _signed_in(page, server, officer) -> None:  # noqa: F811
    """The browser carries the session of a sign-in that passed the second factor (the sign-in pages have
    their own browser tests)."""
    client = Client()
    t.verified_login(client, officer)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.clear_cookies()
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": server}])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_dashboards_and_the_draft_form_in_chinese(server, browser_page, team, office_work, supervised_below):  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser_page
    late = office_work.filed
    Case.objects.filter(pk=late.pk).update(due_on=_today(late) - dt.timedelta(days=3))

    _signed_in(page, server, team.head)
    page.goto(f"{server}/")
    assert page.locator("html").get_attribute("lang") in ("zh-hans", "zh-Hans", "zh")
    supervised = page.locator("a[data-queue=supervised]")
    assert supervised.get_attribute("data-count") == "1"
    headers = page.locator("section[data-queue=at_risk] thead th").all_inner_texts()
    assert len(headers) == len(set(headers)), headers
    page.screenshot(path=str(SHOTS / "head-dashboard-zh.png"), full_page=True)
    supervised.click()
    page.wait_for_url("**/cases/?*")
    assert page.locator("table.list tbody tr").count() == 1
    page.screenshot(path=str(SHOTS / "head-supervised-list-zh.png"), full_page=True)

    _signed_in(page, server, office_work.inspector)
    page.goto(f"{server}/")
    assert page.locator("a[data-queue=supervising]").get_attribute("data-count") == "2"
    page.screenshot(path=str(SHOTS / "inspector-dashboard-zh.png"), full_page=True)

    case = _ready_to_draft(team)
    _signed_in(page, server, team.a)
    url = f"{server}/cases/{case.ref}/steps/draft_propose/"
    page.goto(url)
    page.screenshot(path=str(SHOTS / "draft-form-choose-zh.png"), full_page=True)
    page.click("a[data-add-measure=fine]")
    page.wait_for_url("**measure=fine")
    page.click("a[data-add-measure=rectification_order]")
    page.wait_for_url("**measure=rectification_order")
    page.click("a[data-add-measure=warning]")
    page.wait_for_url("**measure=warning")
    fieldsets = page.locator("fieldset.penalty")
    assert fieldsets.count() == 3
    assert page.locator("#id_penalties-0-amount").count() == 1
    assert page.locator("#id_penalties-0-due_on, #id_penalties-0-starts_on").count() == 0
    assert page.locator("#id_penalties-1-due_on").count() == 1
    assert page.locator("#id_penalties-1-amount").count() == 0
    assert page.locator("#id_penalties-2-amount, #id_penalties-2-due_on, #id_penalties-2-starts_on").count() == 0
    page.screenshot(path=str(SHOTS / "draft-form-measures-zh.png"), full_page=True)
