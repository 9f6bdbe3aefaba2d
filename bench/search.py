"""Time the one search box over a scale load: p50 and p95 of the server time of ``/search/?q=`` per kind of term.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/docket_scale .venv/bin/python bench/search.py [--build 20000]

Without ``--build`` the database named in DATABASE_URL is used as it is (it must hold a ``docket demo --scale``
load); with it, that database is dropped, created afresh and loaded with that many cases first. Each term is
searched through Django's test client (the whole request: middleware, the three scoped groups, the rendering)
as a county case officer, a provincial office head and the national inspector, warm, ``--repeat`` times (at
least 200), with the part spent in the database beside it. The terms: a whole case reference, part of one, a
common Chinese substring of titles (three characters and more: the trigram indexes), a rare one, two-character
terms found everywhere, in one title of nine and nowhere, two Latin letters (no trigram: the bigram indexes on
PostgreSQL, a scan on SQLite), an organisation's credit code and a website's domain in part.

``--without-bigrams`` answers terms of two characters as before the bigram indexes (a plain ``icontains`` over the
reader's rows), for a comparison; such scans are slow at scale, so ``--sample N`` may time fewer requests (the
figures are then a sample, not the speed rule's 200). ``--terms WORD`` keeps the terms whose name contains WORD.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import database_clock, officers, percentile, second_factor, setup  # noqa: E402 - after the path above


def terms(officer: Any) -> dict[str, str]:
    """Terms that find something for this reader (taken from its own newest records), and a few that don't."""
    from docket.cases.models import Case
    from docket.subjects.models import Kind, Subject

    case = Case.objects.visible_to(officer).order_by("-filed_on", "-id").first()
    assert case is not None
    org = Subject.objects.filter(kind=Kind.ORGANISATION).order_by("-id").first()
    site = Subject.objects.filter(kind=Kind.WEBSITE).order_by("-id").first()
    assert org is not None and site is not None
    # Titles read "测试网站<n>传播违法信息案": the number makes a rare term, the rest a common one.
    rare = case.title.removeprefix("测试网站").split("传播")[0]
    return {
        "reference, whole": case.ref,
        "reference, part": case.ref[-9:],
        "Chinese, common (4 chars)": "传播违法",
        "Chinese + digits, rare": f"网站{rare}传播",
        "Chinese, 2 chars": "违法",
        "Chinese, 2 chars, 1 in 9": "站7",
        "Chinese, 2 chars, absent": "赌博",
        "Latin, 2 letters": "zq",
        "credit code, part": org.identifier[4:14],
        "domain, part": site.identifier[: max(4, len(site.identifier) // 2)],
        "nothing (rare Latin)": "qwxzj",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", type=int, default=0, help="drop the database and load this many cases first")
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--sample", type=int, default=0, help="time this many requests only (a sample)")
    parser.add_argument("--terms", default="", help="only the terms whose name contains this")
    parser.add_argument("--without-bigrams", action="store_true", help="two characters by a plain scan")
    args = parser.parse_args()
    if args.repeat < 200:
        parser.error("--repeat: at least 200 requests per term and reader")
    repeat = args.sample or args.repeat
    setup(args.build)
    from django.db import connection
    from django.test import Client
    from django.utils.http import urlencode

    from docket.cases.models import Case
    from docket.clues.models import Clue
    from docket.search import queries
    from docket.subjects.models import Subject

    if args.without_bigrams:
        # Only the trigram indexes count as an index: shorter terms take the plain scoped icontains.
        queries.indexed = queries.trigrams
    print(
        f"{connection.vendor}: {Case.objects.count():,} cases, {Clue.objects.count():,} clues, "
        f"{Subject.objects.count():,} subjects; load average {os.getloadavg()[0]:.2f}"
        + (f"; a sample of {repeat} requests a term" if args.sample else "")
        + ("; two characters without the bigram indexes" if args.without_bigrams else "")
    )
    failures = 0
    spent, _queries = database_clock()
    print(f"{'reader':48} {'term':28} {'found':>6} {'p50 ms':>8} {'p95 ms':>8} {'db p50':>8} {'db p95':>8}")
    everything: list[float] = []
    for label, officer in officers().items():
        client = Client()
        client.force_login(officer)
        second_factor(client, officer)
        for name, q in terms(officer).items():
            if args.terms not in name:
                continue
            url = f"/search/?{urlencode({'q': q})}"
            times, db = [], []
            found = 0
            for i in range(repeat + 3):
                spent[0] = 0.0
                start = time.perf_counter()
                response = client.get(url)
                elapsed = (time.perf_counter() - start) * 1000
                if response.status_code != 200:
                    print(f"{label:48} {name:28} HTTP {response.status_code}")
                    failures += 1
                    break
                if i == 0:
                    found = response.content.decode().count('<li><a href="')
                if i >= 3:  # the first requests warm the caches
                    times.append(elapsed)
                    db.append(spent[0] * 1000)
            else:
                everything += times
                p50, p95 = statistics.median(times), percentile(times, 0.95)
                d50, d95 = statistics.median(db), percentile(db, 0.95)
                print(f"{label:48} {name:28} {found:6} {p50:8.1f} {p95:8.1f} {d50:8.1f} {d95:8.1f}")
    if everything:
        print(f"all searches: p50 {statistics.median(everything):.1f} ms, p95 {percentile(everything, 0.95):.1f} ms")
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
