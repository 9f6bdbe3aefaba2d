"""Docket's REST API for officers (/api/v1/): a reader of the core and a caller of its steps registry.

Lists filter through the apps' FilterSets and the one scoping path; a step is the registry's form, gate and
service; a refusal is the one error mapping's answer as problem details. Nothing here decides a rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import F, Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters import FilterSet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics
from rest_framework.authentication import BaseAuthentication
from rest_framework.pagination import BasePagination, CursorPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from docket.api import idempotency
from docket.api import serializers as s
from docket.api.authentication import BearerTokenAuthentication
from docket.api.forms import form_data, form_errors
from docket.api.listcache import KeptListMixin
from docket.api.models import IdempotentRequest
from docket.api.problems import PROBLEM_TYPE, PreconditionFailed, problem_handler
from docket.api.throttles import AddressRateThrottle, TokenRateThrottle
from docket.audit.models import AuditEntry
from docket.audit.queries import trail_of
from docket.cases import steps as case_steps
from docket.cases.filtersets import CaseFilterSet
from docket.cases.models import Case
from docket.clues import steps as clue_steps
from docket.clues.filtersets import ClueFilterSet
from docket.clues.models import Clue
from docket.core.dates import local_date
from docket.core.errors import FieldError, InvalidInput, NotFound
from docket.core.steps import Step
from docket.measures import steps as measure_steps
from docket.measures.filtersets import MeasureFilterSet
from docket.measures.models import Measure
from docket.offices.models import Office
from docket.offices.scoping import ScopedQuerySet, get_visible
from docket.platforms.permissions import OfficersOnly
from docket.reports.queries import figures_office, report_data
from docket.subjects.filtersets import SubjectFilterSet
from docket.subjects.models import Subject, mask_identifier


def problems(*codes: int) -> dict[Any, OpenApiResponse]:
    """The error answers of an endpoint, each a problem document; 400, 401 and 429 are possible everywhere."""
    texts = {
        400: "The body is not well-formed (JSON or multipart)",
        401: "No valid token",
        403: "Not allowed",
        404: "Not found, or outside the jurisdiction",
        409: "Changed meanwhile",
        412: "If-Match names an old version",
        422: "Invalid input, or the procedure does not allow the step now",
        429: "Too many requests (see Retry-After)",
    }
    return {
        (c, PROBLEM_TYPE): OpenApiResponse(response=s.ProblemSerializer, description=texts[c])
        for c in sorted({400, 401, 429, *codes})
    }


class StrictFilters(DjangoFilterBackend):  # type: ignore[misc]  # django-filter ships no types
    """The list's FilterSet, with a filter given but empty refused (422) rather than read as "no filter": a program
    sending ``?filed_to=`` has lost a value on the way, and answering every row would hide it."""

    def filter_queryset(self, request: Request, queryset: Any, view: Any) -> Any:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            if not any(n in request.query_params for n in filterset_class.base_filters) and _plain(filterset_class):
                # No filter asked for: every filter would leave the rows as they are, and building the FilterSet
                # and its form (a deep copy of every filter) is a tenth of a list's time.
                return queryset
            empty = [
                n for n in filterset_class.base_filters if n in request.query_params and not request.query_params[n]
            ]
            if empty:
                raise exceptions.ValidationError(
                    {n: [_("Empty: leave the parameter out not to filter by it.")] for n in empty}
                )
        return super().filter_queryset(request, queryset, view)


def _plain(filterset_class: type[FilterSet]) -> bool:
    """The FilterSet filters only through its filters (it changes neither how it filters nor its queryset)."""
    return filterset_class.filter_queryset is FilterSet.filter_queryset and filterset_class.qs is FilterSet.qs


class IdCursor(CursorPagination):
    """Newest first, by id: stable under inserts, and a page costs the same at any depth."""

    ordering = "-id"
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def decode_cursor(self, request: Request) -> Any:
        # A cursor Docket did not give is the caller's mistake in a parameter (422), not a missing page (404).
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound:
            raise exceptions.ValidationError(
                {"cursor": [_("Not a cursor of this list: use the next or previous link.")]}
            ) from None

    def get_page_size(self, request: Request) -> int | None:
        # A page size that is no number is refused (422) rather than quietly answered with 20 rows.
        raw = request.query_params.get(self.page_size_query_param or "page_size")
        if raw is not None and not raw.isdigit():
            raise exceptions.ValidationError({"page_size": [_("A whole number of rows, at most 100.")]})
        return super().get_page_size(request)


class ApiMixin(APIView):
    """Token only (no session), throttled, problem details for every refusal."""

    authentication_classes: Sequence[type[BaseAuthentication]] = [BearerTokenAuthentication]
    # A platform's client finds nothing among the officers' endpoints (404); the platform channel's views swap
    # OfficersOnly for PlatformClientsOnly.
    permission_classes: Sequence[Any] = [IsAuthenticated, OfficersOnly]
    throttle_classes: Sequence[type[BaseThrottle]] = [TokenRateThrottle]
    pagination_class: type[BasePagination] | None = IdCursor
    labels: dict[str, str] | None = None
    idempotent: IdempotentRequest | None = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # The address limit comes before the token is looked at, so guessing tokens is limited too.
        throttle = AddressRateThrottle()
        if not throttle.allow_request(request, self):
            self.throttled(request, throttle.wait() or 1)
        super().initial(request, *args, **kwargs)
        self.idempotent = idempotency.claim(request)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, idempotency.Replay):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        record = getattr(self, "idempotent", None)
        if record is not None:
            self.idempotent = None
            idempotency.settle(record, response)
        return response

    def get_exception_handler(self) -> Any:
        return problem_handler

    def get_exception_handler_context(self) -> dict[str, Any]:
        context: dict[str, Any] = super().get_exception_handler_context()
        context["labels"] = self.labels
        return context


def _today(obj: Any) -> dt.date:
    office = getattr(obj, "office", None)
    return local_date(timezone.now(), getattr(office, "time_zone", None))


def run_step(view: ApiMixin, request: Request, step: Step, obj: Any) -> Any:
    """The registry's step with the body as its form's data: the form validates, the service gates and acts."""
    on = _today(obj)
    form = step.make_form(obj=obj, actor=request.user, on=on, data=form_data(request.data), files=request.FILES)
    view.labels = form.labels()
    if not form.is_valid():
        # A step that is not possible at all says so, whatever the input.
        step.check(obj=obj, actor=request.user, on=on)
        raise form_errors(form)
    return step.run(obj=obj, actor=request.user, form=form, now=timezone.now())


def check_if_match(request: Request, version: int) -> None:
    header = request.headers.get("If-Match")
    if not header:
        return
    seen = [v.strip().removeprefix("W/").strip('"') for v in header.split(",")]
    if "*" not in seen and str(version) not in seen:
        raise PreconditionFailed(_("The object changed since the version named in If-Match; fetch it again."))


def etag(version: int) -> dict[str, str]:
    return {"ETag": f'"{version}"'}


class Fallback(ApiMixin):
    schema = None  # not an endpoint: the answer to every path that is none

    def _absent(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise NotFound(_("Not found."))

    get = post = put = patch = delete = _absent


# --- offices --------------------------------------------------------------------------------------------------


@extend_schema(responses={200: s.OfficeSerializer(many=True), **problems(422)})
class OfficeList(KeptListMixin, ApiMixin, generics.ListAPIView[Office]):
    """The office tree (public: every officer may name any office in a filter)."""

    serializer_class = s.OfficeSerializer

    def get_queryset(self) -> QuerySet[Office]:
        return Office.objects.select_related("parent").all()


# --- cases ----------------------------------------------------------------------------------------------------


def _cases(actor: Any) -> ScopedQuerySet[Case]:
    return Case.objects.visible_to(actor).select_related("office").prefetch_related("parties")


# The case columns of a list row: CaseSerializer's fields, read as values (the office as its code).
LIST_COLUMNS = (
    "id",
    "ref",
    "title",
    "state",
    "version",
    "filed_on",
    "due_on",
    "decision_outcome",
    "decided_on",
    "closed_on",
)


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


# The SQL of the parties of a page, by link table, database and page length: the ORM compiles it once, not at
# each request (compiling it cost more than running it).
_PARTIES_SQL: dict[tuple[str, str, int], str] = {}


def _parties(through: type[Model], owner: str, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The subjects linked to each of ``ids`` by ``through`` (whose key to the owner is ``owner``), as
    PartySerializer shows them (the identifier masked), in the subjects' order (kind, name), as a prefetch gives."""
    parties: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    if not ids:
        return parties
    key = (through._meta.db_table, connection.vendor, len(ids))
    sql = _PARTIES_SQL.get(key)
    if sql is None:
        links = (
            through._default_manager.filter(**{f"{owner}_id__in": ids})
            .order_by("subject__kind", "subject__name", "subject_id")
            .values_list(f"{owner}_id", "subject_id", "subject__kind", "subject__name", "subject__identifier")
        )
        sql, params = links.query.get_compiler(connection=connection).as_sql()
        if list(params) != ids:  # the ids are its only parameters, in their order
            raise AssertionError(params)
        _PARTIES_SQL[key] = sql
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        for owner_id, pk, kind, name, identifier in cursor.fetchall():
            parties[owner_id].append(
                {"id": pk, "kind": kind, "name": name, "identifier": mask_identifier(kind, identifier)}
            )
    return parties


