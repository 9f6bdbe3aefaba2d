"""Orders addressed to a platform, as the measures' writers announce them to whoever pushes them out.

An order to a platform is pushed to it (a signed webhook) from an outbox row written in the same transaction as
the order, so the push exists if and only if the order does. The outbox belongs to webhooks, which sits beside
measures and above nothing measures may import; so webhooks hands its hook to measures at start-up
(``WebhooksConfig.ready``), as reports hands over the cells' keeper (``measures.cells``). An addressed order
written with no hook registered is refused rather than silently never pushed.

Every writer of an order addressed to a platform calls this port in its own transaction: ``order_addressed`` for
one order (``measure_create``, a correction, a deletion), ``orders_addressed`` for a bulk writer, once per batch
with the (order, addressee) pairs it wrote (the hook writes their pushes with one INSERT per batch of orders, and
costs one query when no addressee has an endpoint).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from docket.measures.models import Measure

# What happened to the order (the push's ``Docket-Event``).
CREATED = "order.created"
CHANGED = "order.changed"
WITHDRAWN = "order.withdrawn"
EVENTS = (CREATED, CHANGED, WITHDRAWN)

# (order id, addressee id) pairs, the event, and when it happened; returns how many pushes were written.
Hook = Callable[[Sequence[tuple[int, int]], str, dt.datetime], int]

_hook: Hook | None = None


def register(hook: Hook) -> None:
    global _hook  # noqa: PLW0603 - one hook per process, set once at start-up
    _hook = hook


def orders_addressed(orders: Sequence[tuple[int, int]], *, event: str = CREATED, now: dt.datetime) -> int:
    """Call inside the transaction that wrote the orders (with their targets): ``(order id, addressee id)`` each.

    For a deletion, call it before the order's rows go: the push tells the platform which order was withdrawn."""
    if event not in EVENTS:
        raise ValueError(f"unknown order event {event!r}")
    if not orders:
        return 0
    if _hook is None:
        raise RuntimeError("No outbox hook is registered for orders to platforms: is docket.webhooks installed?")
    return _hook(orders, event, now)


def order_addressed(measure: Measure, *, event: str = CREATED, now: dt.datetime | None = None) -> int:
    """One order (nothing for a measure with no addressee); ``now`` defaults to when the measure was recorded."""
    if measure.addressee_id is None:
        return 0
    return orders_addressed([(measure.pk, measure.addressee_id)], event=event, now=now or measure.created_at)
