from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone

from docket.core.admin import ScopedAdmin, actor_of, is_officer
from docket.subjects.models import Subject
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


class SubjectForm(forms.ModelForm):
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
    list_display = ("name", "kind", "display_identifier", "platform", "operator")
    list_filter = ("kind",)
    search_fields = ("name", "identifier", "handle")
    form = SubjectForm

    def get_queryset(self, request: HttpRequest) -> Any:
        return Subject.objects.visible_to(request.user).select_related("operator")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_officer(request) and actor_of(request).has_role(*REGISTRARS)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in Subject._meta.fields] if obj else ()

    def save_model(self, request: HttpRequest, obj: Subject, form: Any, change: bool) -> None:
        fields = {k: str(form.cleaned_data.get(k) or "") for k in FIELDS if k != "kind"}
        fields["operator"] = form.cleaned_data.get("operator_code") or ""
        subject, _created = subject_register(
            actor=request.user, kind=form.cleaned_data["kind"], now=timezone.now(), **fields
        )
        obj.pk = subject.pk
