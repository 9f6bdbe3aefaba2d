"""The case procedure (DESIGN §3). Each function is one step: it checks who acts, the transition table,
the step's gates and clocks, then writes the change and its audit entry in one transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from docket.audit.services import audit_record, service
from docket.cases import rules
from docket.cases.models import (
    Assignment,
    Case,
    CaseViolation,
    ClockSuspension,
    Document,
    DocumentKind,
    Flag,
    Outcome,
    ProcedureRecord,
    Recusal,
    State,
    Step,
    SuspensionReason,
)
from docket.cases.transitions import advance, check_allowed
from docket.clues.models import Clue, ClueStatus
from docket.core.dates import local_date
from docket.core.errors import Conflict, Denied, FieldError, GateRefused, InvalidInput
from docket.core.numbering import next_number
from docket.measures.models import Measure, MeasureTarget
from docket.measures.transfers import transfer_check_destination, transfer_create
from docket.measures.types import SPECS, Authority, MeasureType
from docket.officers.models import Officer, Role
from docket.officers.permissions import require_role
from docket.offices.models import Office
from docket.reports.aggregates import cells_add
from docket.subjects.models import Subject
from docket.taxonomy.models import Provision, ViolationCategory
from docket.workdays.clocks import Deadline, deadline

# ----------------------------------------------------------------------------------------------------
# Helpers


def _audit(actor: Any, action: str, case: Case, now: dt.datetime, **detail: Any) -> None:
    audit_record(
        actor=actor,
        action=f"case.{action}",
        obj=case,
        now=now,
        detail={"state": case.state, "version": case.version, **detail},
    )


def _record(
    case: Case, step: str, *, actor: Any, on: dt.date, now: dt.datetime, approved: bool | None = None, **content: Any
) -> ProcedureRecord:
    return ProcedureRecord.objects.create(
        case=case,
        step=step,
        on=on,
        by=actor,
        by_office=actor.office,
        approved=approved,
        content=_json(content),
        created_at=now,
    )


def _json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, dt.date | Decimal):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    return value


def _not_before(case: Case, on: dt.date, what: str) -> None:
    if on < case.filed_on:
        raise InvalidInput(
            FieldError(
                "on",
                _("%(what)s cannot be dated before the filing (%(filed)s).") % {"what": what, "filed": case.filed_on},
            )
        )


def _not_future(on: dt.date, now: dt.datetime, office: Office) -> None:
    if on > local_date(now, office.time_zone):
        raise InvalidInput(FieldError("on", _("%(date)s is in the future.") % {"date": on}))


def _investigators(case: Case) -> list[Officer]:
    return [a.officer for a in case.assignments.filter(active=True).select_related("officer")]


def _ever_investigated(case: Case, officer: Officer) -> bool:
    return case.assignments.filter(officer=officer).exists()


def _document(case: Case, kind: str, on: dt.date, body: dict[str, Any]) -> Document:
    number = next_number(Document, "number", f"{case.office.code}-{kind}-{on.year}-")
    return Document.objects.create(case=case, kind=kind, number=number, issued_on=on, body=_json(body))


def paused_days(case: Case, as_of: dt.date) -> int:
    """Calendar days the decision clock stood still up to ``as_of``."""
    total = 0
    for s in case.suspensions.all():
        end = s.ends_on or as_of
        total += max(0, (min(end, as_of) - s.starts_on).days)
    return total


def decision_deadline(case: Case, as_of: dt.date) -> Deadline:
    return deadline(
        case.profile, "decision", case.filed_on, extended=case.decision_extended, paused_days=paused_days(case, as_of)
    )


def _latest(case: Case, step: str) -> ProcedureRecord | None:
    return case.records.filter(step=step).order_by("-on", "-id").first()


def _hearing_held(case: Case) -> bool:
    return case.records.filter(step=Step.HEARING).exists()


# ----------------------------------------------------------------------------------------------------
# Filing


@service
def case_file(
    *,
    actor: Any,
    clue: Clue,
    title: str,
    on: dt.date,
    now: dt.datetime,
    parties: list[Subject] | None = None,
    flags: list[str] | None = None,
) -> Case:
    """File a case on a clue (立案): approved by the head of the clue's office within the check period."""
    require_role(actor, Role.OFFICE_HEAD, office=clue.office, doing=_("Approving a filing"))
    # Lock the clue (two approvals of one filing queue here) and the office (case numbers are per office).
    locked = Clue.objects.select_for_update().get(pk=clue.pk)
    Office.objects.select_for_update().filter(pk=clue.office_id).first()
    if locked.status != clue.status:
        raise Conflict(_("The clue was dealt with by someone else meanwhile; reload it."))
    if clue.status != ClueStatus.OPEN:
        raise GateRefused(
            _("Clue %(ref)s is already %(status)s.") % {"ref": clue.ref, "status": clue.get_status_display()}
        )
    errors = []
    if not title.strip():
        errors.append(FieldError("title", _("required")))
    bad_flags = set(flags or []) - set(Flag.values)
    if bad_flags:
        errors.append(FieldError("flags", _("unknown: %(flags)s") % {"flags": ", ".join(sorted(bad_flags))}))
    if on < clue.received_on:
        errors.append(FieldError("on", _("a case cannot be filed before its clue was received")))
    chosen = list(parties) if parties is not None else list(clue.subjects.all())
    if not chosen:
        errors.append(FieldError("parties", _("a case names at least one party")))
    if errors:
        raise InvalidInput(errors)
    _not_future(on, now, clue.office)
    limit = deadline(clue.profile, "clue_check", clue.received_on, extended=clue.check_extended)
    if on > limit.due:
        raise GateRefused(
            _("The clue check period ended on %(due)s (%(citation)s); a case can no longer be filed on it.")
            % {"due": limit.due, "citation": limit.citation}
        )
    ref = next_number(Case, "ref", f"AJ-{clue.office.code}-{on.year}-")
    case = Case.objects.create(
        office=clue.office,
        ref=ref,
        title=title.strip(),
        clue=clue,
        profile=clue.profile,
        state=State.FILED,
        filed_on=on,
        filed_by=actor,
        flags=sorted(set(flags or [])),
        created_at=now,
        updated_at=now,
    )
    case.parties.set(chosen)
    case.campaigns.set(clue.campaigns.all())
    Clue.objects.filter(pk=clue.pk).update(status=ClueStatus.FILED, outcome_on=on)
    clue.status, clue.outcome_on = ClueStatus.FILED, on
    _document(case, DocumentKind.FILING, on, {"title": case.title, "clue": clue.ref, "approved_by": actor.pk})
    _audit(actor, "file", case, now, clue=clue.ref, deadline=limit.due)
    return case


