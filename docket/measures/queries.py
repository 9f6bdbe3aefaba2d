from typing import Any

from django.db.models import QuerySet

from docket.measures.models import Measure
from docket.offices.scoping import ScopedQuerySet, get_visible


def measures_visible(actor: Any) -> ScopedQuerySet[Measure]:
    return Measure.objects.visible_to(actor)


def measure_get(actor: Any, pk: int) -> Measure:
    return get_visible(Measure.objects.select_related("office", "case"), actor, pk=pk)


def orders_addressed_to(actor: Any) -> QuerySet[Measure]:
    """What a platform's API client sees: the orders addressed to its platform, nothing else."""
    if actor is None or not actor.is_authenticated or actor.platform_id is None or not actor.has_role("platform"):
        return Measure.objects.none()
    return Measure.objects.filter(type="account_closure_order", addressee_id=actor.platform_id)
