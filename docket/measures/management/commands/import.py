"""`docket import subjects|measures FILE.csv [--again]`, `docket import list`: all-or-nothing imports.

The command lives with measures, the highest app it drives (subjects sit below measures). It parses its
arguments, calls one service and words the outcome: `row N, field: reason` lines and exit 1 for a refused
file, one line for anything else, never a traceback.
"""

import os
import socket
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from docket.core.errors import DocketError, InvalidInput
from docket.core.imports import AlreadyImported, import_list
from docket.core.models import ImportRecord, ImportState
from docket.officers.actors import SystemActor

MAX_LISTED = 200
# The system acting for whoever runs the command (the import record adds their login and machine).
ACTOR = SystemActor("import")


def _subjects(**kwargs: Any) -> dict[str, int]:
    from docket.subjects.services import subjects_import

    return subjects_import(**kwargs)


def _measures(**kwargs: Any) -> dict[str, int]:
    from docket.measures.imports import measures_import

    return measures_import(**kwargs)


IMPORTERS = {"subjects": _subjects, "measures": _measures}


class Command(BaseCommand):
    help = "Import records from a CSV file, all or nothing and once per file; 'list' shows the imports."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for kind in sorted(IMPORTERS):
            one = sub.add_parser(
                kind, help=f"Import {kind} from a UTF-8 CSV file; nothing is stored unless all is valid"
            )
            one.add_argument("file", type=Path)
            one.add_argument(
                "--again", action="store_true", help="import a file that was imported before (adds its rows twice)"
            )
        listing = sub.add_parser("list", help="List the imports, latest first, with their outcome.")
        listing.add_argument("--limit", type=int, default=50)
        listing.add_argument("--kind", choices=sorted(IMPORTERS))

    def handle(self, *args: Any, **options: Any) -> None:
        self._started = timezone.now()
        if options["action"] == "list":
            self._list(options["limit"], options.get("kind"))
            return
        try:
            self._import(options["action"], options["file"], again=options["again"])
        except KeyboardInterrupt:
            raise CommandError(_("interrupted: %(outcome)s") % {"outcome": self._outcome()}, returncode=130) from None
        except CommandError:
            raise
        except InvalidInput as exc:
            for err in exc.errors[:MAX_LISTED]:
                self.stderr.write(str(err))
            if len(exc.errors) > MAX_LISTED:
                self.stderr.write(_("... and %(n)s more errors") % {"n": len(exc.errors) - MAX_LISTED})
            raise CommandError(_("%(n)s error(s); nothing was imported") % {"n": len(exc.errors)}) from None
        except AlreadyImported as exc:
            raise CommandError(str(exc)) from None
        except DocketError as exc:
            raise CommandError(_("%(error)s; nothing was imported") % {"error": exc}) from None
        except Exception as exc:  # noqa: BLE001 - one clear line, never a traceback
            first = (str(exc).strip().splitlines() or [""])[0][:300]
            raise CommandError(
                _("import failed (%(type)s: %(error)s): %(outcome)s")
                % {"type": type(exc).__name__, "error": first, "outcome": self._outcome()}
            ) from None

    def _import(self, kind: str, path: Path, *, again: bool) -> None:
        try:
            # Opened, not read: the service streams it within the limits (a device or a pipe included).
            f = path.open("rb")
        except OSError as exc:
            raise CommandError(_("cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror}) from None
        with f, tqdm(desc=f"import {kind}", unit="row", disable=None, file=self.stderr._out) as bar:
            result = IMPORTERS[kind](
                actor=ACTOR, data=f, now=self._started, progress=bar, system=True, name=path.name, again=again
            )
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in result.items()))

    def _outcome(self) -> str:
        """What became of this process's latest import, as its record says."""
        try:
            if connection.connection is not None and not connection.is_usable():
                connection.close()  # cut mid-statement: the record is read on a new connection
            record = (
                ImportRecord.objects.filter(
                    host=socket.gethostname()[:255], pid=os.getpid(), started_at__gte=self._started
                )
                .order_by("-started_at", "-id")
                .first()
            )
        except Exception:  # noqa: BLE001 - the database itself is gone
            return _("see `docket import list` for whether it is in")
        if record is None:
            return _("nothing was imported")
        if record.state == ImportState.COMMITTED:
            return _("import #%(id)s is in (committed)") % {"id": record.pk}
        return _("import #%(id)s: nothing was imported") % {"id": record.pk}

    def _list(self, limit: int, kind: str | None) -> None:
        records = import_list(limit=limit, kind=kind)
        if not records:
            self.stdout.write(_("no imports yet"))
            return
        head = [_("id"), _("kind"), _("state"), _("rows"), _("started"), _("finished"), _("who"), _("file"), "SHA-256"]
        lines = [head] + [
            [
                str(r.pk),
                r.kind,
                str(ImportState(r.state).label) + (" " + _("(again)") if r.again else ""),
                f"{r.rows:,}" if r.rows is not None else "",
                f"{timezone.localtime(r.started_at):%Y-%m-%d %H:%M:%S}",
                f"{timezone.localtime(r.finished_at):%Y-%m-%d %H:%M:%S}" if r.finished_at else "",
                r.actor_name,
                r.file_name,
                r.sha256[:12],
            ]
            for r in records
        ]
        widths = [max(len(str(line[i])) for line in lines) for i in range(len(head))]
        for line in lines:
            self.stdout.write("  ".join(str(v).ljust(w) for v, w in zip(line, widths, strict=True)).rstrip())
