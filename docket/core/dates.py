"""Dates of legal effect are in the office's time zone; timestamps are UTC."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings


def local_date(now: dt.datetime, tz_name: str | None = None) -> dt.date:
    """The calendar date that ``now`` (an aware UTC timestamp) falls on in the given zone."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(ZoneInfo(tz_name or settings.DOCKET_DEFAULT_OFFICE_TZ)).date()


def next_month(day: dt.date) -> dt.date:
    """The first day of the month after ``day``'s."""
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
