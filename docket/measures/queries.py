from decimal import Decimal
from typing import TypeVar

from django.db import connection
from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from docket.measures.models import Measure, MeasureTarget
from docket.officers.actors import Actor
from docket.offices.scoping import ScopedQuerySet, get_visible
from docket.subjects.models import Subject

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


def targets_and_subjects_sql() -> str:
    """The FROM clause of raw SQL reading targets (``t``) with their subjects (``s``) by key.

    On PostgreSQL each target's subject is looked up by a lateral subquery the planner may not flatten
    (``OFFSET 0``): joined, the planner hashed the whole subject registry for an order of a thousand accounts (a
    sequential scan of every subject, once per platform report); looked up, the cost follows the order alone."""
    quote = connection.ops.quote_name
    targets, subjects = quote(MeasureTarget._meta.db_table), quote(Subject._meta.db_table)
    if connection.vendor == "postgresql":
        lateral = f"(SELECT * FROM {subjects} s WHERE s.id = t.subject_id OFFSET 0) s"  # noqa: S608 - model names
        return f"{targets} t CROSS JOIN LATERAL {lateral}"
    return f"{targets} t JOIN {subjects} s ON s.id = t.subject_id"
