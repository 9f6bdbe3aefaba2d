"""What every benchmark does first: a fresh database, Django set up, migrations applied.

PostgreSQL when DATABASE_URL names one (the database is dropped and created afresh: never point it at one you
keep), else SQLite in a temporary folder.
"""

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def fresh_database() -> str:
    """Prepare the database and Django; return the engine's name."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        engine = "PostgreSQL"
    else:
        os.environ["DOCKET_VAR_DIR"] = tempfile.mkdtemp(prefix="docket-bench-")
        engine = "SQLite"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "docket.settings")
    os.environ.setdefault("DOCKET_DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return engine


def busiest_office(level: str) -> Any:
    """The office of ``level`` holding the most cases (the benches' readers sit there)."""
    from django.db.models import Count

    from docket.cases.models import Case
    from docket.offices.models import Office

    office_id = (
        Case.objects.filter(office__level=level)
        .values("office")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("office", flat=True)
        .first()
    )
    if office_id is None:
        raise SystemExit(f"no case of a {level} office: load one with docket demo --scale N (or --build N)")
    return Office.objects.get(pk=office_id)


def database_clock() -> tuple[list[float], list[int]]:
    """Every query timed and counted where Django sends it: ``(seconds, queries)``, each a one-item list the bench
    resets before a request and reads after it."""
    from django.db import connection

    spent, queries = [0.0], [0]

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:  # noqa: FBT001 - Django's signature
        start = time.perf_counter()
        queries[0] += 1
        try:
            return execute(sql, params, many, context)
        finally:
            spent[0] += time.perf_counter() - start

    connection.execute_wrappers.append(timed)
    return spent, queries


def listening(proc: Any, port: int, timeout: float = 60) -> Any:
    """``proc`` once it accepts connections on ``port`` (a server the bench started); killed if it never does."""
    import socket

    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def setup(build: int) -> None:
    """Django set up over DATABASE_URL for benches that request pages through the test client; with ``build``, the
    database made afresh and loaded with that many scale cases first (the time printed)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "docket.settings")
    os.environ.setdefault("DOCKET_HTTPS", "0")
    os.environ.setdefault("DOCKET_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    if build:
        engine = fresh_database()
        from django.core.management import call_command

        start = time.perf_counter()
        call_command("demo", "--scale", str(build))
        elapsed = time.perf_counter() - start
        print(f"built {build:,} cases on {engine} in {elapsed:.0f} s ({build / elapsed:,.0f} cases/s)")
        return
    import django

    django.setup()


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


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


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
