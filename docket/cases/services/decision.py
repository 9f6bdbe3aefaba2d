"""The decision and the measures it imposes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from docket.audit.services import service
from docket.cases import rules
from docket.cases.models import (
    Case,
    Document,
    DocumentKind,
    Outcome,
    State,
    Step,
)
from docket.cases.services._common import (
    _audit,
    _document,
    _hearing_held,
    _lock,
    _not_before,
    _not_future,
    _notice,
    decision_deadline,
)
from docket.cases.transitions import advance, check_allowed
from docket.core.errors import Conflict, FieldError, GateRefused, InvalidInput
from docket.measures.models import Measure
from docket.measures.services import measure_create
from docket.measures.transfers import transfer_create
from docket.measures.types import Authority
from docket.officers.actors import Actor
from docket.officers.models import Role
from docket.officers.permissions import require_role

# ----------------------------------------------------------------------------------------------------
# Decision, service, execution, closing


def decide_gate(
    *,
    actor: Actor,
    case: Case,
    on: dt.date,
    outcome: str | None = None,
    items: list[dict[str, Any]] | None = None,
) -> None:
    """What must hold before the head may decide: asked with the draft's outcome and measures unless told."""
    require_role(actor, Role.OFFICE_HEAD, office=case.office, obj=case, doing=_("Approving a decision"))
    check_allowed(case, "decide")
    outcome = outcome or case.proposed_outcome
    items = case.proposed_penalties if items is None else items
    if outcome == Outcome.PENALTY and case.state == State.PROPOSED:
        raise GateRefused(_("No penalty may be decided without a prior notice to the party (APL art. 44)."))
    if case.state == State.NOTIFIED:
        notice = _notice(case).content
        statements = case.records.filter(step=Step.STATEMENT)
        statement_due = dt.date.fromisoformat(notice["statement_due"])
        if not statements.exists() and on <= statement_due:
            raise GateRefused(
                _("The party may state and defend until %(d)s; decide after that or after recording its statement.")
                % {"d": statement_due}
            )
        if notice.get("hearing_offered"):
            hearing_due = dt.date.fromisoformat(notice["hearing_request_due"])
            waived = statements.filter(content__waives_hearing=True).exists()
            if not waived and on <= hearing_due:
                raise GateRefused(_("The party may request a hearing until %(d)s.") % {"d": hearing_due})
    held = _hearing_held(case)
    if rules.legal_review_required(case, items, hearing_held=held) and not case.review_current:
        raise GateRefused(_("Legal review of the current draft is required before this decision."))
    if rules.discussion_required(case, items) and not case.discussion_current:
        raise GateRefused(_("This case must be decided after a collective discussion of the current draft."))
    limit = decision_deadline(case, on)
    if on > limit.due:
        raise GateRefused(_("The decision period ended on %(d)s (%(c)s).") % {"d": limit.due, "c": limit.citation})


@service
def decide(
    *,
    actor: Actor,
    case: Case,
    outcome: str,
    legal_basis: str,
    discretion: str,
    on: dt.date,
    now: dt.datetime,
    penalties: list[dict[str, Any]] | None = None,
    version: int | None = None,
) -> Document:
    """The decision (决定), approved by the office head after every step the law requires."""
    _lock(case)
    require_role(actor, Role.OFFICE_HEAD, office=case.office, obj=case, doing=_("Approving a decision"))
    if version is not None and version != case.version:
        raise Conflict(_("The case changed since you opened it; reload it and try again."))
    check_allowed(case, "decide")
    errors = []
    if outcome not in Outcome.values:
        errors.append(FieldError("outcome", _("one of %(v)s") % {"v": ", ".join(Outcome.values)}))
    if outcome != Outcome.JUDICIAL_TRANSFER and not legal_basis.strip():
        errors.append(FieldError("legal_basis", _("a decision names its legal basis")))
    if errors:
        raise InvalidInput(errors)
    if outcome == Outcome.JUDICIAL_TRANSFER and not legal_basis.strip():
        legal_basis = _("Suspected crime: transferred to judicial authorities (APL art. 27)")
    items = rules.clean_penalties(case, case.proposed_penalties if penalties is None else penalties)
    if outcome == Outcome.PENALTY and not items:
        raise InvalidInput(FieldError("penalties", _("a penalty decision imposes at least one measure")))
    if outcome != Outcome.PENALTY and items:
        raise InvalidInput(FieldError("penalties", _("only a penalty decision imposes measures")))
    _not_before(case, on, _("A decision"))
    _not_future(on, now, case.office)
    decide_gate(actor=actor, case=case, on=on, outcome=outcome, items=items)
    if outcome == Outcome.PENALTY:
        raised = rules.raised_beyond_notice(_notice(case).content["penalties"], items)
        if raised:
            raise GateRefused(
                _(
                    "A decision may not go beyond the prior notice: %(p)s. Reopen the investigation "
                    "and serve a new notice."
                )
                % {"p": "; ".join(raised)}
            )
        problems = rules.range_errors(case, items)
        if problems:
            raise GateRefused(_("Outside what the cited provisions allow: %(p)s") % {"p": "; ".join(problems)})
    document = _document(
        case,
        DocumentKind.DECISION,
        on,
        {
            "outcome": outcome,
            "legal_basis": legal_basis,
            "discretion": discretion,
            "penalties": items,
            "violations": [str(v.category) for v in case.violations.all()],
        },
    )
    _create_measures(case, items, on=on, legal_basis=legal_basis, actor=actor, now=now)
    if outcome == Outcome.JUDICIAL_TRANSFER:
        transfer_create(
            case.office,
            on=on,
            actor=actor,
            now=now,
            case=case,
            authority=Authority.PROCURATORATE,
            subjects=list(case.parties.all()),
            reason=legal_basis,
        )
    advance(
        case,
        "decide",
        to=State.DECIDED,
        updated_at=now,
        decision_outcome=outcome,
        decided_on=on,
        decided_by=actor,
        decision_legal_basis=legal_basis,
        decision_discretion=discretion,
        decision_number=document.number,
    )
    _audit(actor, "decide", case, now, outcome=outcome, document=document.number, penalties=items)
    return document


def _create_measures(
    case: Case, items: list[dict[str, Any]], *, on: dt.date, legal_basis: str, actor: Actor, now: dt.datetime
) -> list[Measure]:
    """The measures a decision imposes, made by their owner (``measures.services.measure_create``)."""
    campaigns = list(case.campaigns.all())

    def day(value: Any) -> dt.date | None:
        return dt.date.fromisoformat(value) if value else None

    return [
        measure_create(
            case.office,
            type=item["measure"],
            taken_on=on,
            subjects=[item["subject"]],
            actor=actor,
            now=now,
            case=case,
            campaigns=campaigns,
            amount=Decimal(item["amount"]) if "amount" in item else None,
            due_on=day(item.get("due_on")),
            starts_on=day(item.get("starts_on")),
            ends_on=day(item.get("ends_on")),
            legal_basis=legal_basis,
            details=item.get("details", {}),
            audit={"case": case.ref},
        )
        for item in items
    ]
