"""Benchmark the JSON report over millions of measures on PostgreSQL, against two baselines in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/docket_bench .venv/bin/python bench/report.py [--rows 5000000]

Needs numpy and duckdb (`pip install numpy duckdb`). The database named in DATABASE_URL is dropped and
created afresh. It loads N measures of 2023 (one subject each, 1,000,000 subjects, every office of the tree),
builds the aggregate cells, then times, warm:

* Docket's `report_data` (every metric of the 2023 set and the `measures` table) for the national year,
  for one province, and for one month;
* the same figures by plain PostgreSQL GROUP BY / COUNT(DISTINCT) over the raw rows;
* the same figures by DuckDB scanning the same rows in columnar form;

prints each time, the ratios, and checks that the three give the same numbers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import fresh_database  # noqa: E402

KIND_NAMES = ["organisation", "website", "app", "mini_program", "account"]
KIND_SHARE = [0.25, 0.45, 0.1, 0.05, 0.15]


def timed(fn, repeat: int = 7) -> tuple[float, object]:
    fn()  # warm
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("set DATABASE_URL to a PostgreSQL database this benchmark may drop")
    fresh_database()
    import duckdb
    import numpy as np
    from django.db import connection
    from pyroaring import BitMap

    from docket.measures.types import MeasureType
    from docket.offices.models import Office
    from docket.offices.services import offices_load_cn
    from docket.reports.models import MetricSet
    from docket.reports.queries import report_data

    offices_load_cn()
    rng = np.random.default_rng(args.seed)
    n, s = args.rows, args.subjects
    print(f"loading {n:,} measures and {s:,} subjects ...", file=sys.stderr)
    t0 = time.perf_counter()

    # Subjects: ids 1..s with a kind each.
    subject_kind = rng.choice(len(KIND_NAMES), size=s, p=KIND_SHARE)
    with (
        connection.cursor() as cur,
        cur.cursor.copy(
            "COPY subjects_subject (id, kind, name, identifier, platform, runs_platform, legal_representative, "
            "icp_number, licence_number, stores, account_type, handle, position, created_at) FROM STDIN"
        ) as copy,
    ):
        now = dt.datetime.now(dt.UTC)
        for i in range(s):
            kind = KIND_NAMES[subject_kind[i]]
            platform = "weibo" if kind in ("mini_program", "account") else ""
            copy.write_row((i + 1, kind, f"s{i}", f"id{i}", platform, "", "", "", "", "[]", "", "", "", now))
    subject_kind_of = subject_kind  # index = subject id - 1

    # Measures of 2023 in every office, weighted towards provinces and cities.
    offices = list(Office.objects.values_list("id", "path", "level"))
    weights = np.array(
        [{"national": 50, "province": 20, "city": 3, "county": 1}[lvl] for _i, _p, lvl in offices], float
    )
    office_idx = rng.choice(len(offices), size=n, p=weights / weights.sum())
    types = np.array(MeasureType.values)
    type_idx = rng.integers(0, len(types), size=n)
    day = rng.integers(0, 365, size=n)
    subject = rng.integers(1, s + 1, size=n)
    is_order = types[type_idx] == "account_closure_order"
    quantity = np.where(is_order, rng.integers(1, 500, size=n), 0)
    dates = np.datetime64("2023-01-01") + day.astype("timedelta64[D]")
    office_ids = np.array([o[0] for o in offices])[office_idx]
    with connection.cursor() as cur:
        with cur.cursor.copy(
            "COPY measures_measure (id, office_id, type, taken_on, quantity, authority, receipt_ref, confirmation, "
            "verification, escalated, legal_basis, details, created_at) FROM STDIN"
        ) as copy:
            for i in range(n):
                mtype = types[type_idx[i]]
                copy.write_row(
                    (
                        i + 1,
                        int(office_ids[i]),
                        mtype,
                        str(dates[i]),
                        int(quantity[i]) if is_order[i] else None,
                        "other" if mtype == "transfer" else "",
                        "",
                        "",
                        "",
                        False,
                        "",
                        "{}",
                        now,
                    )
                )
        with cur.cursor.copy("COPY measures_measuretarget (measure_id, subject_id, status, note) FROM STDIN") as copy:
            for i in range(n):
                copy.write_row((i + 1, int(subject[i]), "done", ""))
        cur.execute("SELECT setval(pg_get_serial_sequence('measures_measure','id'), %s)", [n])
        cur.execute("ANALYZE")
    print(f"loaded in {time.perf_counter() - t0:.0f} s; building cells ...", file=sys.stderr)

    # Cells, built in DuckDB from the same arrays (what `docket aggregates rebuild` computes, at this scale).
    t1 = time.perf_counter()
    depth = max(len(p.strip("/").split("/")) for _i, p, _l in offices)
    code_to_id = {p.strip("/").split("/")[-1]: i for i, p, _l in offices}
    scope_cols = []
    for level in range(depth):
        col = np.array(
            [
                code_to_id[p.strip("/").split("/")[level]] if len(p.strip("/").split("/")) > level else -1
                for _i, p, _l in offices
            ]
        )[office_idx]
        scope_cols.append(col)
    kinds = np.array(KIND_NAMES)[subject_kind_of[subject - 1]]
    db = duckdb.connect()
    facts = {
        "type": types[type_idx],
        "month": (day // 31).astype(np.int32),
        "day": day.astype(np.int32),
        "subject": subject.astype(np.int64),
        "kind": kinds,
        "quantity": quantity.astype(np.int64),
        "office_idx": office_idx.astype(np.int32),
    }
    for level, col in enumerate(scope_cols):
        facts[f"s{level}"] = col.astype(np.int64)
    db.register("facts_np", facts)
    db.execute("CREATE TABLE facts AS SELECT * FROM facts_np")
    db.execute("UPDATE facts SET month = month(DATE '2023-01-01' + day::INTEGER) - 1")
    # The grains each level keeps (CELL_GRAINS): months at depth 0-1 (national, province), years at 0-2.
    cols = "month, type, kind, subject, quantity"
    union = " UNION ALL ".join(
        f"SELECT s{lv} AS scope, {lv < 2} AS monthly, {cols} FROM facts WHERE s{lv} >= 0" for lv in range(min(depth, 3))
    )
    rows = db.execute(f"""
        WITH x AS ({union})
        SELECT scope, 'M' AS grain, month, type, kind, count(*), sum(quantity), list(subject) FROM x
            WHERE monthly GROUP BY ALL
        UNION ALL SELECT scope, 'M', month, type, '*', count(*), sum(quantity), list(subject) FROM x
            WHERE monthly GROUP BY ALL
        UNION ALL SELECT scope, 'Y', 0, type, kind, count(*), sum(quantity), list(subject) FROM x GROUP BY ALL
        UNION ALL SELECT scope, 'Y', 0, type, '*', count(*), sum(quantity), list(subject) FROM x GROUP BY ALL
    """).fetchall()
    with (
        connection.cursor() as cur,
        cur.cursor.copy(
            "COPY reports_cell (scope_id, grain, period_start, campaign_id, measure_type, subject_kind, events, "
            'quantity, subjects, "distinct") FROM STDIN'
        ) as copy,
    ):
        for scope, grain, month, mtype, kind, events, q, subjects in rows:
            bitmap = BitMap(subjects)
            copy.write_row(
                (
                    scope,
                    grain,
                    dt.date(2023, month + 1, 1),
                    0,
                    mtype,
                    kind,
                    events,
                    int(q or 0),
                    bitmap.serialize(),
                    len(bitmap),
                )
            )
        cells = rows
    with connection.cursor() as cur:
        cur.execute("ANALYZE reports_cell")
    print(f"{len(cells):,} cells in {time.perf_counter() - t1:.0f} s", file=sys.stderr)

    metric_set = MetricSet.objects.get(key="2023")
    metrics = list(metric_set.metrics.all())
    national = Office.objects.get(code="000000")
    province = Office.objects.get(code="330000")

    def pg_baseline(office: Office, lo: str, hi: str) -> dict:
        out = {"metrics": {}, "measures": {}}
        where = "m.taken_on BETWEEN %s AND %s AND o.path LIKE %s"
        params = [lo, hi, office.path + "%"]
        base = (
            "FROM measures_measure m JOIN offices_office o ON o.id = m.office_id "
            "JOIN measures_measuretarget t ON t.measure_id = m.id JOIN subjects_subject s ON s.id = t.subject_id"
        )
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT m.type, count(*), count(DISTINCT t.subject_id), coalesce(sum(m.quantity), 0) "
                f"{base} WHERE {where} GROUP BY m.type",
                params,
            )
            table = {r[0]: {"events": r[1], "subjects": r[2], "quantity": int(r[3])} for r in cur.fetchall()}
            for m in metrics:
                kinds = m.subject_kinds or KIND_NAMES
                agg = {
                    "events": "count(*)",
                    "subjects": "count(DISTINCT t.subject_id)",
                    "quantity": "coalesce(sum(m.quantity), 0)",
                }[m.counting]
                cur.execute(
                    f"SELECT {agg} {base} WHERE {where} AND m.type = ANY(%s) AND s.kind = ANY(%s)",
                    [*params, list(m.measure_types), list(kinds)],
                )
                out["metrics"][m.key] = int(cur.fetchone()[0])
        out["measures"] = {t: table.get(t, {"events": 0, "subjects": 0, "quantity": 0}) for t in MeasureType.values}
        return out

    office_paths = np.array([p for _i, p, _l in offices])
    db.register("office_paths", {"office_idx": np.arange(len(offices), dtype=np.int32), "path": office_paths})
    db.execute("CREATE TABLE f2 AS SELECT f.*, p.path FROM facts f JOIN office_paths p USING (office_idx)")

    def duck_baseline(office: Office, lo: int, hi: int) -> dict:
        out = {"metrics": {}, "measures": {}}
        where = f"day BETWEEN {lo} AND {hi} AND starts_with(path, '{office.path}')"
        table = {
            r[0]: {"events": r[1], "subjects": r[2], "quantity": int(r[3])}
            for r in db.execute(
                f"SELECT type, count(*), count(DISTINCT subject), coalesce(sum(quantity), 0) FROM f2 WHERE {where} "
                "GROUP BY type"
            ).fetchall()
        }
        for m in metrics:
            kinds = m.subject_kinds or KIND_NAMES
            agg = {
                "events": "count(*)",
                "subjects": "count(DISTINCT subject)",
                "quantity": "coalesce(sum(quantity), 0)",
            }[m.counting]
            tl = ", ".join(f"'{t}'" for t in m.measure_types)
            kl = ", ".join(f"'{k}'" for k in kinds)
            out["metrics"][m.key] = int(
                db.execute(f"SELECT {agg} FROM f2 WHERE {where} AND type IN ({tl}) AND kind IN ({kl})").fetchone()[0]
            )
        out["measures"] = {t: table.get(t, {"events": 0, "subjects": 0, "quantity": 0}) for t in MeasureType.values}
        return out

    cases = [
        ("national year", national, dt.date(2023, 1, 1), dt.date(2023, 12, 31)),
        ("province year (Zhejiang)", province, dt.date(2023, 1, 1), dt.date(2023, 12, 31)),
        ("national month (June)", national, dt.date(2023, 6, 1), dt.date(2023, 6, 30)),
    ]
    print(f"\n{n:,} measures, {s:,} subjects, PostgreSQL {connection.pg_version // 10000}, DuckDB {duckdb.__version__}")
    print(f"{'report':28} {'Docket':>10} {'PG GROUP BY':>12} {'DuckDB':>10} {'PG/Docket':>10} {'DuckDB/Docket':>14}")
    for label, office, lo, hi in cases:
        d_ms, docket = timed(lambda o=office, a=lo, b=hi: report_data(office=o, date_from=a, date_to=b))
        p_ms, pg = timed(lambda o=office, a=lo, b=hi: pg_baseline(o, a.isoformat(), b.isoformat()), repeat=3)
        lo_day, hi_day = (lo - dt.date(2023, 1, 1)).days, (hi - dt.date(2023, 1, 1)).days
        k_ms, duck = timed(lambda o=office, a=lo_day, b=hi_day: duck_baseline(o, a, b), repeat=5)
        same = (
            docket["metrics"] == pg["metrics"] == duck["metrics"]
            and docket["measures"] == pg["measures"] == duck["measures"]
        )
        print(
            f"{label:28} {d_ms:8.1f}ms {p_ms:10.1f}ms {k_ms:8.1f}ms {p_ms / d_ms:9.1f}x {k_ms / d_ms:13.1f}x"
            f"  {'same numbers' if same else 'DIFFERENT NUMBERS'}"
        )
        if not same:
            sys.exit(1)


if __name__ == "__main__":
    main()
