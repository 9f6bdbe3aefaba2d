"""The clocks on the case page, and the readable names of clocks and of the timeline's actions."""

import datetime as dt
import re

import pytest

from docket import testing as t
from docket.audit.labels import ACTION_LABELS, action_label
from docket.cases import services as cs
from docket.cases.models import Case, State
from docket.measures.models import FinePayment, Measure

pytestmark = pytest.mark.django_db


def signed_in(client, officer):
    t.verified_login(client, officer)
    return client


def rows(html: str) -> dict[str, str]:
    """clock key → its status, as the page marks them."""
    return dict(re.findall(r'<tr data-clock="([a-z_]+)" data-status="([a-z]+)">', html))


def test_a_running_case_shows_its_clock_with_working_days_left(client, team, monkeypatch):
    from docket.web import views

    case = t.drive(team, to=State.INVESTIGATING)
    today = case.filed_on + dt.timedelta(days=20)
    monkeypatch.setattr(views, "_today", lambda office: today)
    signed_in(client, team.a)
    response = client.get(f"/cases/{case.ref}/")
    html = response.content.decode()
    assert rows(html) == {"decision": "running"}
    (clock,) = response.context["clocks"]
    assert clock.days_left and clock.days_left > 0
    assert f'<td class="days-left">{clock.days_left}</td>' in html
    assert clock.due.isoformat() in html
    # The next due date names its clock in words, not by its machine name.
    assert "Decision period" in html and "· decision<" not in html


def test_a_suspended_clock_shows_its_suspension(client, team):
    case = t.drive(team, to=State.INVESTIGATING)
    start = case.filed_on + dt.timedelta(days=3)
    cs.clock_suspend(actor=team.head, case=case, reason="expert_testing", note="", starts_on=start, now=t.NOW)
    signed_in(client, team.a)
    html = client.get(f"/cases/{case.ref}/").content.decode()
    assert rows(html)["decision"] == "suspended"
    assert "Expert testing or appraisal" in html and start.isoformat() in html
    assert "Decision period (suspended)" in html


def test_an_archived_case_shows_how_each_clock_ended(client, team):
    case = t.drive(team, to="served")
    case.refresh_from_db()
    fine = Measure.objects.get(case=case, type="fine")
    FinePayment.objects.create(
        measure=fine, paid_on=fine.due_on + dt.timedelta(days=2), amount=fine.amount * 2, recorded_by=team.a
    )
    later = t.NOW + dt.timedelta(days=400)
    close_on = fine.due_on + dt.timedelta(days=3)
    cs.close(actor=team.head, case=case, on=close_on, now=later)
    cs.archive(actor=team.head, case=case, on=close_on, now=later)
    assert Case.objects.get(pk=case.pk).state == State.ARCHIVED
    signed_in(client, team.a)
    html = client.get(f"/cases/{case.ref}/").content.decode()
    assert rows(html) == {
        "decision": "met",
        "statement": "waived",
        "hearing_request": "waived",
        "service": "met",
        "fine_payment": "missed",
    }
    for words in ("Decision period", "Statement and defence", "Service of the decision", "Payment", "missed", "met"):
        assert words in html


def test_a_waiver_shows_waived_on_its_day_not_expired(client, team, monkeypatch):
    from docket.web import views

    case = t.drive(team, to=State.NOTIFIED)
    notice = case.records.get(step="prior_notice").content
    day = dt.date.fromisoformat(notice["served_on"]) + dt.timedelta(days=1)
    cs.statement_record(actor=team.a, case=case, content="", waives_hearing=True, recheck="", on=day, now=t.NOW)
    monkeypatch.setattr(views, "_today", lambda office: day)
    signed_in(client, team.a)
    html = client.get(f"/cases/{case.ref}/").content.decode()
    assert rows(html) == {"decision": "running", "statement": "waived", "hearing_request": "waived"}
    row = html[html.index('data-clock="hearing_request"') :]
    row = row[: row.index("</tr>")]
    assert ">waived<" in row and "ended unused" not in row and f"<td>{day.isoformat()}</td>" in row


def test_an_executing_case_shows_its_payment_deadline_as_the_next_due_date(client, team, monkeypatch):
    from docket.web import views

    case = t.drive(team, to="served")
    fine = Measure.objects.get(case=case, type="fine")
    monkeypatch.setattr(views, "_today", lambda office: fine.taken_on)
    signed_in(client, team.a)
    html = client.get(f"/cases/{case.ref}/").content.decode()
    facts = html[html.index('class="facts"') : html.index("</dl>")]
    assert f"{fine.due_on.isoformat()}</span> · Payment" in facts
    assert rows(html)["fine_payment"] == "running"


def test_an_overdue_clock_says_how_many_working_days_overdue(client, team, monkeypatch):
    from docket.web import views

    case = t.drive(team, to="served")
    fine = Measure.objects.get(case=case, type="fine")
    today = fine.due_on + dt.timedelta(days=14)
    monkeypatch.setattr(views, "_today", lambda office: today)
    signed_in(client, team.a)
    response = client.get(f"/cases/{case.ref}/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    (payment,) = [c for c in response.context["clocks"] if c.key == "fine_payment"]
    assert payment.status == "overdue" and payment.days_left is not None and payment.days_left < 0
    assert payment.days_overdue == -payment.days_left
    row = html[html.index('data-clock="fine_payment"') :]
    row = row[: row.index("</tr>")]
    assert f"{payment.days_overdue} working days overdue" in row and f">{payment.days_left}<" not in row


def test_the_timeline_names_actions_in_words(client, team):
    case = t.drive(team, to=State.INVESTIGATING)
    signed_in(client, team.a)
    html = client.get(f"/cases/{case.ref}/").content.decode()
    timeline = html[html.index('id="timeline-h"') :]
    for label in ("Case filed", "Investigators assigned", "Investigation started"):
        assert label in timeline
    assert "— case.assign" not in timeline and 'data-action="case.assign"' in timeline


def test_the_labels_are_translated_and_cover_the_case_steps(client, team):
    from django.utils.functional import Promise

    from docket.cases.transitions import TRANSITIONS

    # Every step of the procedure is named in words in the timeline (a few record their own shorter names).
    named = {"legal_review_approve": "legal_review", "legal_review_return": "legal_review"}
    named |= {"discussion_record": "discussion", "statement_record": "statement", "hearing_record": "hearing"}
    named |= {"supervise": "supervision", "instruct": "instruction", "evidence_add": None}
    for action in TRANSITIONS:
        stored = named.get(action, action)
        if stored is not None:
            assert f"case.{stored}" in ACTION_LABELS, action
    assert action_label("something.new") == "something.new"
    # Lazy: each is read in the language of the page that shows it.
    assert all(isinstance(label, Promise) for label in ACTION_LABELS.values())


def test_the_case_page_queries_do_not_grow_with_payments(client, team):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small, large = t.drive(team, to="served"), t.drive(team, to="served")
    fine = Measure.objects.get(case=large, type="fine")
    for _i in range(4):
        FinePayment.objects.create(measure=fine, paid_on=fine.due_on, amount=1, recorded_by=team.a)
    signed_in(client, team.a)

    def count(case):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/cases/{case.ref}/").status_code == 200
        return len(ctx.captured_queries)

    count(small)
    assert count(large) == count(small)
