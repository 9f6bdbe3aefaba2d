"""Time the workspace's pages over a scale load: p50 and p95 of the server time per page and reader.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/docket_scale .venv/bin/python bench/pages.py [--build 1000000]

Without ``--build`` the database named in DATABASE_URL is used as it is (it must hold a ``docket demo --scale``
load); with it, that database is dropped, created afresh and loaded with that many cases first. Each page — the
dashboard, the case list unfiltered and filtered (investigating, nearest due date first), a case page, the clue,
measure (unfiltered, and the fines of a year) and subject lists, and the search — is requested through Django's test
client (the whole request: middleware with the session and second factor checks, the scoped querysets, the
rendering; no network), warm, ``--repeat`` times (at least 200 for the figures the issue asks for), as four
readers: a case officer of the busiest county office (one of its own investigators, so "my cases" is full), the heads
of the busiest city and provincial offices and a national inspector. The case pages and searches go round different
cases and terms. Beside the times, the database's share and the number of queries of each page.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import busiest_office, database_clock, percentile, second_factor, setup  # noqa: E402 - after the path

# The ceiling for each page at 1,000,000 cases.
P95_LIMIT_MS = 150.0


def readers() -> dict[str, Any]:
    """The four readers, each in the busiest office of its level (scale officers; the inspector is added)."""
    from django.db.models import Count, Q

    from docket.cases.models import Case
    from docket.officers.models import Officer, OfficerRole, Role
    from docket.offices.models import Office

    busiest = busiest_office

    county, city, province = busiest("county"), busiest("city"), busiest("province")
    officer = (
        Officer.objects.filter(office=county, roles__role=Role.CASE_OFFICER, is_active=True)
        .annotate(n=Count("assignments", filter=Q(assignments__active=True)))
        .order_by("-n", "id")
        .first()
    )
    heads = Officer.objects.filter(roles__role=Role.OFFICE_HEAD, is_active=True).order_by("id")
    head, city_head = heads.filter(office=province).first(), heads.filter(office=city).first()
    national = Office.objects.get(code="000000")
    inspector, _created = Officer.objects.get_or_create(
        username="bench-000000-inspector", defaults={"office": national, "is_staff": True}
    )
    OfficerRole.objects.get_or_create(officer=inspector, role=Role.INSPECTOR)
    if officer is None or head is None or city_head is None:
        raise SystemExit("the scale load has no officers: load it with docket demo --scale N")
    out = {}
    readers = (
        ("county officer", officer),
        ("city head", city_head),
        ("provincial head", head),
        ("national inspector", inspector),
    )
    for label, who in readers:
        assert who.office is not None
        within = Case.objects.filter(office__path__startswith=who.office.path).count()
        out[f"{label} ({who.office.code}, {within:,} cases)"] = who
    return out


def pages(officer: Any, rounds: int) -> dict[str, list[str]]:
    """Each page's URLs (several for the case page and the search, requested in turn)."""
    from docket.cases.models import Case, State
    from docket.measures.models import MeasureType

    visible = Case.objects.visible_to(officer)
    mine = visible.filter(assignments__officer=officer, assignments__active=True)
    chosen = list((mine if mine.exists() else visible).order_by("-filed_on", "-id").values_list("ref", "title")[:20])
    assert chosen, "the reader sees no case"
    terms: list[str] = []
    for ref, title in chosen[:10]:
        # A reference in full and a piece of a title: what officers type into the box.
        terms += [ref, title[2:6] or title]
    return {
        "dashboard": ["/"],
        "case list": ["/cases/"],
        "case list, investigating by due date": [f"/cases/?state={State.INVESTIGATING}&order=due"],
        "case page": [f"/cases/{ref}/" for ref, _title in chosen],
        "clue list": ["/clues/"],
        "measure list": ["/measures/"],
        "measure list, fines of a year": [f"/measures/?type={MeasureType.FINE}&year=2025"],
        "subject list": ["/subjects/"],
        "search": [f"/search/?q={term}" for term in terms][:rounds],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", type=int, default=0, help="drop the database and load this many cases first")
    parser.add_argument("--repeat", type=int, default=200, help="timed requests per page and reader")
    parser.add_argument("--page", default="", help="only the pages whose name contains this (e.g. search)")
    args = parser.parse_args()
    setup(args.build)
    from django.db import connection
    from django.test import Client

    from docket.cases.models import Case

    print(f"{connection.vendor}: {Case.objects.count():,} cases; {args.repeat} timed requests per page and reader")
    spent, queries = database_clock()
    header = f"{'reader':42} {'page':38} {'p50 ms':>8} {'p95 ms':>8} {'db p50':>8} {'db p95':>8} {'queries':>8}"
    print(header)
    print("-" * len(header))
    failures = 0
    over: list[str] = []
    for label, officer in readers().items():
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(officer)
        second_factor(client, officer)
        for name, urls in pages(officer, args.repeat).items():
            if args.page not in name:
                continue
            times: list[float] = []
            db: list[float] = []
            counts: set[int] = set()
            # The first round of each URL warms the caches and is not counted.
            for i in range(args.repeat + len(urls)):
                url = urls[i % len(urls)]
                spent[0], queries[0] = 0.0, 0
                start = time.perf_counter()
                response = client.get(url)
                elapsed = (time.perf_counter() - start) * 1000
                if response.status_code != 200:
                    print(f"{label:42} {name:38} HTTP {response.status_code} at {url}")
                    failures += 1
                    break
                if i >= len(urls):
                    times.append(elapsed)
                    db.append(spent[0] * 1000)
                    counts.add(queries[0])
            else:
                p50, p95 = statistics.median(times), percentile(times, 0.95)
                d50, d95 = statistics.median(db), percentile(db, 0.95)
                shown = "/".join(str(c) for c in sorted(counts))
                print(f"{label:42} {name:38} {p50:8.1f} {p95:8.1f} {d50:8.1f} {d95:8.1f} {shown:>8}")
                if p95 > P95_LIMIT_MS:
                    over.append(f"{label}, {name}: p95 {p95:.0f} ms")
    if over:
        print(f"over the {P95_LIMIT_MS:.0f} ms p95 of the issue:", "; ".join(over))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
