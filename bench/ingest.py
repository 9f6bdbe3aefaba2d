"""Platform report ingestion over HTTP on PostgreSQL: items/s through gunicorn, beside a raw COPY of the same rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/docket_bench_ingest .venv/bin/python bench/ingest.py \
        [--clients 4] [--workers 3] [--batches 10] [--platforms 1] [--order-size 1000]

The database named in DATABASE_URL is dropped and created afresh (never point it at one you keep). The bench
makes ``--platforms`` platforms, each with orders of ``--order-size`` accounts, and ``--clients`` API clients
spread over the platforms; gunicorn serves Docket with ``--workers`` processes; each client sends ``--batches``
batches of 1,000 items (``POST /api/v1/orders/<id>/reports/``, a persistent connection per client), each batch
about 1,000 accounts not reported before (disposed, with every 50th refused and every 100th not found), so every
batch stores its 1,000 rows, updates 1,000 targets and the order's quantity and cells. Printed: items/s over
HTTP, a replay of the first batches (every item already stored: the price of idempotency), then the same rows
written by COPY alone (one COPY of 1,000 rows per transaction, into the same partitioned table with the same
indexes and foreign keys, by ``--clients`` connections at once), and the ratio; the load average before and after.

``--profile N`` instead sends N batches through Django's test client in this process, with no server, and prints
where one batch's time goes: every statement's time, the COPY, the commit, and the CPU time of this process and
of its PostgreSQL backend.

``--instructions N`` counts instead the instructions Docket's process executes for a batch, under valgrind's
callgrind (Debian's ``valgrind``): a fresh load, a process that sends one batch, and another load and process
that send 1 + N, through Django's test client as served (``docket.wsgi``); the difference divided by N. A count
does not move with the machine's load or its neighbours, as times do on a shared machine (about ±15 % from run
to run here), so it tells whether a change to the Python side of the path saved anything; the database's share
is not in it (its backend is another process: ``--profile`` prints its CPU time).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "docket.settings")
os.environ.setdefault("DOCKET_HTTPS", "0")
os.environ.setdefault("DOCKET_ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("DOCKET_SECRET_KEY", "bench-ingest-not-a-secret")
# The bench measures the channel, not the rate limits.
os.environ.setdefault("DOCKET_API_RATE_TOKEN", "1000000/min")
os.environ.setdefault("DOCKET_API_RATE_ADDRESS", "1000000/min")
BATCH = 1000
ON = "2024-12-04"


def build(platforms: int, clients: int, batches: int, order_size: int) -> list[dict[str, Any]]:
    """Platforms, their orders and clients; per client its token and its batches (as the bytes it sends)."""
    from django.db import transaction
    from django.utils import timezone

    from docket import testing as t
    from docket.api.services import token_create
    from docket.measures.services import measure_record
    from docket.officers.actors import SYSTEM
    from docket.officers.models import Role
    from docket.offices.models import Level
    from docket.platforms.partitions import ensure_ahead
    from docket.platforms.services import platform_register
    from docket.subjects.models import Kind, Subject

    national = t.office("000000", "国家网信办", None, Level.NATIONAL)
    province = t.office("330000", "浙江省网信办", national, Level.PROVINCE)
    city = t.office("330100", "杭州市网信办", province, Level.CITY)
    officer = t.officer(city, Role.CASE_OFFICER)
    now = timezone.now()
    ensure_ahead(now.date(), 1)
    per_client = batches * BATCH
    # Clients of one platform share its orders: client c reports on order c // platforms of its platform.
    plans: list[dict[str, Any]] = []
    orders: dict[tuple[int, int], Any] = {}
    for c in range(clients):
        p = c % platforms
        key = f"p{p}"
        if (p, -1) not in orders:
            org = t.organisation(name=f"平台{p}")
            org.runs_platform = key
            org.save(update_fields=["runs_platform"])
            orders[(p, -1)] = org
        org = orders[(p, -1)]
        slot = c // platforms
        idents = [f"{key}-{slot}-{i}" for i in range(per_client)]
        Subject.objects.bulk_create(
            [Subject(kind=Kind.ACCOUNT, name=i, identifier=i, platform=key) for i in idents], batch_size=5000
        )
        ids = list(
            Subject.objects.filter(platform=key, identifier__startswith=f"{key}-{slot}-")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        chunks = [ids[i : i + order_size] for i in range(0, len(ids), order_size)]
        order_ids = []
        for chunk in chunks:
            with transaction.atomic():
                m = measure_record(
                    actor=officer,
                    type="account_closure_order",
                    taken_on=dt.date(2024, 12, 2),
                    subjects=list(Subject.objects.filter(pk__in=chunk)),
                    addressee=org,
                    now=now,
                    details={"grounds": "bench"},
                )
            order_ids.append(m.pk)
        client = platform_register(actor=SYSTEM, organisation=org, username=f"bench-{c}", now=now)
        secret = token_create(actor=SYSTEM, officer=client, name="bench", days=1, now=now).secret
        bodies = []
        for b in range(batches):
            part = idents[b * BATCH : (b + 1) * BATCH]
            order_id = order_ids[(b * BATCH) // order_size]
            items = []
            for i, ident in enumerate(part):
                n = b * BATCH + i
                if n % 100 == 99:
                    items.append({"item_id": f"{c}-{n}", "target": ident, "outcome": "not_found", "on": ON})
                elif n % 50 == 49:
                    items.append(
                        {"item_id": f"{c}-{n}", "target": ident, "outcome": "refused", "reason": "司法冻结", "on": ON}
                    )
                else:
                    items.append({"item_id": f"{c}-{n}", "target": ident, "outcome": "disposed", "on": ON})
            bodies.append((order_id, json.dumps({"items": items}).encode()))
        plans.append({"secret": secret, "bodies": bodies})
    # The orders and their accounts were written a moment ago: a database in service has statistics of its tables
    # (autovacuum's ANALYZE), and plans made without them are not the ones a platform would meet.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return plans


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(workers: int, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DOCKET_DEBUG": "0", "DOCKET_LOG_LEVEL": "ERROR"}
    app = ["docket.wsgi"]
    proc = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            *app,
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--keep-alive",
            "30",
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


def send(port: int, plan: dict[str, Any], results: list[Any], idx: int, barrier: threading.Barrier) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Authorization": f"Bearer {plan['secret']}", "Content-Type": "application/json"}
    statuses = []
    stored = 0
    # A first request to open the connection and warm the worker (not timed).
    conn.request("GET", "/api/v1/orders/?page_size=1", headers=headers)
    conn.getresponse().read()
    barrier.wait()
    for order_id, body in plan["bodies"]:
        conn.request("POST", f"/api/v1/orders/{order_id}/reports/", body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        statuses.append(response.status)
        if response.status in (200, 201):
            stored += json.loads(data)["stored"]
        else:
            print(f"client {idx}: {response.status} {data[:300]!r}", file=sys.stderr)
    results[idx] = (statuses, stored, time.perf_counter())
    conn.close()


def run_clients(port: int, plans: list[dict[str, Any]]) -> tuple[float, int, list[int]]:
    results: list[Any] = [None] * len(plans)
    barrier = threading.Barrier(len(plans) + 1)
    threads = [threading.Thread(target=send, args=(port, plan, results, i, barrier)) for i, plan in enumerate(plans)]
    for th in threads:
        th.start()
    barrier.wait()
    start = time.perf_counter()
    for th in threads:
        th.join()
    elapsed = max(r[2] for r in results) - start
    return elapsed, sum(r[1] for r in results), [s for r in results for s in r[0]]


def raw_copy(rows: int, clients: int) -> float:
    """The same rows as the run stored, written again by COPY alone into the same partitioned table (its indexes,
    constraints and foreign keys), 1,000 per transaction, by as many concurrent connections as the run had
    clients; the COPY text is made beforehand, so only the database's work is timed."""
    import psycopg
    from django.db import connection

    from docket.platforms.models import ReportedItem
    from docket.platforms.services import REPORTED_COLUMNS

    source = list(ReportedItem.objects.order_by("id").values_list(*REPORTED_COLUMNS)[:rows])
    connection.close()

    def text(chunk: list[tuple[Any, ...]]) -> str:
        return "".join(
            "\t".join(str(v.isoformat() if hasattr(v, "isoformat") else v) for v in (*r[:3], f"{r[3]}-copy", *r[4:]))
            + "\n"
            for r in chunk
        )

    blocks = [text(source[i : i + BATCH]) for i in range(0, len(source), BATCH)]
    shares = [blocks[c::clients] for c in range(clients)]
    table = ReportedItem._meta.db_table
    names = ", ".join(f'"{c}"' for c in REPORTED_COLUMNS)
    url = os.environ["DATABASE_URL"]
    conns = [psycopg.connect(url) for _c in range(clients)]
    barrier = threading.Barrier(clients + 1)

    def write(conn: Any, share: list[str]) -> None:
        barrier.wait()
        for block in share:
            with conn.transaction(), conn.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                copy.write(block)

    threads = [threading.Thread(target=write, args=(conn, share)) for conn, share in zip(conns, shares, strict=True)]
    for th in threads:
        th.start()
    barrier.wait()
    start = time.perf_counter()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - start
    for conn in conns:
        conn.close()
    return elapsed


