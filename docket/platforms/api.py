"""The platform channel of the REST API (/api/v1/orders/): a platform pulls the orders addressed to it and
reports back what it did with each item.

Only a platform's client gets here (``PlatformClientsOnly``: an officer's token finds nothing, 404), and it sees
only its platform's orders: any other order answers 404, as an object outside a jurisdiction does. A report is
one call of ``order_items_report``; a refused batch answers 422 with every bad item's position (``index``), field
and reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from docket.api.problems import PROBLEM_TYPE
from docket.api.views import ApiMixin, IdCursor, problems
from docket.audit.services import audit_denial
from docket.core.answers import answer_for
from docket.core.dates import local_date
from docket.core.errors import FieldError, InvalidInput, NotFound
from docket.measures.models import Measure, MeasureTarget, TargetStatus
from docket.platforms.models import Outcome, ReportedItem
from docket.platforms.permissions import PlatformClientsOnly
from docket.platforms.queries import Deadlines, open_orders, order_items, order_reconciliation, orders_for
from docket.platforms.services import MAX_ITEMS, order_items_report

# --- what the answers hold (documented for the schema; built as plain data, a thousand items are no place for a
# serializer per field) --------------------------------------------------------------------------------------------


def _one_of(values: list[str], help_text: str) -> serializers.CharField:
    """A string among ``values``, stated as a pattern: drf-spectacular names every enum by its field, and these
    would collide with the officers' API's own ``status`` and ``outcome``."""

    @extend_schema_field({"type": "string", "pattern": f"^({'|'.join(values)})$"})
    class OneOf(serializers.CharField):
        pass

    return OneOf(help_text=help_text)


class OrderOfficeSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


class OrderSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    type = serializers.CharField()
    type_label = serializers.CharField()
    taken_on = serializers.DateField()
    office = OrderOfficeSerializer()
    deadline = serializers.DateField(allow_null=True, help_text="the order's own due date, or the platform clock's")
    ordered = serializers.IntegerField(help_text="items (targets) in the order")
    outstanding = serializers.IntegerField(help_text="items the platform has not answered yet")
    legal_basis = serializers.CharField()
    details = serializers.DictField()


class ReconciliationSerializer(serializers.Serializer[Any]):
    ordered = serializers.IntegerField()
    disposed = serializers.IntegerField()
    refused = serializers.IntegerField()
    not_found = serializers.IntegerField()
    outstanding = serializers.IntegerField()
    deadline = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField(help_text="items outstanding after the deadline")


class OrderDetailSerializer(OrderSerializer):
    reconciliation = ReconciliationSerializer()


class OrderItemSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    target = serializers.CharField(help_text="the identifier to name in a report")
    kind = serializers.CharField()
    name = serializers.CharField()
    platform = serializers.CharField()
    status = _one_of(TargetStatus.values, "ordered, done (disposed), refused or not_found")
    done_on = serializers.DateField(allow_null=True)
    note = serializers.CharField()


class ReportItemSerializer(serializers.Serializer[Any]):
    item_id = serializers.CharField(max_length=100, help_text="your own id of the item: a report is stored once per id")
    target = serializers.CharField(
        max_length=200, help_text="the identifier of a target of the order (kind:identifier when two targets share it)"
    )
    outcome = _one_of(Outcome.values, "what the platform did")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300, help_text="required when refused")
    on = serializers.DateField(help_text="the day it was done")


class ReportBatchSerializer(serializers.Serializer[Any]):
    items = ReportItemSerializer(many=True, help_text=f"1 to {MAX_ITEMS} items, stored all or none")


class ReplaySerializer(serializers.Serializer[Any]):
    index = serializers.IntegerField()
    item_id = serializers.CharField()


class ReportAnswerSerializer(serializers.Serializer[Any]):
    order = serializers.IntegerField()
    received = serializers.IntegerField()
    stored = serializers.IntegerField()
    already_stored = ReplaySerializer(
        many=True, help_text="items stored before with the same content: not stored again"
    )
    disposed = serializers.IntegerField()
    refused = serializers.IntegerField()
    not_found = serializers.IntegerField()
    quantity = serializers.IntegerField(allow_null=True, help_text="the order's quantity after the report")


class ReportedItemSerializer(serializers.Serializer[Any]):
    item_id = serializers.CharField()
    target = serializers.CharField()
    outcome = _one_of(Outcome.values, "what the platform did")
    reason = serializers.CharField()
    on = serializers.DateField()
    received_at = serializers.DateTimeField()


# --- the views ------------------------------------------------------------------------------------------------


class PlatformMixin(ApiMixin):
    permission_classes: Sequence[Any] = [IsAuthenticated, PlatformClientsOnly]


def _order(request: Request, pk: int) -> Measure:
    """The order addressed to the client's platform, or NotFound (audited like any refused read)."""
    order = orders_for(request.user).select_related("office").filter(pk=pk).first()
    if order is None:
        audit_denial(actor=request.user, action="measures.measure.read", detail={"pk": pk, "as": "platform order"})
        raise NotFound(_("No such order addressed to you."))
    return order


