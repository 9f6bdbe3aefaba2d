"""The case page: a timeline of everything that happened (the case's evidence, measures and documents too), amounts
read as money on every page that shows them, and the page itself in a real Chromium on an executing and an archived
case (screenshots kept under ``var/artefacts/case_page/``)."""

import datetime as dt
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from docket import testing as t
from docket.cases import services as cs
from docket.cases.models import Case, State
from docket.cases.tests.test_admin_browser import browser_page, server  # noqa: F401 - fixtures
from docket.documents.defaults import install_defaults
from docket.documents.models import DocumentTemplate, Language
from docket.documents.services import document_render
from docket.evidence.models import EvidenceItem
from docket.measures import services as ms
from docket.measures.models import Measure
from docket.web.templatetags.workspace import format_money, money

ARTEFACTS = Path(os.environ.get("DOCKET_ARTEFACTS", "var/artefacts")) / "case_page"
PASSWORD = "Case-page-pass-42"


def signed_in(client, officer):
    t.verified_login(client, officer)
    return client


def _pay(team, fine: Measure, amount: str, on: dt.date | None = None) -> None:
    ms.fine_payment_record(
        actor=team.a,
        measure=Measure.objects.get(pk=fine.pk),
        paid_on=on or fine.taken_on,
        amount=Decimal(amount),
        reference="缴款书",
        now=t.NOW,
    )


def executing_case(team, *, payments: int = 1, languages: tuple[str, ...] = (Language.ZH,)) -> Case:
    """A penalty case being executed: its fine partly paid, its decision rendered as PDF."""
    install_defaults(DocumentTemplate)
    case = t.drive(team, to="served")
    fine = Measure.objects.get(case=case, type="fine")
    for _i in range(payments):
        _pay(team, fine, "10000.00")
    decision = case.documents.get(kind="decision")
    for language in languages:
        document_render(actor=team.a, document=decision, language=language, now=t.NOW)
    return Case.objects.get(pk=case.pk)


def timeline_of(html: str) -> str:
    part = html[html.index('id="timeline-h"') :]
    return part[: part.index("</section>")]


