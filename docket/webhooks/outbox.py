"""The outbox hook measures call when orders to platforms are written (``measures.outbox``).

One call may carry one order (a recording, a correction, a deletion) or a bulk writer's whole batch (the measures
import): the pushes are written with one INSERT per ``BATCH`` orders, and the payloads of a batch are read with
three queries whatever its orders' sizes, so a large import costs a few statements, not one per order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from itertools import islice
from typing import Any

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber

from docket.measures.models import Measure, MeasureTarget
from docket.subjects.models import mask_identifier
from docket.webhooks.models import OutboxMessage, WebhookEndpoint

# Items carried in the push itself; a larger order says how many it has and the platform pulls the rest.
PUSHED_ITEMS = 1000
# Orders whose pushes are read and inserted together.
BATCH = 500


def _batches(values: Sequence[int], size: int) -> list[list[int]]:
    it = iter(values)
    out = []
    while chunk := list(islice(it, size)):
        out.append(chunk)
    return out


def _items(ids: list[int]) -> tuple[dict[int, list[dict[str, str]]], dict[int, int]]:
    """The first ``PUSHED_ITEMS`` targets of each order (masked as every listing masks them), and each order's
    count of targets: one query for the batch (window functions number and count each order's targets)."""
    rows = (
        MeasureTarget.objects.filter(measure_id__in=ids)
        .annotate(
            n=Window(RowNumber(), partition_by=[F("measure_id")], order_by=F("id").asc()),
            total=Window(Count("id"), partition_by=[F("measure_id")]),
        )
        .filter(n__lte=PUSHED_ITEMS)
        .order_by("measure_id", "id")
        .values_list(
            "measure_id", "total", "subject__kind", "subject__platform", "subject__identifier", "subject__name"
        )
    )
    items: dict[int, list[dict[str, str]]] = {}
    counts: dict[int, int] = {}
    for mid, total, kind, platform, ident, name in rows:
        counts[mid] = total
        items.setdefault(mid, []).append(
            {"kind": kind, "platform": platform, "identifier": mask_identifier(kind, ident), "name": name}
        )
    return items, counts


def payloads(ids: list[int]) -> dict[int, dict[str, Any]]:
    """What the platform is told of each order: enough to act on without asking, for all but huge orders."""
    items, counts = _items(ids)
    rows = Measure.objects.filter(pk__in=ids).values_list(
        "pk", "type", "taken_on", "due_on", "office__code", "addressee_id", "legal_basis"
    )
    out: dict[int, dict[str, Any]] = {}
    for pk, mtype, taken_on, due_on, office, addressee, legal_basis in rows:
        count = counts.get(pk, 0)
        out[pk] = {
            "order": {
                "id": pk,
                "type": mtype,
                "taken_on": taken_on.isoformat(),
                "due_on": due_on.isoformat() if due_on else None,
                "office": office,
                "addressee": addressee,
                "legal_basis": legal_basis,
                "items_count": count,
                "items_complete": count <= PUSHED_ITEMS,
                "items": items.get(pk, []),
            }
        }
    return out


def order_payload(measure: Measure) -> dict[str, Any]:
    return payloads([measure.pk])[measure.pk]


def orders_pushed(orders: Sequence[tuple[int, int]], event: str, now: dt.datetime) -> int:
    """Write the pushes of ``orders`` ((order, addressee) pairs) in the caller's transaction; a platform with no
    active endpoint only pulls. Returns the number of pushes written."""
    addressees = {a for _m, a in orders}
    endpoints = dict(
        WebhookEndpoint.objects.filter(active=True, platform_id__in=sorted(addressees)).values_list("platform_id", "pk")
    )
    if not endpoints:
        return 0
    wanted = {m: endpoints[a] for m, a in orders if a in endpoints}
    written = 0
    for batch in _batches(sorted(wanted), BATCH):
        found = payloads(batch)
        messages = [
            OutboxMessage(endpoint_id=wanted[pk], event=event, payload=found[pk], created_at=now, next_attempt_at=now)
            for pk in batch
            if pk in found
        ]
        # One INSERT for the batch (SQLite's bound on parameters may split it; PostgreSQL's does not).
        OutboxMessage.objects.bulk_create(messages, batch_size=BATCH)
        written += len(messages)
    return written
