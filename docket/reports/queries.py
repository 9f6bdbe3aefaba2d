"""Figures for a period, an office's jurisdiction and optionally a campaign — from the aggregate cells.

A period is cut into whole years, whole months and single days, each read from the cells where the office
keeps that grain (``aggregates.CELL_GRAINS``); what no kept cell covers (a city's or county's partial months)
is counted from the measures themselves by the same rule (``aggregates.contributions``), so any period gives
exact figures.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, Sum
from django.utils.translation import gettext as _
from pyroaring import BitMap, FrozenBitMap

from docket.core.dates import next_month
from docket.core.errors import NotFound
from docket.core.vocabulary import MeasureType
from docket.measures.filtersets import aimed_at_kinds
from docket.measures.models import Measure, MeasureTarget
from docket.officers.actors import Actor
from docket.officers.permissions import require_role, require_within
from docket.offices import paths
from docket.offices.models import Level, Office
from docket.reports.aggregates import ANY, CELL_GRAINS, Aimed, contributions
from docket.reports.bitmaps import bitmaps, held, union
from docket.reports.models import Cell, Counting, Grain, Metric, MetricSet
from docket.subjects.models import Subject


@dataclass
class Tally:
    events: int = 0
    quantity: int = 0
    # The cells whose bitmaps make up the distinct subjects, and subjects counted from raw records.
    cells: list[int] = field(default_factory=list)
    raw: BitMap = field(default_factory=BitMap)


@dataclass
class Figures:
    office: Office
    date_from: dt.date
    date_to: dt.date
    campaign_id: int
    tallies: dict[tuple[str, str], Tally]
    # Cardinality of each cell read: a figure made of one cell needs no bitmap.
    cell_distinct: dict[int, int] = field(default_factory=dict)
    # The digest of each cell's bitmap (``reports.bitmaps`` keeps the bitmaps already read by it).
    cell_digest: dict[int, bytes] = field(default_factory=dict)
    _bitmaps: dict[int, BitMap | FrozenBitMap] = field(default_factory=dict)
    # Distinct subjects already counted, by the content of what was unioned: a kind's cells are often the same
    # bitmaps as the type's (every subject of the type is of that kind), and the union need not be made twice.
    _counted: dict[tuple[frozenset[Any], frozenset[tuple[str, str]]], int] = field(default_factory=dict)
    # For event and quantity metrics over several kinds, a measure aimed at two of them counts once.
    multi_kind: dict[tuple[frozenset[str], frozenset[str]], tuple[int, int]] = field(default_factory=dict)

    def prefetch(self, keys: list[tuple[str, str]]) -> None:
        """Read the bitmaps of every cell of ``keys`` that a union needs, in one query (or none, when held)."""
        needed = {c for k in keys if k in self.tallies for c in self.tallies[k].cells if c not in self._bitmaps}
        if needed:
            self._bitmaps.update(bitmaps({pk: self.cell_digest.get(pk, b"") for pk in needed}))

    def subject_ids(self, keys: list[tuple[str, str]]) -> BitMap:
        """The distinct subjects of the given (type, kind) tallies, as one bitmap."""
        tallies = [self.tallies[k] for k in keys if k in self.tallies]
        cells = [c for t in tallies for c in t.cells]
        self.prefetch(keys)
        return union([self._bitmaps[c] for c in cells] + [t.raw for t in tallies if t.raw])

    def subject_count(self, keys: list[tuple[str, str]]) -> int:
        tallies = [self.tallies[k] for k in keys if k in self.tallies]
        cells = [c for t in tallies for c in t.cells]
        raw = frozenset(k for k in keys if k in self.tallies and self.tallies[k].raw)
        if len(cells) == 1 and not raw:
            return self.cell_distinct[cells[0]]
        content = (frozenset(self.cell_digest.get(c) or c for c in cells), raw)
        if content not in self._counted:
            self._counted[content] = len(self.subject_ids(keys))
        return self._counted[content]

    def events(self) -> int:
        """Measures taken in the period (each once)."""
        return sum(t.events for (_type, kind), t in self.tallies.items() if kind == ANY)

    def measures_table(self) -> dict[str, dict[str, int]]:
        out = {}
        for mtype in MeasureType.values:
            t = self.tallies.get((mtype, ANY), Tally())
            out[mtype] = {"events": t.events, "subjects": self.subject_count([(mtype, ANY)]), "quantity": t.quantity}
        return out

    def metric(self, metric: Metric) -> int:
        types = list(metric.measure_types)
        kinds = list(metric.subject_kinds) or [ANY]
        if metric.counting == Counting.SUBJECTS:
            return self.subject_count([(t, k) for t in types for k in kinds])
        if len(kinds) == 1:
            tallies = [self.tallies.get((t, kinds[0]), Tally()) for t in types]
            if metric.counting == Counting.EVENTS:
                return sum(t.events for t in tallies)
            return sum(t.quantity for t in tallies)
        events, quantity = self._multi_kind(frozenset(types), frozenset(kinds))
        return events if metric.counting == Counting.EVENTS else quantity

    def _multi_kind(self, types: frozenset[str], kinds: frozenset[str]) -> tuple[int, int]:
        key = (types, kinds)
        if key not in self.multi_kind:
            # Cells cannot tell a measure aimed at two of the kinds from two measures: the records can.
            qs = counted_measures(
                office=self.office,
                date_from=self.date_from,
                date_to=self.date_to,
                campaign_id=self.campaign_id,
                types=sorted(types),
                kinds=sorted(kinds),
            )
            got = qs.aggregate(n=Count("id"), q=Sum("quantity"))
            self.multi_kind[key] = (got["n"], got["q"] or 0)
        return self.multi_kind[key]


def _measures(office: Office, date_from: dt.date, date_to: dt.date, campaign_id: int) -> Any:
    qs = Measure.objects.within(office).filter(taken_on__range=(date_from, date_to))
    return qs.filter(campaigns=campaign_id) if campaign_id else qs


def counted_measures(
    *,
    office: Office,
    date_from: dt.date,
    date_to: dt.date,
    campaign_id: int = 0,
    types: list[str] | None = None,
    kinds: list[str] | None = None,
) -> Any:
    """The measures a figure counts, each once (its events are their number, its quantity their sum)."""
    qs = _measures(office, date_from, date_to, campaign_id)
    if types:
        qs = qs.filter(type__in=types)
    if kinds and ANY not in kinds:
        qs = qs.filter(aimed_at_kinds(kinds))
    return qs


@dataclass(frozen=True)
class Parts:
    """A period cut into what the cells answer (years, half-years, quarters, months, day ranges) and what is
    counted raw."""

    years: list[dt.date]
    months: list[dt.date]
    days: list[tuple[dt.date, dt.date]]
    raw: list[tuple[dt.date, dt.date]]
    quarters: list[dt.date] = field(default_factory=list)
    halves: list[dt.date] = field(default_factory=list)


def parts(date_from: dt.date, date_to: dt.date, kept: tuple[str, ...]) -> Parts:
    years: list[dt.date] = []
    blocks: dict[str, list[dt.date]] = {Grain.HALF: [], Grain.QUARTER: [], Grain.MONTH: []}
    partial: list[tuple[dt.date, dt.date]] = []

    def whole(start: dt.date, months: int) -> bool:
        end = start
        for _ in range(months):
            end = next_month(end)
        return start >= date_from and end - dt.timedelta(days=1) <= date_to

    month = date_from.replace(day=1)
    while month <= date_to:
        if month.month == 1 and whole(month, 12) and Grain.YEAR in kept:
            years.append(month)
            month = month.replace(year=month.year + 1)
            continue
        # The largest block of whole months starting here that is kept (blocks start in January, April...).
        for grain, size in ((Grain.HALF, 6), (Grain.QUARTER, 3), (Grain.MONTH, 1)):
            if (month.month - 1) % size == 0 and grain in kept and whole(month, size):
                blocks[grain].append(month)
                for _ in range(size):
                    month = next_month(month)
                break
        else:
            nxt = next_month(month)
            partial.append((max(month, date_from), min(nxt - dt.timedelta(days=1), date_to)))
            month = nxt
    partial = _merged(partial)
    days, raw = (partial, []) if Grain.DAY in kept else ([], partial)
    return Parts(years, blocks[Grain.MONTH], days, raw, quarters=blocks[Grain.QUARTER], halves=blocks[Grain.HALF])


def figures(*, office: Office, date_from: dt.date, date_to: dt.date, campaign_id: int = 0) -> Figures:
    """Every measure type's events, distinct subjects and quantity, per subject kind."""
    return _read(office, date_from, date_to, campaign_id)[0]


