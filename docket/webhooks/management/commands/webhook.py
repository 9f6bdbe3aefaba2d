"""`docket webhook set|list|disable`: platforms' webhook endpoints, managed by whoever runs the server.

``set --platform <client username or USCC> --url URL`` registers (or moves) the endpoint with a new signing secret
and prints the secret alone on the last line (shown once, as ``docket token create`` does); ``list`` shows every
endpoint without its secret; ``disable --platform …`` stops the pushes. Each acts as the system, through the
webhooks services (checked and audited as the admin and the API are).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count, Q
from django.utils import timezone

from docket.core.answers import command_error
from docket.core.errors import DocketError
from docket.core.vocabulary import Kind
from docket.officers.actors import SYSTEM
from docket.officers.models import Officer
from docket.subjects.models import Subject
from docket.webhooks.models import WebhookEndpoint
from docket.webhooks.services import webhook_endpoint_disable, webhook_endpoint_set


def platform_named(value: str) -> Subject:
    """The platform a client's username speaks for, or the organisation with this unified social credit code."""
    value = (value or "").strip()
    client = Officer.objects.filter(username=value, platform__isnull=False).select_related("platform").first()
    if client is not None and client.platform is not None:
        platform: Subject = client.platform
        return platform
    org = Subject.objects.filter(kind=Kind.ORGANISATION, platform="", identifier=value.upper()).first()
    if org is None:
        raise CommandError(f"no platform client username or organisation credit code {value!r}")
    return org


class Command(BaseCommand):
    help = (
        "Platforms' webhook endpoints: `set --platform USERNAME|USCC --url URL` (prints the signing secret on the "
        "last line), `list`, `disable --platform USERNAME|USCC`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        put = sub.add_parser("set", help="register or move a platform's endpoint, with a new signing secret")
        put.add_argument("--platform", required=True, help="the platform client's username or the operator's USCC")
        put.add_argument("--url", required=True, help="https:// URL receiving the pushes")
        sub.add_parser("list", help="every endpoint (never its secret)")
        off = sub.add_parser("disable", help="stop pushing to a platform's endpoint")
        off.add_argument("--platform", required=True, help="the platform client's username or the operator's USCC")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _set(self, options: dict[str, Any]) -> None:
        platform = platform_named(options["platform"])
        try:
            new = webhook_endpoint_set(actor=SYSTEM, platform=platform, url=options["url"], now=timezone.now())
        except DocketError as exc:
            raise command_error(exc) from None
        self.stdout.write(
            f"Webhook endpoint of {platform.name} ({platform.runs_platform}): {new.endpoint.url}; secret "
            f"{new.endpoint.secret_prefix}…. It is shown only now:"
        )
        self.stdout.write(new.secret)

    def _list(self, options: dict[str, Any]) -> None:
        waiting = Q(messages__delivered_at__isnull=True, messages__dead_at__isnull=True)
        endpoints = (
            WebhookEndpoint.objects.select_related("platform")
            .annotate(
                waiting=Count("messages", filter=waiting),
                dead=Count("messages", filter=Q(messages__dead_at__isnull=False)),
            )
            .order_by("platform__runs_platform")
        )
        for e in endpoints:
            p = e.platform
            state = "active" if e.active else "disabled"
            self.stdout.write(
                f"{p.runs_platform}\t{p.name} ({p.identifier})\t{e.url}\t{e.secret_prefix}…\t{state}\t"
                f"waiting {e.waiting}, dead {e.dead}"
            )

    def _disable(self, options: dict[str, Any]) -> None:
        platform = platform_named(options["platform"])
        try:
            endpoint = webhook_endpoint_disable(actor=SYSTEM, platform=platform, now=timezone.now())
        except DocketError as exc:
            raise command_error(exc) from None
        self.stdout.write(f"The endpoint of {platform.name} ({endpoint.url}) is disabled; its pushes wait.")
