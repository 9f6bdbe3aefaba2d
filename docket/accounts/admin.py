"""Locked accounts in the admin, for administrators: the one change is an audited unlock."""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from docket.accounts.models import AddressFailures
from docket.accounts.services import account_unlock
from docket.core.errors import DocketError
from docket.officers.models import Role


def _administrator(request: HttpRequest) -> bool:
    user: Any = request.user
    return bool(user.is_authenticated and (user.is_superuser or user.has_role(Role.ADMINISTRATOR)))


class _AdministratorsOnly(admin.ModelAdmin[Any]):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return _administrator(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _administrator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AccessAttempt)
class FailedSignInAdmin(_AdministratorsOnly):
    list_display = ("username", "failures_since_start", "locked", "attempt_time", "ip_address")
    search_fields = ("username",)
    ordering = ("-attempt_time",)
    actions = ("unlock",)

    @admin.display(description=_("locked"), boolean=True)
    def locked(self, obj: AccessAttempt) -> bool:
        return bool(obj.failures_since_start >= settings.DOCKET_LOCKOUT_FAILURES)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return super().get_actions(request) if _administrator(request) else {}

    @admin.action(description=_("Unlock the selected accounts"))
    def unlock(self, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> None:
        done = 0
        for username in sorted({a.username or "" for a in queryset}):
            try:
                account_unlock(actor=request.user, username=username, now=timezone.now())  # type: ignore[arg-type]
            except DocketError as exc:
                self.message_user(request, f"{username}: {exc}", messages.ERROR)
            else:
                done += 1
        self.message_user(request, ngettext("%(n)d account unlocked.", "%(n)d accounts unlocked.", done) % {"n": done})


@admin.register(AddressFailures)
class AddressFailuresAdmin(_AdministratorsOnly):
    list_display = ("address", "hour", "failures", "unreported", "reported_at")
    search_fields = ("address",)
    ordering = ("-hour",)


# django-otp's own page edits keys in place; administrators here see who has enrolled, and nothing more.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TwoFactorAdmin(_AdministratorsOnly):
    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    search_fields = ("user__username",)
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")