class ValueRowsMixin(generics.ListAPIView[Any]):
    """A list whose queryset gives values, turned into its serializer's rows by ``rows`` (case_rows, …)."""

    rows: Any

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.rows(page or []))


def case_rows(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """CaseSerializer's rows, built from the values of a page: the same JSON (``test_api`` compares them), at a
    fraction of the cost of a model and a serializer per case and per party (most of a list's time otherwise)."""
    parties = _parties(Case.parties.through, "case", [c["id"] for c in cases])
    return [
        {
            "id": c["id"],
            "ref": c["ref"],
            "title": c["title"],
            "office": c["office_code"],
            "state": c["state"],
            "version": c["version"],
            "filed_on": _day(c["filed_on"]),
            "due_on": _day(c["due_on"]),
            "parties": parties[c["id"]],
            "decision_outcome": c["decision_outcome"],
            "decided_on": _day(c["decided_on"]),
            "closed_on": _day(c["closed_on"]),
        }
        for c in cases
    ]


@extend_schema(responses={200: s.CaseSerializer(many=True), **problems(422)})
class CaseList(ValueRowsMixin, KeptListMixin, ApiMixin, generics.ListAPIView[Case]):
    """Cases of the jurisdiction, filtered as the workspace's list (the CaseFilterSet), newest first."""

    serializer_class = s.CaseSerializer
    filter_backends = [StrictFilters]
    filterset_class = CaseFilterSet
    rows = staticmethod(case_rows)

    def get_queryset(self) -> Any:
        # Values, not models: a list row is a few columns of a case, not its forty (facts, drafts, service).
        return Case.objects.visible_to(self.request.user).values(*LIST_COLUMNS, office_code=F("office__code"))


def _case_answer(case: Case, actor: Any, status: int = 200) -> Response:
    case.api_steps = s.steps_of(case_steps.available_steps(case, actor, on=_today(case)))  # type: ignore[attr-defined]
    return Response(s.CaseDetailSerializer(case).data, status=status, headers=etag(case.version))


class CaseDetail(ApiMixin):
    @extend_schema(responses={200: s.CaseDetailSerializer, **problems(404)})
    def get(self, request: Request, ref: str) -> Response:
        """One case with its version (also the ETag), its parties (masked) and the steps open to you."""
        case = get_visible(_cases(request.user), request.user, ref=ref)
        return _case_answer(case, request.user)


class CaseStep(ApiMixin):
    @extend_schema(
        request=OpenApiTypes.OBJECT,
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=False)],
        responses={200: s.CaseDetailSerializer, **problems(403, 404, 409, 412, 422)},
    )
    def post(self, request: Request, ref: str, action: str) -> Response:
        """Take a procedure step: the body is the step's form (as in the workspace); ``version`` in the body
        (409 when stale) or ``If-Match`` (412 when stale) guards against a change in between."""
        case = get_visible(_cases(request.user), request.user, ref=ref)
        step = case_steps.STEPS.get(action)
        if step is None:
            raise NotFound(_("No such step: %(action)s") % {"action": action})
        check_if_match(request, case.version)
        run_step(self, request, step, case)
        return _case_answer(get_visible(_cases(request.user), request.user, pk=case.pk), request.user)


