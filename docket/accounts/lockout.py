"""What django-axes asks of Docket: the failure limit, the lockout time and the lockout page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def failure_limit(request: HttpRequest | None, credentials: Any = None) -> int:
    return int(settings.DOCKET_LOCKOUT_FAILURES)


def cool_off(request: HttpRequest | None = None) -> dt.timedelta:
    # Read at each call, so a changed setting (or a test's) applies at once.
    return dt.timedelta(minutes=settings.DOCKET_LOCKOUT_MINUTES)


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None):  # type: ignore[no-untyped-def]
    """The sign-in page with the lockout message, whether or not the username exists."""
    from docket.accounts.views import locked_out_page

    return locked_out_page(request)
