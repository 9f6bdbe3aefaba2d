"""Session limits (idle and absolute) and the second factor, checked on every request of a signed-in officer."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _

from docket.accounts.services import has_second_factor, is_verified, requires_second_factor
from docket.accounts.signals import LAST_SEEN_AT, SIGNED_IN_AT

# Activity is written to the session at most this often: a page's many requests cost one session write.
_TOUCH_SECONDS = 15


def _to(url: str, request: HttpRequest) -> HttpResponseRedirect:
    if request.method == "GET" and request.path_info not in ("/", url):
        return HttpResponseRedirect(f"{url}?{urlencode({'next': request.get_full_path()})}")
    return HttpResponseRedirect(url)


def _open_path(path: str) -> bool:
    static = "/" + settings.STATIC_URL.lstrip("/")
    return path.startswith((static, "/i18n/")) or path in ("/logout/", "/login/")


class SessionLimitsMiddleware:
    """A session ends after DOCKET_SESSION_IDLE_MINUTES without a request and DOCKET_SESSION_MAX_HOURS in all;
    the session of an officer deactivated (or removed) meanwhile ends at the next request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if SESSION_KEY in session:
            message = self._ended(request)
            if message:
                logout(request)
                messages.warning(request, message)
                return _to(settings.LOGIN_URL, request)
        return self.get_response(request)

    def _ended(self, request: HttpRequest) -> str:
        if not request.user.is_authenticated:
            # The authentication backend no longer accepts the account: inactive or gone.
            return _("You have been signed out: this account is no longer active.")
        session = request.session
        now = time.time()
        signed_in = session.get(SIGNED_IN_AT)
        last_seen = session.get(LAST_SEEN_AT)
        max_hours = settings.DOCKET_SESSION_MAX_HOURS
        idle_minutes = settings.DOCKET_SESSION_IDLE_MINUTES
        if not isinstance(signed_in, int | float) or now - signed_in > max_hours * 3600:
            return _("You have been signed out: a session lasts at most %(hours)s hours. Please sign in again.") % {
                "hours": max_hours
            }
        if not isinstance(last_seen, int | float) or now - last_seen > idle_minutes * 60:
            return _("You have been signed out after %(minutes)s minutes without activity.") % {"minutes": idle_minutes}
        if now - last_seen >= _TOUCH_SECONDS:
            session[LAST_SEEN_AT] = now
        return ""


class SecondFactorMiddleware:
    """An officer with a second factor must pass it after the password; an officer whose role requires one and
    who has none can do nothing but enrol. This covers the admin and every page alike."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        path = request.path_info
        if not user.is_authenticated or is_verified(user) or _open_path(path):
            return self.get_response(request)
        if has_second_factor(user):
            if path != "/login/verify/":
                return _to("/login/verify/", request)
        elif requires_second_factor(user) and path != "/account/two-factor/":
            return _to("/account/two-factor/", request)
        return self.get_response(request)