def profile(plan: dict[str, Any], batches: int) -> None:
    """Send the plan's batches through Django's test client (no server) and print where a batch's time goes."""
    from collections import defaultdict

    from django.db import connection
    from django.test import Client

    from docket.platforms import services

    spent: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:  # noqa: FBT001 - Django's
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            key = re.sub(r'"s\d+_x\d+"', "…", " ".join(sql.split()))[:100]
            spent[key][0] += 1
            spent[key][1] += time.perf_counter() - start

    def clocked(name: str, fn: Any) -> Any:
        def run(*args: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args)
            finally:
                spent[name][0] += 1
                spent[name][1] += time.perf_counter() - start

        return run

    # As gunicorn serves it: docket.wsgi moves what start-up made out of the garbage collector's sight.
    import docket.wsgi  # noqa: F401

    connection.ensure_connection()
    connection.execute_wrappers.append(timed)
    connection._commit = clocked("COMMIT", connection._commit)  # type: ignore[method-assign]
    services._store = clocked("_store: the COPY and the SET CONSTRAINTS below", services._store)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]

    def backend_cpu() -> float:
        # The backend runs on this machine: its user + system time, from /proc.
        fields = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {plan['secret']}"}
    bodies = plan["bodies"]

    def post(order_id: int, body: bytes) -> None:
        answer = client.post(
            f"/api/v1/orders/{order_id}/reports/", data=body, content_type="application/json", **headers
        )
        if answer.status_code not in (200, 201):
            raise SystemExit(f"{answer.status_code}: {answer.content[:300]!r}")

    post(*bodies[0])  # warms the process: not counted
    spent.clear()
    n = len(bodies) - 1
    wall = python = postgres = 0.0
    for order_id, body in bodies[1:]:
        w, p, g = time.perf_counter(), time.process_time(), backend_cpu()
        post(order_id, body)
        wall += time.perf_counter() - w
        python += time.process_time() - p
        postgres += backend_cpu() - g
    in_db = sum(s for _c, s in spent.values())
    print(
        f"one batch of 1,000 items, mean of {n}: {wall / n * 1000:.1f} ms wall; CPU {python / n * 1000:.1f} ms in "
        f"Python (Django, the service, the driver), {postgres / n * 1000:.1f} ms in the PostgreSQL backend"
    )
    print(f"  {in_db / n * 1000:7.2f} ms waiting on the database, of which:")
    for key, (count, seconds) in sorted(spent.items(), key=lambda kv: -kv[1][1]):
        if seconds / n >= 0.0002:
            print(f"  {seconds / n * 1000:7.2f} ms  {count / n:4.0f}x  {key}")