# --- the timeline -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_timeline_shows_evidence_measures_payments_and_documents(client, team):
    case = executing_case(team)
    fine = Measure.objects.get(case=case, type="fine")
    item = EvidenceItem.objects.get(case=case)
    signed_in(client, team.a)
    # Opening a file is audited on the file; it is not something that happened to the case.
    assert client.get(f"/evidence/{item.pk}/download/").status_code == 200
    timeline = timeline_of(client.get(f"/cases/{case.ref}/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    actions = re.findall(r'<li data-action="([a-z_.]+)"', timeline)
    for action in ("case.file", "evidence.add", "measure.record", "case.serve", "measure.payment", "document.render"):
        assert action in actions, (action, actions)
    assert "evidence.read" not in actions
    # Newest first, the case's own entries and its records' entries in one order.
    newest_first = ("document.render", "measure.payment", "case.serve", "evidence.add", "case.file")
    order = [actions.index(a) for a in newest_first]
    assert order == sorted(order)
    # Each in words, with the record it is about.
    assert f"Evidence added · {item.name}" in timeline
    assert f"Payment recorded · {fine.get_type_display()}" in timeline
    assert f"Measure recorded · {fine.get_type_display()}" in timeline
    assert "Document generated · " in timeline and "— document.render" not in timeline


@pytest.mark.django_db
def test_the_timeline_is_in_chinese_on_a_chinese_page(client, team):
    case = executing_case(team)
    signed_in(client, team.a)
    timeline = timeline_of(client.get(f"/cases/{case.ref}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode())
    assert 'data-action="measure.payment"' in timeline and "Payment recorded" not in timeline


@pytest.mark.django_db
def test_the_timeline_of_a_sibling_offices_case_is_not_shown(client, team, tree):
    case = executing_case(team)
    stranger = t.Team(tree.nb)
    signed_in(client, stranger.a)
    assert client.get(f"/cases/{case.ref}/").status_code == 404


@pytest.mark.django_db
def test_the_timeline_costs_the_same_queries_for_few_and_many_records(client, team):
    few = executing_case(team, payments=1)
    many = executing_case(team, payments=6, languages=(Language.ZH, Language.EN))
    signed_in(client, team.a)

    def count(case: Case) -> int:
        client.get(f"/cases/{case.ref}/")
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(f"/cases/{case.ref}/").content.decode()
        assert timeline_of(html).count('data-action="measure.payment"') == (1 if case == few else 6)
        return len(ctx.captured_queries)

    assert count(few) == count(many)


@pytest.mark.django_db
def test_an_ended_case_shows_when_it_was_decided_served_closed_and_archived(client, team):
    case = executing_case(team, payments=0)
    fine = Measure.objects.get(case=case, type="fine")
    _pay(team, fine, "100000.00")
    closed_on, archived_on = fine.due_on, fine.due_on + dt.timedelta(days=1)
    cs.close(actor=team.head, case=case, on=closed_on, now=t.NOW)
    cs.archive(actor=team.head, case=case, on=archived_on, now=t.NOW)
    case.refresh_from_db()
    signed_in(client, team.a)
    html = client.get(f"/cases/{case.ref}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    facts = html[html.index('class="facts"') : html.index("</dl>")]
    for label, day in (("Served on", case.served_on), ("Closed on", closed_on), ("Archived on", archived_on)):
        assert f"<dt>{label}</dt><dd>{day.isoformat()}</dd>" in facts
    assert case.decided_on is not None and case.decided_on.isoformat() in facts
    # Nothing runs any more: no next due date.
    assert "<dt>Next due date</dt><dd>—" in facts


# --- money ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("100000.00"), "¥100,000.00"),
        (Decimal("0"), "¥0.00"),
        (0, "¥0.00"),
        (Decimal("0.00"), "¥0.00"),
        ("1234.5", "¥1,234.50"),
        (Decimal("1234567.891"), "¥1,234,567.89"),
        (Decimal("0.005"), "¥0.01"),
        (None, "—"),
        ("", "—"),
        ("n/a", "n/a"),
    ],
)
def test_money_reads_as_money(value, shown):
    assert money(value) == format_money(value) == shown


MONEY = re.compile(r"^¥\d{1,3}(,\d{3})*\.\d\d$")


@pytest.mark.django_db
def test_every_page_shows_amounts_as_money(client, team):
    case = executing_case(team, payments=0)
    fine = Measure.objects.get(case=case, type="fine")
    _pay(team, fine, "40000.00")
    signed_in(client, team.a)
    html = client.get(f"/cases/{case.ref}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    measures = html[html.index('id="measures-h"') :]
    measures = measures[: measures.index("</section>")]
    assert '<span class="money">¥100,000.00</span>' in measures and "CNY" not in measures

    html = client.get(f"/measures/{fine.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    shown = re.findall(r'<(?:dd|td) class="[^"]*\bmoney\b[^"]*">([^<]*)</(?:dd|td)>', html)
    # The amount, principal, surcharge, paid, outstanding, and the one payment: each as money, none a bare "0".
    assert len(shown) == 6 and all(MONEY.match(s) for s in shown), shown
    assert shown[0] == shown[1] == "¥100,000.00" and "¥40,000.00" in shown

    listed = client.get("/measures/?type=fine", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<td>¥100,000.00</td>" in listed and "100000.00" not in listed
    # The export keeps the figure a spreadsheet reads as a number.
    exported = client.get("/measures/?type=fine&export=csv").content.decode()
    assert ",100000.00," in exported and "¥" not in exported


# --- the page in a real browser -----------------------------------------------------------------------------------


def _sign_in(page, base: str, officer, url: str) -> None:
    page.goto(f"{base}{url}")
    page.locator("#id_username").fill(officer.username)
    page.locator("#id_password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/cases/.*"))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_screenshots_of_an_executing_and_an_archived_case(server, browser_page, tree):  # noqa: F811
    team = t.Team(tree.hz)
    executing = executing_case(team)
    archived = executing_case(team)
    fine = Measure.objects.get(case=archived, type="fine")
    _pay(team, fine, "90000.00", on=fine.due_on)
    later = t.NOW + dt.timedelta(days=1)
    cs.close(actor=team.head, case=archived, on=fine.due_on + dt.timedelta(days=1), now=later)
    cs.archive(actor=team.head, case=archived, on=fine.due_on + dt.timedelta(days=2), now=later)
    assert Case.objects.get(pk=archived.pk).state == State.ARCHIVED
    team.a.set_password(PASSWORD)
    team.a.save()
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page = browser_page

    _sign_in(page, server, team.a, f"/cases/{executing.ref}/")
    due = Measure.objects.get(case=executing, type="fine").due_on
    facts = page.locator("dl.facts").inner_text()
    assert due.isoformat() in facts
    assert page.locator('tr[data-clock="fine_payment"][data-status]').count() == 1
    assert page.locator('li[data-action="measure.payment"]').count() == 1
    assert page.locator('li[data-action="evidence.add"]').count() == 1
    page.screenshot(path=str(ARTEFACTS / "executing.png"), full_page=True)

    page.goto(f"{server}/cases/{archived.ref}/")
    statuses = {
        row.get_attribute("data-clock"): row.get_attribute("data-status")
        for row in page.locator("tr[data-clock]").all()
    }
    assert statuses == {
        "decision": "met",
        "statement": "waived",
        "hearing_request": "waived",
        "service": "met",
        "fine_payment": "met",
    }
    assert page.locator('li[data-action="case.archive"]').count() == 1
    page.screenshot(path=str(ARTEFACTS / "archived.png"), full_page=True)
