from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from docket.audit.queries import audit_chain_verify


class Command(BaseCommand):
    help = "Audit trail tools. 'docket audit verify' checks the hash chain end to end."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Verify the hash chain; exit non-zero at the first bad entry.")

    def handle(self, *args: Any, **options: Any) -> None:
        checked, broken = audit_chain_verify()
        if broken is not None:
            where = f"entry #{broken.seq}" + (f" (id {broken.entry_id})" if broken.entry_id else "")
            raise CommandError(f"audit chain broken at {where}: {broken.reason} ({checked} entries intact before it)")
        self.stdout.write(f"audit chain intact: {checked} entries")
