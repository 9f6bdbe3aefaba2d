"""The outbox hook measures call when an order to a platform is written (``measures.outbox``)."""

from __future__ import annotations

from typing import Any

from docket.measures.models import Measure, MeasureTarget
from docket.subjects.models import mask_identifier
from docket.webhooks.models import Event, OutboxMessage, WebhookEndpoint

# Items carried in the push itself; a larger order says how many it has and the platform pulls the rest.
PUSHED_ITEMS = 1000


def order_payload(measure: Measure) -> dict[str, Any]:
    """What the platform is told of a new order: enough to act on without asking, for all but huge orders."""
    rows = list(
        MeasureTarget.objects.filter(measure_id=measure.pk)
        .order_by("id")
        .values_list("subject__kind", "subject__platform", "subject__identifier", "subject__name")[: PUSHED_ITEMS + 1]
    )
    items = [
        {"kind": kind, "platform": platform, "identifier": mask_identifier(kind, ident), "name": name}
        for kind, platform, ident, name in rows[:PUSHED_ITEMS]
    ]
    count = len(rows) if len(rows) <= PUSHED_ITEMS else MeasureTarget.objects.filter(measure_id=measure.pk).count()
    return {
        "order": {
            "id": measure.pk,
            "type": measure.type,
            "taken_on": measure.taken_on.isoformat(),
            "due_on": measure.due_on.isoformat() if measure.due_on else None,
            "office": measure.office.code,
            "addressee": measure.addressee_id,
            "legal_basis": measure.legal_basis,
            "items_count": count,
            "items_complete": count <= PUSHED_ITEMS,
            "items": items,
        }
    }


def order_created(measure: Measure) -> None:
    """Write the push of a new order, in the caller's transaction; a platform with no endpoint only pulls."""
    endpoint = WebhookEndpoint.objects.filter(platform_id=measure.addressee_id, active=True).only("pk").first()
    if endpoint is None:
        return
    OutboxMessage.objects.create(
        endpoint=endpoint,
        event=Event.ORDER_CREATED,
        payload=order_payload(measure),
        created_at=measure.created_at,
        next_attempt_at=measure.created_at,
    )
