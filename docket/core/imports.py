"""Every import recorded, once per file, entirely in or entirely out.

An import writes its record ("started") in a short transaction of its own, then writes its data and marks the
record "committed" in one transaction. Whatever kills it — an error, Ctrl-C, SIGKILL, a lost connection
during COMMIT — the data and the "committed" mark are in together or not at all. A record left "started" by
a process that is gone is marked "not imported (interrupted)" by the next import or by `docket import list`.

Whether the owner of a "started" record is gone: on PostgreSQL it holds a session advisory lock on the record
for as long as it lives (the server releases it when the connection dies, after COMMIT or ROLLBACK has
finished); on SQLite, which lives on one machine, its process id is looked up.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from docket.core.columnar import Upload
from docket.core.errors import Conflict, InvalidInput
from docket.core.models import ImportRecord, ImportState

# The first key of the session advisory locks that say "this import's process is alive" (ASCII "DI").
LOCK_SPACE = 0x4449
FIRST_ERRORS = 20


class AlreadyImported(Conflict):
    """The same file (kind and SHA-256) is in already; importing it again must be asked for."""

    def __init__(self, earlier: ImportRecord):
        self.earlier = earlier
        super().__init__(
            _(
                "this file was imported already: import #%(id)s of %(when)s by %(who)s (%(rows)s rows); "
                "nothing was imported. Import it again only on purpose (`--again`)."
            )
            % {
                "id": earlier.pk,
                "when": f"{timezone.localtime(earlier.started_at):%Y-%m-%d %H:%M}",
                "who": earlier.actor_name or _("unknown"),
                "rows": f"{earlier.rows or 0:,}",
            }
        )


class Run:
    """One import under way: its record, and the transaction that puts its data in."""

    def __init__(self, record: ImportRecord):
        self.record = record
        self._rows: int | None = None
        self._result: dict[str, Any] = {}

    def done(self, *, rows: int, result: dict[str, Any]) -> None:
        """What the import did; written with the "committed" mark, inside ``commit()``."""
        self._rows, self._result = rows, result

    @contextmanager
    def commit(self) -> Iterator[Run]:
        """The one transaction of the data and the "committed" mark."""
        record = self.record
        try:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    # Two imports of one file queue here; the second then sees the first committed.
                    with connection.cursor() as cursor:
                        cursor.execute(
                            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"{record.kind}:{record.sha256}"]
                        )
                state = ImportRecord.objects.select_for_update().filter(pk=record.pk).values_list("state", flat=True)
                if list(state) != [ImportState.STARTED]:
                    message = _("import #%(id)s was marked interrupted meanwhile; run it again")
                    raise Conflict(message % {"id": record.pk})
                if not record.again and (earlier := _earlier(record.kind, record.sha256)) is not None:
                    raise AlreadyImported(earlier)
                yield self
                ImportRecord.objects.filter(pk=record.pk, state=ImportState.STARTED).update(
                    state=ImportState.COMMITTED, rows=self._rows, result=self._result, finished_at=timezone.now()
                )
        except IntegrityError as exc:
            # Only a simultaneous import of the same file gets here, past the lock above.
            earlier = _earlier(record.kind, record.sha256) if "import_file_once" in str(exc) else None
            if earlier is None:
                raise
            raise AlreadyImported(earlier) from None


def _earlier(kind: str, sha256: str) -> ImportRecord | None:
    return (
        ImportRecord.objects.filter(kind=kind, sha256=sha256, state=ImportState.COMMITTED)
        .order_by("-finished_at", "-id")
        .first()
    )


def _who(actor: Any) -> tuple[int | None, str, str]:
    if actor is not None and getattr(actor, "pk", None) is not None:
        office = getattr(actor, "office", None)
        return actor.pk, actor.get_username(), office.code if office is not None else ""
    # A command: the system acting, and the account that ran it on this machine.
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid()) if hasattr(os, "getuid") else "?"
    name = actor.get_username() if actor is not None and hasattr(actor, "get_username") else "system"
    return None, f"{name} ({user}@{socket.gethostname()})"[:150], ""


@contextmanager
def import_run(
    *, kind: str, upload: Upload, name: str, actor: Any, now: dt.datetime, again: bool = False
) -> Iterator[Run]:
    """Record an import of ``upload``; refuse it if the same file is in already (unless ``again``).

    The body validates, then writes inside ``run.commit()``. Leaving the body by any exception marks the
    record refused, failed or interrupted, unless the data had committed.
    """
    reconcile()
    if not again and (earlier := _earlier(kind, upload.sha256)) is not None:
        raise AlreadyImported(earlier)
    actor_id, actor_name, office_code = _who(actor)
    with transaction.atomic():
        record = ImportRecord.objects.create(
            kind=kind,
            file_name=name[:255],
            sha256=upload.sha256,
            size=upload.size,
            again=again,
            started_at=now,
            actor_id=actor_id,
            actor_name=actor_name,
            office_code=office_code,
            host=socket.gethostname()[:255],
            pid=os.getpid(),
        )
        # Held before the record is visible to anyone, so no one ever sees it "started" and unowned.
        _hold(record.pk)
    try:
        yield Run(record)
    except InvalidInput as exc:
        _finish(
            record.pk,
            ImportState.REFUSED,
            {"errors": len(exc.errors), "first": [str(e) for e in exc.errors[:FIRST_ERRORS]]},
        )
        raise
    except AlreadyImported as exc:
        _finish(record.pk, ImportState.REFUSED, {"earlier": exc.earlier.pk})
        raise
    except (KeyboardInterrupt, SystemExit) as exc:
        _finish(record.pk, ImportState.INTERRUPTED, {"error": type(exc).__name__})
        raise
    except BaseException as exc:
        _finish(record.pk, ImportState.FAILED, {"error": type(exc).__name__, "message": str(exc)[:500]})
        raise
    finally:
        _release(record.pk)


def _finish(pk: int, state: str, result: dict[str, Any]) -> None:
    """Mark a record that did not commit; a record already committed stays so."""
    try:
        with transaction.atomic():
            ImportRecord.objects.filter(pk=pk, state=ImportState.STARTED).update(
                state=state, result=result, finished_at=timezone.now()
            )
    except Exception:  # noqa: BLE001, S110 - a dead connection: the record stays "started" and is reconciled later
        pass


def _hold(pk: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_SPACE, pk])


def _release(pk: int) -> None:
    if connection.vendor != "postgresql":
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_SPACE, pk])
    except Exception:  # noqa: BLE001, S110 - the lock goes with the connection anyway
        pass


def _owner_gone(record: ImportRecord) -> bool:
    """Whether the process that started ``record`` is gone. On PostgreSQL, True leaves us holding its lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_SPACE, record.pk])
            return bool(cursor.fetchone()[0])
    if record.host != socket.gethostname() or record.pid is None:
        return False  # another machine's process: not ours to judge
    try:
        os.kill(record.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def reconcile() -> int:
    """Mark "not imported (interrupted)" every import left "started" whose process is gone; how many."""
    marked = 0
    for record in ImportRecord.objects.filter(state=ImportState.STARTED).order_by("id"):
        if not _owner_gone(record):
            continue
        try:
            # Read again under the lock: the owner may have committed just before it died.
            with transaction.atomic():
                marked += ImportRecord.objects.filter(pk=record.pk, state=ImportState.STARTED).update(
                    state=ImportState.INTERRUPTED,
                    result={"error": "interrupted"},
                    finished_at=timezone.now(),
                )
        finally:
            _release(record.pk)
    return marked


def import_list(*, limit: int = 50, kind: str | None = None) -> list[ImportRecord]:
    """The latest imports, those whose process died marked as such first."""
    reconcile()
    records = ImportRecord.objects.all()
    if kind:
        records = records.filter(kind=kind)
    return list(records.order_by("-started_at", "-id")[:limit])
