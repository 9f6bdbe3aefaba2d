import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from docket.audit.services import audit_record, service
from docket.core.errors import Conflict, FieldError, InvalidInput
from docket.officers.actors import Actor, SystemActor
from docket.officers.models import Role
from docket.officers.permissions import require_role
from docket.workdays.models import CalendarDay, CalendarYear, DayKind
from docket.workdays.notice import bad_character, parse_notice


@service
def calendar_year_add(*, actor: Actor, year: int, source: str, now: dt.datetime) -> CalendarYear:
    """Declare a year's holiday data entered (its days are added with ``calendar_day_set``)."""
    require_role(actor, Role.ADMINISTRATOR, doing=_("Editing the working-day calendar"))
    if not 1990 <= year <= 2200:
        raise InvalidInput(FieldError("year", _("%(year)s is not a plausible year") % {"year": year}))
    if not source.strip():
        raise InvalidInput(FieldError("source", _("name the State Council notice the days come from")))
    already = Conflict(_("%(year)s is already in the calendar") % {"year": year})
    if CalendarYear.objects.filter(year=year).exists():
        raise already
    try:
        with transaction.atomic():
            obj = CalendarYear.objects.create(year=year, source=source)
    except IntegrityError:
        raise already from None
    audit_record(actor=actor, action="calendar.year_add", obj=obj, detail={"source": source}, now=now)
    return obj


@service
def calendar_day_set(
    *, actor: Actor, date: dt.date, kind: str | None, name: str = "", now: dt.datetime
) -> CalendarDay | None:
    """Mark a date a holiday or a make-up working day, or (``kind=None``) an ordinary day again."""
    require_role(actor, Role.ADMINISTRATOR, doing=_("Editing the working-day calendar"))
    if kind is not None and kind not in DayKind.values:
        raise InvalidInput(FieldError("kind", _("must be one of %(value)s") % {"value": ", ".join(DayKind.values)}))
    if kind == DayKind.WORKDAY and date.weekday() < 5:
        raise InvalidInput(
            FieldError("date", _("%(date)s is a weekday already; a make-up day is a weekend day") % {"date": date})
        )
    # Edits of a year queue behind each other and behind a load of its notice, so "before" is what was replaced.
    CalendarYear.objects.select_for_update().filter(year=date.year).first()
    obj = CalendarDay.objects.select_for_update().filter(date=date).first()
    before = obj.kind if obj is not None else None
    if kind is None:
        if obj is not None:
            obj.delete()
        obj = None
    elif obj is not None:
        obj.kind, obj.name = kind, name
        obj.save(update_fields=["kind", "name"])
    else:
        try:
            with transaction.atomic():
                obj = CalendarDay.objects.create(date=date, kind=kind, name=name)
        except IntegrityError:
            raise Conflict(_("%(date)s was changed meanwhile; reload and try again.") % {"date": date}) from None
    audit_record(
        actor=actor,
        action="calendar.day_set",
        object_type="workdays.calendarday",
        object_id=date.isoformat(),
        detail={"before": before, "after": kind, "name": name},
        now=now,
    )
    return obj


@dataclass(frozen=True)
class YearLoaded:
    year: CalendarYear
    holidays: int
    workdays: int
    replaced: dict[str, Any] | None
    """The year as it was before (source and counts) when ``--replace`` replaced it."""


def _day_counts(year: int) -> dict[str, int]:
    counts = CalendarDay.objects.filter(date__range=(dt.date(year, 1, 1), dt.date(year, 12, 31))).aggregate(
        holidays=Count("pk", filter=Q(kind=DayKind.HOLIDAY)), workdays=Count("pk", filter=Q(kind=DayKind.WORKDAY))
    )
    return {"holidays": counts["holidays"] or 0, "workdays": counts["workdays"] or 0}


@service
def calendar_year_load(
    *, actor: Actor, data: bytes, source: str, replace: bool = False, now: dt.datetime
) -> YearLoaded:
    """Enter a State Council notice (a CSV file, see ``workdays.notice``): one year's holidays and make-up
    working days, all or nothing. A year already in the calendar is replaced only when ``replace`` says so."""
    if not isinstance(actor, SystemActor):
        require_role(actor, Role.ADMINISTRATOR, doing=_("Editing the working-day calendar"))
    source = source.strip()
    if not source or len(source) > 200 or bad_character(source):
        raise InvalidInput(
            FieldError("source", _("name the State Council notice in at most 200 characters of plain text"))
        )
    notice = parse_notice(data)
    existing = CalendarYear.objects.select_for_update().filter(year=notice.year).first()
    if existing is not None and not replace:
        raise Conflict(
            _("%(year)s is already in the working-day calendar (%(source)s); load it with --replace to replace it.")
            % {"year": notice.year, "source": existing.source}
        )
    before = {"source": existing.source if existing else None, **_day_counts(notice.year)}
    if existing is None:
        try:
            # Two loads of a new year meet on the unique year: the one that commits first wins.
            with transaction.atomic():
                year = CalendarYear.objects.create(year=notice.year, source=source)
        except IntegrityError:
            raise Conflict(
                _("%(year)s was loaded into the working-day calendar meanwhile; look at it before replacing it.")
                % {"year": notice.year}
            ) from None
    else:
        year = existing
        year.source = source
        year.save(update_fields=["source"])
    # Days of the year entered one by one before the notice (calendar_day_set) give way to it as well.
    CalendarDay.objects.filter(date__range=(dt.date(notice.year, 1, 1), dt.date(notice.year, 12, 31))).delete()
    try:
        with transaction.atomic():
            CalendarDay.objects.bulk_create([CalendarDay(date=d.date, kind=d.kind, name=d.name) for d in notice.days])
    except IntegrityError:
        # A day of the year set one by one while the year was being created.
        raise Conflict(_("%(year)s was changed meanwhile; load the notice again.") % {"year": notice.year}) from None
    after = {"source": source, "holidays": notice.holidays, "workdays": notice.workdays}
    audit_record(
        actor=actor,
        action="calendar.year_load",
        obj=year,
        detail={
            "year": notice.year,
            "sha256": notice.sha256,
            "replaced": existing is not None,
            "before": before,
            "after": after,
        },
        now=now,
    )
    return YearLoaded(year, notice.holidays, notice.workdays, before if existing is not None else None)
