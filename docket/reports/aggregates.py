"""Aggregate cells kept exact as measures change, and the one counting rule that turns measures into figures.

**The counting rule** (``contributions``): a measure counts at the subjects it is aimed at (its targets; an
order without targets, at the subject it is addressed to). For each kind of those subjects, and for "any kind"
(``ANY``, always), it adds one event, its quantity once, and its subjects of that kind. ``CELLS_SQL`` states
the same rule for bulk loads (the measures import and ``docket aggregates rebuild``); a test builds the cells
both ways and compares them byte for byte. ``reports.queries`` counts the records no cell covers with
``contributions`` too, and ``measures.filtersets.aimed_at_kinds`` selects the measures a figure of some kinds
counts (the report's drill-down lists), by the same rule.

Every service that creates, changes or deletes a measure calls ``cells_add`` / ``cells_remove`` for it in
its own transaction. A measure contributes to the cells of every office above it (and its own) that keeps
cells, for "all campaigns" and each campaign it is tagged with. Counters add and subtract; a subject leaves a
cell's bitmap only when no other measure of that cell still aims at it.

Which cells an office keeps (``CELL_GRAINS``) was decided by measurement (bench/report.py): day, month, quarter,
half-year and year cells for the national and provincial offices, so that any period is a few dozen cells (the
days of the partial months at its ends, then the fewest months, quarters, half-years and years that make up its
whole months); the same without days for city and county offices, whose partial months hold few enough records
to count in one query (day cells for the 3,000 of them would multiply the cells several times over). Without its
month cells a county's year was counted from its records, and took twice as long as one PostgreSQL query doing
the same; without quarters and half-years, the eleven month bitmaps of a national 2 January..31 December were
most of the time of its first report in a process (reading and unioning them).
"""

from __future__ import annotations

import array
import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import duckdb
from django.db import connection
from pyroaring import BitMap

from docket.core.bulk import analyze as analyze  # the bulk loads' ANALYZE, used by the cell rebuilds
from docket.core.bulk import bulk_insert, bulk_update
from docket.core.columnar import duck, register
from docket.core.dates import next_month
from docket.measures.models import Measure, MeasureTarget
from docket.measures.queries import targets_and_subjects_sql
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
    "digest",
)
# scope office id, grain ("D"/"M"/"Y"), period start, campaign id (0 = all), type, kind
Key = tuple[int, str, dt.date, int, str, str]
# The grains of cell each level of office keeps.
CELL_GRAINS: dict[str, tuple[str, ...]] = {
    Level.NATIONAL: (Grain.DAY, Grain.MONTH, Grain.QUARTER, Grain.HALF, Grain.YEAR),
    Level.PROVINCE: (Grain.DAY, Grain.MONTH, Grain.QUARTER, Grain.HALF, Grain.YEAR),
    Level.CITY: (Grain.MONTH, Grain.QUARTER, Grain.HALF, Grain.YEAR),
    Level.COUNTY: (Grain.MONTH, Grain.QUARTER, Grain.HALF, Grain.YEAR),
}
# An office that keeps cells, with the grains it keeps.
Scope = tuple[int, tuple[str, ...]]
# A subject a measure is aimed at: (subject id, its kind).
Aimed = tuple[int, str]


# The months a cell of each grain of months covers.
MONTHS: dict[str, int] = {Grain.MONTH: 1, Grain.QUARTER: 3, Grain.HALF: 6, Grain.YEAR: 12}


