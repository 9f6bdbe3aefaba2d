import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from docket.audit.services import audit_record, service
from docket.core.errors import FieldError, InvalidInput
from docket.officers.models import Role
from docket.officers.permissions import require_role
from docket.workdays.models import CalendarDay, CalendarYear, DayKind


@service
def calendar_year_add(*, actor: Any, year: int, source: str, now: dt.datetime) -> CalendarYear:
    """Declare a year's holiday data entered (its days are added with ``calendar_day_set``)."""
    require_role(actor, Role.ADMINISTRATOR, doing=_("Editing the working-day calendar"))
    if not 1990 <= year <= 2200:
        raise InvalidInput(FieldError("year", _("%(year)s is not a plausible year") % {"year": year}))
    if not source.strip():
        raise InvalidInput(FieldError("source", _("name the State Council notice the days come from")))
    obj, created = CalendarYear.objects.get_or_create(year=year, defaults={"source": source})
    if not created:
        raise InvalidInput(FieldError("year", _("%(year)s is already in the calendar") % {"year": year}))
    audit_record(actor=actor, action="calendar.year_add", obj=obj, detail={"source": source}, now=now)
    return obj


@service
def calendar_day_set(
    *, actor: Any, date: dt.date, kind: str | None, name: str = "", now: dt.datetime
) -> CalendarDay | None:
    """Mark a date a holiday or a make-up working day, or (``kind=None``) an ordinary day again."""
    require_role(actor, Role.ADMINISTRATOR, doing=_("Editing the working-day calendar"))
    if kind is not None and kind not in DayKind.values:
        raise InvalidInput(FieldError("kind", _("must be one of %(value)s") % {"value": ", ".join(DayKind.values)}))
    if kind == DayKind.WORKDAY and date.weekday() < 5:
        raise InvalidInput(
            FieldError("date", _("%(date)s is a weekday already; a make-up day is a weekend day") % {"date": date})
        )
    before = CalendarDay.objects.filter(date=date).values_list("kind", flat=True).first()
    obj = None
    if kind is None:
        CalendarDay.objects.filter(date=date).delete()
    else:
        obj, _created = CalendarDay.objects.update_or_create(date=date, defaults={"kind": kind, "name": name})
    audit_record(
        actor=actor,
        action="calendar.day_set",
        object_type="workdays.calendarday",
        object_id=date.isoformat(),
        detail={"before": before, "after": kind, "name": name},
        now=now,
    )
    return obj
