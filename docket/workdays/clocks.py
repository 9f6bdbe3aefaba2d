"""Statutory deadlines from a procedure profile's clocks."""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from docket.core.errors import GateRefused
from docket.workdays.calendar import add_calendar_days, add_working_days
from docket.workdays.models import ClockRule, DayCount, ProcedureProfile


@dataclass(frozen=True)
class Deadline:
    key: str
    start: dt.date
    due: dt.date
    days: int
    count: str
    citation: str

    def overdue(self, on: dt.date) -> bool:
        return on > self.due


def default_profile() -> ProcedureProfile:
    profile = ProcedureProfile.objects.filter(is_default=True).first()
    if profile is None:
        raise GateRefused(_("No default procedure profile is configured."))
    return profile


def clock_rule(profile: ProcedureProfile, key: str) -> ClockRule:
    try:
        return profile.clocks.get(key=key)
    except ClockRule.DoesNotExist:
        raise GateRefused(
            _("Procedure profile %(profile)s has no clock %(key)s.") % {"profile": profile, "key": key}
        ) from None


def deadline(
    profile: ProcedureProfile, key: str, start: dt.date, *, extended: bool = False, paused_days: int = 0
) -> Deadline:
    """When the clock ``key`` started on ``start`` runs out.

    ``extended`` adds the clock's approved extension; ``paused_days`` are calendar days the clock stood
    still (hearing, expert testing, public notice), added before the end is fixed.
    """
    rule = clock_rule(profile, key)
    days = rule.days + (rule.extension_days if extended else 0)
    if rule.count == DayCount.WORKING:
        due = add_working_days(start, days)
        if paused_days:
            due = add_calendar_days(due, paused_days)
    else:
        due = add_calendar_days(start, days + paused_days)
    return Deadline(key, start, due, days, rule.count, rule.citation)
