"""The filters of measure lists: the admin list, the report's drill-down links, and the coming pages and API.

They select measures by the same rule the published figures count them (``reports.aggregates.contributions``):
"measures of kind K" are those aimed at a subject of kind K, or — having no targets — addressed to one; each
measure appears once however many of its subjects match, so a list's count equals the figure it explains.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from docket.core.filters import CommaChoices, WholeNumber
from docket.core.vocabulary import Kind, MeasureType
from docket.measures.models import Measure, MeasureTarget
from docket.offices.filters import OfficeFilters


def aimed_at_kinds(kinds: list[str]) -> Q:
    """Measures aimed at a subject of one of ``kinds``, or addressed to one when aimed at none."""
    targets = MeasureTarget.objects.filter(measure=OuterRef("pk"))
    return Q(Exists(targets.filter(subject__kind__in=kinds))) | (~Q(Exists(targets)) & Q(addressee__kind__in=kinds))


class MeasureFilterSet(OfficeFilters):
    taken_from = django_filters.DateFilter(field_name="taken_on", lookup_expr="gte", label=_("Taken from"))
    taken_to = django_filters.DateFilter(field_name="taken_on", lookup_expr="lte", label=_("Taken until"))
    year = WholeNumber(field_name="taken_on", lookup_expr="year", max_value=9999, label=_("Year"))
    month = WholeNumber(field_name="taken_on", lookup_expr="month", max_value=12, label=_("Month"))
    type = CommaChoices(field_name="type", lookup_expr="in", allowed=MeasureType.values, label=_("Measure types"))
    kind = CommaChoices(allowed=Kind.values, method="of_kinds", label=_("Subject kinds"))
    campaign = WholeNumber(method="in_campaign", label=_("Campaign"))
    case = WholeNumber(field_name="case_id", label=_("Case"))
    clue = WholeNumber(field_name="clue_id", label=_("Clue"))

    class Meta:
        model = Measure
        fields: list[str] = []

    def of_kinds(self, qs: QuerySet[Measure], name: str, value: list[str]) -> QuerySet[Measure]:
        if not value:
            return qs
        if not set(value) <= set(Kind.values):
            return qs.none()
        return qs.filter(aimed_at_kinds(list(value)))

    def in_campaign(self, qs: QuerySet[Measure], name: str, value: Any) -> QuerySet[Measure]:
        # One row per (measure, campaign): the join never repeats a measure.
        return qs.filter(campaigns=int(value))