def _read(
    office: Office, date_from: dt.date, date_to: dt.date, campaign_id: int, metrics_on: dt.date | None = None
) -> tuple[Figures, list[Metric]]:
    """The figures of a period and, when ``metrics_on`` is given, the metrics of the set in force on that day:
    the cells, the records of the partial months no cell covers and the metrics in one statement."""
    tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
    cell_distinct: dict[int, int] = {}
    cell_digest: dict[int, bytes] = {}
    metrics: list[Metric] = []
    measures: dict[int, tuple[str, int, Aimed | None, list[Aimed]]] = {}
    cut = parts(date_from, date_to, CELL_GRAINS.get(office.level, ()))
    sql, params = _statement(office, cut, campaign_id, metrics_on)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for tag, i1, i2, i3, i4, s1, s2, s3, s4, digest, blob in rows:
        if tag == "c":
            if blob is not None and digest:
                held(bytes(digest), bytes(blob))
            t = tallies[(s1, s2)]
            t.events += i2
            t.quantity += i3
            t.cells.append(i1)
            cell_distinct[i1] = i4
            cell_digest[i1] = bytes(digest) if digest else b""
        elif tag == "r":
            # One row per subject the measure counts at (its targets, else its addressee); one row without a
            # subject for a measure aimed at nobody.
            got = measures.get(i1)
            if got is None:
                got = measures[i1] = (s1, i2 or 0, None, [])
            if i4 is not None:
                got[3].append((i4, s3))
        else:
            kinds = json.loads(s4) if s4 else []
            metrics.append(
                Metric(
                    id=i1,
                    metric_set_id=i2,
                    order=i3,
                    key=s1,
                    counting=s2,
                    measure_types=json.loads(s3),
                    subject_kinds=kinds,
                )
            )
    if measures:
        _count_raw(tallies, measures.values())
    metrics.sort(key=lambda m: (m.order, m.key))
    figs = Figures(office, date_from, date_to, campaign_id, dict(tallies), cell_distinct, cell_digest)
    return figs, metrics