def instructions(batches: int) -> None:
    """Instructions of Docket's process per batch (see the module's docstring)."""
    import pickle
    import tempfile

    from common import fresh_database
    from django.db import connection

    if shutil.which("valgrind") is None:
        raise SystemExit("--instructions needs valgrind (apt-get install valgrind)")
    counts = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (1, 1 + batches):
            connection.close()
            fresh_database()
            plan = build(1, 1, n, BATCH)[0]
            connection.close()
            plan_file, out = Path(tmp) / f"plan{n}", Path(tmp) / f"callgrind{n}"
            plan_file.write_bytes(pickle.dumps(plan))
            started = time.perf_counter()
            child = subprocess.run(  # noqa: S603 - valgrind on this script, fixed arguments
                ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, __file__]
                + ["--send", str(plan_file)],
                check=False,
                capture_output=True,
                text=True,
            )
            if child.returncode:
                # valgrind's own lines come first: the sender's refusal is at the end.
                raise SystemExit(f"the sender under callgrind failed:\n{child.stderr[-2000:]}")
            total = next(int(line.split()[1]) for line in out.read_text().splitlines() if line.startswith("totals:"))
            took = time.perf_counter() - started
            print(f"{n} batch(es) sent under callgrind in {took:.0f} s: {total:,} instructions")
            counts.append(total)
    print(f"Docket's process: {(counts[1] - counts[0]) / batches / 1e6:.1f} M instructions per batch of 1,000 items")