def period_start(grain: str, day: dt.date) -> dt.date:
    if grain == Grain.DAY:
        return day
    size = MONTHS[grain]
    return day.replace(month=(day.month - 1) // size * size + 1, day=1)


def period_end(grain: str, start: dt.date) -> dt.date:
    """The day after the period a cell starting on ``start`` covers."""
    if grain == Grain.DAY:
        return start + dt.timedelta(days=1)
    end = start
    for _ in range(MONTHS[grain]):
        end = next_month(end)
    return end


def contributions(targets: Iterable[Aimed], addressee: Aimed | None) -> dict[str, set[int]]:
    """THE counting rule: the subject kinds one measure counts under, each with its subjects of that kind.

    The measure adds one event and its quantity once to each kind returned (``ANY`` always, even for a
    measure aimed at nobody Docket knows), and the returned subjects to that kind's distinct subjects.
    """
    aimed = list(targets) or ([addressee] if addressee is not None and addressee[0] is not None else [])
    kinds: dict[str, set[int]] = {ANY: set()}
    for sid, kind in aimed:
        kinds.setdefault(kind, set()).add(sid)
        kinds[ANY].add(sid)
    return kinds


# The same rule in SQL, for bulk loads, over three DuckDB relations the caller names:
#   measures (id, office_id, taken_on DATE, type, quantity, addressee_id, addressee_kind),
#   targets (measure_id, subject_id, kind), campaigns (measure_id, campaign_id),
# and table ``sc`` (office_id, scope_id, grain): the cells each office's measures go to.
CELLS_SQL = """
CREATE TEMP TABLE _m AS {measures};
CREATE TEMP TABLE _t AS {targets};
CREATE TEMP TABLE _c AS {campaigns};
CREATE TEMP TABLE _aimed AS  -- the subjects a measure counts at: its targets, or its addressee when it has none
    SELECT measure_id, subject_id, kind FROM _t
    UNION ALL
    SELECT id, addressee_id, addressee_kind FROM _m
    WHERE addressee_id IS NOT NULL AND id NOT IN (SELECT measure_id FROM _t);
-- The kinds a measure counts under ("any kind" always, with no subject when it is aimed at nobody), each with
-- its subjects. "first" marks one row per (measure, kind), which counts the event and the quantity once.
CREATE TEMP TABLE _subjects AS
    SELECT measure_id, kind, subject_id,
        row_number() OVER (PARTITION BY measure_id, kind ORDER BY subject_id) = 1 AS first
    FROM (SELECT measure_id, kind, subject_id FROM _aimed UNION SELECT measure_id, '*', subject_id FROM _aimed)
    UNION ALL
    SELECT id, '*', NULL, true FROM _m WHERE id NOT IN (SELECT measure_id FROM _aimed);
CREATE TEMP TABLE _cg AS
    SELECT row_number() OVER (ORDER BY scope_id, grain, start, campaign, type, kind) - 1 AS g, *
    FROM (
        SELECT sc.scope_id, sc.grain,
            CASE sc.grain WHEN 'D' THEN m.taken_on WHEN 'M' THEN CAST(date_trunc('month', m.taken_on) AS DATE)
                WHEN 'Q' THEN CAST(date_trunc('quarter', m.taken_on) AS DATE)
                WHEN 'H' THEN make_date(year(m.taken_on), CASE WHEN month(m.taken_on) > 6 THEN 7 ELSE 1 END, 1)
                ELSE CAST(date_trunc('year', m.taken_on) AS DATE) END AS start,
            c.campaign, m.type, s.kind,
            count(*) FILTER (WHERE s.first) AS events,
            coalesce(sum(m.quantity) FILTER (WHERE s.first), 0) AS quantity,
            list(s.subject_id) FILTER (WHERE s.subject_id IS NOT NULL) AS sids  -- the bitmap drops repeats
        FROM _m m JOIN sc ON sc.office_id = m.office_id
        JOIN (SELECT id AS measure_id, 0 AS campaign FROM _m
              UNION ALL SELECT measure_id, campaign_id FROM _c) c ON c.measure_id = m.id
        JOIN _subjects s ON s.measure_id = m.id
        GROUP BY ALL
    )
    ORDER BY g;
"""
# The subjects of every cell, flat and in cell order (the table's insertion order).
CELL_MEMBERS_SQL = "SELECT g, CAST(unnest(sids) AS UINTEGER) AS sid FROM _cg"


def cells_from_duckdb(
    con: duckdb.DuckDBPyConnection, *, measures: str, targets: str, campaigns: str
) -> dict[Key, tuple[int, int, BitMap]]:
    """Every cell's (events, quantity, subjects) for the measures of the given DuckDB queries (``CELLS_SQL``)."""
    for table in ("sc", "_m", "_t", "_c", "_aimed", "_subjects", "_cg"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    con.execute(f"CREATE TEMP TABLE _offices AS SELECT DISTINCT office_id FROM ({measures})")  # noqa: S608
    office_ids = [r[0] for r in con.execute("SELECT office_id FROM _offices").fetchall()]
    con.execute("DROP TABLE _offices")
    paths: dict[int, str] = {}
    for i in range(0, len(office_ids), 900):
        paths.update(Office.objects.filter(id__in=office_ids[i : i + 900]).values_list("id", "path"))
    scopes = scopes_of(paths.values())
    rows = [(o, scope, g) for o, path in paths.items() for scope, grains in scopes[path] for g in grains]
    register(con, "sc", {"office_id": "BIGINT", "scope_id": "BIGINT", "grain": "VARCHAR"}, rows)
    con.execute(CELLS_SQL.format(measures=measures, targets=targets, campaigns=campaigns))
    groups = con.execute(
        "SELECT scope_id, grain, start, campaign, type, kind, events, quantity FROM _cg ORDER BY g"
    ).fetchall()
    # The subjects of every cell, flat and in cell order: one transfer, then one slice per bitmap.
    members = con.execute(CELL_MEMBERS_SQL).fetchnumpy()
    if len(members["g"]) > 1 and (members["g"][1:] < members["g"][:-1]).any():
        order = members["g"].argsort(kind="stable")
        members = {"g": members["g"][order], "sid": members["sid"][order]}
    bounds = members["g"].searchsorted(range(len(groups) + 1)) if groups else []
    sids = members["sid"]
    out: dict[Key, tuple[int, int, BitMap]] = {}
    for i, (scope, grain, start, campaign, mtype, kind, events, quantity) in enumerate(groups):
        bitmap = BitMap(array.array("I", sids[bounds[i] : bounds[i + 1]].tobytes()))
        out[(int(scope), grain, start, int(campaign), mtype, kind)] = (int(events), int(quantity or 0), bitmap)
    return out


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
    # The measure's targets (``contributions`` falls back to the addressee when there are none).
    subjects: tuple[Aimed, ...]
    day: dt.date | None = None
    addressee: Aimed | None = None


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


def facts(measure_ids: Iterable[int], *, kinds_only: bool = False) -> list[Fact]:
    """What each measure contributes. With ``kinds_only``, one target of each kind stands for all the targets of
    that kind: enough for the cells a measure counts in and what it adds to their events and quantity, not for
    their distinct subjects (a change of quantity alone; an order of thousands of accounts then reads one row)."""
    ids = sorted(set(measure_ids))
    targets: dict[int, list[Aimed]] = defaultdict(list)
    tags: dict[int, list[int]] = defaultdict(list)
    rows = []
    through = Measure.campaigns.through
    for chunk in _chunks(ids):
        rows += list(
            Measure.objects.filter(id__in=chunk).values_list(
                "id", "office__path", "taken_on", "type", "quantity", "addressee_id", "addressee__kind"
            )
        )
        if kinds_only:
            for mid, sid, kind in _one_target_per_kind(chunk):
                targets[mid].append((sid, kind))
        else:
            for mid, sid, kind in MeasureTarget.objects.filter(measure_id__in=chunk).values_list(
                "measure_id", "subject_id", "subject__kind"
            ):
                targets[mid].append((sid, kind))
        for mid, cid in through.objects.filter(measure_id__in=chunk).values_list("measure_id", "campaign_id"):
            tags[mid].append(cid)
    scopes = scopes_of(r[1] for r in rows)
    return [
        Fact(
            id=mid,
            scopes=scopes[path],
            month=taken_on.replace(day=1),
            type=mtype,
            quantity=quantity or 0,
            campaigns=tuple(tags.get(mid, ())),
            subjects=tuple(targets.get(mid, ())),
            day=taken_on,
            addressee=(addressee, addressee_kind) if addressee else None,
        )
        for mid, path, taken_on, mtype, quantity, addressee, addressee_kind in rows
    ]


def _one_target_per_kind(measure_ids: list[int]) -> list[tuple[int, int, str]]:
    """(measure, its lowest subject of the kind, kind) for each kind the measures' targets are of; each target's
    subject read by key (``targets_and_subjects_sql``), so the cost follows the orders, not the registry."""
    marks = ", ".join(["%s"] * len(measure_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.measure_id, MIN(t.subject_id), s.kind FROM {targets_and_subjects_sql()} "  # noqa: S608
            f"WHERE t.measure_id IN ({marks}) GROUP BY t.measure_id, s.kind",
            measure_ids,
        )
        return [(int(m), int(sid), str(kind)) for m, sid, kind in cursor.fetchall()]


def deltas(items: Iterable[Fact]) -> dict[Key, Delta]:
    out: dict[Key, Delta] = defaultdict(Delta)
    for f in items:
        if f.day is None:
            raise ValueError("a fact without its day cannot update day cells: read it with facts()")
        kinds = contributions(f.subjects, f.addressee)
        for scope, grains in f.scopes:
            for grain in grains:
                start = period_start(grain, f.day)
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
    """Add the contributions of measures a bulk writer has just inserted.

    Only the measures' ids are taken from ``items``: what they count is read back from the rows written, by
    the one rule, so a bulk writer cannot count differently from the services.
    """
    cells_add([f.id for f in items])


# Above this many measures one DuckDB pass (``CELLS_SQL``) is faster than the rule applied in Python.
BULK = 2000


def cells_add(measure_ids: Iterable[int]) -> None:
    """Add measures' contributions. Call after the measures, their targets and tags are saved."""
    ids = sorted(set(measure_ids))
    if len(ids) > BULK:
        cells_merge(_bulk_cells(ids))
        return
    _apply(deltas(facts(ids)), +1, set())


def cells_remove(measure_ids: Iterable[int]) -> None:
    """Take measures' contributions away. Call before the measures change or go."""
    ids = set(measure_ids)
    _apply(deltas(facts(ids)), -1, ids)


def cells_requantify(changes: dict[int, int]) -> None:
    """Add to the quantity of every cell a measure counts in: ``{measure id: new quantity - old quantity}``.

    A platform reporting what it did for an order changes the order's quantity (the accounts closed) and nothing
    else the cells hold — not its subjects, day, office or tags — so the cells need an increment, not the
    remove-and-add of their bitmaps that costs seconds for an order of thousands of accounts.
    """
    changes = {mid: diff for mid, diff in changes.items() if diff}
    if not changes:
        return
    moved = [replace(f, quantity=changes[f.id]) for f in facts(changes, kinds_only=True)]
    diffs = {key: d.quantity for key, d in deltas(moved).items() if d.quantity}
    if not diffs:
        return
    table = connection.ops.quote_name(Cell._meta.db_table)
    key_columns = "scope_id, grain, period_start, campaign_id, measure_type, subject_kind"
    rows = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(diffs))
    # Locked in key order, as every report takes them (two reports on orders of the same cells wait rather than
    # deadlock: tested with twenty platforms at once); then moved by one statement instead of one per cell.
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, {key_columns} FROM {table} WHERE ({key_columns}) IN (VALUES {rows}) "  # noqa: S608
            f"ORDER BY {key_columns}{lock}",
            [value for key in diffs for value in key],
        )
        ids = {_key(row[1:]): row[0] for row in cursor.fetchall()}
        missing = sorted(set(diffs) - set(ids))
        if missing:
            raise RuntimeError(f"aggregate cell {missing[0]} is missing")
        cases = " ".join(["WHEN %s THEN %s"] * len(ids))
        cursor.execute(
            f"UPDATE {table} SET quantity = quantity + CASE id {cases} END "  # noqa: S608
            f"WHERE id IN ({', '.join(['%s'] * len(ids))})",
            [*(v for key, pk in ids.items() for v in (pk, diffs[key])), *ids.values()],
        )


def _key(row: tuple[Any, ...]) -> Key:
    scope, grain, start, campaign, mtype, kind = row
    # SQLite hands a date column back as text.
    start = start if isinstance(start, dt.date) else dt.date.fromisoformat(start)
    return (scope, grain, start, campaign, mtype, kind)


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
        changed.append((cell.events - d.events, cell.quantity - d.quantity, *stored(bitmap), cell.pk))
    bulk_update(Cell._meta.db_table, STORED_COLUMNS, changed)


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
        if cell is None:
            new.append((*key, events, quantity, *stored(bitmap)))
        else:
            changed.append((cell.events + events, cell.quantity + quantity, *stored(bitmap), cell.pk))
    bulk_insert(Cell._meta.db_table, CELL_COLUMNS, new)
    bulk_update(Cell._meta.db_table, STORED_COLUMNS, changed)
    if len(new) + len(changed) > BULK:
        analyze(Cell)


def _still_aimed_at(changes: dict[Key, Delta], removed: set[int]) -> dict[Key, set[int]]:
    """For each cell losing subjects: those another (remaining) measure of the same cell still aims at."""
    paths = dict(Office.objects.filter(id__in={k[0] for k in changes}).values_list("id", "path"))
    out: dict[Key, set[int]] = {}
    for key, d in changes.items():
        if not d.subjects:
            continue
        scope, grain, start, campaign, mtype, kind = key
        end = period_end(grain, start)
        measures = Measure.objects.filter(
            type=mtype, taken_on__gte=start, taken_on__lt=end, office__path__subtree=paths[scope]
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


def _bulk_cells(ids: list[int] | None, progress: Any = None) -> dict[Key, tuple[int, int, BitMap]]:
    """The cells of the given measures (all when ``ids`` is None), computed in one DuckDB pass."""
    through = Measure.campaigns.through
    measures = Measure.objects.all()
    targets = MeasureTarget.objects.all()
    tags = through.objects.all()
    if ids is not None:
        # Bulk writers take their ids in blocks: read the range (no list of ids in the SQL), keep the ids.
        lo, hi = min(ids), max(ids)
        measures, targets, tags = (
            measures.filter(id__gte=lo, id__lte=hi),
            targets.filter(measure_id__gte=lo, measure_id__lte=hi),
            tags.filter(measure_id__gte=lo, measure_id__lte=hi),
        )
    with duck() as con:
        register(con, "want", {"id": "BIGINT"}, [(i,) for i in ids] if ids is not None else [])
        only = ids is not None
        m_rows = list(
            measures.values_list("id", "office_id", "taken_on", "type", "quantity", "addressee_id", "addressee__kind")
        )
        if progress is not None:
            progress.update(len(m_rows))
        register(
            con,
            "bm",
            {
                "id": "BIGINT",
                "office_id": "BIGINT",
                "taken_on": "DATE",
                "type": "VARCHAR",
                "quantity": "BIGINT",
                "addressee_id": "BIGINT",
                "addressee_kind": "VARCHAR",
            },
            m_rows,
        )
        del m_rows
        register(
            con,
            "bt",
            {"measure_id": "BIGINT", "subject_id": "BIGINT", "kind": "VARCHAR"},
            list(targets.values_list("measure_id", "subject_id", "subject__kind")),
        )
        tag_rows = list(tags.values_list("measure_id", "campaign_id"))
        register(con, "bc", {"measure_id": "BIGINT", "campaign_id": "BIGINT"}, tag_rows)
        return cells_from_duckdb(
            con,
            measures="SELECT * FROM bm WHERE id IN (SELECT id FROM want)" if only else "SELECT * FROM bm",
            targets="SELECT * FROM bt WHERE measure_id IN (SELECT id FROM want)" if only else "SELECT * FROM bt",
            campaigns="SELECT * FROM bc WHERE measure_id IN (SELECT id FROM want)" if only else "SELECT * FROM bc",
        )


def cells_rebuild(*, progress: object = None) -> int:
    """Recompute every cell from the measures (after a bulk load, or to check the cells)."""
    Cell.objects.all().delete()
    cells = _bulk_cells(None, progress)
    bulk_insert(Cell._meta.db_table, CELL_COLUMNS, [_row(k, *v) for k, v in sorted(cells.items())])
    analyze(Cell)
    return Measure.objects.count()


def _row(key: Key, events: int, quantity: int, subjects: BitMap) -> tuple[Any, ...]:
    return (*key, events, quantity, *stored(BitMap(subjects)))


# The columns a change of a cell writes (``stored`` gives the last three).
STORED_COLUMNS = ("events", "quantity", "subjects", "distinct", "digest")


def stored(bitmap: BitMap) -> tuple[bytes, int, bytes]:
    """A cell's bitmap as every writer stores it: canonical bytes, cardinality, and the digest of the bytes."""
    bitmap.run_optimize()  # one canonical form, so equal sets are equal bytes (and equal digests)
    data = bitmap.serialize()
    return data, len(bitmap), hashlib.blake2b(data, digest_size=16).digest()
