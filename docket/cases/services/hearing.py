"""Prior notice, statement and defence, hearing."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from docket.audit.services import service
from docket.cases import rules
from docket.cases.models import (
    Case,
    Document,
    DocumentKind,
    Outcome,
    ProcedureRecord,
    State,
    Step,
)
from docket.cases.services._common import (
    _audit,
    _document,
    _ever_investigated,
    _lock,
    _not_before,
    _not_future,
    _notice,
    _record,
    _require_investigator,
    recording_grace,
)
from docket.cases.transitions import advance, check_allowed
from docket.core.dates import local_date
from docket.core.errors import FieldError, GateRefused, InvalidInput
from docket.officers.actors import Actor
from docket.officers.models import Officer, Role
from docket.officers.permissions import require_role
from docket.workdays.clocks import deadline

# ----------------------------------------------------------------------------------------------------
# Prior notice, statement and defence, hearing


def notice_issue_gate(*, actor: Actor, case: Case, on: dt.date) -> None:
    _require_investigator(actor, case, _("Issuing a prior notice"))
    check_allowed(case, "notice_issue")
    if case.proposed_outcome != Outcome.PENALTY:
        raise GateRefused(_("A prior notice announces a penalty; this draft proposes none."))
    if rules.legal_review_required(case, case.proposed_penalties, hearing_held=False) and not case.review_current:
        raise GateRefused(_("This case needs legal review of the draft before the prior notice."))


@service
def notice_issue(*, actor: Actor, case: Case, served_on: dt.date, now: dt.datetime) -> Document:
    """Prior notice (事先告知): facts, reasons, legal basis, proposed penalty and the party's rights."""
    _lock(case)
    notice_issue_gate(actor=actor, case=case, on=served_on)
    items = case.proposed_penalties
    _not_before(case, served_on, _("A prior notice"))
    _not_future(served_on, now, case.office)
    offered = rules.hearing_offered(case, items)
    statement_due = deadline(case.profile, "statement", served_on).due
    hearing_due = deadline(case.profile, "hearing_request", served_on).due if offered else None
    body = {
        "facts": case.proposed_facts,
        "legal_basis": case.proposed_legal_basis,
        "penalties": items,
        "discretion": case.proposed_discretion,
        "right_to_state_and_defend": True,
        "hearing_offered": offered,
        "statement_due": statement_due,
        "hearing_request_due": hearing_due,
        "served_on": served_on,
    }
    document = _document(case, DocumentKind.PRIOR_NOTICE, served_on, body)
    _record(case, Step.PRIOR_NOTICE, actor=actor, on=served_on, now=now, document=document.number, **body)
    advance(case, "notice_issue", to=State.NOTIFIED, updated_at=now)
    _audit(actor, "notice_issue", case, now, hearing_offered=offered, document=document.number)
    return document


def statement_record_gate(*, actor: Actor, case: Case, on: dt.date) -> None:
    require_role(
        actor, Role.CASE_OFFICER, Role.OFFICE_HEAD, office=case.office, obj=case, doing=_("Recording a statement")
    )
    check_allowed(case, "statement_record")
    _notice(case)


@service
def statement_record(
    *,
    actor: Actor,
    case: Case,
    content: str,
    waives_hearing: bool,
    recheck: str,
    on: dt.date,
    now: dt.datetime,
) -> ProcedureRecord:
    """The party's statement and defence, and the authority's re-check of its arguments."""
    _lock(case)
    statement_record_gate(actor=actor, case=case, on=on)
    notice = _notice(case)
    if on < dt.date.fromisoformat(notice.content["served_on"]):
        raise InvalidInput(FieldError("on", _("a statement answers the notice, so it cannot precede it")))
    if not content.strip() and not waives_hearing:
        raise InvalidInput(FieldError("content", _("record what the party said, or that it waived its rights")))
    if content.strip() and not recheck.strip():
        raise InvalidInput(FieldError("recheck", _("the authority re-checks the party's facts, reasons and evidence")))
    record = _record(
        case, Step.STATEMENT, actor=actor, on=on, now=now, text=content, waives_hearing=waives_hearing, recheck=recheck
    )
    advance(case, "statement_record", updated_at=now)
    _audit(actor, "statement", case, now, waives_hearing=waives_hearing)
    return record


