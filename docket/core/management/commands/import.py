"""`docket import KIND FILE.csv`: all-or-nothing imports, with progress on stderr."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from docket.core.errors import InvalidInput

MAX_LISTED = 200


def _subjects(data: bytes, bar: Any) -> dict[str, int]:
    from docket.subjects.services import subjects_import

    return subjects_import(actor=None, data=data, now=timezone.now(), progress=bar, system=True)


def _measures(data: bytes, bar: Any) -> dict[str, int]:
    from docket.measures.imports import measures_import

    return measures_import(actor=None, data=data, now=timezone.now(), progress=bar, system=True)


IMPORTERS = {"subjects": _subjects, "measures": _measures}


class Command(BaseCommand):
    help = "Import records from a CSV file. Nothing is stored unless every row is valid."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(IMPORTERS))
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        lines = data.count(b"\n")
        try:
            with tqdm(
                total=lines, desc=f"import {options['kind']}", unit="row", disable=None, file=self.stderr._out
            ) as bar:
                result = IMPORTERS[options["kind"]](data, bar)
        except InvalidInput as exc:
            for err in exc.errors[:MAX_LISTED]:
                self.stderr.write(f"{path}: {err}")
            if len(exc.errors) > MAX_LISTED:
                self.stderr.write(f"... and {len(exc.errors) - MAX_LISTED} more errors")
            raise CommandError(f"{len(exc.errors)} error(s); nothing was imported") from None
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in result.items()))