# The one statement of a report, written as SQL rather than through the ORM: compiling the querysets of its
# three parts (their joins, the jurisdiction's path, the union) took longer than PostgreSQL takes to answer
# them, and a county's report is one small statement. Every branch has the same eleven columns:
#   tag, four integers, four texts, two binaries:
#   "c" a cell:    id, events, quantity, distinct | type, kind, -, -                 | digest, bitmap (a county's)
#   "r" a record:  measure id, quantity, -, subject id | type, -, subject's kind, -
#   "m" a metric:  id, metric set id, order, - | key, counting, measure types, subject kinds (JSON)
_CELL_BRANCH = (
    "SELECT 'c', id, events, quantity, {distinct}, measure_type, subject_kind, NULL, NULL, digest, {bitmap} "
    "FROM {cell} WHERE scope_id = %s AND grain = %s AND {period} AND campaign_id = %s"
)
# A measure counts at its targets, or at its addressee when it has none (``aggregates.contributions``): the subject
# of each row is the one the rule takes, so one join to the subjects gives every kind (a second join for the
# addressee's kind cost a third of the statement's planning).
_RAW_BRANCH = (
    "SELECT 'r', m.id, m.quantity, NULL, s.id, m.type, NULL, s.kind, NULL, NULL, NULL "
    "FROM {measure} m {office_join}"
    "LEFT JOIN {target} t ON t.measure_id = m.id "
    "LEFT JOIN {subject} s ON s.id = COALESCE(t.subject_id, m.addressee_id) "
    "WHERE m.taken_on IN ({{days}}) AND {jurisdiction}{tagged}"
)
_METRIC_BRANCH = (
    "SELECT 'm', id, metric_set_id, {order}, NULL, {key}, counting, CAST(measure_types AS TEXT), "
    "CAST(subject_kinds AS TEXT), NULL, NULL FROM {metric} WHERE metric_set_id = "
    "(SELECT id FROM {metric_set} WHERE valid_from <= %s ORDER BY valid_from DESC, id DESC LIMIT 1)"
)


