"""Role checks, made in the services so no door (admin, API, command) can skip them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from docket.core.errors import Denied, NotFound
from docket.officers.actors import Actor
from docket.officers.models import Role
from docket.offices.models import Office


def role_names(roles: Iterable[str]) -> str:
    """The roles' names as one phrase a sentence can hold ("Case officer or Office head"; in Chinese joined
    without spaces), in the order roles are declared."""
    order = {value: i for i, value in enumerate(Role.values)}
    names = [str(Role(r).label) for r in sorted(set(roles), key=lambda r: order.get(r, len(order)))]
    if len(names) < 2:
        return "".join(names)
    return _("%(names)s or %(last)s") % {
        "names": pgettext("between the names of a list", ", ").join(names[:-1]),
        "last": names[-1],
    }


def outside_jurisdiction(actor: Actor | None, office: Office) -> bool:
    """True when ``office`` lies outside the actor's subtree (a sibling, a cousin, another province)."""
    own = getattr(actor, "office", None)
    return own is not None and not office.path.startswith(own.path)


def require_within(actor: Actor | None, office: Office, *, obj: models.Model | None = None, doing: str = "") -> None:
    """NotFound, audited like a refused read (``get_visible``), when ``office`` is outside the actor's subtree."""
    if not outside_jurisdiction(actor, office):
        return
    from docket.audit.services import audit_denial

    target = obj if obj is not None else office
    detail: dict[str, Any] = {"office": office.code, "pk": target.pk, "doing": str(doing)}
    audit_denial(actor=actor, action=f"{target._meta.label_lower}.read", detail=detail)
    raise NotFound(_("%(what)s not found") % {"what": target._meta.verbose_name})


def require_role(
    actor: Actor | None, *roles: str, office: Office | None = None, doing: str = "", obj: models.Model | None = None
) -> None:
    """Refuse unless the actor holds one of ``roles`` (in ``office`` itself, when given).

    An object of an office outside the actor's subtree does not exist for them: NotFound, audited like a
    refused read (``get_visible``), before any role is looked at, so the answer never tells an outsider
    that the object exists. A higher office acting on its subtree's object is refused (Denied) where the
    step belongs to the object's own office.
    """
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise Denied(_("Sign in first."))
    if office is not None:
        require_within(actor, office, obj=obj, doing=doing)
    if not actor.has_role(*roles):
        raise Denied(
            _("%(what)s needs the role of %(roles)s.") % {"what": doing or _("This step"), "roles": role_names(roles)}
        )
    if office is not None and actor.office_id != office.pk:
        raise Denied(_("%(what)s is for officers of %(office)s.") % {"what": doing or _("This step"), "office": office})
