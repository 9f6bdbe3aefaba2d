"""Webhook endpoints in the admin: administrators of the national office register a platform's endpoint (the
signing secret shown once, on the page that answers the registration, and never again) and disable one. Every
change goes through the webhooks services, so it is checked, audited and refused exactly as the API and the
``docket webhook`` command are."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from docket.core.admin import actor_of
from docket.core.admin_config import is_administrator
from docket.core.answers import answer_for
from docket.core.errors import DocketError
from docket.subjects.models import Kind, Subject
from docket.webhooks.models import WebhookEndpoint
from docket.webhooks.services import MAX_URL, manages_every_endpoint, webhook_endpoint_disable, webhook_endpoint_set


def is_national_administrator(request: HttpRequest) -> bool:
    """Whether the reader manages every platform's endpoint — the service's own rule."""
    return is_administrator(request) and manages_every_endpoint(actor_of(request))


class EndpointSetForm(forms.Form):
    platform = forms.ModelChoiceField(
        queryset=Subject.objects.none(), label=_("Platform"), help_text=_("The organisation that runs the platform.")
    )
    url = forms.CharField(
        label=_("URL"),
        max_length=MAX_URL,
        help_text=_("https:// address that receives the signed pushes (a new secret replaces the old one at once)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["platform"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Subject.objects.filter(kind=Kind.ORGANISATION).exclude(runs_platform="").order_by("name")

    def labels(self) -> dict[str, str]:
        return {name: str(f.label or name) for name, f in self.fields.items()}


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin[WebhookEndpoint]):
    list_display = ("platform", "url", "secret_prefix", "active", "waiting", "updated_at")
    list_filter = ("active",)
    search_fields = ("platform__name", "platform__identifier", "platform__runs_platform", "url")
    list_select_related = ("platform",)
    # Never the secret: only its first characters, to tell which secret signs the pushes.
    fields = ("platform", "url", "secret_prefix", "active", "created_at", "updated_at")
    readonly_fields = fields
    actions = ["disable"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[WebhookEndpoint]:
        waiting = Q(messages__delivered_at__isnull=True, messages__dead_at__isnull=True)
        return super().get_queryset(request).annotate(n_waiting=Count("messages", filter=waiting))

    @admin.display(description=_("pushes waiting"))
    def waiting(self, obj: Any) -> int:
        return int(getattr(obj, "n_waiting", 0))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_national_administrator(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_national_administrator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_national_administrator(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """The endpoint is registered by the service (a new one, or a new URL and secret for one set before);
        the answer shows its secret this once, in a page that is not kept (no-store) and not redirected to."""
        if not self.has_add_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        form = EndpointSetForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                new = webhook_endpoint_set(
                    actor=actor_of(request),
                    platform=form.cleaned_data["platform"],
                    url=form.cleaned_data["url"],
                    now=timezone.now(),
                )
            except DocketError as exc:
                answer = answer_for(exc, labels=form.labels())
                for problem in answer.errors:
                    form.add_error(problem.field if problem.field in form.fields else None, problem.message)
                if not answer.errors:
                    form.add_error(None, answer.detail)
            else:
                context = {
                    **self.admin_site.each_context(request),
                    "title": _("Webhook endpoint registered"),
                    "opts": self.model._meta,
                    "endpoint": new.endpoint,
                    "secret": new.secret,
                }
                response = TemplateResponse(request, "webhooks/admin_secret.html", context)
                response["Cache-Control"] = "no-store"
                return response
        context = {
            **self.admin_site.each_context(request),
            "title": _("Register a webhook endpoint"),
            "opts": self.model._meta,
            "form": form,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "webhooks/admin_set.html", context)

    @admin.action(description=_("Disable the selected endpoints (pushes wait until set again)"))
    def disable(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        done = 0
        for endpoint in queryset.select_related("platform"):
            try:
                webhook_endpoint_disable(actor=actor_of(request), platform=endpoint.platform, now=timezone.now())
                done += 1
            except DocketError as exc:
                for message in answer_for(exc).messages():
                    self.message_user(request, f"{endpoint.platform}: {message}", messages.ERROR)
        if done:
            self.message_user(request, _("Disabled: %(n)d.") % {"n": done}, messages.SUCCESS)
