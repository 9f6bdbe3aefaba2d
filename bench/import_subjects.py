"""Benchmark `docket import subjects`: 100,000 rows into a fresh database, with the file's rows/s.

    .venv/bin/python bench/import_subjects.py [--rows 100000]            # SQLite in a temporary folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/docket_bench .venv/bin/python bench/import_subjects.py

The PostgreSQL database is created if missing and emptied first (it must not be a database you keep).
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import fresh_database  # noqa: E402


def make_csv(rows: int) -> bytes:
    from stdnum.cn import uscc

    lines = ["kind,name,identifier,platform,operator,icp_number,stores,account_type"]
    orgs = max(1, rows // 10)
    codes = []
    for i in range(orgs):
        body = f"91330100{i:09d}"
        code = body + uscc.calc_check_digit(body)
        codes.append(code)
        lines.append(f"organisation,公司{i},{code},,,,,")
    i = 0
    while len(lines) <= rows:
        op = codes[i % orgs]
        kind = i % 3
        if kind == 0:
            lines.append(f"website,网站{i},site{i}.example.cn,,{op},浙ICP备{10000000 + i}号-1,,")
        elif kind == 1:
            lines.append(f"app,应用{i},cn.example.app{i},,{op},,应用宝;App Store,")
        else:
            lines.append(f"account,账号{i},uid{i},weibo,,,,self_media")
        i += 1
    return ("\n".join(lines[: rows + 1]) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    engine = fresh_database()
    from django.utils import timezone
    from tqdm import tqdm

    from docket.subjects.models import Subject
    from docket.subjects.services import subjects_import

    data = make_csv(args.rows)
    with tqdm(total=args.rows, desc="import subjects", unit="row", file=sys.stderr) as bar:
        start = time.perf_counter()
        result = subjects_import(actor=None, data=data, now=timezone.now(), progress=bar, system=True)
        elapsed = time.perf_counter() - start
    assert Subject.objects.count() == args.rows == result["created"]
    print(f"{engine}: imported {args.rows:,} subjects in {elapsed:.2f} s = {args.rows / elapsed:,.0f} rows/s")


if __name__ == "__main__":
    main()
