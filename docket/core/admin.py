"""Admin plumbing shared by every app: scoped querysets, and procedure steps as admin actions.

The admin never writes a model directly. Reads go through ``visible_to``; every change is an action
whose form is parsed here and handed to one service, so it is gated and audited like any other door.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from docket.audit.services import audit_denial
from docket.core.admin_site import may_administer
from docket.core.answers import answer_for
from docket.core.dates import local_date
from docket.core.errors import DocketError
from docket.core.models import ImportRecord
from docket.core.steps import Step as RegistryStep


def actor_of(request: HttpRequest) -> Any:
    """The signed-in officer (typed loosely: the admin site lets only administrators this far)."""
    return request.user


def is_officer(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_authenticated and getattr(user, "is_staff", False))


class ScopedAdmin(admin.ModelAdmin[Any]):
    """Read-only by default; the queryset is the actor's jurisdiction and nothing else.

    ``filterset_class`` (the app's FilterSet) filters the list by the same parameters the pages, the API and
    the report's drill-down links use, so a number and the list behind it always agree.
    """

    select_related: tuple[str, ...] = ()
    filterset_class: Any = None
    # A many-to-many relation to subjects searched by their name or identifier (a person's number only in full).
    subject_search: str = ""

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        found, duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if not self.subject_search or not term:
            return found, duplicates
        from docket.subjects.models import Subject, identifier_search

        field: Any = self.model._meta.get_field(self.subject_search)
        through = field.remote_field.through
        matched = Subject.objects.filter(Q(name__icontains=term) | identifier_search(term)).values("pk")
        # EXISTS, not a join: a case with three matching parties is listed once, without a DISTINCT.
        link = through.objects.filter(
            **{field.m2m_field_name(): OuterRef("pk"), f"{field.m2m_reverse_field_name()}__in": matched}
        )
        return found | queryset.filter(Exists(link)), duplicates

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if self.filterset_class is not None:
            # The admin's own changelist refuses parameters it does not know: hand ours to the FilterSet.
            # "q" stays the admin's own search box (which also searches subjects, see get_search_results).
            names = set(self.filterset_class.base_filters) - {"q"}
            params = request.GET.copy()
            ours = QueryDict(mutable=True)
            for key in list(params):
                if key in names:
                    ours.setlist(key, params.pop(key))
            request.GET = params  # type: ignore[assignment]
            request.docket_filters = ours  # type: ignore[attr-defined]
        return super().changelist_view(request, extra_context)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs: QuerySet[Any] = self.model.objects.visible_to(request.user)
        filters = getattr(request, "docket_filters", None)
        if self.filterset_class is not None and filters:
            qs = self.filterset_class(filters, queryset=qs, request=request).qs
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


def registry_actions(steps: Iterable[RegistryStep]) -> list[Callable[..., Any]]:
    """Admin actions generated from a steps registry: the same forms, gates and services as every interface."""
    return [_registry_action(step) for step in steps]


def _registry_action(step: RegistryStep) -> Callable[..., Any]:
    def action(modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponse | None:
        objects = list(queryset)
        if not objects:
            return None
        # Choices (officers, parties, pending requests) belong to one object: the form is that object's.
        first = objects[0]
        office = getattr(first, "office", None)
        on = local_date(timezone.now(), getattr(office, "time_zone", None))
        if "apply" not in request.POST:
            form = step.make_form(obj=first, actor=request.user, on=on)
            return _render(modeladmin, request, objects, step.name, step.label, form)
        runs = []
        for obj in objects:
            form = step.make_form(obj=obj, actor=request.user, on=on, data=request.POST, files=request.FILES)
            if not form.is_valid():
                if obj is first:
                    return _render(modeladmin, request, objects, step.name, step.label, form)
                modeladmin.message_user(request, _("%(obj)s: the input does not fit this object.") % {"obj": obj})
                continue
            runs.append((obj, partial(step.run, obj=obj, actor=request.user, form=form), form.labels()))
        _apply(modeladmin, request, step.label, runs)
        return None

    action.__name__ = step.name
    action.short_description = step.label  # type: ignore[attr-defined]
    return action


def _apply(
    modeladmin: admin.ModelAdmin[Any],
    request: HttpRequest,
    label: Any,
    runs: Iterable[tuple[Any, Callable[..., Any], dict[str, str]]],
) -> None:
    """Run each object's service call; say what was done and, per object, every refusal in the user's words."""
    done = 0
    for obj, run, labels in runs:
        try:
            run(now=timezone.now())
            done += 1
        except DocketError as exc:
            for message in answer_for(exc, labels=labels).messages():
                modeladmin.message_user(request, f"{obj}: {message}", messages.ERROR)
    if done:
        modeladmin.message_user(request, _("%(step)s: done for %(n)d.") % {"step": label, "n": done}, messages.SUCCESS)


def _render(
    modeladmin: admin.ModelAdmin[Any], request: HttpRequest, objects: Any, name: str, label: Any, form: forms.Form
) -> TemplateResponse:
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": label,
        "objects": objects,
        "form": form,
        "formset": getattr(form, "penalties", None),
        "action": name,
        "opts": modeladmin.model._meta,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/docket/step_form.html", context)


@admin.register(ImportRecord)
class ImportRecordAdmin(admin.ModelAdmin[Any]):
    """Every import, its file's SHA-256 and whether it went in: read by administrators, written by imports."""

    list_display = ("id", "kind", "state", "rows", "file_name", "started_at", "finished_at", "actor_name")
    list_filter = ("kind", "state")
    search_fields = ("file_name", "sha256")
    readonly_fields = [f.name for f in ImportRecord._meta.fields]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_administer(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
