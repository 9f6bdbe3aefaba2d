from typing import Any

from django.contrib import admin

from docket.cases.filtersets import CaseFilterSet
from docket.cases.models import (
    Assignment,
    Case,
    CaseViolation,
    ClockSuspension,
    Document,
    ProcedureRecord,
    Recusal,
)
from docket.cases.steps import STEPS
from docket.core.admin import ScopedAdmin, registry_actions


class RecordInline(admin.TabularInline[Any, Any]):
    model = ProcedureRecord
    extra = 0
    fields = ("step", "on", "by", "by_office", "approved", "content")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class AssignmentInline(RecordInline):
    model = Assignment  # type: ignore[assignment]
    fields = ("officer", "assigned_on", "active")  # type: ignore[assignment]
    readonly_fields = fields  # type: ignore[assignment]


@admin.register(Case)
class CaseAdmin(ScopedAdmin):
    list_display = ("ref", "title", "office", "state", "filed_on", "due_on", "decided_on", "decision_outcome")
    list_filter = ("state", "decision_outcome", "filed_on")
    search_fields = ("ref", "title")
    subject_search = "parties"
    select_related = ("office",)
    # One COUNT per page: the "of N in total" beside a filtered count costs a second scan of the jurisdiction.
    show_full_result_count = False
    # Rendering a row costs more than reading it (the action checkbox is a template of its own): 50 rows a page.
    list_per_page = 50
    readonly_fields = [f.name for f in Case._meta.fields] + ["parties", "campaigns"]
    inlines = [AssignmentInline, RecordInline]
    actions = registry_actions(STEPS.values())
    filterset_class = CaseFilterSet


for model in (Assignment, Recusal, CaseViolation, ClockSuspension, ProcedureRecord, Document):
    admin.site.register(
        model,
        type(
            f"{model.__name__}Admin",
            (ScopedAdmin,),
            {
                "list_display": ("__str__", "case"),
                "select_related": ("case",),
            },
        ),
    )
