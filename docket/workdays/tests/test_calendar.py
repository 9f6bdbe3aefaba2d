"""Working days across the Spring Festival, National Day and make-up days of 2023–2025.

Expected dates are read off the State Council's holiday notices, not computed by the seeding package.
"""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from docket import testing as t
from docket.core.errors import CalendarMissing, Conflict, Denied, InvalidInput
from docket.officers.models import Role
from docket.workdays.calendar import add_calendar_days, add_working_days, is_working_day, working_days_between
from docket.workdays.clocks import deadline, default_profile
from docket.workdays.models import CalendarYear
from docket.workdays.services import calendar_day_set, calendar_year_add

D = dt.date


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # 2023 Spring Festival: 21–27 Jan off; Sat 28 and Sun 29 Jan worked.
        (D(2023, 1, 20), 1, D(2023, 1, 28)),
        (D(2023, 1, 20), 5, D(2023, 2, 1)),
        # 2024 Spring Festival: 10–17 Feb off; Sun 4 Feb and Sun 18 Feb worked; Fri 9 Feb a working day.
        (D(2024, 2, 8), 1, D(2024, 2, 9)),
        (D(2024, 2, 8), 2, D(2024, 2, 18)),
        (D(2024, 2, 2), 1, D(2024, 2, 4)),
        # 2025 Spring Festival: 28 Jan–4 Feb off; Sun 26 Jan and Sat 8 Feb worked.
        (D(2025, 1, 24), 1, D(2025, 1, 26)),
        (D(2025, 1, 27), 4, D(2025, 2, 8)),
        # 2023 Mid-Autumn and National Day: 29 Sep–6 Oct off; Sat 7 and Sun 8 Oct worked.
        (D(2023, 9, 28), 1, D(2023, 10, 7)),
        (D(2023, 9, 28), 3, D(2023, 10, 9)),
        # 2024 National Day: 1–7 Oct off; Sun 29 Sep and Sat 12 Oct worked.
        (D(2024, 9, 27), 1, D(2024, 9, 29)),
        (D(2024, 9, 27), 3, D(2024, 10, 8)),
        (D(2024, 10, 10), 2, D(2024, 10, 12)),
        # 2025 National Day and Mid-Autumn: 1–8 Oct off; Sun 28 Sep and Sat 11 Oct worked.
        (D(2025, 9, 26), 1, D(2025, 9, 28)),
        (D(2025, 9, 26), 4, D(2025, 10, 9)),
        (D(2025, 9, 26), 6, D(2025, 10, 11)),
        # Zero days: the start itself.
        (D(2024, 5, 6), 0, D(2024, 5, 6)),
    ],
)
def test_add_working_days(db, start, n, expected):
    assert add_working_days(start, n) == expected


def test_working_day_predicates(db):
    assert not is_working_day(D(2024, 2, 12))  # Spring Festival Monday
    assert is_working_day(D(2024, 2, 18))  # make-up Sunday
    assert not is_working_day(D(2024, 3, 2))  # ordinary Saturday
    assert working_days_between(D(2023, 9, 28), D(2023, 10, 9)) == 3


def test_calendar_period_ending_on_a_rest_day_moves_to_the_next_working_day(db):
    # 15 days after 2024-09-22 is 2024-10-07, inside the National Day holiday: the period ends 2024-10-08.
    assert add_calendar_days(D(2024, 9, 22), 15) == D(2024, 10, 8)
    assert add_calendar_days(D(2024, 3, 1), 15) == D(2024, 3, 18)  # Sat 16 → Mon 18


def test_year_without_holiday_data_is_an_error_not_a_guess(db):
    CalendarYear.objects.filter(year=2026).delete()
    with pytest.raises(CalendarMissing) as err:
        add_working_days(D(2025, 12, 29), 5)
    assert err.value.year == 2026
    # A deadline that stays inside a known year needs nothing of the next one.
    assert add_working_days(D(2025, 12, 22), 3) == D(2025, 12, 25)


def test_fresh_database_knows_the_package_years(db):
    years = set(CalendarYear.objects.values_list("year", flat=True))
    assert {2023, 2024, 2025}.issubset(years)


def test_statutory_clock_from_the_default_profile(db):
    profile = default_profile()
    clue = deadline(profile, "clue_check", D(2024, 9, 20))
    assert clue.count == "working" and clue.citation
    assert clue.due == add_working_days(D(2024, 9, 20), 15)
    assert deadline(profile, "clue_check", D(2024, 9, 20), extended=True).due == add_working_days(D(2024, 9, 20), 30)
    decision = deadline(profile, "decision", D(2024, 1, 2))
    assert decision.due == D(2024, 4, 1)
    assert deadline(profile, "decision", D(2024, 1, 2), paused_days=10).due == D(2024, 4, 11)


def test_editing_the_table_changes_deadlines_and_is_audited(tree):
    admin = t.officer(tree.national, Role.ADMINISTRATOR)
    assert add_working_days(D(2024, 5, 6), 1) == D(2024, 5, 7)
    calendar_day_set(actor=admin, date=D(2024, 5, 7), kind="holiday", name="test", now=t.NOW)
    assert add_working_days(D(2024, 5, 6), 1) == D(2024, 5, 8)
    calendar_day_set(actor=admin, date=D(2024, 5, 7), kind=None, now=t.NOW)
    assert add_working_days(D(2024, 5, 6), 1) == D(2024, 5, 7)
    from docket.audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="calendar.day_set").count() == 2


def test_calendar_edits_are_for_administrators_and_validated(tree):
    officer = t.officer(tree.hz, Role.CASE_OFFICER)
    with pytest.raises(Denied):
        calendar_day_set(actor=officer, date=D(2024, 5, 7), kind="holiday", now=t.NOW)
    admin = t.officer(tree.national, Role.ADMINISTRATOR)
    with pytest.raises(InvalidInput, match="weekend"):
        calendar_day_set(actor=admin, date=D(2024, 5, 7), kind="workday", now=t.NOW)
    with pytest.raises(InvalidInput, match="kind"):
        calendar_day_set(actor=admin, date=D(2024, 5, 11), kind="festival", now=t.NOW)
    with pytest.raises(Conflict, match="already"):
        calendar_year_add(actor=admin, year=2024, source="notice", now=t.NOW)
    calendar_year_add(actor=admin, year=2031, source="国务院办公厅通知", now=t.NOW)
    assert add_working_days(D(2031, 3, 3), 1) == D(2031, 3, 4)


def test_workdays_command(db):
    out = io.StringIO()
    call_command("workdays", "add", "2023-01-20", "5", stdout=out)
    assert out.getvalue().strip() == "2023-02-01"
    for args, message in [
        (("2023-13-01", "5"), "ISO date"),
        (("2023-01-20", "x"), "whole number"),
        (("2023-01-20", "-1"), "negative"),
    ]:
        with pytest.raises(CommandError, match=message):
            call_command("workdays", "add", *args)
    CalendarYear.objects.filter(year=2026).delete()
    with pytest.raises(CommandError, match="2026"):
        call_command("workdays", "add", "2025-12-30", "5")
