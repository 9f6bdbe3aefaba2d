"""The filters of clue lists: one class for the admin, the workspace and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from docket.clues.models import Clue, ClueStatus, Source
from docket.core.filters import CommaChoices, WholeNumber
from docket.offices.filters import OfficeFilters


class ClueFilterSet(OfficeFilters):
    q = django_filters.CharFilter(method="search", label=_("Reference or summary contains"))
    status = CommaChoices(field_name="status", lookup_expr="in", allowed=ClueStatus.values, label=_("Statuses"))
    source = CommaChoices(field_name="source", lookup_expr="in", allowed=Source.values, label=_("Sources"))
    received_from = django_filters.DateFilter(field_name="received_on", lookup_expr="gte", label=_("Received from"))
    received_to = django_filters.DateFilter(field_name="received_on", lookup_expr="lte", label=_("Received until"))
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte", label=_("Check due on or before"))
    subject = WholeNumber(method="about_subject", label=_("Subject"))
    campaign = WholeNumber(method="in_campaign", label=_("Campaign"))
    order = django_filters.ChoiceFilter(
        method="ordered",
        label=_("Order"),
        choices=[("due", _("Nearest due date first")), ("-received", _("Received, newest first"))],
    )

    class Meta:
        model = Clue
        fields: list[str] = []

    def search(self, qs: QuerySet[Clue], name: str, value: str) -> QuerySet[Clue]:
        value = value.strip()
        return qs.filter(Q(ref__icontains=value) | Q(summary__icontains=value)) if value else qs

    def about_subject(self, qs: QuerySet[Clue], name: str, value: Any) -> QuerySet[Clue]:
        return qs.filter(subjects=int(value))

    def in_campaign(self, qs: QuerySet[Clue], name: str, value: Any) -> QuerySet[Clue]:
        return qs.filter(campaigns=int(value))

    def ordered(self, qs: QuerySet[Clue], name: str, value: str) -> QuerySet[Clue]:
        if value == "due":
            return qs.order_by(F("due_on").asc(nulls_last=True), "-id")
        return qs.order_by("-received_on", "-id")
