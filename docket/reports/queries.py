"""Figures for a period, an office's jurisdiction and optionally a campaign — from the aggregate cells.

A period is cut into whole years, whole months and single days, each read from the cells where the office
keeps that grain (``aggregates.CELL_GRAINS``); what no kept cell covers (a city's or county's partial months)
is counted from the measures themselves by the same rule (``aggregates.contributions``), so any period gives
exact figures.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from pyroaring import BitMap, FrozenBitMap

from docket.core.dates import next_month
from docket.core.errors import NotFound
from docket.core.vocabulary import MeasureType
from docket.measures.filtersets import aimed_at_kinds
from docket.measures.models import Measure
from docket.officers.actors import Actor
from docket.officers.permissions import require_role, require_within
from docket.offices.models import Office
from docket.reports.aggregates import ANY, CELL_GRAINS, contributions
from docket.reports.bitmaps import bitmaps, union
from docket.reports.models import Cell, Counting, Grain, Metric, MetricSet


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
        if len(cells) == 1 and not any(t.raw for t in tallies):
            return self.cell_distinct[cells[0]]
        return len(self.subject_ids(keys))

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
    """A period cut into what the cells answer (years, months, day ranges) and what is counted raw."""

    years: list[dt.date]
    months: list[dt.date]
    days: list[tuple[dt.date, dt.date]]
    raw: list[tuple[dt.date, dt.date]]


def parts(date_from: dt.date, date_to: dt.date, kept: tuple[str, ...]) -> Parts:
    years: list[dt.date] = []
    months: list[dt.date] = []
    partial: list[tuple[dt.date, dt.date]] = []
    month = date_from.replace(day=1)
    while month <= date_to:
        whole_year = month.month == 1 and month >= date_from and dt.date(month.year, 12, 31) <= date_to
        if whole_year and Grain.YEAR in kept:
            years.append(month)
            month = month.replace(year=month.year + 1)
            continue
        nxt = next_month(month)
        last = nxt - dt.timedelta(days=1)
        lo, hi = max(month, date_from), min(last, date_to)
        if lo == month and hi == last and Grain.MONTH in kept:
            months.append(month)
        else:
            partial.append((lo, hi))
        month = nxt
    partial = _merged(partial)
    if Grain.DAY in kept:
        return Parts(years, months, partial, [])
    return Parts(years, months, [], partial)


def figures(*, office: Office, date_from: dt.date, date_to: dt.date, campaign_id: int = 0) -> Figures:
    """Every measure type's events, distinct subjects and quantity, per subject kind."""
    tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
    cell_distinct: dict[int, int] = {}
    cell_digest: dict[int, bytes] = {}
    cut = parts(date_from, date_to, CELL_GRAINS.get(office.level, ()))
    # One index range scan of ``cell_identity`` per grain (an OR of them made PostgreSQL scan the office's cells).
    cells = Cell.objects.filter(scope=office, campaign_id=campaign_id)
    pieces = []
    if cut.years:
        pieces.append(cells.filter(grain=Grain.YEAR, period_start__in=cut.years))
    if cut.months:
        pieces.append(cells.filter(grain=Grain.MONTH, period_start__in=cut.months))
    pieces += [cells.filter(grain=Grain.DAY, period_start__range=(lo, hi)) for lo, hi in cut.days]
    columns = ("pk", "measure_type", "subject_kind", "events", "quantity", "distinct", "digest")
    if pieces:
        first, *rest = [p.values_list(*columns).order_by() for p in pieces]
        for pk, mtype, kind, events, quantity, distinct, digest in first.union(*rest, all=True) if rest else first:
            t = tallies[(mtype, kind)]
            t.events += events
            t.quantity += quantity
            t.cells.append(pk)
            cell_distinct[pk] = distinct
            cell_digest[pk] = bytes(digest) if digest else b""
    if cut.raw:
        # The partial months at both ends in one query (each range an index range scan of the office's measures).
        days = Q()
        for lo, hi in cut.raw:
            days |= Q(taken_on__range=(lo, hi))
        _add_raw(tallies, _measures(office, cut.raw[0][0], cut.raw[-1][1], campaign_id).filter(days))
    return Figures(office, date_from, date_to, campaign_id, dict(tallies), cell_distinct, cell_digest)


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
    """Count measures no cell covers, by the one rule, in one query (targets joined)."""
    rows = measures.values_list(
        "id", "type", "quantity", "addressee_id", "addressee__kind", "targets__subject_id", "targets__subject__kind"
    ).order_by("id")
    subjects: dict[tuple[str, str], set[int]] = defaultdict(set)

    def count(row: tuple[Any, ...], aimed: list[tuple[int, str]]) -> None:
        _mid, mtype, quantity, addressee, addressee_kind = row
        for kind, sids in contributions(aimed, (addressee, addressee_kind) if addressee else None).items():
            t = tallies[(mtype, kind)]
            t.events += 1
            t.quantity += quantity or 0
            subjects[(mtype, kind)] |= sids

    current: tuple[Any, ...] | None = None
    aimed: list[tuple[int, str]] = []
    for mid, mtype, quantity, addressee, addressee_kind, sid, kind in rows:
        if current is None or current[0] != mid:
            if current is not None:
                count(current, aimed)
            current, aimed = (mid, mtype, quantity, addressee, addressee_kind), []
        if sid is not None:
            aimed.append((sid, kind))
    if current is not None:
        count(current, aimed)
    for key, sids in subjects.items():
        if sids:
            tallies[key].raw |= BitMap(sids)


def metric_set_for(date_from: dt.date) -> MetricSet | None:
    """The metric set in force for a period: the latest one in force on its first day."""
    return MetricSet.objects.filter(valid_from__lte=date_from).order_by("-valid_from").first()


def report_data(*, office: Office, date_from: dt.date, date_to: dt.date, campaign_id: int = 0) -> dict[str, Any]:
    """The JSON report: the metric set in force and every measure type's counts."""
    figs = figures(office=office, date_from=date_from, date_to=date_to, campaign_id=campaign_id)
    return data_of(figs, metric_set_for(date_from))


def data_of(figs: Figures, metric_set: MetricSet | None) -> dict[str, Any]:
    wanted = list(metric_set.metrics.all()) if metric_set else []
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
