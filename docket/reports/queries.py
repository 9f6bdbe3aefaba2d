"""Figures for a period, an office's jurisdiction and optionally a campaign — from the aggregate cells.

Whole months are read from the cells; the days of a partial first or last month are counted from the
measures themselves (the same rules), so any period gives exact figures.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from pyroaring import BitMap

from docket.measures.models import Measure, MeasureTarget
from docket.measures.types import MeasureType
from docket.offices.models import Office
from docket.reports.aggregates import ANY
from docket.reports.models import Cell, Counting, Metric, MetricSet


@dataclass
class Tally:
    events: int = 0
    quantity: int = 0
    subjects: BitMap = field(default_factory=BitMap)


@dataclass
class Figures:
    office: Office
    date_from: dt.date
    date_to: dt.date
    campaign_id: int
    tallies: dict[tuple[str, str], Tally]
    # For event and quantity metrics over several kinds, a measure aimed at two of them counts once.
    multi_kind: dict[tuple[frozenset[str], frozenset[str]], tuple[int, int]] = field(default_factory=dict)

    def measures_table(self) -> dict[str, dict[str, int]]:
        out = {}
        for mtype in MeasureType.values:
            t = self.tallies.get((mtype, ANY), Tally())
            out[mtype] = {"events": t.events, "subjects": len(t.subjects), "quantity": t.quantity}
        return out

    def metric(self, metric: Metric) -> int:
        types = list(metric.measure_types)
        kinds = list(metric.subject_kinds) or [ANY]
        if metric.counting == Counting.SUBJECTS:
            union = BitMap()
            for t in types:
                for k in kinds:
                    union |= self.tallies.get((t, k), Tally()).subjects
            return len(union)
        if len(kinds) == 1:
            total = Tally()
            for t in types:
                tally = self.tallies.get((t, kinds[0]), Tally())
                total.events += tally.events
                total.quantity += tally.quantity
            return total.events if metric.counting == Counting.EVENTS else total.quantity
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


def _months(date_from: dt.date, date_to: dt.date) -> tuple[list[dt.date], list[tuple[dt.date, dt.date]]]:
    """Whole months inside the period, and the partial ranges at its ends."""
    whole, partial = [], []
    month = date_from.replace(day=1)
    while month <= date_to:
        nxt = (month + dt.timedelta(days=32)).replace(day=1)
        last = nxt - dt.timedelta(days=1)
        lo, hi = max(month, date_from), min(last, date_to)
        if lo == month and hi == last:
            whole.append(month)
        else:
            partial.append((lo, hi))
        month = nxt
    return whole, partial


def figures(*, office: Office, date_from: dt.date, date_to: dt.date, campaign_id: int = 0) -> Figures:
    """Every measure type's events, distinct subjects and quantity, per subject kind."""
    tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
    whole, partial = _months(date_from, date_to)
    if whole:
        cells = Cell.objects.filter(scope=office, campaign_id=campaign_id, month__in=whole).values_list(
            "measure_type", "subject_kind", "events", "quantity", "subjects"
        )
        bitmaps: dict[tuple[str, str], list[BitMap]] = defaultdict(list)
        for mtype, kind, events, quantity, subjects in cells:
            t = tallies[(mtype, kind)]
            t.events += events
            t.quantity += quantity
            if subjects:
                bitmaps[(mtype, kind)].append(BitMap.deserialize(bytes(subjects)))
        for key, maps in bitmaps.items():
            tallies[key].subjects = BitMap.union(*maps) if len(maps) > 1 else maps[0]
    for lo, hi in partial:
        _add_raw(tallies, _measures(office, lo, hi, campaign_id))
    return Figures(office, date_from, date_to, campaign_id, dict(tallies))


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
            t.subjects |= BitMap(sids)


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