def hearing_request_gate(*, actor: Actor, case: Case, on: dt.date) -> dt.date:
    require_role(
        actor, Role.CASE_OFFICER, Role.OFFICE_HEAD, office=case.office, obj=case, doing=_("Recording a hearing request")
    )
    check_allowed(case, "hearing_request")
    notice = _notice(case)
    if not notice.content.get("hearing_offered"):
        raise GateRefused(_("The proposed penalty does not reach a hearing threshold; no hearing was offered."))
    due = dt.date.fromisoformat(notice.content["hearing_request_due"])
    if on > due:
        raise GateRefused(_("The period to request a hearing ended on %(due)s.") % {"due": due})
    return due


@service
def hearing_request(*, actor: Actor, case: Case, on: dt.date, now: dt.datetime) -> ProcedureRecord:
    """The party asks for a hearing, within 5 working days of the notice (APL art. 64)."""
    _lock(case)
    due = hearing_request_gate(actor=actor, case=case, on=on)
    record = _record(case, Step.HEARING_REQUEST, actor=actor, on=on, now=now, due=due)
    advance(case, "hearing_request", to=State.HEARING, updated_at=now)
    _audit(actor, "hearing_request", case, now)
    return record


def hearing_record_gate(*, actor: Actor, case: Case, on: dt.date) -> None:
    require_role(
        actor, Role.CASE_OFFICER, Role.OFFICE_HEAD, office=case.office, obj=case, doing=_("Recording a hearing")
    )
    check_allowed(case, "hearing_record")


@service
def hearing_record(
    *,
    actor: Actor,
    case: Case,
    notified_on: dt.date,
    held_on: dt.date,
    chair: Officer,
    record: str,
    now: dt.datetime,
) -> ProcedureRecord:
    """The hearing: notified 7 working days ahead, chaired by someone who did not investigate."""
    _lock(case)
    hearing_record_gate(actor=actor, case=case, on=held_on)
    prior = dt.date.fromisoformat(_notice(case).content["served_on"])
    if notified_on < prior:
        raise GateRefused(
            _("The hearing notice (%(n)s) cannot precede the prior notice it answers (%(p)s).")
            % {"n": notified_on, "p": prior}
        )
    today = local_date(now, case.office.time_zone)
    grace = recording_grace(case)
    if grace is not None and notified_on < today - dt.timedelta(days=grace.days):
        raise GateRefused(
            _("A hearing notice is recorded within %(d)d days of its date (%(c)s); %(n)s is too far back.")
            % {"d": grace.days, "c": grace.citation, "n": notified_on}
        )
    if chair.office_id != case.office_id:
        raise InvalidInput(FieldError("chair", _("the chair is an officer of the case's office")))
    if _ever_investigated(case, chair):
        raise GateRefused(_("A hearing is chaired by someone who did not investigate the case."))
    notice = deadline(case.profile, "hearing_notice", notified_on)
    if held_on < notice.due:
        raise GateRefused(
            _("Notified on %(n)s, the hearing may be held from %(e)s (%(days)d days' notice, %(c)s).")
            % {"n": notified_on, "e": notice.due, "days": notice.days, "c": notice.citation}
        )
    if not record.strip():
        raise InvalidInput(FieldError("record", _("the hearing record is required")))
    _not_future(held_on, now, case.office)
    _document(case, DocumentKind.HEARING_NOTICE, notified_on, {"held_on": held_on, "chair": chair.pk})
    rec = _record(
        case, Step.HEARING, actor=actor, on=held_on, now=now, notified_on=notified_on, chair=chair.pk, record=record
    )
    # A hearing is new input: any legal review or discussion before it no longer covers the case.
    advance(case, "hearing_record", to=State.HEARD, updated_at=now, review_current=False, discussion_current=False)
    _audit(actor, "hearing", case, now, chair=chair.username)
    return rec
