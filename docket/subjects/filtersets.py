"""The filters of subject lists: one class for the admin, the workspace and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from docket.core.filters import CommaChoices, FilterSet, WholeNumber
from docket.subjects.models import Kind, Subject, identifier_search


class SubjectFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or identifier contains"))
    kind = CommaChoices(field_name="kind", lookup_expr="in", allowed=Kind.values, label=_("Kinds"))
    platform = django_filters.CharFilter(field_name="platform", label=_("Platform"))
    operator = WholeNumber(field_name="operator_id", label=_("Operator"))

    class Meta:
        model = Subject
        fields: list[str] = []

    def search(self, qs: QuerySet[Subject], name: str, value: Any) -> QuerySet[Subject]:
        value = str(value).strip()
        # A natural person's identity number matches only in full: no guessing it a few digits at a time.
        return qs.filter(Q(name__icontains=value) | identifier_search(value)) if value else qs
