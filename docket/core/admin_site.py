"""The admin site: for administrators only, and only for what they administer.

Officers work in the workspace (``docket.web``); the admin is where administrators keep the people and the
configuration held in data. Entering it takes the administrator role (or a superuser, as ``docket`` commands
create one); a signed-in officer without it is sent to the workspace, not to a sign-in page that would send them
straight back. ``is_staff`` alone no longer opens it: every officer has it.

Loaded before any model (``INSTALLED_APPS`` names ``DocketAdminConfig``), so nothing here imports a model.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib import admin, messages
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

ADMINISTRATOR = "administrator"

View = TypeVar("View", bound=Callable[..., HttpResponseBase])

# What administrators keep here, as "app_label.model_name": the people and their sign-in, the offices, the
# taxonomy, the calendars and procedure profiles, metric sets, document templates, campaigns, the platforms'
# webhook endpoints, and the records they read (imports, the audit trail). Records of a jurisdiction (cases,
# clues, measures, evidence, subjects, issued documents, statements) are worked on in the workspace: not listed.
ADMINISTERED = frozenset(
    {
        "officers.officer",
        "axes.accessattempt",
        "accounts.addressfailures",
        "otp_totp.totpdevice",
        "offices.office",
        "taxonomy.provision",
        "taxonomy.violationcategory",
        "workdays.calendaryear",
        "workdays.calendarday",
        "workdays.procedureprofile",
        "reports.metricset",
        "documents.documenttemplate",
        "campaigns.campaign",
        "webhooks.webhookendpoint",
        "core.importrecord",
        "audit.auditentry",
    }
)


def may_administer(user: Any) -> bool:
    """The one rule of the admin: an active officer holding the administrator role, or a superuser."""
    if not (user.is_active and user.is_authenticated):
        return False
    if user.is_superuser:
        return True
    return bool(getattr(user, "is_staff", False) and user.has_role(ADMINISTRATOR))


class DocketAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return may_administer(request.user)

    def admin_view(self, view: View, cacheable: bool = False) -> View:  # noqa: FBT001, FBT002 - Django's signature
        guarded = super().admin_view(view, cacheable)

        @wraps(guarded)
        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            # Signed in without the role: the admin's own answer (its sign-in page) would lead back here forever.
            if request.user.is_authenticated and not self.has_permission(request):
                messages.info(request, _("The admin is for administrators. Your work is in the workspace."))
                return HttpResponseRedirect(reverse("web-dashboard"))
            return guarded(request, *args, **kwargs)

        return cast(View, inner)

    def _build_app_dict(self, request: HttpRequest, label: Any = None) -> dict[str, Any]:
        # The index, the navigation and each app's page all list through here.
        shown = {}
        for app_label, app in super()._build_app_dict(request, label).items():
            models = [m for m in app["models"] if m["model"]._meta.label_lower in ADMINISTERED]
            if models:
                shown[app_label] = {**app, "models": models}
        return shown


class DocketAdminConfig(AdminConfig):
    default_site = "docket.core.admin_site.DocketAdminSite"
