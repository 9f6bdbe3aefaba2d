"""Statutory deadlines from a procedure profile's clocks."""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from docket.core.errors import CalendarMissing, GateRefused
from docket.workdays.calendar import Calendar
from docket.workdays.models import ClockRule, ProcedureProfile


@dataclass(frozen=True)
class Deadline:
    """A clock's due date. ``calendar_gap`` is a year without holiday data that the clock may still run into
    (its end with the extension falls in that year, or late enough in the year before it); ``warning`` says
    so in words. A service that fixes such a deadline shows the warning to the officer and adds
    ``audit_detail()`` to its audit entry."""

    key: str
    start: dt.date
    due: dt.date
    days: int
    count: str
    citation: str
    calendar_gap: int | None = None
    warning: str = ""

    def overdue(self, on: dt.date) -> bool:
        return on > self.due

    def audit_detail(self) -> dict[str, object]:
        """What a service adds to its audit entry: nothing, or the missing year and the warning shown."""
        return {"calendar_gap": self.calendar_gap, "calendar_warning": self.warning} if self.calendar_gap else {}


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
    still (hearing, expert testing, public notice), added before the end is fixed. A due date in a year
    without holiday data raises CalendarMissing; a due date that is covered while the clock's longest
    possible end (with the extension) is not, or is close to a year that is not, comes with a warning.
    """
    rule = clock_rule(profile, key)
    days = rule.days + (rule.extension_days if extended else 0)
    longest = rule.days + rule.extension_days
    cal = Calendar(start, start + dt.timedelta(days=longest * 2 + paused_days + 20))
    due = cal.period_end(start, days, rule.count, paused_days)
    try:
        latest = due if longest == days else cal.period_end(start, longest, rule.count, paused_days)
        gap = cal.in_warning_window(latest)
    except CalendarMissing as exc:
        gap = exc.year
    warning = ""
    if gap is not None:
        warning = _(
            "This clock may run into %(year)s, whose holidays and make-up working days are not in the "
            "working-day calendar yet: load the State Council's notice of %(year)s before the deadline "
            "(with any extension or pause) has to be fixed in it."
        ) % {"year": gap}
    return Deadline(key, start, due, days, rule.count, rule.citation, gap, warning)
