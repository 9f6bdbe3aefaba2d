from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from docket.offices.services import offices_load_cn


class Command(BaseCommand):
    help = "Office tree tools. 'docket offices load-cn' loads China's division tree (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("load-cn", help="Load every province, prefecture and county office.")

    def handle(self, *args: Any, **options: Any) -> None:
        with tqdm(desc="offices", unit="office", disable=None, file=self.stderr._out) as bar:
            result = offices_load_cn(progress=bar)
        self.stdout.write(
            f"offices: {result['created']} created, {result['updated']} updated, {result['total']} in all"
        )
