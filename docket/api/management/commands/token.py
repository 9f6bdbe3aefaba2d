"""`docket token create --user NAME [--expires DAYS] [--name NAME]`: a new API token, printed once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from docket.api.services import token_create
from docket.core.answers import command_error
from docket.core.errors import DocketError
from docket.officers.actors import SYSTEM
from docket.officers.models import Officer


class Command(BaseCommand):
    help = "API tokens: `create --user NAME [--expires DAYS] [--name NAME]` prints the new token on the last line."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token for an officer; it is shown once")
        create.add_argument("--user", required=True, help="the officer's username")
        create.add_argument("--expires", type=int, default=90, help="days until it expires (default 90)")
        create.add_argument("--name", default="", help="what the token is for (default: cli-<date>)")

    def handle(self, *args: Any, **options: Any) -> None:
        officer = Officer.objects.filter(username=options["user"]).first()
        if officer is None:
            raise CommandError(f"no officer with username {options['user']!r}")
        now = timezone.now()
        name = options["name"] or f"cli-{now:%Y%m%d-%H%M%S}"
        try:
            new = token_create(actor=SYSTEM, officer=officer, name=name, days=options["expires"], now=now)
        except DocketError as exc:
            raise command_error(exc) from None
        self.stdout.write(
            f"Token {new.token.prefix}… for {officer.username} ({new.token.name}), "
            f"expires {new.token.expires_at:%Y-%m-%d %H:%M} UTC. It is shown only now:"
        )
        self.stdout.write(new.secret)
