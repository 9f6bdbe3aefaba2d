"""Aggregate cells kept exact as measures change.

Every service that creates, changes or deletes a measure calls ``cells_add`` / ``cells_remove`` for it in
its own transaction. A measure contributes to the cells of every office above it (and its own) that keeps
cells, for "all campaigns" and each campaign it is tagged with, and for each kind of subject it is aimed at
as well as for "any kind". Counters add and subtract; a subject leaves a cell's bitmap only when no other
measure of that cell still aims at it.

Cells are kept where counting the records would be slow: month and year cells for the national and
provincial offices, year cells for city offices. A county's jurisdiction, or a city's single months, hold
few enough records to count directly (``reports.queries`` does), and leaving those cells out is what keeps
a bulk import from writing several cells for every measure it loads.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pyroaring import BitMap

from docket.core.bulk import bulk_insert, bulk_update
from docket.core.dates import next_month
from docket.measures.models import Measure, MeasureTarget
from docket.offices.models import Level, Office
from docket.reports.models import Cell, Grain

ANY = "*"
CELL_COLUMNS = (
    "scope_id",
    "grain",
    "period_start",
    "campaign_id",
    "measure_type",
    "subject_kind",
    "events",
    "quantity",
    "subjects",
    "distinct",
)
# scope office id, grain ("M"/"Y"), period start, campaign id (0 = all), type, kind
Key = tuple[int, str, dt.date, int, str, str]
# The grains of cell each level of office keeps.
CELL_GRAINS: dict[str, tuple[str, ...]] = {
    Level.NATIONAL: (Grain.MONTH, Grain.YEAR),
    Level.PROVINCE: (Grain.MONTH, Grain.YEAR),
    Level.CITY: (Grain.YEAR,),
}
# An office that keeps cells, with the grains it keeps.
Scope = tuple[int, tuple[str, ...]]


@dataclass
class Delta:
    events: int = 0
    quantity: int = 0
    subjects: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Fact:
    """What one measure contributes: read once from the database."""

    id: int
    scopes: tuple[Scope, ...]
    month: dt.date
    type: str
    quantity: int
    campaigns: tuple[int, ...]
    subjects: tuple[tuple[int, str], ...]


def _chunks(ids: list[int], size: int = 900) -> Iterable[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def scopes_of(paths: Iterable[str]) -> dict[str, tuple[Scope, ...]]:
    """Office path → the offices on it (itself and those above) that keep cells, with their grains."""
    paths = set(paths)
    codes = {c for p in paths for c in p.strip("/").split("/")}
    found: dict[str, Scope] = {}
    code_list = sorted(codes)
    for i in range(0, len(code_list), 900):
        for code, pk, level in Office.objects.filter(code__in=code_list[i : i + 900]).values_list(
            "code", "id", "level"
        ):
            if level in CELL_GRAINS:
                found[code] = (pk, CELL_GRAINS[level])
    return {p: tuple(found[c] for c in p.strip("/").split("/") if c in found) for p in paths}


def facts(measure_ids: Iterable[int]) -> list[Fact]:
    ids = sorted(set(measure_ids))
    targets: dict[int, list[tuple[int, str]]] = defaultdict(list)
    tags: dict[int, list[int]] = defaultdict(list)
    rows = []
    through = Measure.campaigns.through
    for chunk in _chunks(ids):
        rows += list(
            Measure.objects.filter(id__in=chunk).values_list(
                "id", "office__path", "taken_on", "type", "quantity", "addressee_id", "addressee__kind"
            )
        )
        for mid, sid, kind in MeasureTarget.objects.filter(measure_id__in=chunk).values_list(
            "measure_id", "subject_id", "subject__kind"
        ):
            targets[mid].append((sid, kind))
        for mid, cid in through.objects.filter(measure_id__in=chunk).values_list("measure_id", "campaign_id"):
            tags[mid].append(cid)
    scopes = scopes_of(r[1] for r in rows)
    out = []
    for mid, path, taken_on, mtype, quantity, addressee, addressee_kind in rows:
        subjects = targets.get(mid) or ([(addressee, addressee_kind)] if addressee else [])
        out.append(
            Fact(
                id=mid,
                scopes=scopes[path],
                month=taken_on.replace(day=1),
                type=mtype,
                quantity=quantity or 0,
                campaigns=tuple(tags.get(mid, ())),
                subjects=tuple(subjects),
            )
        )
    return out


def deltas(items: Iterable[Fact]) -> dict[Key, Delta]:
    out: dict[Key, Delta] = defaultdict(Delta)
    for f in items:
        kinds: dict[str, set[int]] = defaultdict(set)
        for sid, kind in f.subjects:
            kinds[kind].add(sid)
            kinds[ANY].add(sid)
        kinds.setdefault(ANY, set())
        year = f.month.replace(month=1)
        for scope, grains in f.scopes:
            for grain, start in ((Grain.MONTH, f.month), (Grain.YEAR, year)):
                if grain not in grains:
                    continue
                for campaign in (0, *f.campaigns):
                    for kind, sids in kinds.items():
                        d = out[(scope, grain, start, campaign, f.type, kind)]
                        d.events += 1
                        d.quantity += f.quantity
                        d.subjects |= sids
    return out


def _locked_cells(keys: Iterable[Key]) -> dict[Key, Cell]:
    """The existing cells for ``keys``, locked for update (a superset is read, then filtered)."""
    wanted = set(keys)
    if not wanted:
        return {}
    scopes = sorted({k[0] for k in wanted})
    starts = sorted({k[2] for k in wanted})
    types = sorted({k[4] for k in wanted})
    found: dict[Key, Cell] = {}
    for i in range(0, len(scopes), 500):
        cells = Cell.objects.select_for_update().filter(
            scope_id__in=scopes[i : i + 500], period_start__in=starts, measure_type__in=types
        )
        for cell in cells:
            key = (cell.scope_id, cell.grain, cell.period_start, cell.campaign_id, cell.measure_type, cell.subject_kind)
            if key in wanted:
                found[key] = cell
    return found


def cells_add_facts(items: Iterable[Fact]) -> None:
    """Add contributions already known in memory (bulk writers that have just inserted the rows)."""
    _apply(deltas(items), +1, set())


def cells_add(measure_ids: Iterable[int]) -> None:
    """Add measures' contributions. Call after the measures, their targets and tags are saved."""
    _apply(deltas(facts(measure_ids)), +1, set())


