"""Role checks, made in the services so no door (admin, API, command) can skip them."""

from typing import Any

from django.utils.translation import gettext as _

from docket.core.errors import Denied
from docket.officers.models import Role
from docket.offices.models import Office


def require_role(actor: Any, *roles: str, office: Office | None = None, doing: str = "") -> None:
    """Refuse unless the actor holds one of ``roles`` (in ``office`` itself, when given)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise Denied(_("Sign in first."))
    if not actor.has_role(*roles):
        raise Denied(
            _("%(what)s needs the role %(roles)s.")
            % {"what": doing or _("This step"), "roles": " / ".join(str(Role(r).label) for r in sorted(roles))}
        )
    if office is not None and actor.office_id != office.pk:
        raise Denied(_("%(what)s is for officers of %(office)s.") % {"what": doing or _("This step"), "office": office})
