"""Ending a case early: dismissal, transfer."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from docket.audit.services import service
from docket.cases.models import (
    Case,
    ClockSuspension,
    State,
)
from docket.cases.services._common import _audit, _lock, _not_before, _not_future
from docket.cases.transitions import advance, check_allowed
from docket.core.errors import FieldError, InvalidInput
from docket.measures.models import Measure
from docket.measures.transfers import transfer_check_destination, transfer_create
from docket.officers.actors import Actor
from docket.officers.models import Role
from docket.officers.permissions import require_role
from docket.offices.models import Office


def dismiss_gate(*, actor: Actor, case: Case, on: dt.date) -> None:
    require_role(actor, Role.OFFICE_HEAD, office=case.office, obj=case, doing=_("Dismissing a case"))
    check_allowed(case, "dismiss")


@service
def dismiss(*, actor: Actor, case: Case, reason: str, on: dt.date, now: dt.datetime) -> None:
    """Dismiss the case or terminate the investigation, with the reason."""
    _lock(case)
    dismiss_gate(actor=actor, case=case, on=on)
    _not_future(on, now, case.office)
    if not reason.strip():
        raise InvalidInput(FieldError("reason", _("a dismissal states its reason")))
    _not_before(case, on, _("A dismissal"))
    ClockSuspension.objects.filter(case=case, ends_on__isnull=True).update(ends_on=on)
    advance(case, "dismiss", to=State.DISMISSED, updated_at=now, ended_on=on, end_reason=reason)
    _audit(actor, "dismiss", case, now, reason=reason)


def case_transfer_gate(*, actor: Actor, case: Case, on: dt.date) -> None:
    require_role(actor, Role.OFFICE_HEAD, office=case.office, obj=case, doing=_("Transferring a case"))
    check_allowed(case, "transfer")


@service
def case_transfer(
    *,
    actor: Actor,
    case: Case,
    reason: str,
    on: dt.date,
    now: dt.datetime,
    to_office: Office | None = None,
    authority: str = "",
) -> Measure:
    """Transfer (移送) to the competent office or to another authority; the receipt is tracked."""
    _lock(case)
    case_transfer_gate(actor=actor, case=case, on=on)
    _not_before(case, on, _("A transfer"))
    _not_future(on, now, case.office)
    transfer_check_destination(case.office, to_office, authority, reason)
    measure = transfer_create(
        case.office,
        on=on,
        actor=actor,
        now=now,
        case=case,
        authority=authority,
        to_office=to_office,
        subjects=list(case.parties.all()),
        reason=reason,
    )
    advance(case, "transfer", to=State.TRANSFERRED, updated_at=now, ended_on=on, end_reason=reason)
    _audit(actor, "transfer", case, now, authority=authority, to_office=to_office.code if to_office else "")
    return measure
