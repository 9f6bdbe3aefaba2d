from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from docket.core.admin import ScopedAdmin, actor_of, is_officer
from docket.core.answers import answer_for
from docket.core.errors import DocketError
from docket.officers.models import Role
from docket.subjects.identity import subject_identifier_reveal
from docket.subjects.models import Kind, Subject, identifier_search
from docket.subjects.services import REGISTRARS, _clean, subject_register

FIELDS = (
    "kind",
    "name",
    "identifier",
    "platform",
    "runs_platform",
    "legal_representative",
    "icp_number",
    "licence_number",
    "account_type",
    "handle",
    "position",
)


class SubjectForm(forms.ModelForm[Subject]):
    operator_code = forms.CharField(label="operator (USCC)", required=False)

    class Meta:
        model = Subject
        fields = FIELDS

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        raw = {k: str(data.get(k) or "") for k in FIELDS}
        raw["operator"] = data.get("operator_code") or ""
        _values, errors = _clean(raw["kind"], raw, None)
        if errors:
            raise ValidationError({(e.field if e.field in self.fields else "__all__"): e.message for e in errors})
        return data

    def validate_unique(self) -> None:
        # An existing identity is matched by the service, not refused.
        pass


@admin.register(Subject)
class SubjectAdmin(ScopedAdmin):
    """A natural person's identity number is masked on every page of the admin: the list, the change page,
    search results and every name of the subject (``__str__``). Holders of the personal-data role may open
    it in full, one subject at a time, each view audited (``subject_identifier_reveal``)."""

    list_display = ("name", "kind", "identifier_masked", "platform", "operator")
    list_filter = ("kind",)
    # Identifiers are searched by get_search_results, which keeps people's numbers out of substring search.
    search_fields = ("name", "handle")
    form = SubjectForm

    def get_queryset(self, request: HttpRequest) -> Any:
        return Subject.objects.visible_to(request.user).select_related("operator")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_officer(request) and actor_of(request).has_role(*REGISTRARS)

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Any], search_term: str) -> Any:
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            found = found | queryset.filter(identifier_search(search_term))
        return found, may_have_duplicates

    @admin.display(description=_("identifier"))
    def identifier_masked(self, obj: Subject) -> str:
        return obj.display_identifier

    @admin.display(description=_("full identity number"))
    def identifier_full_link(self, obj: Subject) -> str:
        url = reverse("admin:subjects_subject_identifier", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Show in full (the view is audited)"))

    def _shown_fields(self, request: HttpRequest, obj: Subject) -> list[str]:
        # The stored identifier itself is never a field of the change page, not even a read-only one.
        names = ["identifier_masked" if f.name == "identifier" else f.name for f in Subject._meta.fields]
        if obj.kind == Kind.RESPONSIBLE_PERSON and actor_of(request).has_role(Role.PERSONAL_DATA):
            names.insert(names.index("identifier_masked") + 1, "identifier_full_link")
        return names

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self._shown_fields(request, obj) if obj else super().get_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self._shown_fields(request, obj) if obj else ()

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<path:object_id>/identifier/",
                self.admin_site.admin_view(self.identifier_view),
                name="subjects_subject_identifier",
            )
        ]
        return own + super().get_urls()

    def identifier_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Asks first (a POST), so no prefetch or crawler opens a number; the service checks the role."""
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404
        shown, refusal = None, None
        if request.method == "POST":
            try:
                shown = subject_identifier_reveal(actor=actor_of(request), subject=obj, now=timezone.now())
            except DocketError as exc:
                refusal = answer_for(exc).detail
        context = {
            **self.admin_site.each_context(request),
            "title": _("Identity number of %(name)s") % {"name": obj.name},
            "subject": obj,
            "shown": shown,
            "refusal": refusal,
            "opts": self.model._meta,
        }
        # admin_view marks the answer never_cache (no-store): the number stays in no browser's or proxy's cache.
        return TemplateResponse(request, "admin/docket/identifier_full.html", context)

    def save_model(self, request: HttpRequest, obj: Subject, form: Any, change: bool) -> None:  # noqa: FBT001
        fields = {k: str(form.cleaned_data.get(k) or "") for k in FIELDS if k != "kind"}
        fields["operator"] = form.cleaned_data.get("operator_code") or ""
        subject, _created = subject_register(
            actor=actor_of(request), kind=form.cleaned_data["kind"], now=timezone.now(), **fields
        )
        obj.pk = subject.pk
