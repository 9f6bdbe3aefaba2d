"""A natural person's identity number in full: for holders of the personal-data role, each view audited."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from docket.audit.services import audit_record_lasting, service
from docket.officers.actors import Actor
from docket.officers.models import Role
from docket.officers.permissions import require_role
from docket.offices.scoping import get_visible
from docket.subjects.models import Subject


@service(writes=False)
def subject_identifier_reveal(*, actor: Actor, subject: Subject, now: dt.datetime) -> str:
    """A subject's identifier in full. Pages show a natural person's number masked (``mask_identifier``); the
    full number needs the personal-data role on top of seeing the subject, and each view is audited with an
    entry that outlives a rollback of the caller's transaction (the number was shown whatever happens next)."""
    found: Subject = get_visible(Subject.objects.all(), actor, pk=subject.pk)  # type: ignore[arg-type]
    require_role(actor, Role.PERSONAL_DATA, doing=_("Seeing an identity number in full"))
    # The entry names the subject, never the number: the audit trail is read by more people than the number.
    audit_record_lasting(actor=actor, action="subject.identifier_full", obj=found, now=now, detail={"kind": found.kind})
    return str(found.identifier)
