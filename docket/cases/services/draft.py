"""The draft decision, legal review and collective discussion."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from docket.audit.services import service
from docket.cases import rules
from docket.cases.models import (
    Case,
    Outcome,
    ProcedureRecord,
    State,
    Step,
)
from docket.cases.services._common import _audit, _ever_investigated, _lock, _not_before, _record, _require_investigator
from docket.cases.transitions import advance, check_allowed
from docket.core.dates import local_date
from docket.core.errors import Denied, FieldError, GateRefused, InvalidInput
from docket.officers.actors import Actor, officer_of
from docket.officers.models import Role
from docket.officers.permissions import require_role

# ----------------------------------------------------------------------------------------------------
# Draft decision, legal review, collective discussion


def draft_propose_gate(*, actor: Actor, case: Case, on: dt.date) -> None:
    _require_investigator(actor, case, _("Drafting a decision"))
    check_allowed(case, "draft_propose")


@service
def draft_propose(
    *,
    actor: Actor,
    case: Case,
    outcome: str,
    facts: str,
    legal_basis: str,
    discretion: str,
    penalties: list[dict[str, Any]],
    now: dt.datetime,
) -> None:
    """An investigator closes the investigation with a draft decision."""
    _lock(case)
    draft_propose_gate(actor=actor, case=case, on=local_date(now, case.office.time_zone))
    errors = []
    if outcome not in Outcome.values:
        errors.append(FieldError("outcome", _("one of %(v)s") % {"v": ", ".join(Outcome.values)}))
    if not facts.strip():
        errors.append(FieldError("facts", _("state the facts found")))
    if outcome in (Outcome.PENALTY, Outcome.NO_PENALTY) and not legal_basis.strip():
        errors.append(FieldError("legal_basis", _("a decision names its legal basis")))
    if outcome == Outcome.PENALTY and not penalties:
        errors.append(FieldError("penalties", _("a penalty decision imposes at least one measure")))
    if outcome != Outcome.PENALTY and penalties:
        errors.append(FieldError("penalties", _("only a penalty decision imposes measures")))
    if errors:
        raise InvalidInput(errors)
    items = rules.clean_penalties(case, penalties)
    if not case.evidence.exists() and outcome != Outcome.NOT_ESTABLISHED:
        raise GateRefused(_("No evidence has been collected; the facts are not established by evidence."))
    if outcome in (Outcome.PENALTY, Outcome.NO_PENALTY) and not case.violations.exists():
        raise GateRefused(_("Name the violation and the provisions applied before drafting a decision."))
    problems = rules.range_errors(case, items)
    if problems:
        raise GateRefused(_("Outside what the cited provisions allow: %(p)s") % {"p": "; ".join(problems)})
    advance(
        case,
        "draft_propose",
        to=State.PROPOSED,
        updated_at=now,
        proposed_outcome=outcome,
        proposed_penalties=items,
        proposed_facts=facts,
        proposed_legal_basis=legal_basis,
        proposed_discretion=discretion,
        review_current=False,
        discussion_current=False,
    )
    _audit(actor, "draft_propose", case, now, outcome=outcome, penalties=items)


def investigation_reopen_gate(*, actor: Actor, case: Case, on: dt.date) -> None:
    require_role(actor, Role.OFFICE_HEAD, office=case.office, obj=case, doing=_("Reopening the investigation"))
    check_allowed(case, "investigation_reopen")


@service
def investigation_reopen(*, actor: Actor, case: Case, reason: str, now: dt.datetime) -> None:
    """Back to investigating (new facts, or a penalty must be raised: then a new prior notice follows)."""
    _lock(case)
    investigation_reopen_gate(actor=actor, case=case, on=local_date(now, case.office.time_zone))
    if not reason.strip():
        raise InvalidInput(FieldError("reason", _("required")))
    advance(
        case,
        "investigation_reopen",
        to=State.INVESTIGATING,
        updated_at=now,
        review_current=False,
        discussion_current=False,
    )
    _audit(actor, "investigation_reopen", case, now, reason=reason)


def _legal_review_gate(actor: Actor, case: Case, action: str) -> None:
    require_role(actor, Role.LEGAL_REVIEWER, office=case.office, obj=case, doing=_("Legal review"))
    check_allowed(case, action)
    if _ever_investigated(case, officer_of(actor)):
        raise Denied(_("A legal reviewer must not have investigated the case they review."))
    if case.review_current:
        raise GateRefused(_("The current draft has been reviewed already."))


def legal_review_approve_gate(*, actor: Actor, case: Case, on: dt.date) -> None:
    _legal_review_gate(actor, case, "legal_review_approve")


def legal_review_return_gate(*, actor: Actor, case: Case, on: dt.date) -> None:
    _legal_review_gate(actor, case, "legal_review_return")


@service
def legal_review_record(
    *, actor: Actor, case: Case, approved: bool, opinion: str, on: dt.date, now: dt.datetime
) -> ProcedureRecord:
    """Legal review (法制审核) of the draft by a reviewer who has not investigated the case."""
    _lock(case)
    _legal_review_gate(actor, case, "legal_review_approve" if approved else "legal_review_return")
    if not opinion.strip():
        raise InvalidInput(FieldError("opinion", _("the review states its opinion")))
    _not_before(case, on, _("A legal review"))
    record = _record(
        case,
        Step.LEGAL_REVIEW,
        actor=actor,
        on=on,
        now=now,
        approved=approved,
        opinion=opinion,
        draft=case.proposed_penalties,
        outcome=case.proposed_outcome,
    )
    if approved:
        advance(case, "legal_review_approve", updated_at=now, review_current=True)
    else:
        advance(
            case,
            "legal_review_return",
            to=State.INVESTIGATING,
            updated_at=now,
            review_current=False,
            discussion_current=False,
        )
    _audit(actor, "legal_review", case, now, approved=approved)
    return record


def discussion_record_gate(*, actor: Actor, case: Case, on: dt.date) -> None:
    require_role(actor, Role.OFFICE_HEAD, office=case.office, obj=case, doing=_("Recording a collective discussion"))
    check_allowed(case, "discussion_record")
    if case.discussion_current:
        raise GateRefused(_("The current draft has been discussed already."))


@service
def discussion_record(
    *,
    actor: Actor,
    case: Case,
    attendees: list[str],
    minutes: str,
    conclusion: str,
    on: dt.date,
    now: dt.datetime,
) -> ProcedureRecord:
    """Collective discussion (集体讨论) by the office's heads, with minutes."""
    _lock(case)
    discussion_record_gate(actor=actor, case=case, on=on)
    errors = []
    if len([a for a in attendees if a.strip()]) < 3:
        errors.append(FieldError("attendees", _("a collective discussion has at least three attendees")))
    if not minutes.strip():
        errors.append(FieldError("minutes", _("minutes are required")))
    if not conclusion.strip():
        errors.append(FieldError("conclusion", _("required")))
    if errors:
        raise InvalidInput(errors)
    _not_before(case, on, _("A collective discussion"))
    record = _record(
        case, Step.DISCUSSION, actor=actor, on=on, now=now, attendees=attendees, minutes=minutes, conclusion=conclusion
    )
    advance(case, "discussion_record", updated_at=now, discussion_current=True)
    _audit(actor, "discussion", case, now)
    return record
