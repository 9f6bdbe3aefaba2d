"""System checks of the working-day calendar: `docket check` (and every command) warns ahead of a gap.

The check and the admin's index page are the places of the calendar that read the clock: the date is taken
here, in the default office zone, and handed to the pure ``calendar_gaps``.
"""

import datetime as dt
from typing import Any

from django.core.checks import CheckMessage, Warning, register
from django.db import DatabaseError, transaction
from django.utils import timezone

from docket.core.dates import local_date
from docket.workdays.calendar import calendar_gaps, gap_hint, gap_message


def local_today() -> dt.date:
    return local_date(timezone.now())


def todays_gaps() -> list[int]:
    """The years missing as of today; none when the database is unreachable or not migrated yet (``migrate``
    seeds the years, and a check must not stop the command that would)."""
    try:
        with transaction.atomic():
            return calendar_gaps(on=local_today())
    except DatabaseError:
        return []


def calendar_warnings() -> list[str]:
    return [f"{gap_message(year)} {gap_hint(year)}" for year in todays_gaps()]


@register("workdays")
def check_calendar_years(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    return [Warning(gap_message(year), hint=gap_hint(year), id="workdays.W001") for year in todays_gaps()]
