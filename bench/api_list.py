"""An authenticated list of 20 rows over HTTP: requests/s through gunicorn with persistent connections, beside a
minimal Django view under the same server in the same run (the ceiling).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/docket_apibench .venv/bin/python bench/api_list.py \
        [--build 5000] [--workers 2] [--connections 8] [--seconds 10] [--profile 2000] [--list cases|clues|measures]

The database named in DATABASE_URL is used as it is when it holds a ``docket demo --scale`` load; otherwise (or
with ``--rebuild``) it is dropped, created afresh and loaded with ``--build`` cases. The reader is an office head of
the busiest provincial office, with a token made for the run (``--reader county|city|national``: another level's;
a county's 21 newest among a million cases are found by another plan than a province's). gunicorn serves Docket
with ``gthread`` workers of one thread each (``--worker-class sync`` closes the connection after every answer)
and ``--reuse-port``; database connections are kept by ``DOCKET_CONN_MAX_AGE`` (600 s here), the rate limits are
kept in each worker or, with ``--redis URL``, in Redis as in a deployment of several processes. A load generator
keeps ``--connections`` HTTP connections open: wrk when it is installed, else Python clients in as many
processes. Every request is authenticated as any client's would be (the token looked up and checked each time)
and throttled (the limits raised so the bench measures the path, not the refusals).

The list keeps its answers under the audit chain's head (docket.api.listcache), so three ways of answering (and a
fourth for comparison) are timed, each behind its own gunicorn (only one under load at a time), in alternating rounds
with the ceiling (``GET /bench/ping/``, an empty Django view behind the same middleware):

- **kept**: the list asked again with nothing changed, answered from what the worker kept (the token still looked
  up and checked, the limits still counted): the figure for a client polling a list;
- **computed**: the same list with ``DOCKET_API_LIST_CACHE_MB=0``, every answer computed (the scoping path, the
  FilterSet, the page and its parties): the figure for lists that differ at each request;
- **changing**: the kept list while this process changes the records ``--writes`` times a second through a service
  (an API token made and revoked: two audit entries), so every change sends each worker back to computing.
- **computed, path join**: the computed list with the scoping path's join on the offices' paths for every reader,
  as before cases, clues and measures kept their offices at depths 1 and 2 (``offices.ancestors``): that change
  measured in the same run.

The list is the cases' (``--list clues`` or ``measures``: theirs, 20 rows each, the same ways).

For each: req/s, p50 and p95 latency, answers other than 200; the ratio of each to the ceiling and of kept to
computed; the load average of the machine before and after (the figures are only comparable within a run on a
shared machine). With ``--profile N``: N requests of each in this process (Django's test client, no network), the
CPU time of this process per request (the server's own cost, whatever the load), the wall time and the part of it
spent waiting for the database, then the functions that took the list's time (cProfile), for the computed list.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import multiprocessing
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "docket.settings")
os.environ.setdefault("DOCKET_HTTPS", "0")
os.environ.setdefault("DOCKET_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("DOCKET_SECRET_KEY", "bench-api-list-not-a-secret")
# The bench measures the path, not the refusals: the limits are still checked on every request.
os.environ.setdefault("DOCKET_API_RATE_TOKEN", "100000000/min")
os.environ.setdefault("DOCKET_API_RATE_ADDRESS", "100000000/min")
os.environ.setdefault("DOCKET_CONN_MAX_AGE", "600")

LISTS = {name: f"/api/v1/{name}/?page_size=20" for name in ("cases", "clues", "measures")}
LIST = LISTS["cases"]  # --list chooses another
PING = "/bench/ping/"
KEPT, COMPUTED, CHANGING = "list, kept", "list, computed", "list, kept, records changing"
# The computed list with the scoping path's join on the offices' paths for every reader, as before the models kept
# their offices at depths 1 and 2 (offices.ancestors): the comparison made in the same run.
JOINED = "list, computed, path join"
# The object type of the audit entry a scale load leaves (docket.demo.scale.MARKER), read before Django is set up.
MARKER = "demo.scale"


# --- the server's side: Docket's URLs plus the ceiling's empty view ------------------------------------------------


def ping(request: Any) -> Any:
    from django.http import HttpResponse

    return HttpResponse(b"ok", content_type="text/plain")


def _urlpatterns() -> list[Any]:
    from django.urls import include, path

    return [path("bench/ping/", ping), path("", include("docket.urls"))]


def __getattr__(name: str) -> Any:
    # The module is its own URLconf in the server (``ROOT_URLCONF = "api_list"``); built on first use so that
    # importing the bench does not need Django set up.
    if name == "urlpatterns":
        return _urlpatterns()
    raise AttributeError(name)


_handler: Any = None


def application(environ: Any, start_response: Any) -> Any:
    """gunicorn's entry: Docket's WSGI application with this module as the URLconf."""
    global _handler  # noqa: PLW0603 - one handler per worker, made on its first request
    if _handler is None:
        from django.conf import settings

        from docket import wsgi

        _handler = wsgi.application
        settings.ROOT_URLCONF = "api_list"
        if os.environ.get("BENCH_PATH_JOIN") == "1":
            from docket.cases.models import Case
            from docket.clues.models import Clue
            from docket.measures.models import Measure

            for model in (Case, Clue, Measure):
                model.jurisdiction_ancestors = ()
        wsgi.freeze_startup()  # as Docket's own WSGI module does, with this URLconf
    return _handler(environ, start_response)


# --- the records ---------------------------------------------------------------------------------------------------


def _scale_loaded() -> bool:
    import psycopg

    url = os.environ["DATABASE_URL"]
    try:
        with psycopg.connect(url) as conn:
            row = conn.execute("SELECT 1 FROM audit_auditentry WHERE object_type = %s LIMIT 1", [MARKER]).fetchone()
            return row is not None
    except psycopg.Error:
        return False


def prepare(build: int, *, rebuild: bool) -> None:
    if rebuild or not _scale_loaded():
        from common import fresh_database

        fresh_database()
        from django.core.management import call_command

        start = time.perf_counter()
        call_command("demo", "--scale", str(build))
        print(f"built {build:,} cases in {time.perf_counter() - start:.0f} s")
    else:
        os.environ.setdefault("DOCKET_DEBUG", "1")
        import django

        django.setup()
        print("using the scale load already in the database")


def reader(level: str) -> tuple[Any, str]:
    """An office head of the busiest office of ``level`` (the national office: the root) and a new token of theirs."""
    from common import busiest_office
    from django.utils import timezone

    from docket.api.services import token_create
    from docket.officers.actors import SYSTEM
    from docket.officers.models import Officer, OfficerRole, Role
    from docket.offices.models import Office

    office = Office.objects.get(parent=None) if level == "national" else busiest_office(level)
    officer, _created = Officer.objects.get_or_create(
        username=f"apibench-{office.code}", defaults={"office": office, "display_name": "API bench"}
    )
    OfficerRole.objects.get_or_create(officer=officer, role=Role.OFFICE_HEAD)
    secret = token_create(
        actor=SYSTEM, officer=officer, name=f"bench {time.time_ns()}", days=1, now=timezone.now()
    ).secret
    return officer, secret


# --- the server ----------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(
    workers: int, port: int, *, keep: bool, kind: str = "gthread", path_join: bool = False
) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DOCKET_DEBUG": "0", "DOCKET_LOG_LEVEL": "ERROR", "BENCH_PATH_JOIN": "1" if path_join else ""}
    if not keep:
        env["DOCKET_API_LIST_CACHE_MB"] = "0"
    proc = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "api_list:application",
            "--pythonpath",
            f"{HERE},{ROOT}",
            "-w",
            str(workers),
            "-k",
            kind,
            # gthread keeps a client's connection open between requests (sync workers close it after each
            # answer, whatever --keep-alive says); one thread each, as the database connection is the worker's.
            "--threads",
            "1",
            # Each worker listens on its own socket and the kernel spreads the connections over them; on one
            # shared socket a kept-alive connection stays with whichever worker accepted it first, often the same.
            "--reuse-port",
            "-b",
            f"127.0.0.1:{port}",
            "--keep-alive",
            "60",
            "--backlog",
            "256",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    from common import listening

    return listening(proc, port)


def warm(port: int, path: str, secret: str, n: int) -> None:
    # Each worker opens its database connection and fills its caches before anything is timed.
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for _ in range(n):
        conn.request("GET", path, headers={"Authorization": f"Bearer {secret}"})
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise SystemExit(f"{path}: {response.status} {body[:300]!r}")
    conn.close()


# --- the load ------------------------------------------------------------------------------------------------------

WRK_SCRIPT = """
wrk.headers["Authorization"] = "Bearer %s"
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), summary.errors.status + summary.errors.connect
    + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def load_wrk(port: int, path: str, secret: str, connections: int, seconds: int) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_SCRIPT % secret)
        script = f.name
    try:
        out = subprocess.run(  # noqa: S603 - wrk, fixed arguments
            [
                shutil.which("wrk") or "wrk",
                "-t",
                "1",
                "-c",
                str(connections),
                "-d",
                f"{seconds}s",
                "--timeout",
                "10s",
                "-s",
                script,
                f"http://127.0.0.1:{port}{path}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script)
    found = re.search(r"RESULT (\d+) (\d+) (\d+) (\d+) (\d+)", out)
    if found is None:
        raise SystemExit(f"wrk said: {out}")
    requests, micros, p50, p95, errors = (int(x) for x in found.groups())
    return {"rps": requests / (micros / 1e6), "p50": p50 / 1000, "p95": p95 / 1000, "errors": errors, "n": requests}


def _client(args: tuple[int, str, str, int, float]) -> tuple[list[float], int]:
    port, path, secret, per_process, until = args
    conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=30) for _ in range(per_process)]
    headers = {"Authorization": f"Bearer {secret}"}
    times: list[float] = []
    errors = 0
    # One process drives its connections in turn: a request waits only for its own answer.
    while time.perf_counter() < until:
        for conn in conns:
            start = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            times.append(time.perf_counter() - start)
            errors += response.status != 200
    return times, errors


