"""The stored next due date follows every transition that moves it: filing, suspension, extension, decision."""

import datetime as dt

from django.http import QueryDict

from docket import testing as t
from docket.cases import services as cs
from docket.cases.filtersets import CaseFilterSet
from docket.cases.models import Case, State
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
    assert _stored(case) == (None, "")


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
