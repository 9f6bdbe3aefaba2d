from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from tqdm import tqdm

from docket.measures.models import Measure
from docket.reports.aggregates import cells_rebuild


class Command(BaseCommand):
    help = "Aggregate cells behind the reports. 'docket aggregates rebuild' recomputes them from the measures."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rebuild")

    def handle(self, *args: Any, **options: Any) -> None:
        with (
            tqdm(
                total=Measure.objects.count(), desc="aggregates", unit="measure", disable=None, file=self.stderr._out
            ) as bar,
            transaction.atomic(),
        ):
            n = cells_rebuild(progress=bar)
        self.stdout.write(f"aggregates rebuilt from {n} measures")  # the rebuild ends with ANALYZE on PostgreSQL