# ----------------------------------------------------------------------------------------------------
# Investigation


@service
def case_assign(*, actor: Any, case: Case, officers: list[Officer], on: dt.date, now: dt.datetime) -> None:
    """The office head assigns investigators of the case's own office."""
    require_role(actor, Role.OFFICE_HEAD, office=case.office, doing=_("Assigning investigators"))
    check_allowed(case, "assign")
    errors = [
        FieldError("officers", _("%(o)s is not an officer of this office") % {"o": o})
        for o in officers
        if o.office_id != case.office_id or not o.has_role(Role.CASE_OFFICER)
    ]
    recused = set(case.recusals.filter(granted=True).values_list("officer_id", flat=True))
    errors += [
        FieldError("officers", _("%(o)s has been recused from this case") % {"o": o})
        for o in officers
        if o.pk in recused
    ]
    if errors:
        raise InvalidInput(errors)
    for officer in officers:
        Assignment.objects.update_or_create(case=case, officer=officer, defaults={"assigned_on": on, "active": True})
    advance(case, "assign", updated_at=now)
    _audit(actor, "assign", case, now, officers=[o.username for o in officers])


def _require_investigator(actor: Any, case: Case, doing: str) -> None:
    require_role(actor, Role.CASE_OFFICER, office=case.office, doing=doing)
    if not case.assignments.filter(officer=actor, active=True).exists():
        raise Denied(_("%(doing)s is for the case's own investigators.") % {"doing": doing})


@service
def investigation_start(*, actor: Any, case: Case, on: dt.date, now: dt.datetime) -> None:
    """Start investigating: two certified investigators must be assigned (APL art. 42)."""
    require_role(actor, Role.OFFICE_HEAD, Role.CASE_OFFICER, office=case.office, doing=_("Starting an investigation"))
    check_allowed(case, "investigation_start")
    certified = [o for o in _investigators(case) if o.is_certified(on)]
    if len(certified) < 2:
        raise GateRefused(
            _("An investigation needs two officers holding valid enforcement certificates; %(n)d assigned.")
            % {"n": len(certified)}
        )
    advance(case, "investigation_start", to=State.INVESTIGATING, updated_at=now)
    _audit(actor, "investigation_start", case, now, investigators=[o.username for o in certified])