def cells_remove(measure_ids: Iterable[int]) -> None:
    """Take measures' contributions away. Call before the measures change or go."""
    ids = set(measure_ids)
    _apply(deltas(facts(ids)), -1, ids)


def _apply(changes: dict[Key, Delta], sign: int, removed: set[int]) -> None:
    if not changes:
        return
    if sign > 0:
        cells_merge({key: (d.events, d.quantity, BitMap(d.subjects)) for key, d in changes.items()})
        return
    cells = _locked_cells(changes)
    still = _still_aimed_at(changes, removed)
    changed: list[tuple[Any, ...]] = []
    for key, d in changes.items():
        cell = cells.get(key)
        if cell is None:
            raise RuntimeError(f"aggregate cell {key} is missing: run `docket aggregates rebuild`")
        bitmap = BitMap.deserialize(bytes(cell.subjects)) if cell.subjects else BitMap()
        bitmap -= BitMap(d.subjects - still.get(key, set()))
        bitmap.run_optimize()  # the same canonical form a rebuild writes
        changed.append((cell.events - d.events, cell.quantity - d.quantity, bitmap.serialize(), len(bitmap), cell.pk))
    bulk_update(Cell._meta.db_table, ("events", "quantity", "subjects", "distinct"), changed)


def cells_merge(additions: dict[Key, tuple[int, int, BitMap]]) -> None:
    """Add (events, quantity, subjects) to cells: existing ones locked and updated, missing ones created."""
    if not additions:
        return
    cells = _locked_cells(additions)
    new: list[tuple[Any, ...]] = []
    changed: list[tuple[Any, ...]] = []
    for key, (events, quantity, subjects) in additions.items():
        cell = cells.get(key)
        bitmap = BitMap(subjects)
        if cell is not None and cell.subjects:
            bitmap |= BitMap.deserialize(bytes(cell.subjects))
        bitmap.run_optimize()  # the same canonical form a rebuild writes
        if cell is None:
            new.append((*key, events, quantity, bitmap.serialize(), len(bitmap)))
        else:
            changed.append((cell.events + events, cell.quantity + quantity, bitmap.serialize(), len(bitmap), cell.pk))
    bulk_insert(Cell._meta.db_table, CELL_COLUMNS, new)
    bulk_update(Cell._meta.db_table, ("events", "quantity", "subjects", "distinct"), changed)


def _still_aimed_at(changes: dict[Key, Delta], removed: set[int]) -> dict[Key, set[int]]:
    """For each cell losing subjects: those another (remaining) measure of the same cell still aims at."""
    paths = dict(Office.objects.filter(id__in={k[0] for k in changes}).values_list("id", "path"))
    out: dict[Key, set[int]] = {}
    for key, d in changes.items():
        if not d.subjects:
            continue
        scope, grain, start, campaign, mtype, kind = key
        end = start.replace(year=start.year + 1) if grain == "Y" else next_month(start)
        measures = Measure.objects.filter(
            type=mtype, taken_on__gte=start, taken_on__lt=end, office__path__startswith=paths[scope]
        ).exclude(id__in=removed)
        if campaign:
            measures = measures.filter(campaigns=campaign)
        targets = MeasureTarget.objects.filter(measure__in=measures, subject_id__in=d.subjects)
        addressed = measures.filter(addressee_id__in=d.subjects, targets__isnull=True)
        if kind != ANY:
            targets = targets.filter(subject__kind=kind)
            addressed = addressed.filter(addressee__kind=kind)
        out[key] = set(targets.values_list("subject_id", flat=True)) | set(
            addressed.values_list("addressee_id", flat=True)
        )
    return out


def cells_rebuild(*, batch: int = 20000, progress: object = None) -> int:
    """Recompute every cell from the measures (after a bulk load, or to check the cells)."""
    Cell.objects.all().delete()
    ids = list(Measure.objects.order_by("id").values_list("id", flat=True))
    total: dict[Key, Delta] = defaultdict(Delta)
    for i in range(0, len(ids), batch):
        for key, d in deltas(facts(ids[i : i + batch])).items():
            t = total[key]
            t.events += d.events
            t.quantity += d.quantity
            t.subjects |= d.subjects
        if progress is not None:
            progress.update(len(ids[i : i + batch]))  # type: ignore[attr-defined]
    bulk_insert(
        Cell._meta.db_table,
        CELL_COLUMNS,
        [(*k, d.events, d.quantity, BitMap(d.subjects).serialize(), len(d.subjects)) for k, d in total.items()],
    )
    return len(ids)