def send_all(plan_file: str) -> None:
    """The child of ``--instructions``: every batch of the plan, as served."""
    import pickle

    import django

    django.setup()
    from django.test import Client

    import docket.wsgi  # noqa: F401 - start-up as gunicorn's

    plan = pickle.loads(Path(plan_file).read_bytes())  # noqa: S301 - written by this script a moment ago
    client = Client()
    for order_id, body in plan["bodies"]:
        answer = client.post(
            f"/api/v1/orders/{order_id}/reports/",
            data=body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {plan['secret']}",
        )
        if answer.status_code not in (200, 201):
            raise SystemExit(f"{answer.status_code}: {answer.content[:300]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--batches", type=int, default=10, help="batches of 1,000 items per client")
    parser.add_argument("--platforms", type=int, default=1)
    parser.add_argument("--order-size", type=int, default=1000, help="accounts per order")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="profile N batches in-process instead")
    parser.add_argument(
        "--instructions", type=int, default=0, metavar="N", help="count the instructions of N batches (callgrind)"
    )
    parser.add_argument("--send", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.send or args.instructions or args.profile:
        os.environ["DOCKET_ALLOWED_HOSTS"] += ",testserver"
        os.environ.setdefault("DOCKET_DEBUG", "0")
    if args.send:
        send_all(args.send)
        return
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a PostgreSQL database the bench may drop and create")
    if args.instructions:
        instructions(args.instructions)
        return
    if args.profile:
        args.clients, args.batches = 1, args.profile + 1
    from common import fresh_database

    fresh_database()
    from django.db import connection

    t0 = time.perf_counter()
    plans = build(args.platforms, args.clients, args.batches, args.order_size)
    connection.close()
    if args.profile:
        profile(plans[0], args.profile)
        return
    total = args.clients * args.batches * BATCH
    print(
        f"built {args.platforms} platform(s), {args.clients} clients, {total:,} accounts in orders of "
        f"{args.order_size:,} in {time.perf_counter() - t0:.0f} s"
    )
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    port = free_port()
    server = serve(args.workers, port)
    try:
        elapsed, stored, statuses = run_clients(port, plans)
        rate = stored / elapsed
        bad = [s for s in statuses if s not in (200, 201)]
        print(
            f"HTTP: {stored:,} items stored in {elapsed:.2f} s by {args.clients} clients, "
            f"gunicorn -w {args.workers}: "
            f"{rate:,.0f} items/s ({len(statuses) / elapsed:.1f} batches/s){f'; {len(bad)} refused' if bad else ''}"
        )
        replay = [{"secret": p["secret"], "bodies": p["bodies"][:2]} for p in plans]
        r_elapsed, r_stored, _ = run_clients(port, replay)
        replayed = sum(len(p["bodies"]) for p in replay) * BATCH
        print(
            f"replay: {replayed:,} items already stored, answered in {r_elapsed:.2f} s: "
            f"{replayed / r_elapsed:,.0f} items/s"
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    copy_s = raw_copy(stored, args.clients)
    copy_rate = stored / copy_s
    print(
        f"raw COPY of the same {stored:,} rows (1,000 per transaction, {args.clients} connections): "
        f"{copy_s:.2f} s, {copy_rate:,.0f} items/s"
    )
    print(f"ratio HTTP / raw COPY: {rate / copy_rate:.2f} (target: >= 50,000 items/s over HTTP)")
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
