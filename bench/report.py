"""Benchmark the report for any period over millions of measures on PostgreSQL, against two baselines.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/docket_bench .venv/bin/python bench/report.py [--rows 5000000]

The database named in DATABASE_URL is dropped and created afresh. The measures (of 2023, every office of the
tree, 1,000,000 subjects of five kinds, 10% tagged with a campaign, orders to close accounts addressed to the
platform with a quantity) are written as a CSV file and loaded by **Docket's own import**
(``measures_import``: the same code, and the same cells, as ``docket import measures``). Then, warm, for
aligned periods (a year, a month) and periods that are not (2023-01-02..2023-12-31, random periods, a
province, a city, a county, a campaign), it times:

* Docket: ``report_data`` (every metric of the 2023 set and the table of every measure type), from the cells —
  warm (the process has read the period's cell bitmaps before, ``reports.bitmaps``) and cold (it has not, as the
  first report of a new server process);
* one PostgreSQL statement computing the same figures over the raw rows, every figure an aggregate with
  ``FILTER`` (counted by the same rule: a measure counts at its target, an order at the platform it is
  addressed to);
* DuckDB computing the same statement over the same rows, held in memory in columnar form;

prints them side by side with the ratios, flags every case where Docket (warm or cold) takes more than 50 ms or
longer than the PostgreSQL query, and exits 1 if any of the three disagree on any number. ``--rounds N`` times
every case N times over (the machine may be shared) and prints the medians; ``--only TEXT`` keeps the cases
whose label contains TEXT.
"""

from __future__ import annotations

import argparse
import datetime as dt
import inspect
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import fresh_database  # noqa: E402

# (measure, kind of the subject it is aimed at); an account-closure order is addressed to an organisation.
PAIRS = [
    ("interview", "organisation"),
    ("interview", "website"),
    ("warning", "website"),
    ("fine", "organisation"),
    ("rectification_order", "website"),
    ("suspension", "organisation"),
    ("suspension", "app"),
    ("app_removal", "app"),
    ("mini_program_shutdown", "mini_program"),
    ("licence_cancellation", "website"),
    ("website_closure", "website"),
    ("account_closure_order", "organisation"),
    ("account_closure_order", "account"),
    ("public_notice", "website"),
    ("transfer", "website"),
]
KINDS = ["organisation", "website", "app", "mini_program", "account"]
KIND_SHARE = [0.2, 0.45, 0.15, 0.05, 0.15]
LEVEL_WEIGHT = {"national": 50, "province": 20, "city": 3, "county": 1}
# The requirement: any period, office and campaign within this, and never slower than one PostgreSQL query.
BUDGET_MS = 50.0
CAMPAIGN = "bench-campaign"


def timed(fn: Any, repeat: int) -> tuple[float, Any]:
    fn()  # warm
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def identifier(kind: str, i: int) -> tuple[str, str]:
    """A valid identifier (and platform) for subject ``i`` of ``kind``."""
    if kind == "organisation":
        from stdnum.cn import uscc

        body = f"91330100{i:09d}"
        return body + uscc.calc_check_digit(body), ""
    if kind == "website":
        return f"s{i}.example.cn", ""
    if kind == "app":
        return f"cn.example.app{i}", ""
    if kind == "mini_program":
        return f"wx{i:016x}", "wechat"
    return f"u{i}", "weibo"


