"""Files on the workspace's pages: evidence uploaded to a case (its SHA-256 shown), evidence and clue material
downloaded (re-verified against that hash by ``evidence_read``), statutory documents rendered and downloaded.

Each view parses its input, calls one service and maps its refusal through ``answer_for``. An object outside
the reader's jurisdiction answers the same 404 as an id never used: the services fetch it through the scoping
path themselves, and the pages only ask which record to name the download after.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from docket.cases import steps as case_steps
from docket.cases.models import Case, Document
from docket.core.answers import Answer, answer_for
from docket.core.dates import local_date
from docket.core.errors import DocketError, NotFound
from docket.core.steps import REFUSALS
from docket.documents.models import RenderedDocument
from docket.documents.services import document_pdf, document_render, measure_document_render
from docket.evidence.queries import evidence_get
from docket.evidence.services import evidence_read
from docket.measures.models import Measure
from docket.offices.scoping import get_visible
from docket.web.views import officer_required

EVIDENCE_STEP = "evidence_add"
# Where the file problems a service names ("content_type", "name") are shown: on the field that chose the file.
FILE_ALIASES = {"content_type": "file", "name": "file", "content": "file"}


# --- uploads ------------------------------------------------------------------------------------------------


class LimitedUpload(FileUploadHandler):
    """Stops receiving a file as soon as it passes the evidence size limit, and notes its name.

    Without it Django would spool a file of any size to disk before the form could say it is too large; the
    service still checks the size of what it is given (this only spares the server the rest of the bytes).
    """

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit: int = settings.DOCKET_EVIDENCE_MAX_BYTES
        self.oversized: list[str] = []
        self._current = ""

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        self._current = file_name

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self.oversized.append(self._current)
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler (memory or temporary file) holds the bytes


def limited_uploads(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Install ``LimitedUpload`` before the request's body is read. The CSRF check reads the body, so it is made
    inside, once the handler is in place (Django's documented way to change upload handlers in a view)."""
    protected = csrf_protect(view)

    @csrf_exempt
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        handler = LimitedUpload(request)
        request.upload_handlers.insert(0, handler)
        request.oversized_uploads = handler.oversized  # type: ignore[attr-defined]
        return protected(request, *args, **kwargs)

    return wrapper


def oversized(request: HttpRequest) -> list[str]:
    """Names of the files refused while the request was read (after ``request.FILES`` was touched)."""
    return list(getattr(request, "oversized_uploads", []))


def too_large(name: str) -> str:
    return _("%(name)s: larger than the %(n)d bytes allowed") % {
        "name": name or _("(no name)"),
        "n": settings.DOCKET_EVIDENCE_MAX_BYTES,
    }


def show_on_form(form: forms.Form, answer: Answer, aliases: Mapping[str, str] | None = None) -> None:
    """Put each field problem of a refusal next to the field it is about; the rest above the form."""
    aliases = aliases or {}
    for problem in answer.errors:
        field = aliases.get(problem.field, problem.field)
        message = f"{problem.message}" if problem.row is None else str(problem)
        if field in form.fields:
            form.add_error(field, message)
        else:
            form.add_error(None, str(problem))


# --- evidence -----------------------------------------------------------------------------------------------


def _visible_case(request: HttpRequest, ref: str) -> Case:
    try:
        return get_visible(Case.objects.select_related("office"), request.user, ref=ref)
    except NotFound:
        raise Http404 from None


def _today(case: Case) -> Any:
    return local_date(timezone.now(), case.office.time_zone)


