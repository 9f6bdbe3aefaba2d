from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from docket.audit.services import audit_record
from docket.core.admin import actor_of, is_officer, registry_actions
from docket.core.admin_config import is_administrator
from docket.officers.models import Officer, OfficerRole
from docket.officers.steps import STEPS


class RoleInline(admin.TabularInline[OfficerRole, Officer]):
    """Roles shown, never edited in place: they change through the grant and revoke actions (audited, and
    refused to an administrator acting on themselves)."""

    model = OfficerRole
    extra = 0
    can_delete = False
    fields = ("role",)
    readonly_fields = ("role",)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_officer(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Officer)
class OfficerAdmin(UserAdmin[Officer]):
    """Administrators manage the officers of their own subtree; every officer may look them up."""

    list_display = ("username", "display_name", "office", "certificate_number", "certificate_valid_until", "is_active")
    list_filter = ("is_active", "roles__role")
    search_fields = ("username", "display_name", "certificate_number")
    raw_id_fields = ("office", "platform")
    inlines = [RoleInline]
    actions = registry_actions(STEPS.values())
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Officer"), {"fields": ("display_name", "email", "office", "platform", "is_active", "is_staff")}),
        (
            _("Enforcement certificate"),
            {"fields": ("certificate_number", "certificate_valid_from", "certificate_valid_until")},
        ),
    )
    add_fieldsets = ((None, {"fields": ("username", "password1", "password2", "display_name", "office", "is_staff")}),)

    def get_queryset(self, request: HttpRequest) -> Any:
        return Officer.objects.visible_to(request.user).select_related("office")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_officer(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_officer(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Officer, form: Any, change: bool) -> None:  # noqa: FBT001
        office = actor_of(request).office
        if obj.office is None or office is None or not office.contains(obj.office):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied(_("An officer belongs to an office in your jurisdiction."))
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=f"officer.{'change' if change else 'add'}",
            obj=obj,
            detail={"fields": sorted(f for f in form.changed_data if "password" not in f)},
        )


# Roles (DESIGN §1) take the place of Django's groups and model permissions.
admin.site.unregister(Group)
