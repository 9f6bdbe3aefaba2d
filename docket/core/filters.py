"""Filters shared by the apps' FilterSets."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet


class CommaChoices(django_filters.BaseInFilter, django_filters.CharFilter):
    """``a,b,c`` — a list of machine names, each checked against ``allowed``."""

    def __init__(self, *args: Any, allowed: list[str], **kwargs: Any) -> None:
        self.allowed = set(allowed)
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if value and not set(value) <= self.allowed:
            return qs.none()  # an unknown name matches nothing, never everything
        filtered: QuerySet[Any] = super().filter(qs, value)
        return filtered
