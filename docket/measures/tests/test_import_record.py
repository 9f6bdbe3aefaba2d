"""Every import recorded; a file in once unless imported again on purpose; a killed import entirely out, and
its record saying so."""

from __future__ import annotations

import datetime as dt
import io
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from docket import testing as t
from docket.core.errors import Conflict
from docket.core.imports import LOCK_SPACE, AlreadyImported, import_list
from docket.core.models import ImportRecord, ImportState
from docket.measures import imports
from docket.measures.imports import measures_import
from docket.measures.models import Measure, MeasureTarget
from docket.officers.models import Role
from docket.reports.models import Cell
from docket.subjects import services as subject_services
from docket.subjects.models import Subject
from docket.subjects.services import subjects_import

NOW = dt.datetime(2024, 12, 31, 8, 0, tzinfo=dt.UTC)
MEASURES = (
    "office_code,date,measure,subject_kind,subject_identifier,quantity\n"
    "330100,2023-03-01,website_closure,website,a.example.cn,\n"
    "330100,2023-04-01,website_closure,website,b.example.cn,\n"
    f"330106,2023-05-01,account_closure_order,organisation,{t.valid_uscc(7300)},40\n"
).encode()

CELL = ("scope_id", "grain", "period_start", "measure_type", "subject_kind", "events", "quantity")


def _subjects_file() -> bytes:
    return f"kind,name,identifier\norganisation,某公司,{t.valid_uscc(7301)}\nwebsite,某站,c.example.cn\n".encode()


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True)
    return int(done.stdout)


def test_the_same_file_again_is_refused_naming_the_earlier_import(tree):
    officer = t.officer(tree.hz, Role.OFFICE_HEAD)
    data = MEASURES.replace(b"330106", b"330100")
    first = measures_import(actor=officer, data=data, now=NOW, name="2023.csv")
    assert first["measures"] == 3
    earlier = ImportRecord.objects.get()
    assert (earlier.state, earlier.rows, earlier.file_name, earlier.kind) == (
        ImportState.COMMITTED,
        3,
        "2023.csv",
        "measures",
    )
    assert earlier.actor_name == officer.get_username() and earlier.office_code == "330100"
    cells = sorted(
        Cell.objects.values_list("scope_id", "grain", "period_start", "measure_type", "subject_kind", "events")
    )
    with pytest.raises(AlreadyImported) as exc:
        measures_import(actor=None, system=True, data=io.BytesIO(data), now=NOW, name="copy.csv")
    assert isinstance(exc.value, Conflict)
    message = str(exc.value)
    assert f"import #{earlier.pk} of 2024-12-31 16:00 by {officer.get_username()} (3 rows)" in message
    assert Measure.objects.count() == 3
    assert (
        sorted(Cell.objects.values_list("scope_id", "grain", "period_start", "measure_type", "subject_kind", "events"))
        == cells
    )
    # Refused before anything: no second record.
    assert ImportRecord.objects.count() == 1
    # On purpose, it goes in again (the figures double: that is what was asked).
    again = measures_import(actor=None, system=True, data=data, now=NOW, name="copy.csv", again=True)
    assert again["measures"] == 3 and Measure.objects.count() == 6
    assert ImportRecord.objects.filter(state=ImportState.COMMITTED, again=True).count() == 1


def test_the_same_subjects_file_again_is_refused(db):
    subjects_import(actor=None, system=True, data=_subjects_file(), now=NOW)
    with pytest.raises(AlreadyImported):
        subjects_import(actor=None, system=True, data=_subjects_file(), now=NOW)
    subjects_import(actor=None, system=True, data=_subjects_file(), now=NOW, again=True)
    assert Subject.objects.count() == 2
    assert list(ImportRecord.objects.order_by("id").values_list("state", "again", "rows")) == [
        (ImportState.COMMITTED, False, 2),
        (ImportState.COMMITTED, True, 2),
    ]


def test_a_refused_file_is_recorded_and_may_be_imported_once_corrected(tree):
    bad = MEASURES.replace(b"2023-04-01", b"2023-04-31")
    with pytest.raises(Exception, match="not a date"):
        measures_import(actor=None, system=True, data=bad, now=NOW)
    record = ImportRecord.objects.get()
    assert record.state == ImportState.REFUSED and record.finished_at is not None
    assert record.result["errors"] == 1 and record.result["first"][0].startswith("row 3, date:")
    # Refused is not in: the same bytes are not "already imported".
    with pytest.raises(Exception, match="not a date"):
        measures_import(actor=None, system=True, data=bad, now=NOW)
    measures_import(actor=None, system=True, data=MEASURES, now=NOW)
    assert Measure.objects.count() == 3


