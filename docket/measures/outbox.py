"""Orders addressed to a platform, as the measures' writer announces them to whoever pushes them out.

An order to a platform is pushed to it (a signed webhook) from an outbox row written in the same transaction as
the order, so the push exists if and only if the order does. The outbox belongs to webhooks, which sits beside
measures and above nothing measures may import; so webhooks hands its hook to measures at start-up
(``WebhooksConfig.ready``), as reports hands over the cells' keeper (``measures.cells``). An addressed order
written with no hook registered is refused rather than silently never pushed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from docket.measures.models import Measure

Hook = Callable[["Measure"], None]

_hook: Hook | None = None


def register(hook: Hook) -> None:
    global _hook  # noqa: PLW0603 - one hook per process, set once at start-up
    _hook = hook


def order_addressed(measure: Measure) -> None:
    """Call inside the transaction that wrote ``measure`` (with its targets), when it has an addressee."""
    if measure.addressee_id is None:
        return
    if _hook is None:
        raise RuntimeError("No outbox hook is registered for orders to platforms: is docket.webhooks installed?")
    _hook(measure)