@service
def violation_set(
    *,
    actor: Any,
    case: Case,
    category: ViolationCategory,
    provisions: list[Provision],
    facts: str,
    now: dt.datetime,
) -> CaseViolation:
    """Name a violation by its category and the provisions applied (they must belong to the category)."""
    _require_investigator(actor, case, _("Naming violations"))
    check_allowed(case, "violation_set")
    allowed = set(category.provisions.values_list("pk", flat=True))
    errors = [
        FieldError("provisions", _("%(p)s is not a provision of %(c)s") % {"p": p, "c": category})
        for p in provisions
        if p.pk not in allowed
    ]
    if not provisions:
        errors.append(FieldError("provisions", _("cite at least one provision")))
    if errors:
        raise InvalidInput(errors)
    violation, _created = CaseViolation.objects.update_or_create(
        case=case, category=category, defaults={"facts": facts}
    )
    violation.provisions.set(provisions)
    advance(case, "violation_set", updated_at=now)
    _audit(actor, "violation_set", case, now, category=category.code, provisions=[str(p) for p in provisions])
    return violation


@service
def recusal_request(
    *, actor: Any, case: Case, officer: Officer, reason: str, by_party: bool, on: dt.date, now: dt.datetime
) -> Recusal:
    """Record a request that an investigator step aside (by the party, or the officer's own)."""
    require_role(actor, Role.CASE_OFFICER, Role.OFFICE_HEAD, office=case.office, doing=_("Recording a recusal request"))
    check_allowed(case, "recusal_request")
    if not _ever_investigated(case, officer):
        raise InvalidInput(FieldError("officer", _("%(o)s does not work on this case") % {"o": officer}))
    if not reason.strip():
        raise InvalidInput(FieldError("reason", _("required")))
    recusal = Recusal.objects.create(
        case=case, officer=officer, reason=reason, requested_by_party=by_party, requested_on=on
    )
    advance(case, "recusal_request", updated_at=now)
    _audit(actor, "recusal_request", case, now, officer=officer.username)
    return recusal


@service
def recusal_decide(*, actor: Any, recusal: Recusal, granted: bool, on: dt.date, now: dt.datetime) -> None:
    """The office head decides; a granted recusal takes the officer off the case."""
    case = recusal.case
    require_role(actor, Role.OFFICE_HEAD, office=case.office, doing=_("Deciding a recusal"))
    check_allowed(case, "recusal_decide")
    if recusal.officer_id == actor.pk:
        raise Denied(_("An office head does not decide on their own recusal."))
    if recusal.granted is not None:
        raise GateRefused(_("This recusal request was decided already."))
    recusal.granted, recusal.decided_on, recusal.decided_by = granted, on, actor
    recusal.save(update_fields=["granted", "decided_on", "decided_by"])
    if granted:
        case.assignments.filter(officer_id=recusal.officer_id).update(active=False)
    advance(case, "recusal_decide", updated_at=now)
    _audit(actor, "recusal_decide", case, now, officer=recusal.officer.username, granted=granted)


# ----------------------------------------------------------------------------------------------------
# Draft decision, legal review, collective discussion


@service
def draft_propose(
    *,
    actor: Any,
    case: Case,
    outcome: str,
    facts: str,
    legal_basis: str,
    discretion: str,
    penalties: list[dict[str, Any]],
    now: dt.datetime,
) -> None:
    """An investigator closes the investigation with a draft decision."""
    _require_investigator(actor, case, _("Drafting a decision"))
    check_allowed(case, "draft_propose")
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


@service
def investigation_reopen(*, actor: Any, case: Case, reason: str, now: dt.datetime) -> None:
    """Back to investigating (new facts, or a penalty must be raised: then a new prior notice follows)."""
    require_role(actor, Role.OFFICE_HEAD, office=case.office, doing=_("Reopening the investigation"))
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


