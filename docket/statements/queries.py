"""Figures of the statements of reasons, per platform: what each platform reported deciding, as its regulator reads
it (``Statement.objects.visible_to``), narrowed by the same FilterSet as the list of statements, so a figure and
the list behind it always agree.

Counted by a fixed number of grouped queries whatever the number of statements or platforms: the totals, the
decision groups (how many statements restrict visibility, money, the service or the account, and with which
restriction), the grounds and the categories.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet

from docket.statements.models import Statement
from docket.statements.rules import DECISIONS
from docket.subjects.models import Subject

# The decision groups whose value is one code (visibility restrictions are a list of codes: counted as a group).
SCALAR_DECISIONS = tuple(d for d in DECISIONS if d != "decision_visibility")


def statements_visible(actor: Any) -> QuerySet[Statement]:
    return Statement.objects.visible_to(actor)


@dataclass
class PlatformStatements:
    """One platform's statements of reasons among those counted."""

    platform: int
    name: str
    runs_platform: str
    total: int = 0
    # Statements that name an order's item (each counted toward that order too).
    on_orders: int = 0
    automated_detection: int = 0
    first_applied: dt.date | None = None
    last_applied: dt.date | None = None
    # Decision group → statements carrying a restriction of that group.
    decision_groups: dict[str, int] = field(default_factory=dict)
    # Scalar decision group → its code → statements.
    decisions: dict[str, dict[str, int]] = field(default_factory=dict)
    grounds: dict[str, int] = field(default_factory=dict)
    categories: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "platform_name": self.name,
            "runs_platform": self.runs_platform,
            "total": self.total,
            "on_orders": self.on_orders,
            "automated_detection": self.automated_detection,
            "first_applied": self.first_applied.isoformat() if self.first_applied else None,
            "last_applied": self.last_applied.isoformat() if self.last_applied else None,
            "decision_groups": self.decision_groups,
            "decisions": self.decisions,
            "decision_grounds": self.grounds,
            "categories": self.categories,
        }


def _date(value: Any) -> dt.date | None:
    # SQLite may give an aggregate of dates back as text.
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def statement_figures(statements: QuerySet[Statement]) -> list[PlatformStatements]:
    """Per platform, the figures of ``statements`` (already the reader's and filtered): five queries in all."""
    base = statements.order_by()
    totals = base.values("platform_id").annotate(
        total=Count("id"),
        on_orders=Count("id", filter=Q(docket_order__isnull=False)),
        automated=Count("id", filter=Q(automated_detection="Yes")),
        first=Min("application_date"),
        last=Max("application_date"),
        decision_visibility=Count("id", filter=~Q(decision_visibility=[])),
        **{d: Count("id", filter=Q(**{f"{d}__isnull": False})) for d in SCALAR_DECISIONS},
    )
    rows: dict[int, dict[str, Any]] = {r["platform_id"]: dict(r) for r in totals}
    if not rows:
        return []
    names = {
        pk: (name, runs)
        for pk, name, runs in Subject.objects.filter(pk__in=sorted(rows)).values_list("pk", "name", "runs_platform")
    }
    out: dict[int, PlatformStatements] = {}
    for pk, r in rows.items():
        name, runs = names.get(pk, ("", ""))
        out[pk] = PlatformStatements(
            platform=pk,
            name=name,
            runs_platform=runs,
            total=r["total"],
            on_orders=r["on_orders"],
            automated_detection=r["automated"],
            first_applied=_date(r["first"]),
            last_applied=_date(r["last"]),
            decision_groups={d: r[d] for d in DECISIONS},
            decisions={d: {} for d in SCALAR_DECISIONS},
        )
    for r in base.values("platform_id", *SCALAR_DECISIONS).annotate(n=Count("id")):
        for d in SCALAR_DECISIONS:
            if r[d] is not None:
                counts = out[r["platform_id"]].decisions[d]
                counts[r[d]] = counts.get(r[d], 0) + r["n"]
    for pk, ground, n in base.values_list("platform_id", "decision_ground").annotate(n=Count("id")):
        out[pk].grounds[ground] = n
    for pk, category, n in base.values_list("platform_id", "category").annotate(n=Count("id")):
        out[pk].categories[category] = n
    for figures in out.values():
        for table in (figures.grounds, figures.categories, *figures.decisions.values()):
            ordered = sorted(table.items(), key=lambda kv: (-kv[1], kv[0]))
            table.clear()
            table.update(ordered)
    return sorted(out.values(), key=lambda f: (-f.total, f.runs_platform, f.platform))
