"""A missing next year is announced from 1 October, by the check, the admin's index page and every clock."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from docket import testing as t
from docket.core.errors import CalendarMissing
from docket.officers.models import Role
from docket.workdays import checks
from docket.workdays.calendar import add_working_days, calendar_gaps
from docket.workdays.clocks import deadline, default_profile
from docket.workdays.models import CalendarDay, CalendarYear

D = dt.date


@pytest.fixture
def no_2027(db):
    # The package's data ends with 2026; make sure no other test's load leaks in.
    CalendarYear.objects.filter(year__gte=2027).delete()
    CalendarDay.objects.filter(date__gte=D(2027, 1, 1)).delete()


@pytest.fixture
def today(monkeypatch):
    def set_today(day: dt.date) -> None:
        monkeypatch.setattr(checks, "local_today", lambda: day)

    return set_today


def test_gaps_from_1_october_only(no_2027):
    assert calendar_gaps(on=D(2026, 9, 30)) == []
    assert calendar_gaps(on=D(2026, 10, 1)) == [2027]
    assert calendar_gaps(on=D(2026, 12, 31)) == [2027]
    CalendarYear.objects.create(year=2027, source="notice")
    assert calendar_gaps(on=D(2026, 10, 1)) == []


def test_a_missing_current_year_is_always_a_gap(no_2027):
    assert calendar_gaps(on=D(2027, 3, 1)) == [2027]
    assert calendar_gaps(on=D(2027, 10, 1)) == [2027, 2028]


def test_the_check_warns_from_1_october(no_2027, today):
    today(D(2026, 9, 30))
    assert checks.check_calendar_years() == []
    today(D(2026, 10, 1))
    [warning] = checks.check_calendar_years()
    assert warning.id == "workdays.W001"
    assert "2027" in warning.msg and "docket workdays load" in warning.hint
    CalendarYear.objects.create(year=2027, source="notice")
    assert checks.check_calendar_years() == []


def test_docket_check_prints_the_warning(no_2027, today):
    today(D(2026, 11, 15))
    err = io.StringIO()
    call_command("check", "--tag", "workdays", stdout=io.StringIO(), stderr=err)
    assert "workdays.W001" in err.getvalue() and "2027" in err.getvalue()
    assert "docket workdays load FILE.csv" in err.getvalue()


def test_the_check_is_silent_without_a_migrated_database(db, monkeypatch):
    # `docket migrate` on a new database runs the checks before the table exists; they must not stop it.
    # (core's test_check_deploy_passes_with_production_settings runs the real thing on an empty database.)
    from django.db import DatabaseError

    def refuse(**kw):
        raise DatabaseError("no such table: workdays_calendaryear")

    monkeypatch.setattr(checks, "calendar_gaps", refuse)
    assert checks.check_calendar_years() == []


def test_the_admin_index_shows_the_warning(client, tree, no_2027, today):
    # Calendars are the administrators' to keep: their admin index says what is missing.
    t.verified_login(client, t.officer(tree.hz, Role.ADMINISTRATOR))
    today(D(2026, 10, 1))
    page = client.get("/admin/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="calendar-warnings"' in text
    assert "holidays and make-up working days of 2027 are not in the working-day calendar" in text
    today(D(2026, 9, 30))
    assert 'id="calendar-warnings"' not in client.get("/admin/").content.decode()
    today(D(2026, 10, 1))
    CalendarYear.objects.create(year=2027, source="notice")
    assert 'id="calendar-warnings"' not in client.get("/admin/").content.decode()


def test_a_clock_whose_extension_crosses_into_a_missing_year_warns(no_2027):
    profile = default_profile()
    # Clue check: 15 working days, 15 more with approval. From 1 Dec the 15 end in December, the 30 in 2027.
    clue = deadline(profile, "clue_check", D(2026, 12, 1))
    assert clue.due == add_working_days(D(2026, 12, 1), 15) and clue.due.year == 2026
    assert clue.calendar_gap == 2027
    assert "2027" in clue.warning and "not in the working-day calendar" in clue.warning
    assert clue.audit_detail() == {"calendar_gap": 2027, "calendar_warning": clue.warning}
    # Once extended, the due date itself would be in 2027: refused, never guessed.
    with pytest.raises(CalendarMissing):
        deadline(profile, "clue_check", D(2026, 12, 1), extended=True)


def test_a_clock_ending_late_in_the_year_before_a_missing_one_warns(no_2027):
    profile = default_profile()
    # Decision: 90 calendar days (+30). From 1 Sep 2026 the longest end is in the warning window, not in 2027.
    decision = deadline(profile, "decision", D(2026, 9, 1))
    assert decision.due == D(2026, 11, 30)
    assert decision.calendar_gap == 2027 and decision.warning
    # A clock that ends early in the year needs nothing of the next.
    early = deadline(profile, "decision", D(2026, 3, 2))
    assert early.calendar_gap is None and early.warning == "" and early.audit_detail() == {}
    # Nor does one whose next year is in the calendar.
    assert deadline(profile, "decision", D(2025, 9, 1)).calendar_gap is None


def test_no_warning_once_the_next_year_is_loaded(no_2027):
    profile = default_profile()
    assert deadline(profile, "clue_check", D(2026, 12, 1)).calendar_gap == 2027
    CalendarYear.objects.create(year=2027, source="notice")
    clue = deadline(profile, "clue_check", D(2026, 12, 1))
    assert clue.calendar_gap is None and clue.warning == ""
    assert deadline(profile, "clue_check", D(2026, 12, 1), extended=True).due.year == 2027


def test_pauses_count_towards_the_longest_end(no_2027):
    profile = default_profile()
    assert deadline(profile, "statement", D(2026, 6, 1)).calendar_gap is None
    # Five working days and 130 days paused reach into October.
    paused = deadline(profile, "statement", D(2026, 6, 1), paused_days=130)
    assert paused.due >= D(2026, 10, 1) and paused.calendar_gap == 2027


def test_the_warning_costs_no_extra_query(no_2027, django_assert_num_queries):
    profile = default_profile()
    # The clock rule, then the years and the days of the window: the year after it is read with them.
    with django_assert_num_queries(3):
        assert deadline(profile, "decision", D(2026, 9, 1)).calendar_gap == 2027
    with django_assert_num_queries(3):
        assert deadline(profile, "decision", D(2025, 9, 1)).calendar_gap is None
