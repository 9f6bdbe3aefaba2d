"""Sign-ins and failed sign-ins go to the audit trail."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from docket.audit.models import Outcome
from docket.audit.services import audit_record


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(actor=user, action="officer.login", obj=user)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    audit_record(
        actor=None,
        action="officer.login",
        outcome=Outcome.DENIED,
        detail={"username": str(credentials.get("username", ""))[:150]},
    )
