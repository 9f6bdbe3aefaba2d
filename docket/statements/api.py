"""The DSA statements of reasons on Docket's API, answering as the Transparency Database's API answers.

``POST /api/v1/statement`` and ``POST /api/v1/statements`` take what a platform sends to the European Commission
and answer 201 with the stored statement(s), or 422 with ``{"message": …, "errors": {…}}`` (a batch's errors keyed
``statement_<i>``) exactly as the Commission's API would; ``GET /api/v1/statement/<uuid>`` shows one (without its
puid, as there) and ``GET /api/v1/statement/existing-puid/<puid>`` says whether a puid is stored (302 or 404).
``GET /api/v1/statements/`` is Docket's own: the regulator's search of the statements its platforms sent.

Docket's token, rate limits and idempotency apply as everywhere in the API, and their refusals (401, 403 for an
officer's token sending statements, 429) are problem details like every other answer of the API. A client that
asks for no language gets the Transparency Database's English.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from docket.api.problems import PROBLEM_TYPE
from docket.api.serializers import ProblemSerializer
from docket.api.views import ApiMixin, IdCursor, StrictFilters, problems
from docket.offices.scoping import get_visible
from docket.statements import rules
from docket.statements.filtersets import StatementFilterSet
from docket.statements.models import Statement
from docket.statements.queries import statement_figures
from docket.statements.services import StatementsRefused, statement_store, statements_store

# --- what is shown ----------------------------------------------------------------------------------------------


class _Codes(serializers.ListField):
    child = serializers.CharField()


class StatementSerializer(serializers.ModelSerializer[Statement]):
    """A stored statement as the Transparency Database shows it (``GET /api/v1/statement/<uuid>``): every field,
    the platform's name and the statement's addresses, the puid left out."""

    uuid = serializers.UUIDField(read_only=True)
    platform_name = serializers.CharField(source="platform.name", read_only=True)
    created_at = serializers.SerializerMethodField()
    permalink = serializers.SerializerMethodField()
    self = serializers.SerializerMethodField()
    decision_visibility = _Codes(read_only=True)
    category_specification = _Codes(read_only=True)
    content_type = _Codes(read_only=True)
    category_addition = _Codes(read_only=True)
    territorial_scope = _Codes(read_only=True)
    docket_order = serializers.IntegerField(source="docket_order_id", read_only=True, allow_null=True)

    class Meta:
        model = Statement
        fields = [
            "id",
            "uuid",
            *[f for f in rules.FIELDS if f != "puid"],
            "platform_name",
            "created_at",
            "permalink",
            "self",
            "docket_order",
            "docket_target",
        ]
        read_only_fields = fields

    def get_created_at(self, obj: Statement) -> str:
        return obj.received_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")

    @extend_schema_field(OpenApiTypes.URI)
    def get_permalink(self, obj: Statement) -> str:
        return self._address(obj)

    @extend_schema_field(OpenApiTypes.URI)
    def get_self(self, obj: Statement) -> str:
        return self._address(obj)

    def _address(self, obj: Statement) -> str:
        # Docket does not publish statements: the permanent address of one is the API's.
        path = reverse("api:statement", kwargs={"uuid": obj.uuid})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class StoredStatementSerializer(StatementSerializer):
    """The answer to a store: the statement with its puid."""

    class Meta(StatementSerializer.Meta):
        fields = [*StatementSerializer.Meta.fields[:2], "puid", *StatementSerializer.Meta.fields[2:]]
        read_only_fields = fields


class StoredBatchSerializer(serializers.Serializer[Any]):
    statements = StoredStatementSerializer(many=True, read_only=True)


REFUSAL = {
    "type": "object",
    "description": "The Transparency Database's refusal: errors by field (by statement_<i>, then field, for a "
    "batch); ``existing`` names a puid stored before, ``errors.existing_puids`` the puids of a batch "
    "repeated in it or stored before.",
    "properties": {
        "message": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": True},
        "existing": {"type": "object", "properties": {"puid": {"type": "string"}}},
    },
    "required": ["errors"],
}
FOUND = {
    "type": "object",
    "properties": {"message": {"type": "string"}, "puid": {"type": "string"}},
    "required": ["message", "puid"],
}


MALFORMED = {(400, PROBLEM_TYPE): OpenApiResponse(response=ProblemSerializer, description="The body is not JSON")}


def _refusal(description: str) -> dict[Any, Any]:
    return {(422, "application/json"): OpenApiResponse(response=REFUSAL, description=description)}


# --- the views --------------------------------------------------------------------------------------------------


class _Dsa(ApiMixin):
    # Both kinds of client: the service refuses an officer's statements (403) and the scoping path gives each
    # reader what it may read, so neither kind is turned away at the door as the officers' endpoints do.
    permission_classes: Sequence[Any] = [IsAuthenticated]
    parser_classes = [JSONParser]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if "HTTP_ACCEPT_LANGUAGE" in request.META:
            return super().dispatch(request, *args, **kwargs)
        with translation.override("en"):
            return super().dispatch(request, *args, **kwargs)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, StatementsRefused):
            return Response(exc.body(), status=422)
        return super().handle_exception(exc)


def _context(request: Request) -> dict[str, Any]:
    return {"request": request}


def _with_platform(statements: list[Statement]) -> list[Statement]:
    # The store answers with the platform's name: one read for the batch, not one per statement.
    return list(Statement.objects.select_related("platform").filter(pk__in=[s.pk for s in statements]).order_by("pk"))


class StatementStore(_Dsa):
    @extend_schema(
        operation_id="statement_store",
        request={"application/json": rules.json_schema()},
        responses={
            201: StoredStatementSerializer,
            **_refusal("Refused as the Transparency Database refuses it (or its puid was stored before)"),
            **problems(403),
            **MALFORMED,
        },
    )
    def post(self, request: Request) -> Response:
        """Send one DSA statement of reasons (the Transparency Database's ``POST /api/v1/statement``)."""
        actor: Any = request.user
        statement = statement_store(actor=actor, data=request.data, now=timezone.now())
        (shown,) = _with_platform([statement])
        return Response(StoredStatementSerializer(shown, context=_context(request)).data, status=201)


class StatementsStore(_Dsa):
    @extend_schema(
        operation_id="statements_store",
        request={
            "application/json": {
                "type": "object",
                "properties": {
                    "statements": {
                        "type": "array",
                        "minItems": 1,
                        "maxItems": rules.BATCH_MAX,
                        "items": rules.json_schema(batch=True),
                    }
                },
                "required": ["statements"],
            }
        },
        responses={
            201: StoredBatchSerializer,
            **_refusal("Refused whole: every bad statement by position, or the repeated or stored puids"),
            **problems(403),
            **MALFORMED,
        },
    )
    def post(self, request: Request) -> Response:
        """Send 1 to 100 statements at once, stored all or none (the Transparency Database's
        ``POST /api/v1/statements``)."""
        actor: Any = request.user
        stored = statements_store(actor=actor, data=request.data, now=timezone.now())
        shown = _with_platform(stored)
        data = {"statements": StoredStatementSerializer(shown, many=True, context=_context(request)).data}
        return Response(data, status=201)


def _statements(actor: Any) -> Any:
    return Statement.objects.visible_to(actor).select_related("platform")


class StatementShow(_Dsa):
    @extend_schema(operation_id="statement_show", responses={200: StatementSerializer, **problems(404)})
    def get(self, request: Request, uuid: Any) -> Response:
        """One statement: your platform's own, or, for an officer, one of a platform your jurisdiction gave
        orders to; any other is not found."""
        statement = get_visible(_statements(request.user), request.user, uuid=uuid)
        return Response(StatementSerializer(statement, context=_context(request)).data)


class StatementPuid(_Dsa):
    @extend_schema(
        operation_id="statement_existing_puid",
        responses={
            302: OpenApiResponse(response=FOUND, description="A statement with this puid is stored"),
            (404, "application/json"): OpenApiResponse(response=FOUND, description="No statement with this puid"),
            **problems(),
        },
    )
    def get(self, request: Request, puid: str) -> Response:
        """Whether your platform stored a statement with this puid (the Transparency Database's answer: 302 or
        404)."""
        if _statements(request.user).filter(puid=puid).exists():
            return Response({"message": _("statement of reason found"), "puid": puid}, status=302)
        return Response({"message": _("statement of reason not found"), "puid": puid}, status=404)


class StrictCursor(IdCursor):
    """The list's cursor pages, refusing a page size that is no number (rather than quietly using 20)."""

    def get_page_size(self, request: Request) -> int | None:
        raw = request.query_params.get(self.page_size_query_param or "page_size")
        if raw is not None and not raw.isdigit():
            raise serializers.ValidationError({"page_size": [_("A whole number of rows, at most 100.")]})
        return super().get_page_size(request)


class StatementList(_Dsa, generics.ListAPIView[Statement]):
    """The statements of reasons you may read, newest first, filtered by the StatementFilterSet: for an officer,
    those of the platforms an office of the jurisdiction addressed an order to; for a platform, its own."""

    serializer_class = StoredStatementSerializer
    pagination_class = StrictCursor
    filter_backends = [StrictFilters]
    filterset_class = StatementFilterSet

    @extend_schema(
        operation_id="statements_list", responses={200: StoredStatementSerializer(many=True), **problems(404, 422)}
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        return _statements(self.request.user)


# --- the figures -----------------------------------------------------------------------------------------------


class _Counts(serializers.DictField):
    child = serializers.IntegerField()


class PlatformStatementsSerializer(serializers.Serializer[Any]):
    platform = serializers.IntegerField(help_text="the platform operator's subject id")
    platform_name = serializers.CharField()
    runs_platform = serializers.CharField()
    total = serializers.IntegerField()
    on_orders = serializers.IntegerField(help_text="statements naming an item of an order (counted toward it)")
    automated_detection = serializers.IntegerField(help_text="statements whose content was detected automatically")
    first_applied = serializers.DateField(allow_null=True)
    last_applied = serializers.DateField(allow_null=True)
    decision_groups = _Counts(help_text="decision group → statements carrying a restriction of that group")
    decisions = serializers.DictField(
        child=_Counts(), help_text="decision group (monetary, provision, account) → restriction → statements"
    )
    decision_grounds = _Counts()
    categories = _Counts()


class StatementFiguresSerializer(serializers.Serializer[Any]):
    total = serializers.IntegerField()
    platforms = PlatformStatementsSerializer(many=True)


class StatementFigures(ApiMixin, generics.GenericAPIView[Statement]):
    """Per platform, the statements of reasons you may read, counted: totals, decision groups, grounds and
    categories, filtered by the same parameters as the list (``GET /api/v1/statements/``), so the figures and the
    list behind them agree; ``applied_from``/``applied_to`` (or ``received_from``/``received_to``) give the period."""

    permission_classes: Sequence[Any] = [IsAuthenticated]
    pagination_class = None
    filter_backends = [StrictFilters]
    filterset_class = StatementFilterSet

    def get_queryset(self) -> Any:
        return Statement.objects.visible_to(self.request.user)

    @extend_schema(operation_id="statements_figures", responses={200: StatementFiguresSerializer, **problems(422)})
    def get(self, request: Request) -> Response:
        figures = statement_figures(self.filter_queryset(self.get_queryset()))
        data = {"total": sum(f.total for f in figures), "platforms": [f.as_dict() for f in figures]}
        return Response(data)