@service
def legal_review_record(
    *, actor: Any, case: Case, approved: bool, opinion: str, on: dt.date, now: dt.datetime
) -> ProcedureRecord:
    """Legal review (法制审核) of the draft by a reviewer who has not investigated the case."""
    require_role(actor, Role.LEGAL_REVIEWER, office=case.office, doing=_("Legal review"))
    check_allowed(case, "legal_review_approve" if approved else "legal_review_return")
    if _ever_investigated(case, actor):
        raise Denied(_("A legal reviewer must not have investigated the case they review."))
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


@service
def discussion_record(
    *,
    actor: Any,
    case: Case,
    attendees: list[str],
    minutes: str,
    conclusion: str,
    on: dt.date,
    now: dt.datetime,
) -> ProcedureRecord:
    """Collective discussion (集体讨论) by the office's heads, with minutes."""
    require_role(actor, Role.OFFICE_HEAD, office=case.office, doing=_("Recording a collective discussion"))
    check_allowed(case, "discussion_record")
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


# ----------------------------------------------------------------------------------------------------
# Prior notice, statement and defence, hearing


@service
def notice_issue(*, actor: Any, case: Case, served_on: dt.date, now: dt.datetime) -> Document:
    """Prior notice (事先告知): facts, reasons, legal basis, proposed penalty and the party's rights."""
    _require_investigator(actor, case, _("Issuing a prior notice"))
    check_allowed(case, "notice_issue")
    if case.proposed_outcome != Outcome.PENALTY:
        raise GateRefused(_("A prior notice announces a penalty; this draft proposes none."))
    items = case.proposed_penalties
    if rules.legal_review_required(case, items, hearing_held=False) and not case.review_current:
        raise GateRefused(_("This case needs legal review of the draft before the prior notice."))
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


def _notice(case: Case) -> ProcedureRecord:
    record = _latest(case, Step.PRIOR_NOTICE)
    if record is None:
        raise GateRefused(_("No prior notice has been served."))
    return record


@service
def statement_record(
    *,
    actor: Any,
    case: Case,
    content: str,
    waives_hearing: bool,
    recheck: str,
    on: dt.date,
    now: dt.datetime,
) -> ProcedureRecord:
    """The party's statement and defence, and the authority's re-check of its arguments."""
    require_role(actor, Role.CASE_OFFICER, Role.OFFICE_HEAD, office=case.office, doing=_("Recording a statement"))
    check_allowed(case, "statement_record")
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


@service
def hearing_request(*, actor: Any, case: Case, on: dt.date, now: dt.datetime) -> ProcedureRecord:
    """The party asks for a hearing, within 5 working days of the notice (APL art. 64)."""
    require_role(actor, Role.CASE_OFFICER, Role.OFFICE_HEAD, office=case.office, doing=_("Recording a hearing request"))
    check_allowed(case, "hearing_request")
    notice = _notice(case)
    if not notice.content.get("hearing_offered"):
        raise GateRefused(_("The proposed penalty does not reach a hearing threshold; no hearing was offered."))
    due = dt.date.fromisoformat(notice.content["hearing_request_due"])
    if on > due:
        raise GateRefused(_("The period to request a hearing ended on %(due)s.") % {"due": due})
    record = _record(case, Step.HEARING_REQUEST, actor=actor, on=on, now=now, due=due)
    advance(case, "hearing_request", to=State.HEARING, updated_at=now)
    _audit(actor, "hearing_request", case, now)
    return record


@service
def hearing_record(
    *,
    actor: Any,
    case: Case,
    notified_on: dt.date,
    held_on: dt.date,
    chair: Officer,
    record: str,
    now: dt.datetime,
) -> ProcedureRecord:
    """The hearing: notified 7 working days ahead, chaired by someone who did not investigate."""
    require_role(actor, Role.CASE_OFFICER, Role.OFFICE_HEAD, office=case.office, doing=_("Recording a hearing"))
    check_allowed(case, "hearing_record")
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


# ----------------------------------------------------------------------------------------------------
# Decision, service, execution, closing


