"""Filters shared by the apps' FilterSets."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _


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


class WholeNumber(django_filters.NumberFilter):
    """An id, a year, a month: a whole number within bounds (1 by default), or the list refuses the filter (422)
    — ``2023.5`` or ``0`` is the caller's mistake, never a year the database cannot represent."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, min_value: int = 1, max_value: int | None = None, **kwargs: Any) -> None:
        kwargs["min_value"] = min_value
        if max_value is not None:
            kwargs["max_value"] = max_value
        super().__init__(*args, **kwargs)


def _is_true(value: str) -> bool:
    return value == "true"


class YesNo(django_filters.BooleanFilter):
    """``true`` or ``false``, as the API writes them; nothing leaves the filter out, and anything else is refused
    naming the field (422) — never read as yes, as a plain boolean field reads "maybe"."""

    field_class = forms.TypedChoiceField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        choices = [("true", _("Yes")), ("false", _("No"))]
        kwargs.update(choices=choices, coerce=_is_true, empty_value=None)
        kwargs.setdefault("widget", forms.Select(choices=[("", "—"), *choices]))
        super().__init__(*args, **kwargs)