# --- clues ----------------------------------------------------------------------------------------------------


def _clues(actor: Any) -> ScopedQuerySet[Clue]:
    return Clue.objects.visible_to(actor).select_related("office").prefetch_related("subjects")


# ClueSerializer's fields but the office and the subjects, read as values.
CLUE_COLUMNS = tuple(f for f in s.ClueSerializer.Meta.fields if f not in {"office", "subjects"})


def clue_rows(clues: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """ClueSerializer's rows, built from the values of a page (``test_api`` compares them), as ``case_rows``."""
    subjects = _parties(Clue.subjects.through, "clue", [c["id"] for c in clues])
    return [
        {
            "id": c["id"],
            "ref": c["ref"],
            "office": c["office_code"],
            "source": c["source"],
            "received_on": _day(c["received_on"]),
            "summary": c["summary"],
            "status": c["status"],
            "due_on": _day(c["due_on"]),
            "outcome_on": _day(c["outcome_on"]),
            "subjects": subjects[c["id"]],
        }
        for c in clues
    ]


@extend_schema(responses={200: s.ClueSerializer(many=True), **problems(422)})
class ClueList(ValueRowsMixin, KeptListMixin, ApiMixin, generics.ListAPIView[Clue]):
    """Clues of the jurisdiction, filtered by the ClueFilterSet, newest first."""

    serializer_class = s.ClueSerializer
    filter_backends = [StrictFilters]
    filterset_class = ClueFilterSet
    rows = staticmethod(clue_rows)

    def get_queryset(self) -> Any:
        # Values, not models, as the cases' list (clue_rows).
        return Clue.objects.visible_to(self.request.user).values(*CLUE_COLUMNS, office_code=F("office__code"))


def _clue_answer(clue: Clue, actor: Any) -> Response:
    clue.api_steps = s.steps_of(clue_steps.available_steps(clue, actor, on=_today(clue)))  # type: ignore[attr-defined]
    return Response(s.ClueDetailSerializer(clue).data)


class ClueDetail(ApiMixin):
    @extend_schema(responses={200: s.ClueDetailSerializer, **problems(404)})
    def get(self, request: Request, ref: str) -> Response:
        """One clue with the steps open to you."""
        return _clue_answer(get_visible(_clues(request.user), request.user, ref=ref), request.user)


class ClueStep(ApiMixin):
    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: s.ClueDetailSerializer, **problems(403, 404, 409, 422)})
    def post(self, request: Request, ref: str, action: str) -> Response:
        """Take a step on a clue: the body is the step's form."""
        clue = get_visible(_clues(request.user), request.user, ref=ref)
        step = clue_steps.STEPS.get(action)
        if step is None:
            raise NotFound(_("No such step: %(action)s") % {"action": action})
        run_step(self, request, step, clue)
        return _clue_answer(get_visible(_clues(request.user), request.user, pk=clue.pk), request.user)


