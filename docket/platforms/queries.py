"""Reads of the platform channel: the orders a platform sees, and each order's reconciliation.

A platform's client sees the orders addressed to its platform (``Measure.addressee``) of the types an order to a
platform may have, and nothing else: no case, clue, subject list or other platform's order. Reconciliation
says, for one order, how many items were ordered, disposed, refused, not found and are still outstanding, and
whether the order is overdue: after its own due date, or else after the profile's ``platform_order`` clock
(working days from the day the order was taken).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from docket.core.errors import CalendarMissing, GateRefused
from docket.core.vocabulary import MeasureType
from docket.measures.models import Measure, MeasureTarget, TargetStatus
from docket.measures.types import PLATFORM_ORDER_TYPES
from docket.officers.models import Officer, Role
from docket.platforms.models import ReportedItem
from docket.workdays.calendar import Calendar
from docket.workdays.clocks import clock_rule, default_profile

# The types whose quantity is the number of items the platform disposed of (the published "accounts closed
# by platforms"); the others count their subjects, which a report does not change.
QUANTITY_IS_DISPOSED = frozenset({MeasureType.ACCOUNT_CLOSURE_ORDER})
PLATFORM_ORDER_CLOCK = "platform_order"


def platform_of(actor: Any) -> int | None:
    """The platform operator a client speaks for, or None for anyone else (officers, the system)."""
    if not isinstance(actor, Officer) or not actor.is_active or actor.platform_id is None:
        return None
    if not actor.has_role(Role.PLATFORM):
        return None
    return actor.platform_id


def orders_for(actor: Any) -> QuerySet[Measure]:
    """The orders addressed to the actor's platform; none for anyone who is not a platform's client."""
    platform_id = platform_of(actor)
    if platform_id is None:
        return Measure.objects.none()
    return Measure.objects.filter(addressee_id=platform_id, type__in=sorted(PLATFORM_ORDER_TYPES))


def open_orders(orders: QuerySet[Measure]) -> QuerySet[Measure]:
    """Orders with an item the platform has not answered yet."""
    waiting = MeasureTarget.objects.filter(measure_id=OuterRef("pk"), status=TargetStatus.ORDERED)
    return orders.filter(Exists(waiting))


def order_for(actor: Any, pk: int) -> Measure | None:
    return orders_for(actor).select_related("office").filter(pk=pk).first()


@dataclass(frozen=True)
class Reconciliation:
    ordered: int
    disposed: int
    refused: int
    not_found: int
    outstanding: int
    deadline: dt.date | None
    overdue: bool
    # Why there is no deadline, when there is none (no clock in the profile, a year without its calendar).
    deadline_note: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "ordered": self.ordered,
            "disposed": self.disposed,
            "refused": self.refused,
            "not_found": self.not_found,
            "outstanding": self.outstanding,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "overdue": self.overdue,
        }


class Deadlines:
    """Due dates of orders: the order's own date, else the profile's platform clock from the day it was taken.

    The profile, its clock and the holiday table are read once for all the orders asked about."""

    def __init__(self, measures: Iterable[Measure]):
        measures = list(measures)
        self.note = ""
        self.days = 0
        self.count = ""
        self.calendar: Calendar | None = None
        starts = [m.taken_on for m in measures if m.due_on is None]
        if not starts:
            return
        try:
            rule = clock_rule(default_profile(), PLATFORM_ORDER_CLOCK)
        except GateRefused as exc:
            self.note = str(exc)
            return
        self.days, self.count = rule.days, rule.count
        self.calendar = Calendar(min(starts), max(starts) + dt.timedelta(days=rule.days * 2 + 20))

    def due(self, measure: Measure) -> dt.date | None:
        if measure.due_on is not None:
            return measure.due_on
        if self.calendar is None:
            return None
        try:
            return self.calendar.period_end(measure.taken_on, self.days, self.count)
        except CalendarMissing as exc:
            self.note = str(exc)
            return None


def order_reconciliation(measure: Measure, *, on: dt.date, deadlines: Deadlines | None = None) -> Reconciliation:
    """Ordered, disposed, refused, not found and outstanding items of an order, and whether it is overdue ``on``.

    The counts are the targets' statuses (``MeasureTarget``), one per outcome a platform reports: ``done``,
    ``refused`` and ``not_found``; the rest are outstanding.
    """
    counts = dict(
        MeasureTarget.objects.filter(measure_id=measure.pk)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    ordered = sum(counts.values())
    disposed = counts.get(TargetStatus.DONE, 0)
    refused = counts.get(TargetStatus.REFUSED, 0)
    not_found = counts.get(TargetStatus.NOT_FOUND, 0)
    outstanding = ordered - disposed - refused - not_found
    deadlines = deadlines or Deadlines([measure])
    due = deadlines.due(measure)
    return Reconciliation(
        ordered=ordered,
        disposed=disposed,
        refused=refused,
        not_found=not_found,
        outstanding=outstanding,
        deadline=due,
        overdue=bool(outstanding and due is not None and on > due),
        deadline_note=deadlines.note if due is None else "",
    )


def order_items(measure: Measure, *, status: str = "") -> QuerySet[MeasureTarget]:
    """The items (targets) of an order, in a stable order for paging; ``status`` narrows them."""
    qs = MeasureTarget.objects.filter(measure_id=measure.pk).select_related("subject")
    if status:
        qs = qs.filter(status=status)
    return qs


def reported_items(measure: Measure) -> QuerySet[ReportedItem]:
    return ReportedItem.objects.filter(measure_id=measure.pk).select_related("subject")


def platform_clients(*, active: bool | None = None) -> QuerySet[Officer]:
    """Every platform's API client (they belong to no office: the system and the national administrators
    manage them)."""
    qs: QuerySet[Officer] = Officer.objects.filter(Q(platform__isnull=False) | Q(roles__role=Role.PLATFORM)).distinct()
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.select_related("platform").order_by("username")