@service
def decide(
    *,
    actor: Any,
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
    require_role(actor, Role.OFFICE_HEAD, office=case.office, doing=_("Approving a decision"))
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
    if outcome == Outcome.PENALTY:
        if not items:
            raise InvalidInput(FieldError("penalties", _("a penalty decision imposes at least one measure")))
        if case.state == State.PROPOSED:
            raise GateRefused(_("No penalty may be decided without a prior notice to the party (APL art. 44)."))
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
    elif items:
        raise InvalidInput(FieldError("penalties", _("only a penalty decision imposes measures")))
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
    _not_before(case, on, _("A decision"))
    _not_future(on, now, case.office)
    limit = decision_deadline(case, on)
    if on > limit.due:
        raise GateRefused(_("The decision period ended on %(d)s (%(c)s).") % {"d": limit.due, "c": limit.citation})
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
    case: Case, items: list[dict[str, Any]], *, on: dt.date, legal_basis: str, actor: Any, now: dt.datetime
) -> list[Measure]:
    created = []
    campaigns = list(case.campaigns.all())
    for item in items:
        measure = Measure.objects.create(
            office=case.office,
            case=case,
            type=item["measure"],
            taken_on=on,
            amount=Decimal(item["amount"]) if "amount" in item else None,
            due_on=dt.date.fromisoformat(item["due_on"]) if item.get("due_on") else None,
            starts_on=dt.date.fromisoformat(item["starts_on"]) if item.get("starts_on") else None,
            ends_on=dt.date.fromisoformat(item["ends_on"]) if item.get("ends_on") else None,
            legal_basis=legal_basis,
            details=item.get("details", {}),
            created_by=actor,
            created_at=now,
        )
        MeasureTarget.objects.create(measure=measure, subject_id=item["subject"])
        measure.campaigns.set(campaigns)
        audit_record(
            actor=actor, action="measure.record", obj=measure, now=now, detail={"type": measure.type, "case": case.ref}
        )
        created.append(measure)
    cells_add(m.id for m in created)
    return created


def _needs_execution(case: Case) -> bool:
    for m in case.measures.all():
        spec = SPECS[m.type]
        if spec.amount or spec.due_date or spec.confirmation:
            return True
    return False


@service
def serve(
    *, actor: Any, case: Case, served_on: dt.date, method: str, party_present: bool, proof: str, now: dt.datetime
) -> None:
    """Service of the decision (送达): on the spot, or within 7 working days (APL art. 61)."""
    require_role(actor, Role.CASE_OFFICER, Role.OFFICE_HEAD, office=case.office, doing=_("Recording service"))
    check_allowed(case, "serve")
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
    _audit(actor, "serve", case, now, late=late, service_due=limit.due)


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


@service
def close(*, actor: Any, case: Case, on: dt.date, now: dt.datetime) -> None:
    """Close (结案) once everything decided has been carried out."""
    require_role(actor, Role.OFFICE_HEAD, office=case.office, doing=_("Closing a case"))
    check_allowed(case, "close")
    problems = outstanding(case, on)
    if problems:
        raise GateRefused(_("The case cannot close yet: %(p)s") % {"p": "; ".join(problems)})
    _not_future(on, now, case.office)
    advance(case, "close", to=State.CLOSED, updated_at=now, closed_on=on)
    _audit(actor, "close", case, now)


@service
def archive(*, actor: Any, case: Case, on: dt.date, now: dt.datetime) -> None:
    require_role(actor, Role.CASE_OFFICER, Role.OFFICE_HEAD, office=case.office, doing=_("Archiving a case"))
    advance(case, "archive", to=State.ARCHIVED, updated_at=now, archived_on=on)
    _audit(actor, "archive", case, now)


@service
def dismiss(*, actor: Any, case: Case, reason: str, on: dt.date, now: dt.datetime) -> None:
    """Dismiss the case or terminate the investigation, with the reason."""
    require_role(actor, Role.OFFICE_HEAD, office=case.office, doing=_("Dismissing a case"))
    if not reason.strip():
        raise InvalidInput(FieldError("reason", _("a dismissal states its reason")))
    _not_before(case, on, _("A dismissal"))
    ClockSuspension.objects.filter(case=case, ends_on__isnull=True).update(ends_on=on)
    advance(case, "dismiss", to=State.DISMISSED, updated_at=now, ended_on=on, end_reason=reason)
    _audit(actor, "dismiss", case, now, reason=reason)


@service
def case_transfer(
    *,
    actor: Any,
    case: Case,
    reason: str,
    on: dt.date,
    now: dt.datetime,
    to_office: Office | None = None,
    authority: str = "",
) -> Measure:
    """Transfer (移送) to the competent office or to another authority; the receipt is tracked."""
    require_role(actor, Role.OFFICE_HEAD, office=case.office, doing=_("Transferring a case"))
    check_allowed(case, "transfer")
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