# --- measures -------------------------------------------------------------------------------------------------


def _measures(actor: Any) -> ScopedQuerySet[Measure]:
    return Measure.objects.visible_to(actor).select_related("office", "case", "clue").prefetch_related("subjects")


# MeasureSerializer's fields but the office, the case, the clue and the subjects, read as values.
MEASURE_COLUMNS = tuple(f for f in s.MeasureSerializer.Meta.fields if f not in {"office", "case", "clue", "subjects"})
# The amount as the serializer writes it (a string of two decimals, or null): its own field, made once.
_AMOUNT = s.MeasureSerializer().fields["amount"]


def measure_rows(measures: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """MeasureSerializer's rows, built from the values of a page (``test_api`` compares them), as ``case_rows``."""
    subjects = _parties(Measure.subjects.through, "measure", [m["id"] for m in measures])
    return [
        {
            "id": m["id"],
            "office": m["office_code"],
            "type": m["type"],
            "taken_on": _day(m["taken_on"]),
            "case": m["case_ref"],
            "clue": m["clue_ref"],
            "subjects": subjects[m["id"]],
            "amount": None if m["amount"] is None else _AMOUNT.to_representation(m["amount"]),
            "quantity": m["quantity"],
            "due_on": _day(m["due_on"]),
            "starts_on": _day(m["starts_on"]),
            "ends_on": _day(m["ends_on"]),
            "confirmed_on": _day(m["confirmed_on"]),
            "verified_on": _day(m["verified_on"]),
            "verification": m["verification"],
        }
        for m in measures
    ]


@extend_schema(responses={200: s.MeasureSerializer(many=True), **problems(422)})
class MeasureList(ValueRowsMixin, KeptListMixin, ApiMixin, generics.ListAPIView[Measure]):
    """Measures of the jurisdiction, filtered by the MeasureFilterSet, newest first."""

    serializer_class = s.MeasureSerializer
    filter_backends = [StrictFilters]
    filterset_class = MeasureFilterSet
    rows = staticmethod(measure_rows)

    def get_queryset(self) -> Any:
        # Values, not models, as the cases' list (measure_rows).
        return Measure.objects.visible_to(self.request.user).values(
            *MEASURE_COLUMNS, office_code=F("office__code"), case_ref=F("case__ref"), clue_ref=F("clue__ref")
        )


def _measure_answer(measure: Measure, actor: Any) -> Response:
    available = measure_steps.available_steps(measure, actor, on=_today(measure))
    measure.api_steps = s.steps_of(available)  # type: ignore[attr-defined]
    return Response(s.MeasureDetailSerializer(measure).data)


class MeasureDetail(ApiMixin):
    @extend_schema(responses={200: s.MeasureDetailSerializer, **problems(404)})
    def get(self, request: Request, pk: int) -> Response:
        """One measure with the steps open to you."""
        return _measure_answer(get_visible(_measures(request.user), request.user, pk=pk), request.user)


class MeasureStep(ApiMixin):
    @extend_schema(
        request=OpenApiTypes.OBJECT, responses={200: s.MeasureDetailSerializer, **problems(403, 404, 409, 422)}
    )
    def post(self, request: Request, pk: int, action: str) -> Response:
        """Take a step on a measure (confirmation, payment, ...): the body is the step's form."""
        measure = get_visible(_measures(request.user), request.user, pk=pk)
        step = measure_steps.STEPS.get(action)
        if step is None:
            raise NotFound(_("No such step: %(action)s") % {"action": action})
        run_step(self, request, step, measure)
        return _measure_answer(get_visible(_measures(request.user), request.user, pk=measure.pk), request.user)


# --- subjects -------------------------------------------------------------------------------------------------


@extend_schema(responses={200: s.SubjectSerializer(many=True), **problems(422)})
class SubjectList(KeptListMixin, ApiMixin, generics.ListAPIView[Subject]):
    """Subjects you may see, filtered by the SubjectFilterSet; identity numbers masked."""

    serializer_class = s.SubjectSerializer
    filter_backends = [StrictFilters]
    filterset_class = SubjectFilterSet

    def get_queryset(self) -> QuerySet[Subject]:
        return Subject.objects.visible_to(self.request.user)


class SubjectDetail(ApiMixin):
    @extend_schema(responses={200: s.SubjectSerializer, **problems(404)})
    def get(self, request: Request, pk: int) -> Response:
        """One subject; a natural person's identity number masked."""
        subject: Subject = get_visible(Subject.objects.all(), request.user, pk=pk)  # type: ignore[arg-type]
        return Response(s.SubjectSerializer(subject).data)


# --- figures --------------------------------------------------------------------------------------------------


class Figures(ApiMixin):
    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, required=True),
            OpenApiParameter("office", str, required=False, description="division code (default: your office)"),
        ],
        responses={200: OpenApiTypes.OBJECT, **problems(403, 404, 422)},
    )
    def get(self, request: Request) -> Response:
        """The figures of a year for an office's jurisdiction: the JSON of ``docket report``."""
        actor: Any = request.user
        year_text = request.query_params.get("year", "")
        if not year_text.isdigit() or not 2000 <= int(year_text) <= 2100:
            raise InvalidInput(FieldError("year", _("A year such as 2023.")))
        office = figures_office(actor=actor, code=request.query_params.get("office", ""))
        year = int(year_text)
        data = report_data(office=office, date_from=dt.date(year, 1, 1), date_to=dt.date(year, 12, 31))
        return Response(data)


# --- audit trail ----------------------------------------------------------------------------------------------

AUDITED: dict[str, tuple[type[Model], str]] = {
    "case": (Case, "ref"),
    "clue": (Clue, "ref"),
    "measure": (Measure, "pk"),
    "subject": (Subject, "pk"),
}


class SeqCursor(IdCursor):
    ordering = "seq"


class AuditTrail(ApiMixin, generics.ListAPIView[AuditEntry]):
    """The audit trail of one object you can see, oldest first (``type``: case or clue by reference, measure
    or subject by id)."""

    serializer_class = s.AuditEntrySerializer
    pagination_class = SeqCursor

    @extend_schema(responses={200: s.AuditEntrySerializer(many=True), **problems(404)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[AuditEntry]:
        kind, ident = self.kwargs["type"], self.kwargs["id"]
        if kind not in AUDITED:
            raise NotFound(_("Not found."))
        model, key = AUDITED[kind]
        if key == "pk" and not str(ident).isdigit():
            raise NotFound(_("Not found."))
        obj = get_visible(model.objects.all(), self.request.user, **{key: ident})  # type: ignore[attr-defined]
        return trail_of(obj)
