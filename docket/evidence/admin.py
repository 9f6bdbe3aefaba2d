from django.contrib import admin, messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from docket.core.admin import ScopedAdmin, actor_of
from docket.core.errors import NotFound
from docket.evidence.content import TEXT_TYPES
from docket.evidence.models import EvidenceItem
from docket.evidence.queries import evidence_get
from docket.evidence.services import EvidenceCorrupted, evidence_read


@admin.register(EvidenceItem)
class EvidenceAdmin(ScopedAdmin):
    list_display = ("name", "case", "clue", "collected_on", "size", "sha256")
    search_fields = ("name", "sha256", "case__ref")
    select_related = ("case", "clue")
    readonly_fields = [f.name for f in EvidenceItem._meta.fields] + ["collectors", "download"]

    @admin.display(description=_("file"))
    def download(self, obj: EvidenceItem) -> str:
        url = reverse("admin:evidence_evidenceitem_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download (checked against its hash; audited)"))

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<int:object_id>/download/",
                self.admin_site.admin_view(self.download_view),
                name="evidence_evidenceitem_download",
            )
        ]
        return own + super().get_urls()

    def download_view(self, request: HttpRequest, object_id: int) -> HttpResponseBase:
        """The file, always as an attachment with its checked type: the browser never renders evidence inline
        (a captured page may carry scripts), and SECURE_CONTENT_TYPE_NOSNIFF keeps it from guessing another."""
        try:
            content = evidence_read(actor=actor_of(request), item=object_id, now=timezone.now())
        except NotFound:
            raise Http404 from None
        except EvidenceCorrupted as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return redirect("admin:evidence_evidenceitem_change", object_id)
        item = evidence_get(actor_of(request), object_id)
        charset = "; charset=utf-8" if item.content_type in TEXT_TYPES else ""
        response = HttpResponse(content, content_type=item.content_type + charset)
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=item.name)
        return response
