"""Benchmark `docket import measures` against a raw bulk load of the same rows, in the same run.

    .venv/bin/python bench/import_measures.py [--rows 1000000]                  # SQLite in a temporary folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/docket_bench .venv/bin/python bench/import_measures.py

The PostgreSQL database is dropped and created afresh. The baseline loads the same CSV rows, unvalidated,
into a plain table of text columns: COPY on PostgreSQL, executemany in one transaction on SQLite.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import fresh_database  # noqa: E402

HEADER = ["office_code", "date", "measure", "subject_kind", "subject_identifier", "quantity"]


def make_csv(rows: int, codes: list[str], seed: int) -> bytes:
    from stdnum.cn import uscc

    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    orgs = []
    for i in range(max(1, rows // 20)):
        body = f"91330100{i:09d}"
        orgs.append(body + uscc.calc_check_digit(body))
    sites = [f"site{i}.example.cn" for i in range(max(1, rows // 5))]
    apps = [f"cn.example.app{i}" for i in range(max(1, rows // 50))]
    choices = [
        ("interview", "organisation", orgs),
        ("warning", "website", sites),
        ("website_closure", "website", sites),
        ("licence_cancellation", "website", sites),
        ("app_removal", "app", apps),
        ("suspension", "organisation", orgs),
        ("transfer", "website", sites),
        ("account_closure_order", "organisation", orgs),
    ]
    seen: set[tuple[str, ...]] = set()
    while len(seen) < rows:
        measure, kind, pool = rng.choice(choices)
        quantity = str(rng.randint(1, 900)) if measure == "account_closure_order" else ""
        row = (
            rng.choice(codes),
            f"2023-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            measure,
            kind,
            rng.choice(pool),
            quantity,
        )
        if row not in seen:  # a duplicate row is refused by the import, rightly
            seen.add(row)
            writer.writerow(row)
    return out.getvalue().encode()


def baseline(data: bytes) -> float:
    """The same rows loaded raw: no validation, no subjects, no aggregates."""
    from django.db import connection, transaction

    rows = list(csv.reader(io.StringIO(data.decode())))[1:]
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_raw")
        cur.execute(
            "CREATE TABLE bench_raw (office_code text, date text, measure text, subject_kind text, "
            "subject_identifier text, quantity text)"
        )
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy("COPY bench_raw FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cur.executemany("INSERT INTO bench_raw VALUES (%s, %s, %s, %s, %s, %s)", rows)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    engine = fresh_database()
    from django.utils import timezone
    from tqdm import tqdm

    from docket.measures.imports import measures_import
    from docket.measures.models import Measure
    from docket.offices.models import Office
    from docket.offices.services import offices_load_cn

    offices_load_cn()
    codes = list(Office.objects.values_list("code", flat=True))
    data = make_csv(args.rows, codes, args.seed)
    raw = baseline(data)
    with tqdm(desc="import measures", unit="row", file=sys.stderr) as bar:
        start = time.perf_counter()
        measures_import(actor=None, data=data, now=timezone.now(), progress=bar, system=True)
        elapsed = time.perf_counter() - start
    assert Measure.objects.count() == args.rows
    print(
        f"{engine}: {args.rows:,} measures imported in {elapsed:.1f} s = {args.rows / elapsed:,.0f} rows/s "
        f"(validated, subjects matched or created, aggregates updated); raw bulk load of the same rows "
        f"{raw:.1f} s = {args.rows / raw:,.0f} rows/s; import/raw time ratio {elapsed / raw:.1f}"
    )


if __name__ == "__main__":
    main()
