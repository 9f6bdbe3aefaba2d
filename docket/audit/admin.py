from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from docket.audit.models import AuditEntry
from docket.core.admin import actor_of, is_officer
from docket.offices.models import Office


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[Any]):
    """Inspectors and administrators read the trail of their own subtree. Nobody edits it."""

    list_display = ("seq", "at", "actor_name", "office_code", "action", "object_type", "object_id", "outcome")
    list_filter = ("outcome", "action")
    search_fields = ("actor_name", "action", "object_id")
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def _allowed(self, request: HttpRequest) -> bool:
        return is_officer(request) and actor_of(request).has_role("inspector", "administrator")

    def get_queryset(self, request: HttpRequest) -> Any:
        office = getattr(request.user, "office", None)
        if not self._allowed(request) or office is None:
            return AuditEntry.objects.none()
        codes = Office.objects.filter(path__subtree=office.path).values("code")
        return AuditEntry.objects.filter(office_code__in=codes)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
