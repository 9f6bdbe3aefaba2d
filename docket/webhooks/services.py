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
from docket.core.errors import Conflict, FieldError, InvalidInput, NotFound
from docket.officers.actors import Actor, SystemActor
from docket.officers.models import Officer, Role
from docket.officers.permissions import require_role
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


# Hosts that are this machine: a receiver there is reached without crossing a network.
LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


def _check_url(url: str, *, loopback_http: bool = False) -> str:
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
    if parts.scheme not in ("https", "http"):
        raise InvalidInput(FieldError("url", _("The URL must start with https://.")))
    if not parts.hostname or parts.username or parts.password or parts.fragment or any(c.isspace() for c in url):
        raise InvalidInput(FieldError("url", _("A URL with a host, and no user name, password or #fragment.")))
    # Plain HTTP would let anyone on the way read the orders: it is allowed in development (DEBUG), where settings
    # say so (tests, a receiver on the same private network), and to this machine itself when an administrator
    # or the system sets it (a platform's own client may not point Docket's pushes at Docket's host).
    plain_ok = (
        settings.DEBUG
        or getattr(settings, "DOCKET_WEBHOOKS_ALLOW_HTTP", False)
        or (loopback_http and parts.hostname.lower() in LOOPBACK)
    )
    if parts.scheme == "http" and not plain_ok:
        raise InvalidInput(FieldError("url", _("The URL must start with https://.")))
    return url


def _administers(actor: Actor) -> bool:
    return isinstance(actor, SystemActor) or (isinstance(actor, Officer) and actor.has_role(Role.ADMINISTRATOR))


def manages_every_endpoint(actor: Actor) -> bool:
    """The system, or an active administrator of the national office: a platform belongs to no office, so outside
    the national office it is in no jurisdiction. (The admin's pages ask this too.)"""
    if isinstance(actor, SystemActor):
        return True
    if not isinstance(actor, Officer) or not actor.is_active or not actor.has_role(Role.ADMINISTRATOR):
        return False
    return actor.office is not None and actor.office.parent_id is None


def _platform_for(actor: Actor, platform: Subject) -> Subject:
    """The platform's row, locked, if the actor may manage its endpoint: whoever manages every endpoint, or the
    platform's own client (another platform's client, or an administrator outside the national office, finds
    nothing)."""
    if not isinstance(actor, SystemActor):
        require_role(actor, Role.PLATFORM, Role.ADMINISTRATOR, doing=_("Setting a webhook endpoint"))
        if actor.has_role(Role.ADMINISTRATOR):
            if not manages_every_endpoint(actor):
                raise NotFound(_("platform not found"))
        elif actor.platform_id != platform.pk:
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
    url = _check_url(url, loopback_http=_administers(actor))
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


@service
def webhook_endpoint_disable(*, actor: Actor, platform: Subject, now: dt.datetime) -> WebhookEndpoint:
    """Stop pushing to ``platform``'s endpoint (its pushes wait, undelivered, until it is set again); the platform
    still pulls its orders."""
    found = _platform_for(actor, platform)
    endpoint = WebhookEndpoint.objects.select_for_update().filter(platform=found).first()
    if endpoint is None:
        raise NotFound(_("No webhook endpoint is set."))
    if not endpoint.active:
        raise Conflict(_("The webhook endpoint of %(p)s is disabled already.") % {"p": found.name})
    endpoint.active = False
    endpoint.updated_at = max(now, endpoint.created_at)
    endpoint.save(update_fields=["active", "updated_at"])
    audit_record(
        actor=actor,
        action="webhook_endpoint.disable",
        obj=endpoint,
        now=now,
        detail={"platform": found.pk, "url": endpoint.url, "secret_prefix": endpoint.secret_prefix},
    )
    return endpoint
