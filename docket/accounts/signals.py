"""Failed sign-ins are counted per address and audited without flooding the trail; sign-ins start the clocks."""

from __future__ import annotations

import time
from typing import Any

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from docket.accounts.services import sign_in_failure_record

SIGNED_IN_AT = "docket.signed_in_at"
LAST_SEEN_AT = "docket.last_seen_at"


def client_address(request: Any) -> str:
    address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    return str(address or "")


@receiver(user_logged_in)
def _signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        stamp = time.time()
        session[SIGNED_IN_AT] = stamp
        session[LAST_SEEN_AT] = stamp


@receiver(user_login_failed)
def _sign_in_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    # axes' receiver ran first (its app is loaded before this one) and left its count on the request.
    just_locked = bool(
        request is not None
        and getattr(request, "axes_locked_out", False)
        and getattr(request, "axes_failures_since_start", 0) == settings.DOCKET_LOCKOUT_FAILURES
    )
    sign_in_failure_record(
        username=str(credentials.get("username", "")),
        address=client_address(request) if request is not None else "",
        locked_now=just_locked,
        now=timezone.now(),
    )