def load_python(port: int, path: str, secret: str, connections: int, seconds: int) -> dict[str, float]:
    processes = min(connections, os.cpu_count() or 2)
    until = time.perf_counter() + seconds
    with multiprocessing.Pool(processes) as pool:
        per = max(1, connections // processes)
        start = time.perf_counter()
        results = pool.map(_client, [(port, path, secret, per, until)] * processes)
        elapsed = time.perf_counter() - start
    times = sorted(t for r in results for t in r[0])
    return {
        "rps": len(times) / elapsed,
        "p50": times[len(times) // 2] * 1000,
        "p95": times[int(len(times) * 0.95)] * 1000,
        "errors": sum(r[1] for r in results),
        "n": len(times),
    }


class Writer:
    """Changes the records ``per_second`` times a second through a service, in a thread of this process."""

    def __init__(self, officer: Any, per_second: float) -> None:
        import threading

        self.officer, self.pause, self.done = officer, 1 / per_second, threading.Event()
        self.count = 0
        self.thread = threading.Thread(target=self.run)
        self.thread.start()

    def run(self) -> None:
        from django.db import connection
        from django.utils import timezone

        from docket.api.services import token_create, token_revoke
        from docket.officers.actors import SYSTEM

        try:
            due = time.perf_counter()
            # On a schedule, not a pause after each change: the rate asked for is the rate made.
            while not self.done.wait(max(0.0, due - time.perf_counter())):
                due += self.pause
                made = token_create(
                    actor=SYSTEM, officer=self.officer, name=f"change {self.count}", days=1, now=timezone.now()
                )
                token_revoke(actor=SYSTEM, token=made.token, now=timezone.now())
                self.count += 1
        finally:
            connection.close()

    def stop(self) -> int:
        self.done.set()
        self.thread.join()
        return self.count


# --- the profile ---------------------------------------------------------------------------------------------------


def profile(secret: str, n: int) -> None:
    import cProfile
    import pstats

    from common import database_clock
    from django.conf import settings
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ROOT_URLCONF = "api_list"
    settings.DOCKET_API_LIST_CACHE_MB = 0  # the computed list: what a kept answer saves is timed over HTTP
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    for _ in range(50):
        for path in (PING, LIST):
            response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{path}: {response.status_code} {response.content[:300]!r}")
    with CaptureQueriesContext(connection) as ctx:
        client.get(LIST)
    print(f"queries per request: {len(ctx.captured_queries)}")
    for q in ctx.captured_queries:
        print(f"  {q['time']:>6}s  {q['sql'][:150]}")
    spent, queries = database_clock()
    for path in (PING, LIST):
        spent[0], queries[0] = 0.0, 0
        cpu, start = time.process_time(), time.perf_counter()
        for _ in range(n):
            client.get(path)
        cpu, elapsed = time.process_time() - cpu, time.perf_counter() - start
        print(
            f"{path:30} in process ({n} requests, no network): CPU {cpu / n * 1000:.2f} ms per request, "
            f"wall {elapsed / n * 1000:.2f} ms, of which {spent[0] / n * 1000:.2f} ms waiting for the database "
            f"({queries[0] / n:.0f} queries)"
        )
    reset_queries()
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(n):
        client.get(LIST)
    prof.disable()
    stats = pstats.Stats(prof)
    stats.sort_stats("cumulative").print_stats(r"docket|rest_framework|django/(db/models/query|core/handlers)", 30)
    stats.sort_stats("tottime").print_stats(15)


# --- the run -------------------------------------------------------------------------------------------------------


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--build", type=int, default=5000, help="cases to load when the database has none")
    parser.add_argument("--rebuild", action="store_true", help="drop the database and load it again")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn workers")
    parser.add_argument(
        "--reader",
        default="province",
        choices=["county", "city", "province", "national"],
        help="the reader: an office head of the busiest office of this level",
    )
    parser.add_argument(
        "--worker-class", default="gthread", choices=["gthread", "sync"], help="gunicorn's worker (sync: no keep-alive)"
    )
    parser.add_argument("--connections", type=int, default=8, help="persistent HTTP connections")
    parser.add_argument("--seconds", type=int, default=10, help="seconds of load per path")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds of list and ceiling")
    parser.add_argument("--writes", type=float, default=20, help="changes a second in the changing rounds")
    parser.add_argument("--profile", type=int, default=0, help="also profile this many requests in process")
    parser.add_argument("--list", default="cases", choices=sorted(LISTS), help="the list timed")
    parser.add_argument("--python-client", action="store_true", help="use the Python clients even if wrk exists")
    parser.add_argument(
        "--redis", default="", help="the rate limits' store shared by the workers, e.g. redis://127.0.0.1:6379/12"
    )
    args = parser.parse_args()
    global LIST  # noqa: PLW0603 - the list of this run, read by the profile as well
    LIST = LISTS[args.list]
    if args.redis:
        os.environ["DOCKET_REDIS_URL"] = args.redis
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a PostgreSQL database the bench may drop and create")
    prepare(args.build, rebuild=args.rebuild)
    from django.conf import settings
    from django.db import connection

    officer, secret = reader(args.reader)
    print(
        f"reader: {officer.username} ({officer.office.code}); CONN_MAX_AGE="
        f"{settings.DATABASES['default']['CONN_MAX_AGE']}; rate limits in "
        f"{settings.DOCKET_REDIS_URL or 'each worker (no DOCKET_REDIS_URL)'}"
    )
    connection.close()
    use_wrk = shutil.which("wrk") is not None and not args.python_client
    load = load_wrk if use_wrk else load_python
    kept_port, computed_port, joined_port = free_port(), free_port(), free_port()
    before = loadavg()
    servers = [
        serve(args.workers, kept_port, keep=True, kind=args.worker_class),
        serve(args.workers, computed_port, keep=False, kind=args.worker_class),
        serve(args.workers, joined_port, keep=False, kind=args.worker_class, path_join=True),
    ]
    ways = {
        KEPT: (kept_port, LIST),
        COMPUTED: (computed_port, LIST),
        JOINED: (joined_port, LIST),
        CHANGING: (kept_port, LIST),
        PING: (kept_port, PING),
    }
    results: dict[str, list[dict[str, float]]] = {way: [] for way in ways}
    changes = 0
    try:
        for port, path in set(ways.values()):
            warm(port, path, secret, 20 * args.workers)
        # Rounds alternate so that every way meets the same neighbours on a shared machine.
        for _ in range(args.rounds):
            for way, (port, path) in ways.items():
                writer = Writer(officer, args.writes) if way == CHANGING else None
                results[way].append(load(port, path, secret, args.connections, args.seconds))
                if writer is not None:
                    changes += writer.stop()
                    connection.close()
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
        for server in servers:
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(timeout=30)
    after = loadavg()
    print(
        f"gunicorn -w {args.workers} ({args.worker_class}), {args.connections} "
        f"{'persistent ' if args.worker_class == 'gthread' else ''}connections, "
        f"{'wrk' if use_wrk else 'Python clients'}, {args.rounds} x {args.seconds} s per way, "
        f"{os.cpu_count()} cores; the list is {LIST}"
    )
    best = {}
    for way, runs in results.items():
        for i, r in enumerate(runs):
            print(
                f"  {way:34} round {i + 1}: {r['rps']:8,.0f} req/s  p50 {r['p50']:6.2f} ms  p95 {r['p95']:6.2f} ms"
                f"  ({int(r['n']):,} requests, {int(r['errors'])} not 200)"
            )
        best[way] = max(runs, key=lambda r: r["rps"])
    seconds = args.rounds * args.seconds
    print(f"  (while changing: {changes:,} changes in {seconds} s, {changes / seconds:,.0f} a second)")
    ceiling = best[PING]["rps"]
    for way in (KEPT, COMPUTED, JOINED, CHANGING):
        print(f"{way:34} {best[way]['rps']:8,.0f} req/s, {best[way]['rps'] / ceiling:.2f} of the ceiling")
    print(f"{'computed / computed by path join':34} {best[COMPUTED]['rps'] / best[JOINED]['rps']:8.2f}")
    print(
        f"{'ceiling (empty view)':34} {ceiling:8,.0f} req/s; kept / computed: "
        f"{best[KEPT]['rps'] / best[COMPUTED]['rps']:.1f} (target: >= 1,000 req/s for the list)"
    )
    print(f"load average before {before}, after {after}")
    if args.profile:
        profile(secret, args.profile)


if __name__ == "__main__":
    main()
