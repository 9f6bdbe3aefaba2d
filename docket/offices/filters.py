"""The office filter of the lists that have an office: one rule for the workspace, the API and the dashboards."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from docket.core.filters import FilterSet, YesNo
from docket.offices.models import Office


class OfficeFilters(FilterSet):
    """``office=<code>``: the office and the offices below it; with ``below=false``, that office's own rows alone
    (what an office head runs, as against what the office oversees). Mixed into the FilterSets of the lists that
    have an office."""

    office = django_filters.CharFilter(label=_("Office (division code, with the offices below)"), method="in_office")
    # A switch of ``office``: read by ``in_office`` itself.
    below = YesNo(method="unchanged", label=_("Include the offices below the office"))

    def in_office(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        # The queryset is already the reader's jurisdiction: an office above or beside it narrows, never widens.
        office = Office.objects.filter(code=value).only("path").first()
        if office is None:
            return qs.none()
        if self.form.cleaned_data.get("below") is False:
            return qs.filter(office=office)
        return qs.filter(office__path__subtree=office.path)

    def unchanged(self, qs: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return qs
