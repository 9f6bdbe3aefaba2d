"""Service, execution and closing, archiving."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from docket.audit.services import service
from docket.cases.models import (
    Case,
    DocumentKind,
    State,
)
from docket.cases.services._common import _audit, _document, _lock, _not_future
from docket.cases.transitions import advance, check_allowed
from docket.core.errors import FieldError, GateRefused, InvalidInput
from docket.measures.types import SPECS, MeasureType
from docket.officers.actors import Actor
from docket.officers.models import Role
from docket.officers.permissions import require_role
from docket.workdays.clocks import deadline


def _needs_execution(case: Case) -> bool:
    for m in case.measures.all():
        spec = SPECS[m.type]
        if spec.amount or spec.due_date or spec.confirmation:
            return True
    return False


def serve_gate(*, actor: Actor, case: Case, on: dt.date) -> None:
    require_role(actor, Role.CASE_OFFICER, Role.OFFICE_HEAD, office=case.office, obj=case, doing=_("Recording service"))
    check_allowed(case, "serve")


@service
def serve(
    *, actor: Actor, case: Case, served_on: dt.date, method: str, party_present: bool, proof: str, now: dt.datetime
) -> None:
    """Service of the decision (送达): on the spot, or within 7 working days (APL art. 61)."""
    _lock(case)
    serve_gate(actor=actor, case=case, on=served_on)
    assert case.decided_on is not None
    errors = []
    if served_on < case.decided_on:
        errors.append(FieldError("served_on", _("service cannot precede the decision")))
    if not method.strip():
        errors.append(FieldError("method", _("required")))
    if not proof.strip():
        errors.append(FieldError("proof", _("proof of service (receipt, postal record, announcement) is required")))
    if errors:
        raise InvalidInput(errors)
    _not_future(served_on, now, case.office)
    limit = deadline(case.profile, "service", case.decided_on)
    late = not party_present and served_on > limit.due
    if party_present and served_on != case.decided_on:
        raise GateRefused(_("When the party is present the decision is served on the spot, the same day."))
    payment_due = deadline(case.profile, "fine_payment", served_on).due
    for m in case.measures.filter(type__in=[MeasureType.FINE, MeasureType.CONFISCATION]):
        m.due_on = payment_due
        m.save(update_fields=["due_on"])
    _document(case, DocumentKind.SERVICE, served_on, {"method": method, "proof": proof, "present": party_present})
    to = State.EXECUTING if _needs_execution(case) else State.SERVED
    advance(
        case,
        "serve",
        to=to,
        updated_at=now,
        served_on=served_on,
        service_method=method,
        party_present=party_present,
        service_proof=proof,
    )
    _audit(actor, "serve", case, now, late=late, service_due=limit.due, **limit.audit_detail())


def outstanding(case: Case, as_of: dt.date) -> list[str]:
    """What still stands between the case and its closing."""
    from docket.measures.services import fine_balance

    problems = []
    for m in case.measures.all():
        spec = SPECS[m.type]
        if spec.amount:
            balance = fine_balance(m, as_of)
            if balance.outstanding > 0:
                problems.append(_("%(t)s: %(a)s still unpaid") % {"t": m.get_type_display(), "a": balance.outstanding})
        if spec.due_date and not m.verification:
            problems.append(_("%(t)s: rectification not yet verified") % {"t": m.get_type_display()})
        if spec.confirmation and m.confirmed_on is None:
            problems.append(_("%(t)s: not yet confirmed as carried out") % {"t": m.get_type_display()})
    return problems


def close_gate(*, actor: Actor, case: Case, on: dt.date) -> None:
    require_role(actor, Role.OFFICE_HEAD, office=case.office, obj=case, doing=_("Closing a case"))
    check_allowed(case, "close")
    problems = outstanding(case, on)
    if problems:
        raise GateRefused(_("The case cannot close yet: %(p)s") % {"p": "; ".join(problems)})


@service
def close(*, actor: Actor, case: Case, on: dt.date, now: dt.datetime) -> None:
    """Close (结案) once everything decided has been carried out."""
    _lock(case)
    _not_future(on, now, case.office)
    close_gate(actor=actor, case=case, on=on)
    if case.served_on is not None and on < case.served_on:
        raise InvalidInput(FieldError("on", _("a case closes after its decision was served")))
    advance(case, "close", to=State.CLOSED, updated_at=now, closed_on=on)
    _audit(actor, "close", case, now)


def archive_gate(*, actor: Actor, case: Case, on: dt.date) -> None:
    require_role(actor, Role.CASE_OFFICER, Role.OFFICE_HEAD, office=case.office, obj=case, doing=_("Archiving a case"))
    check_allowed(case, "archive")


@service
def archive(*, actor: Actor, case: Case, on: dt.date, now: dt.datetime) -> None:
    """Archive (归档) a closed or ended case with its full record."""
    _lock(case)
    archive_gate(actor=actor, case=case, on=on)
    _not_future(on, now, case.office)
    ended = case.closed_on or case.ended_on
    if ended is not None and on < ended:
        raise InvalidInput(
            FieldError("on", _("a case is archived after it was closed or ended (%(d)s)") % {"d": ended})
        )
    advance(case, "archive", to=State.ARCHIVED, updated_at=now, archived_on=on)
    _audit(actor, "archive", case, now)
