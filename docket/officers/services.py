"""Roles change here only: by an administrator of the officer's jurisdiction, never their own, each change audited."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from docket.audit.services import audit_record, service
from docket.core.errors import Conflict, Denied, FieldError, GateRefused, InvalidInput
from docket.officers.actors import Actor
from docket.officers.models import Officer, OfficerRole, Role
from docket.officers.permissions import require_role, role_names
from docket.offices.scoping import get_visible


def officer_roles_gate(*, actor: Actor, officer: Officer, on: dt.date) -> None:
    """Roles are changed by an administrator of the officer's jurisdiction, never on themselves."""
    require_role(actor, Role.ADMINISTRATOR, doing=_("Changing roles"))
    get_visible(Officer.objects.only("pk"), actor, pk=officer.pk)
    # Four eyes: an administrator who could grant themselves roles could give themselves any power.
    if officer.pk == actor.pk:
        raise Denied(_("No one changes their own roles: another administrator does."))


def _target(actor: Actor, officer: Officer, role: str, now: dt.datetime) -> Officer:
    """The officer whose roles change, locked: two changes of one officer's roles are taken one after the other."""
    officer_roles_gate(actor=actor, officer=officer, on=now.date())
    if role not in Role.values:
        raise InvalidInput(FieldError("role", _("not a role: %(role)s") % {"role": role}))
    target: Officer = get_visible(Officer.objects.select_for_update(of=("self",)), actor, pk=officer.pk)
    return target


def _forget_roles(officer: Officer) -> None:
    # ``role_set`` caches an officer's roles on the instance; the next look reads them again.
    officer.__dict__.pop("_role_cache", None)


def _audit(actor: Actor, action: str, officer: Officer, role: str, now: dt.datetime) -> None:
    _forget_roles(officer)
    audit_record(
        actor=actor,
        action=action,
        obj=officer,
        now=now,
        detail={"role": role, "roles": sorted(officer.roles.values_list("role", flat=True))},
    )


@service
def officer_role_grant(*, actor: Actor, officer: Officer, role: str, now: dt.datetime) -> OfficerRole:
    """Give ``officer`` the role ``role``."""
    target = _target(actor, officer, role, now)
    # A platform's API client speaks for that platform and for nothing else.
    if (role == Role.PLATFORM) != (target.platform_id is not None):
        raise GateRefused(
            _("The platform role is for the API client of a platform, and such a client holds no other role.")
        )
    if OfficerRole.objects.filter(officer=target, role=role).exists():
        raise Conflict(_("%(o)s already holds the role of %(r)s.") % {"o": target, "r": role_names([role])})
    granted = OfficerRole.objects.create(officer=target, role=role)
    _audit(actor, "officer.role_grant", target, role, now)
    _forget_roles(officer)
    return granted


@service
def officer_role_revoke(*, actor: Actor, officer: Officer, role: str, now: dt.datetime) -> None:
    """Take the role ``role`` away from ``officer``."""
    target = _target(actor, officer, role, now)
    deleted, _rows = OfficerRole.objects.filter(officer=target, role=role).delete()
    if not deleted:
        raise Conflict(_("%(o)s does not hold the role of %(r)s.") % {"o": target, "r": role_names([role])})
    _audit(actor, "officer.role_revoke", target, role, now)
    _forget_roles(officer)
