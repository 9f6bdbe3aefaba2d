"""The regulator's search of the statements of reasons in the admin: read only, scoped and filtered as the API's
list is (``Statement.objects.visible_to``, ``StatementFilterSet``)."""

from __future__ import annotations

from django.contrib import admin

from docket.core.admin import ScopedAdmin
from docket.statements.filtersets import StatementFilterSet
from docket.statements.models import Statement


@admin.register(Statement)
class StatementAdmin(ScopedAdmin):
    list_display = (
        "puid",
        "platform",
        "decision_ground",
        "category",
        "decision_account",
        "application_date",
        "received_at",
        "docket_order",
    )
    search_fields = ("puid",)
    select_related = ("platform",)
    filterset_class = StatementFilterSet
    readonly_fields = [f.name for f in Statement._meta.fields]