@pytest.mark.parametrize("interrupt", [RuntimeError("killed"), KeyboardInterrupt()])
def test_an_import_killed_after_writing_rows_is_entirely_out(tree, monkeypatch, interrupt):
    # The measures, targets, subjects and cells are written; the process dies before COMMIT.
    def die(**kwargs: Any) -> None:
        assert Measure.objects.count() == 3 and Subject.objects.count() == 3 and Cell.objects.exists()
        raise interrupt

    monkeypatch.setattr(imports, "audit_record", die)
    with pytest.raises(type(interrupt)):
        measures_import(actor=None, system=True, data=MEASURES, now=NOW)
    assert Measure.objects.count() == 0 and Subject.objects.count() == 0 and not Cell.objects.exists()
    record = ImportRecord.objects.get()
    expected = ImportState.INTERRUPTED if isinstance(interrupt, KeyboardInterrupt) else ImportState.FAILED
    assert record.state == expected and record.rows is None
    # Nothing of it is in, so the same file is not refused.
    monkeypatch.undo()
    measures_import(actor=None, system=True, data=MEASURES, now=NOW)
    assert Measure.objects.count() == 3


def test_a_subjects_import_killed_after_writing_rows_is_entirely_out(db, monkeypatch):
    def die(**kwargs: Any) -> None:
        assert Subject.objects.count() == 2
        raise RuntimeError("killed")

    monkeypatch.setattr(subject_services, "audit_record", die)
    with pytest.raises(RuntimeError):
        subjects_import(actor=None, system=True, data=_subjects_file(), now=NOW)
    assert Subject.objects.count() == 0
    assert ImportRecord.objects.get().state == ImportState.FAILED


def test_a_process_that_died_leaves_its_import_started_then_reconciled(tree, monkeypatch):
    # SIGKILL: no Python cleanup runs, the record stays "started", the data transaction never commits.
    from docket.core import imports as core_imports

    def die(**kwargs: Any) -> None:
        raise SystemExit(-9)

    monkeypatch.setattr(imports, "audit_record", die)
    monkeypatch.setattr(core_imports, "_finish", lambda *args: None)
    with pytest.raises(SystemExit):
        measures_import(actor=None, system=True, data=MEASURES, now=NOW)
    monkeypatch.undo()
    record = ImportRecord.objects.get()
    assert record.state == ImportState.STARTED and Measure.objects.count() == 0
    # Its process is gone (on PostgreSQL its session lock went with it; on SQLite its pid is no more).
    ImportRecord.objects.filter(pk=record.pk).update(pid=_dead_pid())
    (listed,) = import_list()
    assert listed.state == ImportState.INTERRUPTED and listed.finished_at is not None
    assert str(ImportState(listed.state).label) == "not imported (interrupted)"
    measures_import(actor=None, system=True, data=MEASURES, now=NOW)
    assert Measure.objects.count() == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_import_under_way_is_not_taken_for_dead(db):
    record = ImportRecord.objects.create(
        kind="measures", sha256="0" * 64, size=1, started_at=NOW, host=socket.gethostname(), pid=os.getpid()
    )
    if connection.vendor != "postgresql":
        # This process is alive: its import is under way.
        assert import_list()[0].state == ImportState.STARTED
        return
    # On PostgreSQL the owner is whichever session holds the record's lock; here another thread's.
    held, release = threading.Event(), threading.Event()

    def owner() -> None:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_SPACE, record.pk])
            held.set()
            release.wait(10)
        connections.close_all()  # the session ends, and its lock with it

    thread = threading.Thread(target=owner)
    thread.start()
    try:
        assert held.wait(10)
        assert import_list()[0].state == ImportState.STARTED
    finally:
        release.set()
        thread.join()
    assert import_list()[0].state == ImportState.INTERRUPTED


def test_import_list_command(tree, tmp_path):
    good = tmp_path / "good.csv"
    good.write_bytes(MEASURES)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(MEASURES.replace(b"website_closure", b"scolding", 1))
    call_command("import", "measures", str(good), stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("import", "measures", str(bad), stderr=io.StringIO())
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"imported already: import #\d+ .* by system:import \("):
        call_command("import", "measures", str(good), stderr=err)
    out = io.StringIO()
    call_command("import", "measures", str(good), "--again", stdout=out)
    assert "measures: 3" in out.getvalue()
    out = io.StringIO()
    call_command("import", "list", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].split()[:4] == ["id", "kind", "state", "rows"]
    again, refused, first = (ImportRecord.objects.get(pk=int(line.split()[0])) for line in lines[1:])
    assert "imported (again)" in lines[1] and "good.csv" in lines[1] and again.again
    assert "refused: nothing imported" in lines[2] and "bad.csv" in lines[2] and refused.state == ImportState.REFUSED
    assert "imported" in lines[3] and first.sha256[:12] in lines[3] and first.rows == 3
    assert Measure.objects.count() == 6
    out = io.StringIO()
    call_command("import", "list", "--kind", "subjects", stdout=out)
    assert out.getvalue().strip() == "no imports yet"


# Not marked ``race``: the import is not an @service (its record needs a transaction of its own before the data's).
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_file_imported_at_once_goes_in_once(tree):
    results = t.race(lambda i: measures_import(actor=None, system=True, data=MEASURES, now=NOW, name=f"{i}.csv"))
    done = [r for r in results if isinstance(r, dict)]
    assert len(done) == 1, results
    others = [r for r in results if not isinstance(r, dict | AlreadyImported)]
    assert not others, others
    assert Measure.objects.count() == 3 and Subject.objects.count() == 3
    assert ImportRecord.objects.filter(state=ImportState.COMMITTED).count() == 1
    assert not ImportRecord.objects.filter(state=ImportState.STARTED).exists()


