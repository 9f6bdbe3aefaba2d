"""Figures for a period, an office's jurisdiction and optionally a campaign — from the aggregate cells.

Whole years and months are read from the cells where the office keeps them (``aggregates.CELL_GRAINS``);
the rest — the days of a partial first or last month, and the periods of an office that keeps no cell of
that grain — are counted from the measures themselves by the same rules, so any period gives exact figures.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from pyroaring import BitMap

from docket.core.dates import next_month
from docket.measures.models import Measure, MeasureTarget
from docket.measures.types import MeasureType
from docket.offices.models import Office
from docket.reports.aggregates import ANY, CELL_GRAINS
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
    _bitmaps: dict[int, BitMap] = field(default_factory=dict)
    # For event and quantity metrics over several kinds, a measure aimed at two of them counts once.
    multi_kind: dict[tuple[frozenset[str], frozenset[str]], tuple[int, int]] = field(default_factory=dict)

    def subject_ids(self, keys: list[tuple[str, str]]) -> BitMap:
        """The distinct subjects of the given (type, kind) tallies, as one bitmap."""
        tallies = [self.tallies[k] for k in keys if k in self.tallies]
        cells = [c for t in tallies for c in t.cells]
        missing = [c for c in cells if c not in self._bitmaps]
        if missing:
            for pk, data in Cell.objects.filter(pk__in=missing).values_list("pk", "subjects"):
                self._bitmaps[pk] = BitMap.deserialize(bytes(data)) if data else BitMap()
        parts = [self._bitmaps[c] for c in cells] + [t.raw for t in tallies if t.raw]
        return BitMap.union(*parts) if len(parts) > 1 else (BitMap(parts[0]) if parts else BitMap())

    def subject_count(self, keys: list[tuple[str, str]]) -> int:
        tallies = [self.tallies[k] for k in keys if k in self.tallies]
        cells = [c for t in tallies for c in t.cells]
        if len(cells) == 1 and not any(t.raw for t in tallies):
            return self.cell_distinct[cells[0]]
        return len(self.subject_ids(keys))

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
            qs = _measures(self.office, self.date_from, self.date_to, self.campaign_id).filter(type__in=types)
            ids = set(
                MeasureTarget.objects.filter(measure__in=qs, subject__kind__in=kinds).values_list(
                    "measure_id", flat=True
                )
            ) | set(qs.filter(targets__isnull=True, addressee__kind__in=kinds).values_list("id", flat=True))
            quantity = sum(q or 0 for q in Measure.objects.filter(id__in=ids).values_list("quantity", flat=True))
            self.multi_kind[key] = (len(ids), quantity)
        return self.multi_kind[key]


def _measures(office: Office, date_from: dt.date, date_to: dt.date, campaign_id: int) -> Any:
    qs = Measure.objects.within(office).filter(taken_on__range=(date_from, date_to))
    return qs.filter(campaigns=campaign_id) if campaign_id else qs


def _periods(
    date_from: dt.date, date_to: dt.date
) -> tuple[list[dt.date], list[dt.date], list[tuple[dt.date, dt.date]]]:
    """Whole years, whole months outside them, and the partial ranges at the ends of the period."""
    years, whole, partial = [], [], []
    month = date_from.replace(day=1)
    while month <= date_to:
        if month.month == 1 and month >= date_from and dt.date(month.year, 12, 31) <= date_to:
            years.append(month)
            month = month.replace(year=month.year + 1)
            continue
        nxt = next_month(month)
        last = nxt - dt.timedelta(days=1)
        lo, hi = max(month, date_from), min(last, date_to)
        if lo == month and hi == last:
            whole.append(month)
        else:
            partial.append((lo, hi))
        month = nxt
    return years, whole, partial


def figures(*, office: Office, date_from: dt.date, date_to: dt.date, campaign_id: int = 0) -> Figures:
    """Every measure type's events, distinct subjects and quantity, per subject kind."""
    tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
    cell_distinct: dict[int, int] = {}
    years, months, partial = _periods(date_from, date_to)
    kept = CELL_GRAINS.get(office.level, ())
    if Grain.YEAR not in kept:
        months = sorted(months + [y.replace(month=m) for y in years for m in range(1, 13)])
        years = []
    if Grain.MONTH not in kept:
        partial += [(m, next_month(m) - dt.timedelta(days=1)) for m in months]
        months = []
    grains = Q()
    if years:
        grains |= Q(grain=Grain.YEAR, period_start__in=years)
    if months:
        grains |= Q(grain=Grain.MONTH, period_start__in=months)
    if years or months:
        cells = Cell.objects.filter(grains, scope=office, campaign_id=campaign_id).values_list(
            "pk", "measure_type", "subject_kind", "events", "quantity", "distinct"
        )
        for pk, mtype, kind, events, quantity, distinct in cells:
            t = tallies[(mtype, kind)]
            t.events += events
            t.quantity += quantity
            t.cells.append(pk)
            cell_distinct[pk] = distinct
    for lo, hi in _merged(partial):
        _add_raw(tallies, _measures(office, lo, hi, campaign_id))
    return Figures(office, date_from, date_to, campaign_id, dict(tallies), cell_distinct)


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
    rows = list(measures.values_list("id", "type", "quantity", "addressee_id", "addressee__kind"))
    targets: dict[int, list[tuple[int, str]]] = defaultdict(list)
    ids = [r[0] for r in rows]
    for i in range(0, len(ids), 900):
        for mid, sid, kind in MeasureTarget.objects.filter(measure_id__in=ids[i : i + 900]).values_list(
            "measure_id", "subject_id", "subject__kind"
        ):
            targets[mid].append((sid, kind))
    for mid, mtype, quantity, addressee, addressee_kind in rows:
        subjects = targets.get(mid) or ([(addressee, addressee_kind)] if addressee else [])
        kinds: dict[str, set[int]] = defaultdict(set)
        for sid, kind in subjects:
            kinds[kind].add(sid)
            kinds[ANY].add(sid)
        kinds.setdefault(ANY, set())
        for kind, sids in kinds.items():
            t = tallies[(mtype, kind)]
            t.events += 1
            t.quantity += quantity or 0
            t.raw |= BitMap(sids)


def metric_set_for(date_from: dt.date) -> MetricSet | None:
    """The metric set in force for a period: the latest one in force on its first day."""
    return MetricSet.objects.filter(valid_from__lte=date_from).order_by("-valid_from").first()


def report_data(*, office: Office, date_from: dt.date, date_to: dt.date, campaign_id: int = 0) -> dict[str, Any]:
    """The JSON report: the metric set in force and every measure type's counts."""
    figs = figures(office=office, date_from=date_from, date_to=date_to, campaign_id=campaign_id)
    metric_set = metric_set_for(date_from)
    metrics = {m.key: figs.metric(m) for m in metric_set.metrics.all()} if metric_set else {}
    return {
        "period": {"from": date_from.isoformat(), "to": date_to.isoformat()},
        "office": office.code,
        "metrics": metrics,
        "measures": figs.measures_table(),
    }