@officer_required
@limited_uploads
def evidence_upload(request: HttpRequest, ref: str) -> HttpResponse:
    """The case's evidence step (``evidence_add``) as a page; the stored file's SHA-256 is shown once it is in."""
    user: Any = request.user
    case = _visible_case(request, ref)
    step = case_steps.STEPS[EVIDENCE_STEP]
    today = _today(case)
    back = reverse("web-case", args=[case.ref]) + "#evidence-h"
    context: dict[str, Any] = {
        "step": step,
        "obj": case,
        "title": f"{case.ref} {case.title}",
        "back": back,
        "problems": [],
        "form": None,
    }
    try:
        step.check(obj=case, actor=user, on=today)
    except REFUSALS as exc:
        answer = answer_for(exc)
        context.update(problems=answer.messages(), answer=answer)
        return render(request, "web/step.html", context, status=answer.status)
    if request.method != "POST":
        form = step.make_form(obj=case, actor=user, on=today)
        form.fields["collected_on"].initial = today
        context["form"] = form
        return render(request, "web/step.html", context)
    form = step.make_form(obj=case, actor=user, on=today, data=request.POST, files=request.FILES)
    refused = oversized(request)
    for name in refused:
        form.add_error("file" if "file" not in form.errors else None, too_large(name))
    if refused or not form.is_valid():
        context.update(form=form, problems=[_("Please correct the fields marked below.")])
        return render(request, "web/step.html", context, status=422)
    try:
        item = step.run(obj=case, actor=user, form=form, now=timezone.now())
    except DocketError as exc:
        answer = answer_for(exc, labels={**form.labels(), **{k: form.labels()[v] for k, v in FILE_ALIASES.items()}})
        show_on_form(form, answer, FILE_ALIASES)
        context.update(form=form, problems=answer.messages(), answer=answer)
        return render(request, "web/step.html", context, status=answer.status)
    messages.success(
        request,
        _("Evidence %(name)s stored (%(size)d bytes), SHA-256 %(sha256)s.")
        % {"name": item.name, "size": item.size, "sha256": item.sha256},
    )
    return redirect(back)


def _attachment(content: bytes, *, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type or "application/octet-stream")
    # A safe header whatever the name holds (RFC 6266/5987 for names outside ASCII); never shown inline, and
    # sandboxed should a browser open it anyway: evidence may be hostile HTML or script.
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    response["Content-Length"] = str(len(content))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


def _refused(request: HttpRequest, exc: DocketError) -> HttpResponse:
    if isinstance(exc, NotFound):
        raise Http404
    answer = answer_for(exc)
    return render(request, "web/refused.html", {"answer": answer}, status=answer.status)


@officer_required
@require_GET
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    """A file of evidence or clue material, only once its bytes still hash to the SHA-256 taken at intake."""
    user: Any = request.user
    try:
        item = evidence_get(user, pk)
        content = evidence_read(actor=user, item=item, now=timezone.now())
    except DocketError as exc:
        return _refused(request, exc)
    return _attachment(content, name=item.name, content_type=item.content_type)


# --- statutory documents --------------------------------------------------------------------------------------


def _language(request: HttpRequest) -> str:
    # Anything else goes to the service as given: it names the field and the languages it takes.
    return request.POST.get("language", "")


def _rendered(request: HttpRequest, row: RenderedDocument) -> None:
    messages.success(
        request,
        _("%(number)s (%(language)s) rendered, SHA-256 %(sha256)s.")
        % {"number": row.number, "language": row.get_language_display(), "sha256": row.sha256},
    )


@officer_required
@require_POST
def document_render_view(request: HttpRequest, ref: str, pk: int) -> HttpResponse:
    """Render one of the case's documents in the language asked for (the first time; then the same PDF)."""
    user: Any = request.user
    case = _visible_case(request, ref)
    try:
        document = get_visible(Document.objects.only("pk", "case_id"), user, pk=pk, case_id=case.pk)
        row = document_render(actor=user, document=document, language=_language(request), now=timezone.now())
    except DocketError as exc:
        return _refused(request, exc)
    _rendered(request, row)
    return redirect(reverse("web-case", args=[case.ref]) + "#documents-h")


@officer_required
@require_POST
def measure_notice_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Render the notice a measure carries (an interview notice, a rectification order)."""
    user: Any = request.user
    try:
        measure = get_visible(Measure.objects.select_related("case").only("pk", "case__ref"), user, pk=pk)
        row = measure_document_render(actor=user, measure=measure, language=_language(request), now=timezone.now())
    except DocketError as exc:
        return _refused(request, exc)
    _rendered(request, row)
    if measure.case is not None:
        return redirect(reverse("web-case", args=[measure.case.ref]) + "#documents-h")
    return redirect("web-measure", pk=measure.pk)


def pdf_name(row: RenderedDocument) -> str:
    return f"{row.number}-{row.language}.pdf"


@officer_required
@require_GET
def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    """A rendered PDF, only once its bytes still hash to the SHA-256 stored when it was rendered."""
    user: Any = request.user
    try:
        row = get_visible(RenderedDocument.objects.only("pk", "number", "language", "office"), user, pk=pk)
        content = document_pdf(actor=user, rendered=row, now=timezone.now())
    except DocketError as exc:
        return _refused(request, exc)
    return _attachment(content, name=pdf_name(row), content_type="application/pdf")