KILL_DURING_WRITE = """
import os, signal, sys
import django
django.setup()
from django.utils import timezone
from docket.subjects import services

def die(**kwargs):
    # Inside the import's transaction, its rows written: SIGKILL, no cleanup of any kind.
    assert services.Subject.objects.count() == 2
    os.kill(os.getpid(), signal.SIGKILL)

services.audit_record = die
with open(sys.argv[1], "rb") as f:
    services.subjects_import(actor=None, system=True, data=f, now=timezone.now(), name="killed.csv")
"""


@pytest.fixture
def own_database(tmp_path: Any) -> Iterator[dict[str, str]]:
    """The environment of processes sharing a database of their own: an SQLite file, or a fresh PostgreSQL
    database beside the test database."""
    env = {**os.environ, "DOCKET_VAR_DIR": str(tmp_path / "var"), "DOCKET_DEBUG": "1", "TMPDIR": str(tmp_path / "tmp")}
    env["DJANGO_SETTINGS_MODULE"] = "docket.settings"
    env["DOCKET_LANGUAGE"] = "en"  # the assertions read the English labels
    (tmp_path / "tmp").mkdir()
    if connection.vendor != "postgresql":
        env.pop("DATABASE_URL", None)
        yield env
        return
    import psycopg

    # When the suite runs as the application role (docket.pytest_roles), only the owner may create a database.
    base = (os.environ.get("DOCKET_DB_OWNER_URL") or os.environ["DATABASE_URL"]).rsplit("/", 1)[0]
    name = f"{connection.settings_dict['NAME']}_killed"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = f"{base}/{name}"
    try:
        yield env
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_an_import_killed_by_sigkill_is_entirely_out_and_listed_so(own_database, tmp_path):
    # A real process, a real database, a real SIGKILL in the middle of the write.
    env = own_database
    docket = [sys.executable, "-m", "docket"]
    subprocess.run([*docket, "migrate", "-v0"], env=env, check=True, capture_output=True)
    data = tmp_path / "subjects.csv"
    data.write_bytes(_subjects_file())
    killed = subprocess.run([sys.executable, "-c", KILL_DURING_WRITE, str(data)], env=env, capture_output=True)
    assert killed.returncode == -9, killed.stderr.decode()[-2000:]
    for _attempt in range(20):
        # On PostgreSQL the server lets go of the dead session's lock once it has rolled its transaction back.
        listed = subprocess.run([*docket, "import", "list"], env=env, capture_output=True, text=True, check=True)
        if "in progress" not in listed.stdout:
            break
        time.sleep(0.5)
    assert "not imported (interrupted)" in listed.stdout and "killed.csv" in listed.stdout, listed.stdout
    count = "from docket.subjects.models import Subject; print(Subject.objects.count())"
    shell = subprocess.run(
        [*docket, "shell", "--no-imports", "-c", count], env=env, capture_output=True, text=True, check=True
    )
    assert shell.stdout.strip() == "0"
    again = subprocess.run([*docket, "import", "subjects", str(data)], env=env, capture_output=True, text=True)
    assert again.returncode == 0 and "created: 2" in again.stdout, again.stderr
    # The killed process's workspace was swept by the next import, which left nothing of its own.
    assert list((tmp_path / "tmp").iterdir()) == []


def test_an_unexpected_error_is_one_line_and_says_whether_anything_is_in(tree, tmp_path, monkeypatch):
    good = tmp_path / "good.csv"
    good.write_bytes(MEASURES)

    def broken(**kwargs: Any) -> None:
        raise ValueError("the disk is on fire\n  with a second line")

    monkeypatch.setattr(imports, "_write", lambda *args: broken())
    with pytest.raises(CommandError) as exc:
        call_command("import", "measures", str(good))
    record = ImportRecord.objects.get()
    assert (
        str(exc.value) == f"import failed (ValueError: the disk is on fire): import #{record.pk}: nothing was imported"
    )
    assert record.state == ImportState.FAILED and Measure.objects.count() == 0
    # Interrupted from the keyboard: the same, with the shell's exit code for it.
    monkeypatch.setattr(imports, "_write", lambda *args: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(CommandError) as exc:
        call_command("import", "measures", str(good))
    assert exc.value.returncode == 130 and "interrupted: import #" in str(exc.value)
    assert ImportRecord.objects.latest("id").state == ImportState.INTERRUPTED


def test_the_tables_filled_are_analysed_on_postgresql(tree, monkeypatch):
    called: list[Any] = []
    real = imports.analyze
    monkeypatch.setattr(imports, "analyze", lambda *models: (called.extend(models), real(*models)))
    measures_import(actor=None, system=True, data=MEASURES, now=NOW)
    assert called == [Measure, MeasureTarget, Subject]  # no campaign tags in this file: not that table
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Only a table's owner may ANALYZE it (PostgreSQL 15): the application role's goes through
            # docket_analyze, and takes effect all the same.
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [Measure._meta.db_table])
            assert cursor.fetchone()[0] == 3