def _order_data(m: Measure, deadlines: Deadlines, ordered: int, outstanding: int) -> dict[str, Any]:
    due = deadlines.due(m)
    return {
        "id": m.pk,
        "type": m.type,
        "type_label": str(m.get_type_display()),
        "taken_on": m.taken_on.isoformat(),
        "office": {"code": m.office.code, "name": m.office.name},
        "deadline": due.isoformat() if due else None,
        "ordered": ordered,
        "outstanding": outstanding,
        "legal_basis": m.legal_basis,
        "details": m.details,
    }


class OrderList(PlatformMixin, generics.ListAPIView[Measure]):
    """The orders addressed to your platform that still have items to answer (``state=all``: every order), newest
    first, paged by cursor."""

    serializer_class = OrderSerializer

    @extend_schema(
        parameters=[OpenApiParameter("state", str, enum=["open", "all"], required=False)],
        responses={200: OrderSerializer(many=True), **problems(404, 422)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Measure]:
        orders = orders_for(self.request.user)
        state = self.request.query_params.get("state", "open")
        if state not in ("open", "all"):
            raise InvalidInput(FieldError("state", _("open or all")))
        if state == "open":
            orders = open_orders(orders)
        return orders.select_related("office").annotate(
            n_ordered=Count("targets"), n_outstanding=Count("targets", filter=Q(targets__status=TargetStatus.ORDERED))
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None
        deadlines = Deadlines(page)
        data = [_order_data(m, deadlines, m.n_ordered, m.n_outstanding) for m in page]  # type: ignore[attr-defined]
        return self.get_paginated_response(data)


class OrderDetail(PlatformMixin):
    @extend_schema(responses={200: OrderDetailSerializer, **problems(404)})
    def get(self, request: Request, pk: int) -> Response:
        """One order addressed to your platform, with its reconciliation: ordered, disposed, refused, not found and
        outstanding items, its deadline and whether it is overdue."""
        order = _order(request, pk)
        deadlines = Deadlines([order])
        rec = order_reconciliation(order, on=local_date(timezone.now(), order.office.time_zone), deadlines=deadlines)
        data = _order_data(order, deadlines, rec.ordered, rec.outstanding)
        data["reconciliation"] = rec.as_dict()
        return Response(data)


class ItemCursor(IdCursor):
    ordering = "id"
    page_size = 100
    max_page_size = 1000


class OrderItems(PlatformMixin, generics.ListAPIView[MeasureTarget]):
    """The items (targets) of one order, to carry out and report on; ``status=ordered`` for those not answered
    yet."""

    pagination_class = ItemCursor
    serializer_class = OrderItemSerializer

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=TargetStatus.values, required=False)],
        responses={200: OrderItemSerializer(many=True), **problems(404, 422)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[MeasureTarget]:
        order = _order(self.request, self.kwargs["pk"])
        status = self.request.query_params.get("status", "")
        if status and status not in TargetStatus.values:
            raise InvalidInput(FieldError("status", _("One of: %(s)s.") % {"s": ", ".join(TargetStatus.values)}))
        return order_items(order, status=status)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None
        data = [
            {
                "id": t.pk,
                "target": t.subject.identifier,
                "kind": t.subject.kind,
                "name": t.subject.name,
                "platform": t.subject.platform,
                "status": t.status,
                "done_on": t.done_on.isoformat() if t.done_on else None,
                "note": t.note,
            }
            for t in page
        ]
        return self.get_paginated_response(data)


_ITEM_FIELD = re.compile(r"^items\.(\d+)(?:\.(\w+))?$")


def _batch_problem(exc: InvalidInput, received: int) -> Response:
    """422 naming every bad item: its position in the batch (``index``), the field and the reason."""
    answer = answer_for(exc)
    body = answer.problem()
    errors = []
    for e in body.get("errors", []):
        match = _ITEM_FIELD.match(e["field"])
        if match:
            e = {**e, "index": int(match.group(1)), "item_field": match.group(2) or ""}
        errors.append(e)
    body["errors"] = errors
    bad = len({e["index"] for e in errors if "index" in e})
    if bad:
        body["detail"] = _("%(bad)d of the %(n)d items are refused; nothing of the batch was stored.") % {
            "bad": bad,
            "n": received,
        }
    return Response(body, status=answer.status, content_type=PROBLEM_TYPE)


class OrderReports(PlatformMixin, generics.ListAPIView[ReportedItem]):
    """What your platform reported on one order: the list (GET), and a new batch of items (POST)."""

    pagination_class = ItemCursor
    serializer_class = ReportedItemSerializer

    @extend_schema(responses={200: ReportedItemSerializer(many=True), **problems(404)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[ReportedItem]:
        order = _order(self.request, self.kwargs["pk"])
        return ReportedItem.objects.filter(measure_id=order.pk, platform_id=order.addressee_id).select_related(
            "subject"
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None
        data = [
            {
                "item_id": r.item_id,
                "target": r.subject.identifier,
                "outcome": r.outcome,
                "reason": r.reason,
                "on": r.on.isoformat(),
                "received_at": r.received_at.isoformat(),
            }
            for r in page
        ]
        return self.get_paginated_response(data)

    @extend_schema(
        request=ReportBatchSerializer,
        responses={
            201: OpenApiResponse(ReportAnswerSerializer, description="items stored"),
            200: OpenApiResponse(ReportAnswerSerializer, description="every item was stored before: nothing new"),
            **problems(404, 409, 422),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        """Report what your platform did with items of the order: ``{"items": [{"item_id", "target", "outcome",
        "reason", "on"}, ...]}``, 1 to 1,000 items, all stored or none. An item id already stored with the same
        content is a replay (named in ``already_stored``, not stored again); with other content it is refused.
        A refused batch answers 422 with each bad item's ``index``, field and reason."""
        order = _order(request, pk)
        body = request.data
        items = body.get("items") if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise InvalidInput(FieldError("items", _("Send 1 to %(n)d items.") % {"n": MAX_ITEMS}))
        try:
            actor: Any = request.user
            result = order_items_report(actor=actor, measure=order, items=items, now=timezone.now())
        except InvalidInput as exc:
            return _batch_problem(exc, len(items))
        return Response(
            {
                "order": result.order,
                "received": result.received,
                "stored": result.stored,
                "already_stored": [
                    {"index": i, "item_id": str(items[i].get("item_id", "")).strip()} for i in result.already_stored
                ],
                **result.counts,
                "quantity": result.quantity,
            },
            status=201 if result.stored else 200,
        )
