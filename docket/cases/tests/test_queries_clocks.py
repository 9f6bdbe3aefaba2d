"""A case's clocks as a person reads them (``cases.queries.clocks_of``): dates, working days left, how each ended."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from docket import testing as t
from docket.cases import queries as q
from docket.cases import services as cs
from docket.cases.models import Case, State
from docket.measures.models import FinePayment, Measure
from docket.workdays.calendar import working_days_between
from docket.workdays.clocks import deadline

pytestmark = pytest.mark.django_db

D = dt.timedelta


def by_key(case: Case, on: dt.date) -> dict[str, q.Clock]:
    clocks = q.clocks_of(Case.objects.select_related("profile").get(pk=case.pk), on=on)
    keys = [c.key for c in clocks]
    assert len(keys) == len(set(keys)), keys
    return {c.key: c for c in clocks}


def test_a_running_decision_clock_counts_working_days_left(team):
    case = t.drive(team, to=State.INVESTIGATING)
    on = case.filed_on + D(days=10)
    clock = by_key(case, on)["decision"]
    due = cs.decision_deadline(case, on).due
    assert clock.status == q.RUNNING and clock.running
    assert clock.start == case.filed_on and clock.due == due
    assert clock.days_left == working_days_between(on, due) > 0
    assert clock.citation and not clock.extended and clock.ended_on is None
    assert str(clock.label) == "Decision period"
    # No party window, no service, no payment before they begin.
    assert set(by_key(case, on)) == {"decision"}


def test_a_clock_past_its_date_is_overdue_with_negative_days(team):
    case = t.drive(team, to=State.INVESTIGATING)
    due = cs.decision_deadline(case, case.filed_on).due
    on = due + D(days=7)
    clock = by_key(case, on)["decision"]
    assert clock.status == q.OVERDUE and clock.urgency == "overdue"
    assert clock.days_left == -working_days_between(due, on) < 0


def test_a_suspension_stops_the_clock_and_its_days_are_added(team):
    case = t.drive(team, to=State.INVESTIGATING)
    start = case.filed_on + D(days=5)
    cs.clock_suspend(actor=team.head, case=case, reason="expert_testing", note="", starts_on=start, now=t.NOW)
    case.refresh_from_db()
    clock = by_key(case, start + D(days=3))["decision"]
    assert clock.status == q.SUSPENDED and clock.urgency == ""
    assert [s.starts_on for s in clock.suspensions] == [start]
    cs.clock_resume(actor=team.head, case=case, ends_on=start + D(days=20), now=t.NOW)
    case.refresh_from_db()
    before = deadline(case.profile, "decision", case.filed_on).due
    clock = by_key(case, start + D(days=25))["decision"]
    assert clock.status == q.RUNNING and clock.paused_days == 20
    assert clock.due is not None and clock.due > before
    assert clock.due == cs.decision_deadline(case, start + D(days=25)).due


def test_an_extension_shows_on_the_clock(team):
    case = t.drive(team, to=State.INVESTIGATING)
    on = case.filed_on + D(days=30)
    before = by_key(case, on)["decision"].due
    cs.decision_extend(actor=team.head, case=case, reason="案情复杂", on=on, now=t.NOW)
    case.refresh_from_db()
    clock = by_key(case, on)["decision"]
    assert clock.extended and clock.due is not None and before is not None and clock.due > before


def test_the_partys_windows_after_the_prior_notice(team):
    case = t.drive(team, to=State.NOTIFIED)
    notice = case.records.get(step="prior_notice").content
    served = dt.date.fromisoformat(notice["served_on"])
    clocks = by_key(case, served + D(days=1))
    statement, hearing = clocks["statement"], clocks["hearing_request"]
    assert statement.start == served and statement.due == dt.date.fromisoformat(notice["statement_due"])
    assert hearing.due == dt.date.fromisoformat(notice["hearing_request_due"])
    assert statement.status == hearing.status == q.RUNNING
    assert statement.days_left == working_days_between(served + D(days=1), statement.due)
    # Nothing recorded and the window passed: it ended unused on its date.
    late = by_key(case, statement.due + D(days=10))["statement"]
    assert late.status == q.UNUSED and late.ended_on == statement.due


def test_a_decided_case_shows_how_each_clock_ended(team):
    case = t.drive(team, to=State.DECIDED)
    case.refresh_from_db()
    clocks = by_key(case, case.decided_on + D(days=2))
    assert clocks["decision"].status == q.MET and clocks["decision"].ended_on == case.decided_on
    # The party's statement said nothing and gave up the hearing: both windows were waived on its day.
    waiver = case.records.get(step="statement").on
    assert clocks["statement"].status == clocks["hearing_request"].status == q.WAIVED
    assert clocks["statement"].ended_on == clocks["hearing_request"].ended_on == waiver
    service = clocks["service"]
    assert service.status == q.RUNNING and service.due == deadline(case.profile, "service", case.decided_on).due


def _archived(team, *, paid_late: bool) -> Case:
    case = t.drive(team, to="served")
    case.refresh_from_db()
    fine = Measure.objects.get(case=case, type="fine")
    assert fine.due_on is not None and fine.amount is not None
    paid_on = fine.due_on + D(days=3) if paid_late else fine.due_on - D(days=1)
    FinePayment.objects.create(measure=fine, paid_on=paid_on, amount=fine.amount, recorded_by=team.a)
    if paid_late:
        # Late payment owes the surcharge too before the case may close.
        FinePayment.objects.create(measure=fine, paid_on=paid_on, amount=fine.amount, recorded_by=team.a)
    close_on = paid_on + D(days=1)
    cs.close(actor=team.head, case=case, on=close_on, now=t.NOW + D(days=400))
    cs.archive(actor=team.head, case=case, on=close_on + D(days=1), now=t.NOW + D(days=400))
    return Case.objects.get(pk=case.pk)


@pytest.mark.parametrize("late", [False, True])
def test_an_archived_case_keeps_its_clocks_and_their_endings(team, late):
    case = _archived(team, paid_late=late)
    assert case.state == State.ARCHIVED
    clocks = by_key(case, case.archived_on + D(days=100))
    assert {"decision", "statement", "hearing_request", "service", "fine_payment"} <= set(clocks)
    assert not any(c.running for c in clocks.values())
    assert all(c.days_left is None for c in clocks.values())
    assert clocks["decision"].status == q.MET
    # Served on the spot, the day of the decision.
    assert clocks["service"].status == q.MET and clocks["service"].due == case.decided_on
    payment = clocks["fine_payment"]
    fine = Measure.objects.get(case=case, type="fine")
    assert payment.due == fine.due_on
    assert payment.status == (q.MISSED if late else q.MET)
    assert payment.ended_on == fine.payments.order_by("paid_on").first().paid_on


def test_a_decision_after_its_period_is_missed(team):
    case = t.drive(team, to=State.DECIDED)
    case.refresh_from_db()
    Case.objects.filter(pk=case.pk).update(filed_on=case.decided_on - D(days=200))
    clock = by_key(case, case.decided_on)["decision"]
    assert clock.status == q.MISSED and clock.due is not None and clock.due < case.decided_on


def test_a_case_ended_while_suspended_ended_suspended(team):
    case = t.drive(team, to=State.INVESTIGATING)
    start = case.filed_on + D(days=5)
    cs.clock_suspend(actor=team.head, case=case, reason="public_notice", note="", starts_on=start, now=t.NOW)
    case.refresh_from_db()
    cs.dismiss(actor=team.head, case=case, reason="证据不足", on=start + D(days=2), now=t.NOW)
    clock = by_key(case, start + D(days=100))["decision"]
    assert clock.status == q.SUSPENDED and clock.ended_on == start + D(days=2) and not clock.running


def test_labels_are_human_and_unknown_keys_pass_through():
    assert q.clock_label("service") == "Service of the decision"
    assert q.clock_label("suspended") == "Decision period (suspended)"
    assert q.clock_label("some_profile_clock") == "some_profile_clock"


def test_the_queries_do_not_grow_with_payments(team):
    small = _archived(team, paid_late=False)
    large = _archived(team, paid_late=True)
    fine = Measure.objects.get(case=large, type="fine")
    for _i in range(5):
        FinePayment.objects.create(measure=fine, paid_on=fine.due_on, amount=Decimal("1.00"), recorded_by=team.a)

    def count(case: Case) -> int:
        case = Case.objects.select_related("profile").get(pk=case.pk)
        assert case.archived_on is not None
        with CaptureQueriesContext(connection) as ctx:
            q.clocks_of(case, on=case.archived_on)
        return len(ctx.captured_queries)

    assert count(large) == count(small)


def _notified(team) -> tuple[Case, dict[str, Any]]:
    case = t.drive(team, to=State.NOTIFIED)
    return case, case.records.get(step="prior_notice").content


@pytest.mark.parametrize("said", ["", "当事人陈述申辩意见"])
def test_a_hearing_waived_today_is_waived_not_expired(team, said):
    case, notice = _notified(team)
    served = dt.date.fromisoformat(notice["served_on"])
    hearing_due = dt.date.fromisoformat(notice["hearing_request_due"])
    waiver_day = served + D(days=1)
    assert waiver_day < hearing_due
    # The window runs on the morning of the waiver day.
    assert by_key(case, waiver_day)["hearing_request"].status == q.RUNNING
    cs.statement_record(
        actor=team.a,
        case=case,
        content=said,
        waives_hearing=True,
        recheck="已复核" if said else "",
        on=waiver_day,
        now=t.NOW,
    )
    for on in (waiver_day, hearing_due + D(days=30)):
        clocks = by_key(case, on)
        hearing = clocks["hearing_request"]
        assert hearing.status == q.WAIVED and hearing.ended_on == waiver_day and not hearing.running
        assert hearing.status_label == "waived" and hearing.days_left is None
        # Saying something is using the statement window; saying nothing while giving up the hearing waives it.
        assert clocks["statement"].status == (q.MET if said else q.WAIVED)
        assert clocks["statement"].ended_on == waiver_day


def test_a_window_running_today_is_running_and_one_run_out_is_unused(team):
    case, notice = _notified(team)
    hearing_due = dt.date.fromisoformat(notice["hearing_request_due"])
    assert by_key(case, hearing_due)["hearing_request"].status == q.RUNNING
    assert by_key(case, hearing_due)["hearing_request"].days_left == 0
    after = by_key(case, hearing_due + D(days=1))["hearing_request"]
    assert after.status == q.UNUSED and after.ended_on == hearing_due and after.status_label == "ended unused"
