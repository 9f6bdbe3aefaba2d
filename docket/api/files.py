"""The API's files and registrations: subjects registered as the import registers them, evidence uploaded
through the workspace's own step and downloaded re-verified, a case's documents and their PDFs; and the
platform's webhook endpoint (``webhooks.api``).

Wired by one ``include`` at the head of ``/api/v1/`` (``api.urls``), so ``subjects/`` here answers both the list
(the list view of ``api.views``) and the registration.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from docket.api import serializers as s
from docket.api.problems import PROBLEM_TYPE
from docket.api.views import ApiMixin, SubjectList, check_if_match, problems, run_step
from docket.cases import steps as case_steps
from docket.cases.models import Case
from docket.core.errors import FieldError, InvalidInput
from docket.documents.models import RenderedDocument
from docket.documents.queries import documents_of_case
from docket.documents.services import document_pdf
from docket.evidence.content import TEXT_TYPES
from docket.evidence.models import EvidenceItem
from docket.evidence.queries import evidence_get
from docket.evidence.services import evidence_read
from docket.offices.scoping import ScopedQuerySet, get_visible
from docket.subjects.services import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, subject_register
from docket.webhooks.api import WebhookEndpointView


def problems_with_corruption(*codes: int) -> dict[Any, OpenApiResponse]:
    """``problems`` plus the refusal of a file whose bytes no longer match their SHA-256 (the one mapping
    answers it as a refusal, 400: the stored copy must be restored from backup, retrying will not help)."""
    out = problems(*codes)
    out[(400, PROBLEM_TYPE)] = OpenApiResponse(
        response=s.ProblemSerializer, description="The stored file no longer matches its SHA-256 (refused)"
    )
    return out


class _AnyAccept(BaseContentNegotiation):
    """A download answers its file whatever the client accepts (its refusals are problem details)."""

    def select_parser(self, request: Request, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Request, renderers: Any, format_suffix: str | None = None) -> Any:
        return renderers[0], renderers[0].media_type


def _case(request: Request, ref: str) -> Case:
    case: Case = get_visible(Case.objects.select_related("office"), request.user, ref=ref)
    return case


# --- subjects ---------------------------------------------------------------------------------------------------

SUBJECT_FIELDS = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)


class SubjectCreateSerializer(serializers.Serializer[Any]):
    """The columns of ``docket import subjects``, each a string, validated and normalised as the import does."""

    kind = serializers.CharField(help_text="organisation, website, app, account, ... (the subject kinds)")
    name = serializers.CharField()
    identifier = serializers.CharField(help_text="USCC, domain, account id, ... as the kind requires")
    platform = serializers.CharField(required=False, help_text="the platform an account, store, ... lives on")
    runs_platform = serializers.CharField(required=False, help_text="an organisation: the platform key it runs")
    operator = serializers.CharField(required=False, help_text="the operating organisation's USCC")
    legal_representative = serializers.CharField(required=False)
    icp_number = serializers.CharField(required=False)
    licence_number = serializers.CharField(required=False)
    stores = serializers.CharField(required=False, help_text="an app: its stores, separated by ;")
    account_type = serializers.CharField(required=False)
    handle = serializers.CharField(required=False)
    position = serializers.CharField(required=False)


def _subject_fields(body: Any) -> dict[str, str]:
    """The body as the service's string arguments; a field that is unknown or not a string is named."""
    if not isinstance(body, dict):
        raise InvalidInput(FieldError("", _("The body must be a JSON object.")))
    errors = [FieldError(str(k), _("Unknown field.")) for k in body if k not in SUBJECT_FIELDS]
    errors += [
        FieldError(k, _("A string is expected here."))
        for k, v in body.items()
        if k in SUBJECT_FIELDS and v is not None and not isinstance(v, str)
    ]
    errors += [FieldError(k, _("required")) for k in REQUIRED_COLUMNS if not isinstance(body.get(k), str)]
    if errors:
        raise InvalidInput(sorted(set(errors), key=lambda e: (e.field, e.message)))
    return {k: v for k, v in body.items() if isinstance(v, str)}


class SubjectListCreate(SubjectList):
    parser_classes = [JSONParser]

    @extend_schema(
        request=SubjectCreateSerializer,
        responses={
            201: OpenApiResponse(s.SubjectSerializer, description="Registered"),
            200: OpenApiResponse(s.SubjectSerializer, description="Already registered under this identity"),
            **problems(403, 409, 422),
        },
    )
    def post(self, request: Request) -> Response:
        """Register a subject, validated and de-duplicated as the import does: a subject already registered
        under the same kind, platform and identifier is answered (200) rather than made twice."""
        fields = _subject_fields(request.data)
        kind = fields.pop("kind")
        actor: Any = request.user
        subject, created = subject_register(actor=actor, kind=kind, now=timezone.now(), **fields)
        return Response(s.SubjectSerializer(subject).data, status=201 if created else 200)


# --- evidence ---------------------------------------------------------------------------------------------------


class EvidenceSerializer(serializers.ModelSerializer[EvidenceItem]):
    case: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="ref", read_only=True)
    collectors: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    recorded_by = serializers.IntegerField(source="recorded_by_id", read_only=True)

    class Meta:
        model = EvidenceItem
        fields = [
            "id",
            "case",
            "name",
            "content_type",
            "size",
            "sha256",
            "description",
            "method",
            "collected_on",
            "collectors",
            "recorded_by",
            "created_at",
        ]


