"""Admin plumbing shared by every app: scoped querysets, and procedure steps as admin actions.

The admin never writes a model directly. Reads go through ``visible_to``; every change is an action
whose form is parsed here and handed to one service, so it is gated and audited like any other door.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from docket.audit.services import audit_denial
from docket.core.errors import DocketError, InvalidInput


def actor_of(request: HttpRequest) -> Any:
    """The signed-in officer (typed loosely: the admin only lets authenticated staff this far)."""
    return request.user


def is_officer(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_authenticated and getattr(user, "is_staff", False))


class ScopedAdmin(admin.ModelAdmin):
    """Read-only by default; the queryset is the actor's jurisdiction and nothing else."""

    select_related: tuple[str, ...] = ()

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = self.model.objects.visible_to(request.user)
        return qs.select_related(*self.select_related) if self.select_related else qs

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_officer(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_officer(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            audit_denial(
                actor=request.user,
                action=f"{self.model._meta.label_lower}.read",
                detail={"id": str(object_id)[:64], "via": "admin"},
            )
        return obj


@dataclass(frozen=True)
class Step:
    """One admin action: a form to fill in, and the one service it calls for each selected object.

    The form's cleaned fields become the service's keyword arguments (``rename`` maps a form field to a
    differently named argument; ``convert`` turns raw form values into domain objects).
    """

    name: str
    label: Any
    form: type[forms.Form]
    service: Callable[..., Any]
    target: str
    rename: dict[str, str] = field(default_factory=dict)
    convert: Callable[[Any, dict[str, Any]], dict[str, Any]] | None = None

    def run(self, *, actor: Any, obj: Any, data: dict[str, Any], now: Any) -> Any:
        values = self.convert(actor, dict(data)) if self.convert else dict(data)
        kwargs = {self.rename.get(k, k): v for k, v in values.items()}
        return self.service(actor=actor, now=now, **{self.target: obj}, **kwargs)


def step_actions(steps: list[Step]) -> list[Callable[..., Any]]:
    return [_make_action(step) for step in steps]


def _make_action(step: Step) -> Callable[..., Any]:
    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponse | None:
        if "apply" not in request.POST:
            return _render(modeladmin, request, queryset, step, step.form())
        form = step.form(request.POST, request.FILES)
        if not form.is_valid():
            return _render(modeladmin, request, queryset, step, form)
        done = 0
        for obj in queryset:
            try:
                step.run(actor=request.user, obj=obj, data=form.cleaned_data, now=timezone.now())
                done += 1
            except InvalidInput as exc:
                for err in exc.errors:
                    modeladmin.message_user(request, f"{obj}: {err}", messages.ERROR)
            except DocketError as exc:
                modeladmin.message_user(request, f"{obj}: {exc}", messages.ERROR)
        if done:
            modeladmin.message_user(
                request, _("%(step)s: done for %(n)d.") % {"step": step.label, "n": done}, messages.SUCCESS
            )
        return None

    action.__name__ = step.name
    action.short_description = step.label  # type: ignore[attr-defined]
    return action


def _render(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any], step: Step, form: forms.Form
) -> TemplateResponse:
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": step.label,
        "objects": queryset,
        "form": form,
        "action": step.name,
        "opts": modeladmin.model._meta,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/docket/step_form.html", context)
