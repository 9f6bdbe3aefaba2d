"""The filter of statement lists (the regulator's search of what its platforms reported), used by the API and
the admin alike. The queryset it narrows is already the reader's (``Statement.objects.visible_to``)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from docket.core.filters import CommaChoices, FilterSet, WholeNumber
from docket.statements import rules
from docket.statements.models import Statement


class StatementFilterSet(FilterSet):
    platform = WholeNumber(field_name="platform_id", label=_("Platform (subject id)"))
    puid = django_filters.CharFilter(field_name="puid", label=_("Platform's unique identifier"))
    decision_ground = CommaChoices(
        field_name="decision_ground", lookup_expr="in", allowed=rules.keys("decision_grounds"), label=_("Grounds")
    )
    category = CommaChoices(
        field_name="category", lookup_expr="in", allowed=rules.keys("categories"), label=_("Categories")
    )
    decision_account = CommaChoices(
        field_name="decision_account",
        lookup_expr="in",
        allowed=rules.keys("decision_accounts"),
        label=_("Account restrictions"),
    )
    automated_detection = django_filters.ChoiceFilter(
        choices=[(k, k) for k in rules.keys("automated_detections")], label=_("Detected by automated means")
    )
    applied_from = django_filters.DateFilter(field_name="application_date", lookup_expr="gte", label=_("Applied from"))
    applied_to = django_filters.DateFilter(field_name="application_date", lookup_expr="lte", label=_("Applied until"))
    received_from = django_filters.DateFilter(
        field_name="received_at", lookup_expr="date__gte", label=_("Received from")
    )
    received_to = django_filters.DateFilter(
        field_name="received_at", lookup_expr="date__lte", label=_("Received until")
    )
    order = WholeNumber(field_name="docket_order_id", label=_("Order (measure id)"))

    class Meta:
        model = Statement
        fields: list[str] = []

    def is_valid(self) -> bool:
        """A filter given with no value is refused unless it takes text: ``?applied_from=`` is no date, and a
        list that silently ignored it would show more than was asked for."""
        valid = bool(super().is_valid())
        for name, value in self.data.items():
            spec = self.filters.get(name)
            if spec is not None and value == "" and not isinstance(spec, django_filters.CharFilter):
                self.form.add_error(name, _("Give a value, or leave the filter out."))
                valid = False
        return valid