def _statement(office: Office, cut: Parts, campaign_id: int, metrics_on: dt.date | None) -> tuple[str, list[Any]]:
    q = connection.ops.quote_name
    branches: list[str] = []
    params: list[Any] = []
    # A county's bitmaps are small: they come with its cells, so that the first report of a server process needs no
    # second query for them (which left a county's report a fraction of a millisecond behind one plain query).
    inline = q(str(Cell._meta.get_field("subjects").column)) if office.level == Level.COUNTY else "NULL"
    cell = {"cell": q(Cell._meta.db_table), "distinct": q("distinct"), "bitmap": inline}
    # One index range scan of ``cell_identity`` per grain (an OR of them made PostgreSQL scan the office's cells).
    grains = (Grain.YEAR, cut.years), (Grain.HALF, cut.halves), (Grain.QUARTER, cut.quarters), (Grain.MONTH, cut.months)
    for grain, starts in grains:
        if len(starts) == 1:
            branches.append(_CELL_BRANCH.format(period="period_start = %s", **cell))
            params += [office.pk, grain, *starts, campaign_id]
        elif starts:
            # The range first: with the list alone PostgreSQL read every cell of the office through its scope
            # index and filtered them (845 rows for a county's two months); the range keeps it in ``cell_identity``.
            marks = ", ".join(["%s"] * len(starts))
            period = f"period_start BETWEEN %s AND %s AND period_start IN ({marks})"
            branches.append(_CELL_BRANCH.format(period=period, **cell))
            params += [office.pk, grain, min(starts), max(starts), *starts, campaign_id]
    for lo, hi in cut.days:
        branches.append(_CELL_BRANCH.format(period="period_start BETWEEN %s AND %s", **cell))
        params += [office.pk, Grain.DAY, lo, hi, campaign_id]
    # The records of the partial months no cell covers. The jurisdiction is ``Measure.objects.within``'s: the
    # office's subtree by its path (``path__subtree``'s condition; the root: every measure of an office).
    root = office.parent_id is None
    through = Measure.campaigns.through._meta.db_table
    raw = _RAW_BRANCH.format(
        measure=q(Measure._meta.db_table),
        office_join="" if root else f"JOIN {q(Office._meta.db_table)} o ON o.id = m.office_id ",
        subject=q(Subject._meta.db_table),
        target=q(MeasureTarget._meta.db_table),
        jurisdiction="m.office_id IS NOT NULL" if root else paths.condition("o.path", connection.vendor),
        tagged=(
            f" AND EXISTS (SELECT 1 FROM {q(through)} c WHERE c.measure_id = m.id AND c.campaign_id = %s)"  # noqa: S608
            if campaign_id
            else ""
        ),
    )
    # The days themselves rather than ranges: one branch (planning a second join of five tables cost more than
    # running it), one index scan of exactly those days per office (at most two partial months of days).
    days = [lo + dt.timedelta(days=i) for lo, hi in cut.raw for i in range((hi - lo).days + 1)]
    if days:
        branches.append(raw.format(days=", ".join(["%s"] * len(days))))
        params += days
        if not root:
            params += paths.bounds(office.path)
        if campaign_id:
            params.append(campaign_id)
    if metrics_on is not None:
        branches.append(
            _METRIC_BRANCH.format(
                order=q("order"), key=q("key"), metric=q(Metric._meta.db_table), metric_set=q(MetricSet._meta.db_table)
            )
        )
        params.append(metrics_on)
    if not branches:  # a period without a day (``date_to`` before ``date_from``)
        return "SELECT 'x', 0, 0, 0, 0, '', '', '', '', NULL, NULL WHERE 1 = 0", []
    return " UNION ALL ".join(branches), params


