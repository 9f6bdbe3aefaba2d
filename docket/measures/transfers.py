"""Transfers (移送) of a clue or case: a `transfer` measure, and a clue for a receiving office.

Measures sit above clues: a clue's transfer closes the clue (``clues.services.clue_close``), records the
transfer measure (``measure_create``) and opens the receiving office's clue (``clue_create``), each written by
its owner, in the service's one transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from docket.audit.services import audit_record, service
from docket.campaigns.models import Campaign
from docket.clues.models import Clue, ClueStatus, Source
from docket.clues.services import clue_close, clue_create, clue_lock, clue_require_open
from docket.core.errors import FieldError, InvalidInput
from docket.core.vocabulary import MeasureType
from docket.measures.models import Measure
from docket.measures.services import measure_create
from docket.measures.types import Authority
from docket.officers.actors import Actor
from docket.officers.models import Role
from docket.officers.permissions import require_role
from docket.offices.models import Office
from docket.subjects.models import Subject

if TYPE_CHECKING:
    from docket.cases.models import Case


def transfer_check_destination(office: Office, to_office: Office | None, authority: str, reason: str) -> None:
    errors = []
    if (to_office is None) == (not authority):
        errors.append(FieldError("to_office", _("name either an office or another authority")))
    if authority and authority not in Authority.values:
        errors.append(FieldError("authority", _("one of %(v)s") % {"v": ", ".join(Authority.values)}))
    if to_office is not None and to_office.pk == office.pk:
        errors.append(FieldError("to_office", _("a transfer goes to another office")))
    if not reason.strip():
        errors.append(FieldError("reason", _("required")))
    if errors:
        raise InvalidInput(errors)


def transfer_create(
    office: Office,
    *,
    on: dt.date,
    actor: Actor,
    now: dt.datetime,
    subjects: list[Subject],
    reason: str,
    case: Case | None = None,
    clue: Clue | None = None,
    authority: str = "",
    to_office: Office | None = None,
    campaigns: list[Campaign] | None = None,
) -> Measure:
    """Record the transfer; called inside the clue's or case's own service transaction.

    ``campaigns`` tag the transfer measure (the clue's or case's campaigns): they are written before the
    aggregate cells, so a campaign's figures count the transfer.
    """
    if to_office is not None:
        # The receiving office gets a clue of its own to check; the sender keeps the transfer measure. Its
        # number is taken before the measure's audit entry: the audit head is the last lock of a service.
        clue_create(
            to_office,
            source=Source.TRANSFER,
            received_on=on,
            summary=reason,
            subjects=subjects,
            origin_case=case,
            origin_clue=clue,
            now=now,
        )
    return measure_create(
        office,
        type=MeasureType.TRANSFER,
        taken_on=on,
        subjects=subjects,
        actor=actor,
        now=now,
        case=case,
        clue=clue,
        campaigns=campaigns,
        authority=authority,
        to_office=to_office,
        details={"reason": reason},
        audit={"authority": authority, "to_office": to_office.code if to_office else ""},
    )


def clue_transfer_gate(*, actor: Actor, clue: Clue, on: dt.date) -> None:
    """The head of the clue's office transfers an open clue."""
    require_role(actor, Role.OFFICE_HEAD, office=clue.office, obj=clue, doing=_("Transferring a clue"))
    clue_require_open(clue)


@service
def clue_transfer(
    *,
    actor: Actor,
    clue: Clue,
    reason: str,
    on: dt.date,
    now: dt.datetime,
    to_office: Office | None = None,
    authority: str = "",
) -> Measure:
    """Transfer the clue (移送) to the competent office or another authority."""
    clue_transfer_gate(actor=actor, clue=clue, on=on)
    locked = clue_lock(clue)
    clue_transfer_gate(actor=actor, clue=locked, on=on)
    transfer_check_destination(locked.office, to_office, authority, reason)
    clue_close(locked, ClueStatus.TRANSFERRED, on, reason)
    measure = transfer_create(
        locked.office,
        on=on,
        actor=actor,
        now=now,
        clue=locked,
        authority=authority,
        to_office=to_office,
        subjects=list(locked.subjects.all()),
        campaigns=list(locked.campaigns.all()),
        reason=reason,
    )
    clue.refresh_from_db()
    audit_record(
        actor=actor,
        action="clue.transfer",
        obj=clue,
        now=now,
        detail={"authority": authority, "to_office": to_office.code if to_office else ""},
    )
    return measure