# ----------------------------------------------------------------------------------------------------
# Clocks, extensions, supervision


@service
def clock_suspend(
    *, actor: Any, case: Case, reason: str, note: str, starts_on: dt.date, now: dt.datetime
) -> ClockSuspension:
    require_role(actor, Role.OFFICE_HEAD, office=case.office, doing=_("Suspending the clock"))
    check_allowed(case, "clock_suspend")
    if reason not in SuspensionReason.values:
        raise InvalidInput(FieldError("reason", _("one of %(v)s") % {"v": ", ".join(SuspensionReason.values)}))
    if reason == SuspensionReason.OTHER and not note.strip():
        raise InvalidInput(FieldError("note", _("explain the lawful reason")))
    if case.suspensions.filter(ends_on__isnull=True).exists():
        raise GateRefused(_("The clock is already suspended."))
    _not_before(case, starts_on, _("A suspension"))
    suspension = ClockSuspension.objects.create(case=case, reason=reason, note=note, starts_on=starts_on)
    advance(case, "clock_suspend", updated_at=now)
    _audit(actor, "clock_suspend", case, now, reason=reason)
    return suspension


@service
def clock_resume(*, actor: Any, case: Case, ends_on: dt.date, now: dt.datetime) -> None:
    require_role(actor, Role.OFFICE_HEAD, office=case.office, doing=_("Resuming the clock"))
    check_allowed(case, "clock_resume")
    suspension = case.suspensions.filter(ends_on__isnull=True).first()
    if suspension is None:
        raise GateRefused(_("The clock is not suspended."))
    if ends_on < suspension.starts_on:
        raise InvalidInput(FieldError("ends_on", _("the suspension cannot end before it began")))
    suspension.ends_on = ends_on
    suspension.save(update_fields=["ends_on"])
    advance(case, "clock_resume", updated_at=now)
    _audit(actor, "clock_resume", case, now, days=(ends_on - suspension.starts_on).days)


@service
def decision_extend(*, actor: Any, case: Case, reason: str, on: dt.date, now: dt.datetime) -> Deadline:
    """Extend the decision period once, by the head, before it runs out."""
    require_role(actor, Role.OFFICE_HEAD, office=case.office, doing=_("Extending the decision period"))
    check_allowed(case, "decision_extend")
    if case.decision_extended:
        raise GateRefused(_("The period was extended already; a further extension is decided collectively."))
    if not reason.strip():
        raise InvalidInput(FieldError("reason", _("required")))
    current = decision_deadline(case, on)
    if on > current.due:
        raise GateRefused(_("The decision period ended on %(d)s; it can no longer be extended.") % {"d": current.due})
    _record(case, Step.EXTENSION, actor=actor, on=on, now=now, approved=True, reason=reason, before=current.due)
    advance(case, "decision_extend", updated_at=now, decision_extended=True)
    new = decision_deadline(case, on)
    _audit(actor, "decision_extend", case, now, before=current.due, after=new.due)
    return new


@service
def case_supervise(
    *,
    actor: Any,
    case: Case,
    kind: str,
    instructions: str,
    on: dt.date,
    now: dt.datetime,
    due_on: dt.date | None = None,
) -> ProcedureRecord:
    """A higher office supervises (督办) or instructs (交办) on a lower office's case."""
    require_role(actor, Role.OFFICE_HEAD, Role.INSPECTOR, doing=_("Supervising a case"))
    if kind not in (Step.SUPERVISION, Step.INSTRUCTION):
        raise InvalidInput(FieldError("kind", _("supervision or instruction")))
    if not actor.office.is_above(case.office):
        raise Denied(_("Only a higher office supervises or instructs on a case."))
    check_allowed(case, "supervise" if kind == Step.SUPERVISION else "instruct")
    if not instructions.strip():
        raise InvalidInput(FieldError("instructions", _("required")))
    record = _record(case, kind, actor=actor, on=on, now=now, instructions=instructions, due_on=due_on)
    advance(case, "supervise" if kind == Step.SUPERVISION else "instruct", updated_at=now)
    _audit(actor, kind, case, now, by_office=actor.office.code)
    return record
