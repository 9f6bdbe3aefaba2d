from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Max, Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from docket.core.admin import ScopedAdmin, actor_of
from docket.core.admin_config import ConfigAdmin
from docket.core.errors import NotFound
from docket.documents.context import NAMES
from docket.documents.models import DocumentTemplate, RenderedDocument
from docket.documents.render import TemplateRefused, check_template
from docket.documents.services import DocumentCorrupted, document_pdf


class DocumentTemplateForm(forms.ModelForm[DocumentTemplate]):
    class Meta:
        model = DocumentTemplate
        fields = ["kind", "language", "title", "body", "active", "valid_from"]
        widgets = {"body": forms.Textarea(attrs={"rows": 30, "cols": 120, "style": "font-family: monospace"})}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # On a change the language is read-only, so it is the instance's, not the form's.
        title, body = data.get("title"), data.get("body")
        language = data.get("language") or self.instance.language
        if title is not None and body is not None and language:
            try:
                check_template(title, body, language)
            except TemplateRefused as exc:
                field = "title" if str(exc).startswith("title") else "body"
                self.add_error(field, str(exc))
        return data


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(ConfigAdmin):
    """Administrators edit the wording; a changed title or body is saved as the next version (the one in
    use before stays, so a document already rendered can be shown with the words it was issued with)."""

    form = DocumentTemplateForm
    list_display = ("kind", "language", "version", "title", "active", "valid_from")
    list_filter = ("kind", "language", "active")
    readonly_fields = ("version", "names")

    @admin.display(description=_("names a template may use"))
    def names(self, obj: DocumentTemplate | None) -> str:
        return format_html("<ul>{}</ul>", format_html_join("", "<li><code>{}</code>: {}</li>", sorted(NAMES.items())))

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        # What a version is for never changes; a new kind or language is a new template.
        return (*self.readonly_fields, "kind", "language") if obj is not None else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:  # noqa: FBT001
        assert isinstance(obj, DocumentTemplate)
        new_wording = not change or "title" in form.changed_data or "body" in form.changed_data
        if new_wording:
            last = DocumentTemplate.objects.filter(kind=obj.kind, language=obj.language).aggregate(v=Max("version"))
            obj.version = (last["v"] or 0) + 1
            if change:
                obj.pk = None
                obj._state.adding = True
                change = False
        super().save_model(request, obj, form, change)


@admin.register(RenderedDocument)
class RenderedDocumentAdmin(ScopedAdmin):
    list_display = ("number", "kind", "language", "template_version", "issued_on", "case", "size", "sha256")
    list_filter = ("kind", "language")
    search_fields = ("number", "case__ref", "sha256")
    select_related = ("case",)
    readonly_fields = [f.name for f in RenderedDocument._meta.fields] + ["download"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> Any:
        return RenderedDocument.objects.visible_to(actor_of(request)).select_related("case")

    @admin.display(description=_("file"))
    def download(self, obj: RenderedDocument) -> str:
        url = reverse("admin:documents_rendereddocument_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download the PDF (checked against its hash; audited)"))

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<int:object_id>/download/",
                self.admin_site.admin_view(self.download_view),
                name="documents_rendereddocument_download",
            )
        ]
        return own + super().get_urls()

    def download_view(self, request: HttpRequest, object_id: int) -> HttpResponseBase:
        try:
            content = document_pdf(actor=actor_of(request), rendered=object_id, now=timezone.now())
        except NotFound:
            raise Http404 from None
        except DocumentCorrupted as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return redirect("admin:documents_rendereddocument_change", object_id)
        row = RenderedDocument.objects.visible_to(actor_of(request)).get(pk=object_id)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"{row.number}-{row.language}.pdf"
        )
        return response
