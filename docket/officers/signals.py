"""Sign-ins go to the audit trail (failed ones through docket.accounts, which keeps them from flooding it)."""

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from docket.audit.services import audit_record


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(actor=user, action="officer.login", obj=user)
