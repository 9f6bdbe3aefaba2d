"""Twenty administrators editing the working-day calendar at once (PostgreSQL, concurrent connections).

The race of `calendar_year_load` is in test_load.py.
"""

import datetime as dt

import pytest
from django.db import connection

from docket import testing as t
from docket.audit.models import AuditEntry
from docket.core.errors import Conflict
from docket.officers.models import Officer, Role
from docket.workdays.models import CalendarDay, CalendarYear
from docket.workdays.services import calendar_day_set, calendar_year_add

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL connections"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

D = dt.date
N = t.RACERS


def outcomes(results: list[object]) -> tuple[list[object], list[Conflict]]:
    conflicts = [r for r in results if isinstance(r, Conflict)]
    broken = [r for r in results if isinstance(r, BaseException) and not isinstance(r, Conflict)]
    assert not broken, broken
    return [r for r in results if not isinstance(r, BaseException)], conflicts


@pytest.mark.race("calendar_year_add")
def test_one_of_twenty_adds_of_a_year(tree):
    admin = t.officer(tree.national, Role.ADMINISTRATOR)
    results = t.race(
        lambda i: calendar_year_add(actor=Officer.objects.get(pk=admin.pk), year=2031, source=f"notice {i}", now=t.NOW)
    )
    ok, conflicts = outcomes(results)
    assert len(ok) == 1 and len(conflicts) == N - 1
    assert CalendarYear.objects.get(year=2031).source == ok[0].source
    assert AuditEntry.objects.filter(action="calendar.year_add", outcome="ok").count() == 1


def assert_chain(day: dt.date, count: int) -> None:
    """``count`` audit entries for ``day``, each naming as before what the previous one set."""
    entries = [
        e
        for e in AuditEntry.objects.filter(action="calendar.day_set", outcome="ok").order_by("seq")
        if e.object_id == day.isoformat()
    ]
    assert len(entries) == count
    assert entries[0].detail["before"] is None
    for previous, entry in zip(entries, entries[1:], strict=False):
        assert entry.detail["before"] == previous.detail["after"]
    last = entries[-1].detail["after"]
    assert list(CalendarDay.objects.filter(date=day).values_list("kind", flat=True)) == ([last] if last else [])


@pytest.mark.race("calendar_day_set")
def test_twenty_sets_of_one_day_each_audit_what_they_replaced(tree):
    admin = t.officer(tree.national, Role.ADMINISTRATOR)
    kinds = ["holiday", None]
    # In a year of the calendar the edits queue behind the year: all land, none is lost from the trail.
    day = D(2026, 3, 3)
    CalendarDay.objects.filter(date=day).delete()
    results = t.race(
        lambda i: calendar_day_set(
            actor=Officer.objects.get(pk=admin.pk), date=day, kind=kinds[i % 2], name=f"e{i}", now=t.NOW
        )
    )
    ok, conflicts = outcomes(results)
    assert len(ok) == N and not conflicts
    assert_chain(day, N)
    # In a year not entered yet there is no year to queue behind: creating the day, one wins and whoever
    # raced it is told it changed meanwhile (a set that starts after the winner committed lands as an edit).
    day = D(2031, 3, 3)
    results = t.race(
        lambda i: calendar_day_set(
            actor=Officer.objects.get(pk=admin.pk), date=day, kind="holiday", name=f"r{i}", now=t.NOW
        )
    )
    ok, conflicts = outcomes(results)
    assert ok and len(ok) + len(conflicts) == N
    assert_chain(day, len(ok))
