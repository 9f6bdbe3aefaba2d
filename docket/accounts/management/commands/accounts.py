"""``docket accounts unlock USERNAME``: lift a sign-in lockout (audited as the system actor)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from docket.accounts.services import account_unlock
from docket.core.errors import DocketError
from docket.officers.actors import SYSTEM


class Command(BaseCommand):
    help = "Sign-in accounts: unlock an account locked after failed sign-ins."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        unlock = sub.add_parser("unlock", help="Lift the lockout of USERNAME.")
        unlock.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            cleared = account_unlock(actor=SYSTEM, username=options["username"], now=timezone.now())
        except DocketError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{options['username']}: unlocked ({cleared} record(s) of failed sign-ins cleared)")
