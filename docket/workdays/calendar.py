"""Working-day arithmetic over the editable holiday table (Administrative Penalty Law art. 85).

A day in a year with no holiday data is never guessed: stepping onto it raises CalendarMissing. Because the
State Council publishes next year's notice late in the year, a missing next year is announced ahead of time
(``calendar_gaps``) rather than discovered by a refused deadline.
"""

import datetime as dt

from django.utils.translation import gettext as _

from docket.core.errors import CalendarMissing
from docket.workdays.models import CalendarDay, CalendarYear, DayCount, DayKind

ONE = dt.timedelta(days=1)

# From this month and day on, next year's holidays are expected to be in the table. The notice usually comes
# out in October or November; warning from 1 October leaves the administrators the whole quarter to load it.
NEXT_YEAR_WARNING_FROM = (10, 1)


class Calendar:
    """The holiday table for a window of dates, fetched in two queries and extended on demand."""

    def __init__(self, first: dt.date, last: dt.date):
        self.first = first
        self.last = first - ONE
        self.years: set[int] = set()
        self.exceptions: dict[dt.date, str] = {}
        self._extend(last)

    def _extend(self, last: dt.date) -> None:
        lo = self.last + ONE
        # The year after the window too, at no cost, so that the warning window needs no second look.
        years = CalendarYear.objects.filter(year__range=(lo.year, last.year + 1)).values_list("year", flat=True)
        self.years |= set(years)
        self.exceptions.update(CalendarDay.objects.filter(date__range=(lo, last)).values_list("date", "kind"))
        self.last = last

    def has_year(self, year: int) -> bool:
        if year > self.last.year + 1:
            self._extend(dt.date(year, 1, 1))
        return year in self.years

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

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        if n < 0:
            raise ValueError("n must not be negative")
        day, counted = start, 0
        while counted < n:
            day += ONE
            if self.is_working(day):
                counted += 1
        return day

    def add_calendar_days(self, start: dt.date, n: int) -> dt.date:
        end = start + dt.timedelta(days=n)
        while not self.is_working(end):
            end += ONE
        return end

    def period_end(self, start: dt.date, days: int, count: str, paused_days: int = 0) -> dt.date:
        """The end of a statutory period; calendar days the clock stood still are added before it is fixed."""
        if count == DayCount.WORKING:
            due = self.add_working_days(start, days)
            return self.add_calendar_days(due, paused_days) if paused_days else due
        return self.add_calendar_days(start, days + paused_days)

    def in_warning_window(self, day: dt.date) -> int | None:
        """The year after ``day`` if ``day`` is late enough in its year to need it and it has no data."""
        month, first = NEXT_YEAR_WARNING_FROM
        if day >= dt.date(day.year, month, first) and not self.has_year(day.year + 1):
            return day.year + 1
        return None


def is_working_day(day: dt.date) -> bool:
    return Calendar(day, day).is_working(day)


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The date that is ``n`` working days after ``start``; the start day itself is not counted."""
    if n < 0:
        raise ValueError("n must not be negative")
    return Calendar(start, start + dt.timedelta(days=n * 2 + 20)).add_working_days(start, n)


def add_calendar_days(start: dt.date, n: int) -> dt.date:
    """``n`` calendar days after ``start``; a period that ends on a rest day ends on the next working day."""
    end = start + dt.timedelta(days=n)
    return Calendar(end, end + dt.timedelta(days=20)).add_calendar_days(start, n)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end``."""
    if end <= start:
        return 0
    cal = Calendar(start, end)
    return sum(1 for i in range(1, (end - start).days + 1) if cal.is_working(start + dt.timedelta(days=i)))


def calendar_gaps(*, on: dt.date) -> list[int]:
    """The years whose holidays are missing and needed as of ``on``: its own year always, the next one from
    1 October (``NEXT_YEAR_WARNING_FROM``)."""
    month, first = NEXT_YEAR_WARNING_FROM
    wanted = [on.year] + ([on.year + 1] if on >= dt.date(on.year, month, first) else [])
    known = set(CalendarYear.objects.filter(year__in=wanted).values_list("year", flat=True))
    return [year for year in wanted if year not in known]


def gap_message(year: int) -> str:
    return _(
        "The holidays and make-up working days of %(year)s are not in the working-day calendar: "
        "deadlines that end in %(year)s will be refused until they are."
    ) % {"year": year}


def gap_hint(year: int) -> str:
    return _(
        "Load the State Council's notice of %(year)s: docket workdays load FILE.csv (see docket workdays load --help)."
    ) % {"year": year}
