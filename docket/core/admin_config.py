"""Admin for configuration held in data (taxonomies, profiles, calendars): administrators edit, all audited."""

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from docket.audit.services import audit_record
from docket.core.admin import is_officer
from docket.core.admin_site import may_administer


def is_administrator(request: HttpRequest) -> bool:
    return may_administer(request.user)


class ConfigAdmin(admin.ModelAdmin[Any]):
    """Added to and changed by administrators (the only officers the admin site lets in); every save audited.

    The admin wraps each save in a transaction, so the audit entry commits with the change or not at all.
    """

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_officer(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_officer(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_administrator(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:  # noqa: FBT001 - Django's signature
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=f"{obj._meta.label_lower}.{'change' if change else 'add'}",
            obj=obj,
            detail={"fields": sorted(form.changed_data)},
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:  # noqa: FBT001 - Django's signature
        super().save_related(request, form, formsets, change)
        for formset in formsets:
            if formset.has_changed():
                audit_record(
                    actor=request.user,
                    action=f"{form.instance._meta.label_lower}.related_change",
                    obj=form.instance,
                    detail={"inline": formset.model._meta.label_lower},
                )


class ConfigInline(admin.TabularInline[Any, Any]):
    """Inlines of configuration: edited by administrators (the admin would otherwise ask Django's model
    permissions, which Docket does not use)."""

    extra = 0

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_officer(request)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_administrator(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_administrator(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_administrator(request)
