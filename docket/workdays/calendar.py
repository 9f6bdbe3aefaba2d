"""Working-day arithmetic over the editable holiday table (Administrative Penalty Law art. 85).

A day in a year with no holiday data is never guessed: stepping onto it raises CalendarMissing.
"""

import datetime as dt

from docket.core.errors import CalendarMissing
from docket.workdays.models import CalendarDay, CalendarYear, DayKind

ONE = dt.timedelta(days=1)


class _Calendar:
    """The holiday table for a window of dates, fetched in two queries and extended on demand."""

    def __init__(self, first: dt.date, last: dt.date):
        self.first = first
        self.last = first - ONE
        self.years: set[int] = set()
        self.exceptions: dict[dt.date, str] = {}
        self._extend(last)

    def _extend(self, last: dt.date) -> None:
        lo = self.last + ONE
        self.years |= set(CalendarYear.objects.filter(year__range=(lo.year, last.year)).values_list("year", flat=True))
        self.exceptions.update(CalendarDay.objects.filter(date__range=(lo, last)).values_list("date", "kind"))
        self.last = last

    def is_working(self, day: dt.date) -> bool:
        if day > self.last:
            self._extend(day + dt.timedelta(days=60))
        if day.year not in self.years:
            raise CalendarMissing(day.year)
        kind = self.exceptions.get(day)
        if kind == DayKind.HOLIDAY:
            return False
        if kind == DayKind.WORKDAY:
            return True
        return day.weekday() < 5


def is_working_day(day: dt.date) -> bool:
    return _Calendar(day, day).is_working(day)


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The date that is ``n`` working days after ``start``; the start day itself is not counted."""
    if n < 0:
        raise ValueError("n must not be negative")
    cal = _Calendar(start, start + dt.timedelta(days=n * 2 + 20))
    day, counted = start, 0
    while counted < n:
        day += ONE
        if cal.is_working(day):
            counted += 1
    return day


def add_calendar_days(start: dt.date, n: int) -> dt.date:
    """``n`` calendar days after ``start``; a period that ends on a rest day ends on the next working day."""
    end = start + dt.timedelta(days=n)
    cal = _Calendar(end, end + dt.timedelta(days=20))
    while not cal.is_working(end):
        end += ONE
    return end


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end``."""
    if end <= start:
        return 0
    cal = _Calendar(start, end)
    return sum(1 for i in range(1, (end - start).days + 1) if cal.is_working(start + dt.timedelta(days=i)))
