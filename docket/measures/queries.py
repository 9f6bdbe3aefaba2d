from decimal import Decimal
from typing import TypeVar

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from docket.measures.models import Measure
from docket.officers.actors import Actor
from docket.offices.scoping import ScopedQuerySet, get_visible

Q_ = TypeVar("Q_", bound=QuerySet[Measure])


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


def with_paid(measures: Q_) -> Q_:
    """``measures`` annotated with ``paid``: the sum of each one's recorded payments (0 when none), in one subquery,
    whatever the number of measures and payments — what "paid in full" is read from everywhere."""
    from docket.measures.models import FinePayment

    money = DecimalField(max_digits=14, decimal_places=2)
    paid = FinePayment.objects.filter(measure=OuterRef("pk")).order_by().values("measure").annotate(total=Sum("amount"))
    return measures.annotate(
        paid=Coalesce(Subquery(paid.values("total"), output_field=money), Value(Decimal(0)), output_field=money)
    )