def _merged(ranges: list[tuple[dt.date, dt.date]]) -> list[tuple[dt.date, dt.date]]:
    """Adjacent date ranges joined, so that consecutive months are one query."""
    out: list[tuple[dt.date, dt.date]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + dt.timedelta(days=1):
            out[-1] = (out[-1][0], max(hi, out[-1][1]))
        else:
            out.append((lo, hi))
    return out


def _add_raw(tallies: dict[tuple[str, str], Tally], measures: Any) -> None:
    """Count measures no cell covers (a queryset of them), by the one rule, in one query (targets joined)."""
    rows = measures.values_list(
        "id", "type", "quantity", "addressee_id", "addressee__kind", "targets__subject_id", "targets__subject__kind"
    ).order_by("id")
    grouped: dict[int, tuple[str, int, Aimed | None, list[Aimed]]] = {}
    for mid, mtype, quantity, addressee, addressee_kind, sid, kind in rows:
        got = grouped.get(mid)
        if got is None:
            got = grouped[mid] = (mtype, quantity or 0, (addressee, addressee_kind) if addressee else None, [])
        if sid is not None:
            got[3].append((sid, kind))
    _count_raw(tallies, grouped.values())


def _count_raw(
    tallies: dict[tuple[str, str], Tally], measures: Iterable[tuple[str, int, Aimed | None, list[Aimed]]]
) -> None:
    """Add measures (type, quantity, addressee, targets) by the one rule, ``contributions``."""
    subjects: dict[tuple[str, str], set[int]] = defaultdict(set)
    for mtype, quantity, addressee, aimed in measures:
        for kind, sids in contributions(aimed, addressee).items():
            t = tallies[(mtype, kind)]
            t.events += 1
            t.quantity += quantity
            subjects[(mtype, kind)] |= sids
    for key, sids in subjects.items():
        if sids:
            tallies[key].raw |= BitMap(sids)


def metric_set_for(date_from: dt.date) -> MetricSet | None:
    """The metric set in force for a period: the latest one in force on its first day (``_METRIC_BRANCH``)."""
    return MetricSet.objects.filter(valid_from__lte=date_from).order_by("-valid_from", "-id").first()


def report_data(*, office: Office, date_from: dt.date, date_to: dt.date, campaign_id: int = 0) -> dict[str, Any]:
    """The JSON report: the metric set in force and every measure type's counts."""
    figs, metrics = _read(office, date_from, date_to, campaign_id, metrics_on=date_from)
    return data_of(figs, metrics)


def data_of(figs: Figures, wanted: list[Metric]) -> dict[str, Any]:
    """The JSON report of ``figs`` with the figures of the metrics ``wanted`` (their set's, in order)."""
    # Every bitmap a union will need, in one query.
    keys = [(t, ANY) for t in MeasureType.values]
    for m in wanted:
        if m.counting == Counting.SUBJECTS:
            keys += [(t, k) for t in m.measure_types for k in m.subject_kinds or [ANY]]
    figs.prefetch([k for k in keys if len(figs.tallies.get(k, Tally()).cells) > 1 or figs.tallies.get(k, Tally()).raw])
    metrics = {m.key: figs.metric(m) for m in wanted}
    return {
        "period": {"from": figs.date_from.isoformat(), "to": figs.date_to.isoformat()},
        "office": figs.office.code,
        "metrics": metrics,
        "measures": figs.measures_table(),
    }


# Who reads the figures of their jurisdiction (aggregates only, never an individual case): the one rule the
# pages, the API and any later interface ask.
FIGURE_READERS = ("statistician", "inspector", "office_head")


def figures_office(*, actor: Actor, code: str = "") -> Office:
    """The office whose figures ``actor`` asks for (their own unless ``code`` names another): refused without a
    figure reader's role; an office outside the actor's jurisdiction does not exist for them."""
    require_role(actor, *FIGURE_READERS, doing=_("Reading the figures"))
    own = getattr(actor, "office", None)
    office = Office.objects.filter(code=code).first() if code else own
    if office is None:
        raise NotFound(_("office not found"))
    require_within(actor, office, doing=_("Reading the figures"))
    return office
