"""`docket demo --scale N` at a small N: consistent data, as the services would have left it."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count

from docket.audit.queries import audit_chain_verify
from docket.cases.due import DECISION_RUNS, execution_due
from docket.cases.models import Assignment, Case, ClockSuspension, State
from docket.clues.models import Clue, ClueStatus
from docket.core.errors import GateRefused
from docket.core.vocabulary import MeasureType
from docket.demo.scale import _foreign_keys_check, _foreign_keys_off, scale_generate
from docket.evidence.models import EvidenceItem
from docket.measures.models import Measure, MeasureTarget
from docket.offices.models import Office
from docket.reports.aggregates import cells_rebuild
from docket.reports.tests.test_figures import cell_rows
from docket.workdays.calendar import add_calendar_days

NOW = dt.datetime(2026, 6, 10, 2, 30, tzinfo=dt.UTC)


def test_scale_builds_consistent_cases(db):
    result = scale_generate(cases=2000, seed=5, now=NOW)
    assert result["rows"]["cases_case"] == Case.objects.count() == 2000

    cases = Case.objects.all()
    # Every case has its clue (filed), two parties, two investigators; every case past filing its evidence.
    assert not cases.filter(clue__isnull=True).exists()
    assert set(Clue.objects.filter(cases__isnull=False).values_list("status", flat=True)) == {ClueStatus.FILED}
    assert not cases.annotate(n=Count("parties")).exclude(n=2).exists()
    assert Assignment.objects.filter(active=True).count() == 4000
    past_filing = cases.exclude(state=State.FILED)
    assert EvidenceItem.objects.filter(case__in=past_filing).count() == past_filing.count()
    assert not EvidenceItem.objects.annotate(n=Count("collectors")).exclude(n=2).exists()
    # Open clues wait beside them, with their check period's end.
    open_clues = Clue.objects.filter(status=ClueStatus.OPEN)
    assert open_clues.exists() and not open_clues.filter(due_on__isnull=True).exists()

    # Spread over the tree and over the procedure.
    assert cases.values("office").distinct().count() > 300
    assert set(cases.values_list("office__level", flat=True)) == {"national", "province", "city", "county"}
    assert set(cases.values_list("state", flat=True)) == set(State.values)
    assert ClockSuspension.objects.filter(ends_on__isnull=True).exists()
    # The loader writes cases, clues and measures in bulk (COPY on PostgreSQL, with the foreign keys' triggers off
    # for a superuser), naming no ancestors: the database's triggers set them all the same.
    offices = dict(Office.objects.values_list("code", "pk"))
    for model in (Case, Clue, Measure):
        for path, a1, a2 in model.objects.values_list("office__path", "ancestor_1_id", "ancestor_2_id"):
            codes = path.strip("/").split("/")
            assert (a1, a2) == tuple(offices[codes[d]] if d < len(codes) else None for d in (1, 2)), (model, path)

    # Dates in order, never after today, none in the published years; due dates as the clocks give them.
    today = NOW.date()
    assert not cases.filter(filed_on__gt=today).exists() and not cases.filter(filed_on__year__lt=2024).exists()
    for case in cases.exclude(decided_on=None)[:200]:
        assert case.filed_on < case.decided_on <= today
        assert case.served_on is None or case.decided_on <= case.served_on <= today
        assert case.closed_on is None or case.served_on <= case.closed_on
    suspended = set(ClockSuspension.objects.filter(ends_on__isnull=True).values_list("case_id", flat=True))
    for case in cases.filter(state__in=DECISION_RUNS)[:200]:
        if case.pk in suspended:
            assert (case.due_on, case.due_clock) == (None, "suspended")
        else:
            assert (case.due_on, case.due_clock) == (add_calendar_days(case.filed_on, 90), "decision")
    assert not cases.filter(state__in=[State.CLOSED, State.ARCHIVED, State.DISMISSED], due_on__isnull=False).exists()
    # An executing case is due when its fine is to be paid: what the case page and its refresh compute.
    executing = cases.filter(state=State.EXECUTING)
    assert executing.exists()
    for case in executing[:100]:
        assert (case.due_on, case.due_clock) == execution_due(case)

    # Measures of the decided penalty cases, each aimed at its website; fines carry their amount.
    fines = Measure.objects.filter(type=MeasureType.FINE)
    assert fines.exists() and not fines.filter(amount__isnull=True).exists()
    assert MeasureTarget.objects.count() == Measure.objects.count()
    assert not Measure.objects.exclude(case__decision_outcome="penalty").exists()

    # The cells are those a rebuild computes; the audit chain verifies.
    before = cell_rows()
    cells_rebuild()
    assert cell_rows() == before
    count, broken = audit_chain_verify()
    assert broken is None and count > 2000 * 3

    # A second load is refused, naming the first.
    with pytest.raises(GateRefused, match="already holds a scale load"):
        scale_generate(cases=10, seed=6, now=NOW)
    assert Case.objects.count() == 2000


def test_commands_moved_to_the_demo_app_still_run(db):
    out = io.StringIO()
    call_command("bootstrap", stdout=out)
    assert "example users: 15 created" in out.getvalue()
    call_command("bootstrap", stdout=out)
    assert "example users: 0 created" in out.getvalue()
    out = io.StringIO()
    call_command("demo", "--scale", "30", stdout=out)
    assert "30 cases" in out.getvalue() and Case.objects.count() == 30
    with pytest.raises(CommandError, match="already holds a scale load"):
        call_command("demo", "--scale", "30", stdout=io.StringIO())


def test_foreign_keys_skipped_during_the_load_are_checked_after_it(db):
    if connection.vendor != "postgresql" or not _foreign_keys_off():
        pytest.skip("only a PostgreSQL superuser loads without row-by-row foreign key checks")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cases_assignment (case_id, officer_id, assigned_on, active) VALUES (987654, 1, %s, true)",
            [dt.date(2026, 1, 5)],
        )
    with pytest.raises(RuntimeError, match=r"cases_assignment\.case_id = 987654 points at no row"):
        _foreign_keys_check([Assignment])
