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
