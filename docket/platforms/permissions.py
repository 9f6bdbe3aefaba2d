"""Who may use which part of /api/v1/: the officers' API and the platform channel never see each other's clients.

A platform's API client (an officer bound to a platform operator, with the platform role) speaks for that
platform and for nothing else: the officers' endpoints do not exist for it (404, as an object outside a
jurisdiction), and the order endpoints do not exist for an officer. Both refuse with NotFound rather than 403 so
neither kind of client learns what the other's paths hold.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from docket.core.errors import NotFound
from docket.officers.models import Role


def is_platform_client(user: Any) -> bool:
    """Bound to a platform, or holding the platform role: either makes a client a platform's, never an officer."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return getattr(user, "platform_id", None) is not None or bool(user.has_role(Role.PLATFORM))


class OfficersOnly(BasePermission):
    """The officers' API: a platform's client finds nothing there (every path answers 404)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if is_platform_client(request.user):
            raise NotFound(_("Not found."))
        return True


class PlatformClientsOnly(BasePermission):
    """The platform channel: only a platform's client bound to its platform; an officer finds nothing there."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user: Any = request.user
        if getattr(user, "platform_id", None) is None or not user.has_role(Role.PLATFORM):
            raise NotFound(_("Not found."))
        return True
