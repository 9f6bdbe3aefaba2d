"""The filters of case lists: the admin list, the workspace and the API — one class for all of them.

Oversight and the office's own cases, as the dashboards count them:

- ``office=<code>`` — the office and the offices below it; with ``below=false``, that office's own cases alone.
- ``supervised=true`` — cases a higher office supervised (督办) or instructed on (交办); ``false``: none.
- ``supervised_by=<code>`` — cases that office supervised or instructed on.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from docket.cases.models import Case, Outcome, ProcedureRecord, State, Step
from docket.core.filters import CommaChoices, WholeNumber, YesNo
from docket.offices.filters import OfficeFilters

ORDERINGS: dict[str, tuple[Any, ...]] = {
    "due": (F("due_on").asc(nulls_last=True), "-id"),
    "-due": (F("due_on").desc(nulls_last=True), "-id"),
    "filed": ("filed_on", "id"),
    "-filed": ("-filed_on", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
    "ref": ("ref",),
}


# What a higher office records on a lower office's case: supervision and instructions.
OVERSIGHT_STEPS = (Step.SUPERVISION, Step.INSTRUCTION)


class CaseFilterSet(OfficeFilters):
    q = django_filters.CharFilter(method="search", label=_("Reference or title contains"))
    state = CommaChoices(field_name="state", lookup_expr="in", allowed=State.values, label=_("States"))
    outcome = CommaChoices(
        field_name="decision_outcome", lookup_expr="in", allowed=Outcome.values, label=_("Decisions")
    )
    filed_from = django_filters.DateFilter(field_name="filed_on", lookup_expr="gte", label=_("Filed from"))
    filed_to = django_filters.DateFilter(field_name="filed_on", lookup_expr="lte", label=_("Filed until"))
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte", label=_("Due on or before"))
    due_after = django_filters.DateFilter(field_name="due_on", lookup_expr="gte", label=_("Due on or after"))
    clock = django_filters.CharFilter(field_name="due_clock", label=_("Clock due next"))
    investigator = WholeNumber(method="investigated_by", label=_("Investigator"))
    party = WholeNumber(method="with_party", label=_("Party"))
    campaign = WholeNumber(method="in_campaign", label=_("Campaign"))
    supervised = YesNo(method="overseen", label=_("Supervised or instructed by a higher office"))
    supervised_by = django_filters.CharFilter(
        method="overseen_by", label=_("Supervised or instructed by the office (division code)")
    )
    order = django_filters.ChoiceFilter(
        method="ordered",
        label=_("Order"),
        choices=[
            ("due", _("Nearest due date first")),
            ("-due", _("Latest due date first")),
            ("filed", _("Filed, oldest first")),
            ("-filed", _("Filed, newest first")),
            ("updated", _("Changed, oldest first")),
            ("-updated", _("Changed, newest first")),
            ("ref", _("Reference")),
        ],
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def search(self, qs: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        value = value.strip()
        return qs.filter(Q(ref__icontains=value) | Q(title__icontains=value)) if value else qs

    def overseen(self, qs: QuerySet[Case], name: str, value: Any) -> QuerySet[Case]:
        # Only a higher office records supervision or instructions (the services' gate): a record by another
        # office than the case's own is a higher office's.
        records = ProcedureRecord.objects.filter(case=OuterRef("pk"), step__in=OVERSIGHT_STEPS).exclude(
            by_office=OuterRef("office")
        )
        return qs.filter(Exists(records)) if value else qs.exclude(Exists(records))

    def overseen_by(self, qs: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        records = ProcedureRecord.objects.filter(
            case=OuterRef("pk"), step__in=OVERSIGHT_STEPS, by_office__code=value.strip()
        )
        return qs.filter(Exists(records))

    def investigated_by(self, qs: QuerySet[Case], name: str, value: Any) -> QuerySet[Case]:
        # One assignment row per (case, officer): the join never repeats a case.
        return qs.filter(assignments__officer_id=int(value), assignments__active=True)

    def with_party(self, qs: QuerySet[Case], name: str, value: Any) -> QuerySet[Case]:
        return qs.filter(parties=int(value))

    def in_campaign(self, qs: QuerySet[Case], name: str, value: Any) -> QuerySet[Case]:
        return qs.filter(campaigns=int(value))

    def ordered(self, qs: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return qs.order_by(*ORDERINGS[value])