class EvidenceUploadSerializer(serializers.Serializer[Any]):
    """The workspace's evidence form, as multipart/form-data."""

    file = serializers.FileField()
    collected_on = serializers.DateField()
    collectors = serializers.ListField(child=serializers.IntegerField(), help_text="officer ids, at least two")
    method = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    version = serializers.IntegerField(required=False, help_text="the case version you saw (409 when stale)")


class CaseEvidence(ApiMixin, generics.ListAPIView[EvidenceItem]):
    """Evidence of a case you can see, newest first; a POST adds a file (the workspace's *Add evidence* step)."""

    serializer_class = EvidenceSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> ScopedQuerySet[EvidenceItem]:
        case = _case(self.request, self.kwargs["ref"])
        return (
            EvidenceItem.objects.visible_to(self.request.user)
            .filter(case=case)
            .select_related("case")
            .prefetch_related("collectors")
        )

    @extend_schema(responses={200: EvidenceSerializer(many=True), **problems(404)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request={"multipart/form-data": EvidenceUploadSerializer},
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=False)],
        responses={201: EvidenceSerializer, **problems(403, 404, 409, 412, 422)},
    )
    def post(self, request: Request, ref: str) -> Response:
        """Add a file as evidence: its type is read from its bytes and checked, its SHA-256 taken once, and the
        gate of the step decides (investigators of the case, while it is investigated)."""
        case = _case(request, ref)
        check_if_match(request, case.version)
        item = run_step(self, request, case_steps.STEPS["evidence_add"], case)
        return Response(EvidenceSerializer(item).data, status=201)


class _Download(ApiMixin):
    content_negotiation_class = _AnyAccept
    pagination_class = None


def _attachment(content: bytes, content_type: str, filename: str, sha256: str) -> HttpResponse:
    # Always an attachment: a captured page may carry scripts, and nosniff keeps a browser from guessing.
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["ETag"] = f'"{sha256}"'
    return response


class EvidenceDownload(_Download):
    @extend_schema(
        # Sent with the type its bytes were checked to be at upload (any of DOCKET_EVIDENCE_TYPES: an image, a PDF,
        # a text with its charset, ...), which the item's ``content_type`` names.
        responses={(200, "*/*"): OpenApiTypes.BINARY, **problems_with_corruption(404)},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        """The file, hashed again before it is sent (and the read audited); sent with its checked type, as an
        attachment, its SHA-256 as the ETag."""
        actor: Any = request.user
        content = evidence_read(actor=actor, item=pk, now=timezone.now())
        item = evidence_get(actor, pk)
        charset = "; charset=utf-8" if item.content_type in TEXT_TYPES else ""
        return _attachment(content, item.content_type + charset, item.name, item.sha256)


# --- documents --------------------------------------------------------------------------------------------------


class DocumentSerializer(serializers.ModelSerializer[RenderedDocument]):
    pdf = serializers.SerializerMethodField(help_text="path of the PDF")
    # A plain string here: the subjects' kinds already hold the enum name ``Kind`` in the schema.
    kind = serializers.CharField(read_only=True, help_text="the document's kind (decision, notice, ...)")

    class Meta:
        model = RenderedDocument
        fields = [
            "id",
            "number",
            "kind",
            "language",
            "template_version",
            "issued_on",
            "measure",
            "sha256",
            "size",
            "rendered_at",
            "pdf",
        ]

    def get_pdf(self, obj: RenderedDocument) -> str:
        return f"/api/v1/documents/{obj.pk}/pdf/"


class CaseDocuments(ApiMixin, generics.ListAPIView[RenderedDocument]):
    """The PDFs of a case in the order they were issued: its documents and its measures' notices, each language
    and template version a row of its own (as on the case's page)."""

    serializer_class = DocumentSerializer
    # A case has tens of documents, read in the order of the procedure: one page, not a cursor.
    pagination_class = None

    def get_queryset(self) -> ScopedQuerySet[RenderedDocument]:
        return documents_of_case(self.request.user, _case(self.request, self.kwargs["ref"]))

    @extend_schema(responses={200: DocumentSerializer(many=True), **problems(404)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class DocumentPdf(_Download):
    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, **problems_with_corruption(404)})
    def get(self, request: Request, pk: int) -> HttpResponse:
        """The PDF, hashed again before it is sent (and the read audited); its SHA-256 as the ETag."""
        actor: Any = request.user
        content = document_pdf(actor=actor, rendered=pk, now=timezone.now())
        row = RenderedDocument.objects.visible_to(request.user).only("number", "language", "sha256").get(pk=pk)
        return _attachment(content, "application/pdf", f"{row.number}-{row.language}.pdf", row.sha256)


urlpatterns = [
    path("subjects/", SubjectListCreate.as_view(), name="subjects-create"),
    path("cases/<str:ref>/evidence/", CaseEvidence.as_view(), name="case-evidence"),
    path("cases/<str:ref>/documents/", CaseDocuments.as_view(), name="case-documents"),
    path("evidence/<int:pk>/", EvidenceDownload.as_view(), name="evidence"),
    path("documents/<int:pk>/pdf/", DocumentPdf.as_view(), name="document-pdf"),
    path("webhook/", WebhookEndpointView.as_view(), name="webhook"),
]
