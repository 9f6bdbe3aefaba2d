"""The one scoping path. Every query of jurisdiction-bound objects goes through ``visible_to``.

An object outside the actor's jurisdiction does not exist for that actor: it is absent from lists,
searches, counts, reports and exports, and fetching it by id raises NotFound, exactly as for an id
that was never used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models

from docket.core.errors import NotFound

if TYPE_CHECKING:
    from docket.offices.models import Office

M = TypeVar("M", bound=models.Model)

# Roles that read case-level records of their jurisdiction. Statisticians read aggregates only,
# administrators manage the system, platforms see only what is addressed to them.
CASE_READER_ROLES = frozenset({"case_officer", "office_head", "legal_reviewer", "inspector"})


def actor_office(actor: Any) -> Office | None:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return None
    return getattr(actor, "office", None)


class ScopedQuerySet(models.QuerySet[M]):
    """Models using it name their office field in ``jurisdiction_field`` (default ``office``)."""

    def visible_to(self, actor: Any, *, listed: bool = False) -> ScopedQuerySet[M]:
        office = actor_office(actor)
        readers = getattr(self.model, "readers", CASE_READER_ROLES)
        if office is None or (readers and not actor.has_role(*readers)):
            return self.none()
        return self.within(office, listed=listed)

    def within(self, office: Office, *, listed: bool = False) -> ScopedQuerySet[M]:
        """Objects of an office's subtree, for aggregate readers that act for an office.

        The subtree is a join to the offices on their path, which lists walked or counted by an index plan
        best. With ``listed``, the subtree's office ids are read first (once per office object) and named in the
        query instead: the planner then knows how many rows the jurisdiction holds, which a query combining it
        with another index (the search's substring indexes) needs — joined, a provincial search probed the
        substring index once per office below (270 ms), listed once (15 ms). A model that keeps the offices at
        depths 1 and 2 in its own columns (``jurisdiction_ancestors``, kept by triggers: ``offices.ancestors``) is
        read by one of them for an office at those depths, listed or not: its statistics give the planner the size.
        """
        field = getattr(self.model, "jurisdiction_field", "office")
        if office.parent_id is None:
            # The root's subtree is the whole tree (one root: the office_single_root constraint), so its lists
            # need no join to the offices: a national list of a million cases counts from one index. Objects of
            # no office (a platform's API client) still belong to no jurisdiction.
            return self.filter(**{f"{field}__isnull": False})
        # A model that keeps its offices' ancestors (``jurisdiction_ancestors``: the field holding the office at
        # depth 1, then at depth 2) reads the subtree of an office at those depths as one column equal to it: one
        # index walked in order, and an estimate the planner takes from that column's statistics.
        ancestors: tuple[str, ...] = getattr(self.model, "jurisdiction_ancestors", ())
        depth = office.path.count("/") - 2
        if 0 < depth <= len(ancestors):
            return self.filter(**{f"{ancestors[depth - 1]}_id": office.pk})
        if listed:
            return self.filter(**{f"{field}__in": subtree_ids(office)})
        return self.filter(**{f"{field}__path__subtree": office.path})


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


def subtree_ids(office: Office) -> list[int]:
    """The ids of ``office`` and every office below it, read once per office object (a request's reader)."""
    ids: list[int] | None = getattr(office, "_subtree_ids", None)
    if ids is None:
        from docket.offices.models import Office

        ids = list(Office.objects.filter(path__subtree=office.path).values_list("pk", flat=True))
        office._subtree_ids = ids  # type: ignore[attr-defined]
    return ids


def get_visible(queryset: ScopedQuerySet[M], actor: Any, **lookup: Any) -> M:
    """Fetch one object through the jurisdiction, or NotFound (audited as a refused access)."""
    try:
        return queryset.visible_to(actor).get(**lookup)
    except ObjectDoesNotExist:
        from docket.audit.services import audit_denial

        audit_denial(actor=actor, action=f"{queryset.model._meta.label_lower}.read", detail=lookup)
        raise NotFound(f"{queryset.model._meta.verbose_name} not found") from None
