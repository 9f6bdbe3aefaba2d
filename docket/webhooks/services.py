"""A platform's webhook endpoint is set here only: by the platform's own API client, an administrator, or the
system (a command), each change audited. The signing secret is made here and shown once."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from docket.audit.services import audit_record, service
from docket.core.errors import Conflict, Denied, FieldError, InvalidInput, NotFound
from docket.officers.actors import Actor, SystemActor
from docket.officers.models import Officer, Role
from docket.subjects.models import Kind, Subject
from docket.webhooks.models import WebhookEndpoint

SECRET_MARK = "whsec_"  # noqa: S105 - a marker, not a secret
PREFIX_LENGTH = 12
MAX_URL = 500


@dataclass(frozen=True)
class NewEndpoint:
    endpoint: WebhookEndpoint
    # The only time the secret leaves Docket: in the answer to the one who set the endpoint.
    secret: str


def _check_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        raise InvalidInput(FieldError("url", _("Give the URL the orders are pushed to.")))
    if len(url) > MAX_URL:
        raise InvalidInput(FieldError("url", _("At most %(n)d characters.") % {"n": MAX_URL}))
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise InvalidInput(FieldError("url", _("Not a valid URL."))) from None
    # Plain HTTP would let anyone on the way read the orders; it is allowed only where settings say so (tests,
    # a platform's receiver on the same private network).
    schemes = {"https", "http"} if getattr(settings, "DOCKET_WEBHOOKS_ALLOW_HTTP", False) else {"https"}
    if parts.scheme not in schemes:
        raise InvalidInput(FieldError("url", _("The URL must start with https://.")))
    if not parts.hostname or parts.username or parts.password or parts.fragment or any(c.isspace() for c in url):
        raise InvalidInput(FieldError("url", _("A URL with a host, and no user name, password or #fragment.")))
    return url


def _platform_for(actor: Actor, platform: Subject) -> Subject:
    """The platform's row, locked, if the actor may set its endpoint; another platform's client finds nothing."""
    if not (isinstance(actor, SystemActor) or actor.has_role(Role.PLATFORM, Role.ADMINISTRATOR)):
        raise Denied(_("Setting a webhook endpoint needs the role %(r)s.") % {"r": Role.PLATFORM.label})
    if isinstance(actor, Officer) and not actor.has_role(Role.ADMINISTRATOR) and actor.platform_id != platform.pk:
        raise NotFound(_("platform not found"))
    found = Subject.objects.select_for_update().filter(pk=platform.pk).first()
    if found is None:
        raise NotFound(_("platform not found"))
    if found.kind != Kind.ORGANISATION or not found.runs_platform:
        raise InvalidInput(FieldError("platform", _("%(s)s runs no platform.") % {"s": found.name}))
    return found


@service
def webhook_endpoint_set(*, actor: Actor, platform: Subject, url: str, now: dt.datetime) -> NewEndpoint:
    """Set where ``platform``'s orders are pushed, with a new signing secret (the old one stops at once)."""
    url = _check_url(url)
    found = _platform_for(actor, platform)
    secret = SECRET_MARK + secrets.token_urlsafe(32)
    existing = WebhookEndpoint.objects.select_for_update().filter(platform=found).first()
    fields = {"url": url, "secret": secret, "secret_prefix": secret[:PREFIX_LENGTH], "active": True, "updated_at": now}
    if existing is not None:
        for name, value in fields.items():
            setattr(existing, name, value)
        existing.save(update_fields=list(fields))
        endpoint = existing
    else:
        try:
            with transaction.atomic():
                endpoint = WebhookEndpoint.objects.create(platform=found, created_at=now, **fields)
        except IntegrityError:
            # Only where the platform's row lock is not (SQLite): another setting landed first.
            raise Conflict(_("The endpoint was set meanwhile; try again.")) from None
    audit_record(
        actor=actor,
        action="webhook_endpoint.set",
        obj=endpoint,
        now=now,
        detail={"platform": found.pk, "url": url, "secret_prefix": endpoint.secret_prefix, "new": existing is None},
    )
    return NewEndpoint(endpoint, secret)