def make_csv(path: str, n: int, subjects: int, offices: list[tuple[str, str]], seed: int) -> dict[str, Any]:
    """Write ``n`` distinct measure rows; return the same rows as columns (for DuckDB)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    weights = np.array([LEVEL_WEIGHT[level] for _code, level in offices], float)
    pool = {k: max(1, int(subjects * s)) for k, s in zip(KINDS, KIND_SHARE, strict=True)}
    m = int(n * 1.02) + 100
    office = rng.choice(len(offices), size=m, p=weights / weights.sum())
    day = rng.integers(0, 365, size=m)
    pair = rng.integers(0, len(PAIRS), size=m)
    kind_of_pair = np.array([KINDS.index(k) for _m, k in PAIRS])
    kind = kind_of_pair[pair]
    sizes = np.array([pool[k] for k in KINDS])
    subject = (rng.random(m) * sizes[kind]).astype(np.int64)
    is_order = np.array([p == "account_closure_order" for p, _k in PAIRS])[pair]
    quantity = np.where(is_order, rng.integers(1, 500, size=m), 0)
    campaign = rng.random(m) < 0.1
    # Distinct rows only (the import refuses a row repeated): one integer per row, unique, first n kept.
    key = ((((office.astype(np.int64) * 400 + day) * 16 + pair) * 1_100_000 + subject) * 512 + quantity) * 2 + campaign
    _u, first = np.unique(key, return_index=True)
    keep = np.sort(first)[:n]
    if len(keep) < n:
        sys.exit("could not draw enough distinct rows")
    office, day, pair, kind, subject, quantity, campaign = (
        a[keep] for a in (office, day, pair, kind, subject, quantity, campaign)
    )
    dates = [str(np.datetime64("2023-01-01") + np.timedelta64(int(d), "D")) for d in range(365)]
    idents = {k: {} for k in range(len(KINDS))}
    with open(path, "w", encoding="utf-8") as f:
        f.write("office_code,date,measure,subject_kind,subject_identifier,subject_platform,quantity,campaign\n")
        for i in range(n):
            k = int(kind[i])
            s = int(subject[i])
            ident = idents[k].get(s)
            if ident is None:
                ident = idents[k][s] = identifier(KINDS[k], s)
            q = int(quantity[i])
            f.write(
                f"{offices[office[i]][0]},{dates[day[i]]},{PAIRS[pair[i]][0]},{KINDS[k]},{ident[0]},{ident[1]},"
                f"{q if q else ''},{CAMPAIGN if campaign[i] else ''}\n"
            )
    return {
        "office": office.astype(np.int32),
        "day": day.astype(np.int32),
        "type": np.array([p for p, _k in PAIRS])[pair],
        "kind": np.array(KINDS)[kind],
        # A subject is its kind and number: the same identity the import matches subjects by.
        "subject": (kind.astype(np.int64) * 10_000_000 + subject),
        "quantity": quantity.astype(np.int64),
        "campaign": campaign,
    }


def run_import(path: str) -> float:
    """Docket's own import of the file, as `docket import measures` runs it; returns seconds."""
    from django.utils import timezone

    from docket.measures.imports import measures_import

    params = inspect.signature(measures_import).parameters
    start = time.perf_counter()
    if "data" in params:
        with open(path, "rb") as f:
            measures_import(actor=None, data=f.read(), now=timezone.now(), system=True)
    else:  # the import reads a path or an open file
        name = next(p for p in ("path", "upload", "file", "source") if p in params)
        with open(path, "rb") as f:
            arg: Any = path if name == "path" else f
            measures_import(actor=None, now=timezone.now(), system=True, **{name: arg})
    return time.perf_counter() - start


def figure_sql(metrics: list[Any], types: list[str], dialect: str) -> tuple[str, list[tuple[str, str]]]:
    """The SELECT list of every figure, each an aggregate with FILTER; returns it and what each column is."""
    cols, names = [], []

    def quoted(values: list[str]) -> str:
        return ", ".join(f"'{v}'" for v in values)

    for t in types:
        cols += [
            f"count(*) FILTER (WHERE type = '{t}')",
            f"count(DISTINCT subject) FILTER (WHERE type = '{t}')",
            f"coalesce(sum(quantity) FILTER (WHERE type = '{t}'), 0)",
        ]
        names += [("measures", f"{t}.events"), ("measures", f"{t}.subjects"), ("measures", f"{t}.quantity")]
    for m in metrics:
        cond = f"type IN ({quoted(m.measure_types)})"
        if m.subject_kinds:
            cond += f" AND kind IN ({quoted(m.subject_kinds)})"
        if m.counting == "quantity":
            cols.append(f"coalesce(sum(quantity) FILTER (WHERE {cond}), 0)")
        else:
            agg = "count(*)" if m.counting == "events" else "count(DISTINCT subject)"
            cols.append(f"{agg} FILTER (WHERE {cond})")
        names.append(("metrics", m.key))
    return ",\n  ".join(cols), names


