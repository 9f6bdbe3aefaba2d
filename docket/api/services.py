"""API tokens are made and revoked here only: by the officer themself, an administrator of their jurisdiction, or
the system (``docket token create``), each change audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from docket.api.models import ApiToken
from docket.audit.services import audit_record, service
from docket.core.errors import Conflict, Denied, FieldError, GateRefused, InvalidInput, NotFound
from docket.officers.actors import Actor, SystemActor
from docket.officers.models import Officer, Role
from docket.offices.scoping import get_visible

# A token says what it is when it turns up in a log or a leaked file.
TOKEN_MARK = "dkt_"  # noqa: S105 - a marker, not a secret
PREFIX_LENGTH = 12
MAX_DAYS = 366


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    # The only time the secret exists outside the client: it is shown once and never stored.
    secret: str


def _officer_for(actor: Actor, officer: Officer, doing: str) -> Officer:
    """The token's officer, locked, if the actor may manage their tokens: themself, an administrator of their
    jurisdiction (outside it the officer does not exist: NotFound), or the system."""
    qs = Officer.objects.select_for_update(of=("self",))
    if isinstance(actor, SystemActor) or actor.pk == officer.pk:
        found: Officer | None = qs.filter(pk=officer.pk).first()
        if found is None:
            raise NotFound(_("officer not found"))
        return found
    target: Officer = get_visible(qs, actor, pk=officer.pk)
    if not actor.has_role(Role.ADMINISTRATOR):
        raise Denied(_("%(doing)s for another officer needs the administrator role.") % {"doing": doing})
    return target


@service
def token_create(*, actor: Actor, officer: Officer, name: str, days: int, now: dt.datetime) -> NewToken:
    """A new API token for ``officer``, valid ``days`` days; the secret is in the answer and nowhere else."""
    name = (name or "").strip()
    errors = []
    if not name:
        errors.append(FieldError("name", _("Give the token a name.")))
    elif len(name) > 100:
        errors.append(FieldError("name", _("At most 100 characters.")))
    if not 1 <= days <= MAX_DAYS:
        errors.append(FieldError("days", _("Between 1 and %(max)d days.") % {"max": MAX_DAYS}))
    if errors:
        raise InvalidInput(errors)
    target = _officer_for(actor, officer, _("Creating an API token"))
    if not target.is_active:
        raise GateRefused(_("%(o)s is deactivated: a deactivated officer gets no token.") % {"o": target})
    if ApiToken.objects.filter(officer=target, name=name, revoked_at__isnull=True).exists():
        raise Conflict(_("%(o)s already has a token named %(n)s.") % {"o": target, "n": name})
    secret = TOKEN_MARK + secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            token = ApiToken.objects.create(
                officer=target,
                name=name,
                prefix=secret[:PREFIX_LENGTH],
                secret_hash=hash_secret(secret),
                created_at=now,
                expires_at=now + dt.timedelta(days=days),
            )
    except IntegrityError:
        raise Conflict(_("%(o)s already has a token named %(n)s.") % {"o": target, "n": name}) from None
    audit_record(
        actor=actor,
        action="api_token.create",
        obj=token,
        now=now,
        detail={"officer": target.pk, "name": name, "prefix": token.prefix, "expires_at": token.expires_at.isoformat()},
    )
    return NewToken(token, secret)


@service
def token_revoke(*, actor: Actor, token: ApiToken, now: dt.datetime) -> ApiToken:
    """Revoke ``token``: it stops working at once."""
    owner = Officer.objects.filter(api_tokens__pk=token.pk).first()
    if owner is None:
        raise NotFound(_("API token not found"))
    _officer_for(actor, owner, _("Revoking an API token"))
    found = ApiToken.objects.select_for_update().filter(pk=token.pk).first()
    if found is None:
        raise NotFound(_("API token not found"))
    if found.revoked_at is not None:
        raise Conflict(_("This token was already revoked."))
    found.revoked_at = now
    found.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action="api_token.revoke",
        obj=found,
        now=now,
        detail={"officer": owner.pk, "name": found.name, "prefix": found.prefix},
    )
    return found
