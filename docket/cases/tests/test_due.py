"""The stored next due date follows every transition that moves it: filing, suspension, extension, decision."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.http import QueryDict

from docket import testing as t
from docket.cases import services as cs
from docket.cases.filtersets import CaseFilterSet
from docket.cases.models import Case, State
from docket.measures import services as ms
from docket.measures.models import Measure
from docket.officers.models import Officer
from docket.workdays.calendar import add_calendar_days, add_working_days

NOW = t.NOW


def _stored(case):
    row = Case.objects.values("due_on", "due_clock").get(pk=case.pk)
    return row["due_on"], row["due_clock"]


def test_due_date_is_stored_and_kept_by_the_transitions(team):
    case = t.drive(team, to=State.INVESTIGATING)
    filed = case.filed_on
    # 90 calendar days, ending on the next working day when the 90th is a rest day (Sun 2 Jun → Mon 3 Jun).
    assert _stored(case) == (add_calendar_days(filed, 90), "decision") == (dt.date(2024, 6, 3), "decision")
    cs.clock_suspend(actor=team.head, case=case, reason="expert_testing", note="", starts_on=filed, now=NOW)
    assert _stored(case) == (None, "suspended")
    cs.clock_resume(actor=team.head, case=case, ends_on=filed + dt.timedelta(days=10), now=NOW)
    assert _stored(case) == (add_calendar_days(filed, 100), "decision")
    cs.decision_extend(actor=team.head, case=case, reason="复杂", on=filed + dt.timedelta(days=20), now=NOW)
    extended = _stored(case)[0]
    assert extended is not None and extended > add_calendar_days(filed, 100)
    assert (case.due_on, case.due_clock) == _stored(case)


def test_decision_starts_the_service_clock_and_service_ends_it(team):
    case = t.drive(team, to=State.DECIDED)
    # drive() decides with the party absent from the decision: service within 7 working days.
    assert _stored(case) == (add_working_days(case.decided_on, 7), "service")
    cs.serve(
        actor=team.a, case=case, served_on=case.decided_on, method="直接送达", party_present=True, proof="回执", now=NOW
    )
    # Served: the fine's payment deadline is what the case waits for now.
    fine = Measure.objects.get(case=case, type="fine")
    assert _stored(case) == (fine.due_on, "fine_payment")


def test_lists_sort_by_nearest_due_date_with_the_filterset(team):
    early = t.drive(team, to=State.FILED, received_on=dt.date(2024, 3, 1))
    late = t.drive(team, to=State.FILED, received_on=dt.date(2024, 6, 3))
    ended = t.drive(team, to=State.INVESTIGATING, received_on=dt.date(2024, 1, 2))
    cs.dismiss(actor=team.head, case=ended, reason="不构成违法", on=ended.filed_on, now=NOW)
    qs = Case.objects.visible_to(team.head)
    ordered = CaseFilterSet(QueryDict("order=due"), queryset=qs).qs
    assert list(ordered) == [early, late, ended]  # no running clock: last
    before = CaseFilterSet(QueryDict(f"due_before={early.due_on}"), queryset=qs).qs
    assert list(before) == [early]


# --- executing: the measures' execution deadlines ----------------------------------------------------------------


def _executing(team, *, fines: int = 1, rectification_days: int = 0) -> Case:
    """A case served with its fine of 100,000 (due 15 days after service), ``fines - 1`` more fines of 5,000, and
    optionally a rectification order due ``rectification_days`` after the decision."""
    case = t.drive(team, to=State.DECIDED)
    assert case.decided_on is not None
    for _i in range(fines - 1):
        Measure.objects.create(
            office=case.office,
            type="fine",
            taken_on=case.decided_on,
            case=case,
            amount=Decimal("5000.00"),
            created_at=NOW,
        )
    if rectification_days:
        Measure.objects.create(
            office=case.office,
            type="rectification_order",
            taken_on=case.decided_on,
            case=case,
            due_on=case.decided_on + dt.timedelta(days=rectification_days),
            created_at=NOW,
        )
    cs.serve(
        actor=team.a, case=case, served_on=case.decided_on, method="直接送达", party_present=True, proof="回执", now=NOW
    )
    assert case.state == State.EXECUTING
    return case


def _pay(team, measure: Measure, amount, on: dt.date | None = None) -> None:
    ms.fine_payment_record(
        actor=Officer.objects.get(pk=team.a.pk),
        measure=Measure.objects.get(pk=measure.pk),
        paid_on=on or measure.taken_on,
        amount=Decimal(amount),
        reference="缴款书",
        now=NOW,
    )


def test_an_executing_case_is_due_on_its_payment_deadline(team):
    case = _executing(team)
    fine = Measure.objects.get(case=case, type="fine")
    assert fine.due_on is not None
    assert _stored(case) == (fine.due_on, "fine_payment") == (case.due_on, case.due_clock)


def test_payments_and_verification_move_the_due_date_to_the_next_open_deadline(team):
    case = _executing(team, fines=2, rectification_days=60)
    fines = list(Measure.objects.filter(case=case, type="fine").order_by("id"))
    order = Measure.objects.get(case=case, type="rectification_order")
    payment_due = fines[0].due_on
    assert payment_due is not None and order.due_on is not None and payment_due < order.due_on
    assert _stored(case) == (payment_due, "fine_payment")
    # Part of the first fine: both fines still run.
    _pay(team, fines[0], "1000.00")
    assert _stored(case) == (payment_due, "fine_payment")
    _pay(team, fines[0], "99000.00")
    assert _stored(case) == (payment_due, "fine_payment")  # the second fine is still owed
    # Paid after its due date: the payment ended the clock all the same (the surcharge is the measure's account).
    _pay(team, fines[1], "5000.00", on=payment_due + dt.timedelta(days=1))
    assert _stored(case) == (order.due_on, "rectification")
    ms.rectification_verify(
        actor=team.a,
        measure=Measure.objects.get(pk=order.pk),
        verified_on=order.due_on,
        complied=True,
        note="已整改",
        now=NOW,
    )
    assert _stored(case) == (None, "")


def test_an_unpaid_fine_past_its_due_date_stays_due_overdue(team):
    case = _executing(team)
    fine = Measure.objects.get(case=case, type="fine")
    later = fine.due_on + dt.timedelta(days=30)
    overdue = CaseFilterSet(QueryDict(f"due_before={later}"), queryset=Case.objects.visible_to(team.head)).qs
    assert list(overdue) == [case]
    assert _stored(case) == (fine.due_on, "fine_payment")


@pytest.mark.race("fine_payment_record")
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_payments_of_many_fines_at_once_leave_the_due_date_of_what_is_still_open(tree):
    """Twenty fines of one case paid in full at once, one payment each: the last to store the case's due date has
    read every other payment, so the case is left with the rectification order's date. (Without the case's row
    lock each payment reads the others as unpaid, and the case keeps the payment deadline of fines all paid.)"""
    team = t.Team(tree.hz)
    case = _executing(team, fines=t.RACERS, rectification_days=60)
    fines = list(Measure.objects.filter(case=case, type="fine").order_by("id"))
    order = Measure.objects.get(case=case, type="rectification_order")
    assert len(fines) == t.RACERS and _stored(case) == (fines[0].due_on, "fine_payment")
    results = t.race(lambda i: _pay(team, fines[i], str(fines[i].amount)))
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert _stored(case) == (order.due_on, "rectification")