def as_report(row: tuple[Any, ...], names: list[tuple[str, str]], types: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"metrics": {}, "measures": {t: {} for t in types}}
    for (part, name), value in zip(names, row, strict=True):
        if part == "metrics":
            out["metrics"][name] = int(value)
        else:
            t, count = name.split(".")
            out["measures"][t][count] = int(value)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--random-periods", type=int, default=5)
    parser.add_argument(
        "--reuse", action="store_true", help="time again over a database an earlier run loaded (same --rows, --seed)"
    )
    parser.add_argument("--docket-only", action="store_true", help="time Docket alone, checked against DuckDB once")
    parser.add_argument("--rounds", type=int, default=1, help="time every case this many times; print the medians")
    parser.add_argument("--only", action="append", default=[], help="only the cases whose label contains this")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("set DATABASE_URL to a PostgreSQL database this benchmark may drop")
    if args.reuse:
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "docket.settings")
        django.setup()
    else:
        fresh_database()
    import duckdb
    import numpy as np
    from django.db import connection

    from docket.campaigns.models import Campaign
    from docket.measures.types import MeasureType
    from docket.offices.models import Office
    from docket.offices.services import offices_load_cn
    from docket.reports.bitmaps import CACHE as BITMAPS
    from docket.reports.models import Cell, MetricSet
    from docket.reports.queries import report_data

    if not args.reuse:
        offices_load_cn()
    national = Office.objects.get(code="000000")
    campaign = Campaign.objects.filter(slug=CAMPAIGN).first() or Campaign.objects.create(
        slug=CAMPAIGN, name="bench", starts_on=dt.date(2023, 1, 1), ends_on=dt.date(2023, 12, 31), lead_office=national
    )
    offices = list(Office.objects.order_by("code").values_list("code", "level"))
    paths = dict(Office.objects.values_list("code", "path"))
    fd, path = tempfile.mkstemp(suffix=".csv", prefix="bench-measures-")
    os.close(fd)
    t0 = time.perf_counter()
    cols = make_csv(path, args.rows, args.subjects, offices, args.seed)
    print(f"{args.rows:,} rows written to a CSV in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    try:
        if not args.reuse:
            seconds = run_import(path)
            print(
                f"imported by Docket's import in {seconds:.0f} s ({args.rows / seconds:,.0f} rows/s), "
                f"{Cell.objects.count():,} cells",
                file=sys.stderr,
            )
    finally:
        os.unlink(path)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")

    metric_set = MetricSet.objects.get(key="2023")
    metrics = list(metric_set.metrics.all())
    types = list(MeasureType.values)
    select, names = figure_sql(metrics, types, "postgresql")

    def pg(office: Office, lo: dt.date, hi: dt.date, campaign_id: int) -> dict[str, Any]:
        tagged = (
            "AND EXISTS (SELECT 1 FROM measures_measure_campaigns c WHERE c.measure_id = m.id AND c.campaign_id = %s)"
            if campaign_id
            else ""
        )
        sql = f"""
            WITH a AS (
                SELECT m.type, m.quantity, s.id AS subject, s.kind
                FROM measures_measure m JOIN offices_office o ON o.id = m.office_id
                LEFT JOIN measures_measuretarget t ON t.measure_id = m.id
                JOIN subjects_subject s ON s.id = coalesce(t.subject_id, m.addressee_id)
                WHERE m.taken_on BETWEEN %s AND %s AND o.path LIKE %s {tagged}
            )
            SELECT {select} FROM a"""
        params: list[Any] = [lo, hi, office.path + "%"] + ([campaign_id] if campaign_id else [])
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return as_report(cur.fetchone(), names, types)

    db = duckdb.connect()
    db.register("cols", {k: v for k, v in cols.items()})
    db.register(
        "office_paths",
        {
            "office": np.arange(len(offices), dtype=np.int32),
            "path": np.array([paths[code] for code, _l in offices]),
        },
    )
    db.execute(
        "CREATE TABLE f AS SELECT p.path, DATE '2023-01-01' + c.day AS taken_on, c.type, c.kind, c.subject, "
        "c.quantity, c.campaign FROM cols c JOIN office_paths p USING (office)"
    )
    del cols

    def duck(office: Office, lo: dt.date, hi: dt.date, campaign_id: int) -> dict[str, Any]:
        tagged = "AND campaign" if campaign_id else ""
        row = db.execute(
            f"SELECT {select} FROM f WHERE taken_on BETWEEN ? AND ? AND starts_with(path, ?) {tagged}",
            [lo, hi, office.path],
        ).fetchone()
        return as_report(row, names, types)

    def docket(office: Office, lo: dt.date, hi: dt.date, campaign_id: int) -> dict[str, Any]:
        data = report_data(office=office, date_from=lo, date_to=hi, campaign_id=campaign_id)
        return {"metrics": data["metrics"], "measures": data["measures"]}

    def docket_cold(office: Office, lo: dt.date, hi: dt.date, campaign_id: int) -> dict[str, Any]:
        # As the first report a new server process answers: no cell bitmap read before.
        BITMAPS.clear()
        return docket(office, lo, hi, campaign_id)

    D = dt.date
    zj, hz, xh = (Office.objects.get(code=c) for c in ("330000", "330100", "330106"))
    cases = [
        ("national, year 2023", national, D(2023, 1, 1), D(2023, 12, 31), 0),
        ("national, June", national, D(2023, 6, 1), D(2023, 6, 30), 0),
        ("national, 01-02..12-31", national, D(2023, 1, 2), D(2023, 12, 31), 0),
        ("national, 03-15..09-20", national, D(2023, 3, 15), D(2023, 9, 20), 0),
        ("national, one day", national, D(2023, 8, 8), D(2023, 8, 8), 0),
        ("province ZJ, 02-10..11-20", zj, D(2023, 2, 10), D(2023, 11, 20), 0),
        ("city HZ, year", hz, D(2023, 1, 1), D(2023, 12, 31), 0),
        ("city HZ, 01-02..12-31", hz, D(2023, 1, 2), D(2023, 12, 31), 0),
        ("county Xihu, 01-02..12-31", xh, D(2023, 1, 2), D(2023, 12, 31), 0),
        ("county Xihu, year", xh, D(2023, 1, 1), D(2023, 12, 31), 0),
        ("county Xihu, 03-15..09-20", xh, D(2023, 3, 15), D(2023, 9, 20), 0),
        ("campaign, national, 01-02..12-31", national, D(2023, 1, 2), D(2023, 12, 31), campaign.pk),
        ("campaign, ZJ, 04-03..10-09", zj, D(2023, 4, 3), D(2023, 10, 9), campaign.pk),
    ]
    rng = random.Random(args.seed)
    provinces = list(Office.objects.filter(level="province"))
    cities = list(Office.objects.filter(level="city"))
    for i in range(args.random_periods):
        a, b = sorted(rng.sample(range(365), 2))
        office = [national, rng.choice(provinces), rng.choice(cities)][i % 3]
        lo, hi = D(2023, 1, 1) + dt.timedelta(days=a), D(2023, 1, 1) + dt.timedelta(days=b)
        cases.append((f"random {office.code}, {lo:%m-%d}..{hi:%m-%d}", office, lo, hi, 0))

    if args.only:
        cases = [c for c in cases if any(o in c[0] for o in args.only)]
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"\n{args.rows:,} measures, {args.subjects:,} subjects, PostgreSQL {connection.pg_version // 10000}, "
        f"DuckDB {duckdb.__version__}; load average {load} (1/5/15 min) on {os.cpu_count()} CPUs; medians of warm "
        "runs (Docket 7, PostgreSQL 2, DuckDB 5); Docket cold: no cell bitmap read before (a new server process), "
        f"median of 5{f'; the median of {args.rounds} rounds of that' if args.rounds > 1 else ''}"
    )
    print(
        f"{'report':34} {'Docket':>10} {'cold':>10} {'PG query':>10} {'DuckDB':>10} {'PG/Docket':>10} "
        f"{'PG/cold':>8} {'DuckDB/Docket':>14}"
    )
    differ = False
    flagged: list[str] = []

    def flags(label: str, warm: float, cold: float, pg_ms: float | None) -> str:
        out = []
        if max(warm, cold) > BUDGET_MS:
            out.append(f"OVER {BUDGET_MS:.0f} MS")
        if pg_ms is not None and max(warm, cold) > pg_ms:
            out.append("SLOWER THAN PG")
        if out:
            flagged.append(f"{label}: {', '.join(out)}")
        return "  " + " ".join(f"<< {o}" for o in out) if out else ""

    for label, office, lo, hi, campaign_id in cases:
        rounds: list[tuple[float, ...]] = []
        all_same = True
        for _round in range(args.rounds):
            c_ms, c = timed(lambda o=office, a=lo, b=hi, c=campaign_id: docket_cold(o, a, b, c), 5)
            d_ms, d = timed(lambda o=office, a=lo, b=hi, c=campaign_id: docket(o, a, b, c), 7)
            if args.docket_only:
                k = duck(office, lo, hi, campaign_id)
                same = d == c == k
                all_same &= same
                rounds.append((d_ms, c_ms))
                continue
            p_ms, p = timed(lambda o=office, a=lo, b=hi, c=campaign_id: pg(o, a, b, c), 2)
            k_ms, k = timed(lambda o=office, a=lo, b=hi, c=campaign_id: duck(o, a, b, c), 5)
            same = d == c == p == k
            all_same &= same
            rounds.append((d_ms, c_ms, p_ms, k_ms))
        differ |= not all_same
        verdict = "same numbers" if all_same else "DIFFERENT NUMBERS"
        medians = [statistics.median(r[i] for r in rounds) for i in range(len(rounds[0]))]
        if args.docket_only:
            d_ms, c_ms = medians
            print(f"{label:34} {d_ms:8.1f}ms {c_ms:8.1f}ms  {verdict}{flags(label, d_ms, c_ms, None)}", flush=True)
            continue
        d_ms, c_ms, p_ms, k_ms = medians
        print(
            f"{label:34} {d_ms:8.1f}ms {c_ms:8.1f}ms {p_ms:8.1f}ms {k_ms:8.1f}ms {p_ms / d_ms:9.1f}x "
            f"{p_ms / c_ms:7.1f}x {k_ms / d_ms:13.2f}x  {verdict}{flags(label, d_ms, c_ms, p_ms)}",
            flush=True,
        )
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average at the end {load}")
    if flagged:
        print(f"{len(flagged)} case(s) miss the requirement (<= {BUDGET_MS:.0f} ms, never slower than PostgreSQL):")
        for line in flagged:
            print(f"  {line}")
    else:
        print(f"every case within {BUDGET_MS:.0f} ms and faster than the PostgreSQL query, warm and cold")
    if differ:
        sys.exit(1)


if __name__ == "__main__":
    main()
