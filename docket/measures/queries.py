from django.db.models import QuerySet

from docket.measures.models import Measure
from docket.officers.actors import Actor
from docket.offices.scoping import ScopedQuerySet, get_visible


def measures_visible(actor: Actor) -> ScopedQuerySet[Measure]:
    return Measure.objects.visible_to(actor)


def measure_get(actor: Actor, pk: int) -> Measure:
    return get_visible(Measure.objects.select_related("office", "case"), actor, pk=pk)


def orders_addressed_to(actor: Actor) -> QuerySet[Measure]:
    """What a platform's API client sees: the orders addressed to its platform, nothing else."""
    platform_id = getattr(actor, "platform_id", None)
    if actor is None or not actor.is_authenticated or platform_id is None or not actor.has_role("platform"):
        return Measure.objects.none()
    return Measure.objects.filter(type="account_closure_order", addressee_id=platform_id)
