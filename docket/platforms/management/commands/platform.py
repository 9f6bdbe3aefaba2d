"""`docket platform register|list|deactivate|partitions`: platforms' API clients and the reported items' months.

``register --organisation USCC --username NAME [--expires DAYS]`` makes the client of the platform that
organisation runs and prints its first token on the last line (shown once, as ``docket token create`` does).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from docket.api.services import token_create
from docket.core.answers import command_error
from docket.core.errors import DocketError
from docket.core.vocabulary import Kind
from docket.officers.actors import SYSTEM
from docket.officers.models import Officer
from docket.platforms.partitions import ensure_ahead, existing_partitions, partitioned
from docket.platforms.queries import platform_clients
from docket.platforms.services import platform_deactivate, platform_register
from docket.subjects.models import Subject


class Command(BaseCommand):
    help = (
        "Platforms' API clients: `register --organisation USCC --username NAME` (prints a token on the last line), "
        "`list`, `deactivate --username NAME`; `partitions --ahead N` adds the reported items' coming months."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        register = sub.add_parser("register", help="make the API client of the platform an organisation runs")
        register.add_argument("--organisation", required=True, help="the organisation's unified social credit code")
        register.add_argument("--username", required=True, help="the client's username")
        register.add_argument("--expires", type=int, default=90, help="days until its token expires (default 90)")
        listing = sub.add_parser("list", help="the platforms' clients")
        listing.add_argument("--all", action="store_true", help="deactivated clients too")
        deactivate = sub.add_parser("deactivate", help="stop a platform's client; its tokens stop working at once")
        deactivate.add_argument("--username", required=True)
        partitions = sub.add_parser("partitions", help="add the reported items' partitions of the coming months")
        partitions.add_argument("--ahead", type=int, default=3, help="months after this one (default 3)")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _register(self, options: dict[str, Any]) -> None:
        code = options["organisation"].strip().upper()
        org = Subject.objects.filter(kind=Kind.ORGANISATION, platform="", identifier=code).first()
        if org is None:
            raise CommandError(f"no organisation with the credit code {code!r}")
        now = timezone.now()
        try:
            # The client and its first token together: a client without a way in is of no use to anyone.
            with transaction.atomic():
                client = platform_register(actor=SYSTEM, organisation=org, username=options["username"], now=now)
                new = token_create(
                    actor=SYSTEM, officer=client, name=f"cli-{now:%Y%m%d-%H%M%S}", days=options["expires"], now=now
                )
        except DocketError as exc:
            raise command_error(exc) from None
        self.stdout.write(
            f"Platform client {client.username} for {org.name} ({org.runs_platform}); token {new.token.prefix}…, "
            f"expires {new.token.expires_at:%Y-%m-%d %H:%M} UTC. It is shown only now:"
        )
        self.stdout.write(new.secret)

    def _list(self, options: dict[str, Any]) -> None:
        clients = platform_clients(active=None if options["all"] else True)
        for c in clients:
            platform = c.platform
            where = f"{platform.name} ({platform.runs_platform}, {platform.identifier})" if platform else "-"
            state = "active" if c.is_active else "deactivated"
            self.stdout.write(f"{c.username}\t{where}\t{state}")

    def _deactivate(self, options: dict[str, Any]) -> None:
        client = Officer.objects.filter(username=options["username"], platform__isnull=False).first()
        if client is None:
            raise CommandError(f"no platform client with username {options['username']!r}")
        try:
            platform_deactivate(actor=SYSTEM, officer=client, now=timezone.now())
        except DocketError as exc:
            raise command_error(exc) from None
        self.stdout.write(f"{client.username} is deactivated; its tokens no longer work.")

    def _partitions(self, options: dict[str, Any]) -> None:
        if not partitioned():
            self.stdout.write("The reported items are one table on this database (SQLite): nothing to add.")
            return
        if not 0 <= options["ahead"] <= 120:
            raise CommandError("--ahead is 0 to 120 months")
        made = ensure_ahead(timezone.now().date(), options["ahead"])
        for month in made:
            self.stdout.write(f"added {month:%Y-%m}")
        names = [name for name, _bound in existing_partitions()]
        self.stdout.write(f"{len(names)} partitions: {', '.join(names)}")
