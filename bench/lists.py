"""Time the admin's list and change pages over a scale load: p50 and p95 of the server time per page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/docket_scale .venv/bin/python bench/lists.py [--build 1000000]

Without ``--build`` the database named in DATABASE_URL is used as it is (it must hold a ``docket demo --scale``
load); with it, that database is dropped, created afresh and loaded with that many cases first (the build time
is printed). Each page is requested through Django's test client (the whole request: middleware, the scoped
queryset, the count, the rendering; no network) as three officers: a county case officer, a provincial office
head and the national inspector, warm, ``--repeat`` times; beside the times of each page, the part spent in the
database (every query timed where Django sends it).
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
from common import busiest_office, database_clock  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "docket.settings")
os.environ.setdefault("DOCKET_HTTPS", "0")
os.environ.setdefault("DOCKET_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")


def setup(build: int) -> None:
    if build:
        from common import fresh_database

        engine = fresh_database()
        from django.core.management import call_command

        start = time.perf_counter()
        call_command("demo", "--scale", str(build))
        elapsed = time.perf_counter() - start
        print(f"built {build:,} cases on {engine} in {elapsed:.0f} s ({build / elapsed:,.0f} cases/s)")
        return
    import django

    django.setup()


def officers() -> dict[str, Any]:
    """The three readers: each the busiest office of its level, with its scale officers (roles added)."""

    from docket.cases.models import Case
    from docket.officers.models import Officer, OfficerRole, Role
    from docket.offices.models import Office

    busiest = busiest_office

    out = {}
    for label, office, role in (
        ("county officer", busiest("county"), Role.CASE_OFFICER),
        ("provincial head", busiest("province"), Role.OFFICE_HEAD),
        ("national inspector", Office.objects.get(code="000000"), Role.INSPECTOR),
    ):
        officer, _created = Officer.objects.get_or_create(
            username=f"bench-{office.code}-{role}", defaults={"office": office, "is_staff": True}
        )
        OfficerRole.objects.get_or_create(officer=officer, role=role)
        out[f"{label} ({office.code}, {Case.objects.filter(office__path__startswith=office.path).count():,} cases)"] = (
            officer
        )
    return out


def second_factor(client: Any, officer: Any) -> None:
    """An office head signs in with a second factor: the session is marked as having passed it, as the sign-in
    page does (the check itself still runs on every request)."""
    from django.apps import apps

    if not apps.is_installed("django_otp"):
        return
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _created = TOTPDevice.objects.get_or_create(user=officer, name="bench", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def pages(officer: Any) -> dict[str, str]:
    from docket.cases.admin import CaseAdmin
    from docket.cases.models import Case, State

    case = Case.objects.visible_to(officer).order_by("-filed_on", "-id").first()
    assert case is not None
    due = CaseAdmin.list_display.index("due_on") + 1 if "due_on" in CaseAdmin.list_display else None
    out = {
        "case list": "/admin/cases/case/",
        "case list, state = investigating": f"/admin/cases/case/?state__exact={State.INVESTIGATING}",
        "measure list": "/admin/measures/measure/",
        "case change page": f"/admin/cases/case/{case.pk}/change/",
    }
    if due is not None:
        out["case list by due date"] = f"/admin/cases/case/?o={due}"
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", type=int, default=0, help="drop the database and load this many cases first")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    setup(args.build)
    from django.db import connection
    from django.test import Client

    from docket.cases.models import Case
    from docket.measures.models import Measure

    print(f"{connection.vendor}: {Case.objects.count():,} cases, {Measure.objects.count():,} measures")
    failures = 0
    # The database's share of each request.
    spent, _queries = database_clock()
    print(f"{'reader':48} {'page':34} {'p50 ms':>8} {'p95 ms':>8} {'db p50':>8} {'db p95':>8}")
    for label, officer in officers().items():
        client = Client()
        client.force_login(officer)
        second_factor(client, officer)
        for name, url in pages(officer).items():
            times, db = [], []
            for i in range(args.repeat + 3):
                spent[0] = 0.0
                start = time.perf_counter()
                response = client.get(url)
                elapsed = (time.perf_counter() - start) * 1000
                if response.status_code != 200:
                    print(f"{label:48} {name:34} HTTP {response.status_code}")
                    failures += 1
                    break
                if i >= 3:  # the first requests warm the caches
                    times.append(elapsed)
                    db.append(spent[0] * 1000)
            else:
                p50, p95 = statistics.median(times), percentile(times, 0.95)
                d50, d95 = statistics.median(db), percentile(db, 0.95)
                print(f"{label:48} {name:34} {p50:8.1f} {p95:8.1f} {d50:8.1f} {d95:8.1f}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
