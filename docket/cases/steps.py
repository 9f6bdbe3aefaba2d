"""The steps of the case procedure: one entry per action of ``cases.transitions``.

Interfaces list ``available_steps(case, actor, on)`` and run a step through its form; they never decide
themselves whether a step is possible.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from docket.cases import forms as f
from docket.cases import services as cs
from docket.cases.models import Case
from docket.cases.models import Step as Record
from docket.cases.services import clocks, decision, draft, ending, execution, hearing, investigation, oversight
from docket.cases.transitions import TRANSITIONS
from docket.core.steps import Available, Step, available
from docket.evidence import services as evidence
from docket.officers.models import Role

HEAD, OFFICER, REVIEWER, INSPECTOR = Role.OFFICE_HEAD, Role.CASE_OFFICER, Role.LEGAL_REVIEWER, Role.INSPECTOR


def _step(
    action: str, label: object, roles: set[str], form: type[f.CaseForm], service: object, gate: object, **kw: object
) -> Step:
    return Step(
        name=action,
        label=label,
        roles=frozenset(roles),
        form=form,
        service=service,  # type: ignore[arg-type]
        gate=gate,  # type: ignore[arg-type]
        target=kw.pop("target", "case"),  # type: ignore[arg-type]
        fixed=kw.pop("fixed", {}),  # type: ignore[arg-type]
        states=TRANSITIONS[action][0],
    )


STEPS: dict[str, Step] = {
    s.name: s
    for s in [
        _step(
            "assign", _("Assign investigators"), {HEAD}, f.AssignForm, cs.case_assign, investigation.case_assign_gate
        ),
        _step(
            "investigation_start",
            _("Start investigation"),
            {HEAD, OFFICER},
            f.DateForm,
            cs.investigation_start,
            investigation.investigation_start_gate,
        ),
        _step(
            "violation_set",
            _("Name a violation"),
            {OFFICER},
            f.ViolationForm,
            cs.violation_set,
            investigation.violation_set_gate,
        ),
        _step(
            "evidence_add",
            _("Add evidence"),
            {OFFICER},
            f.EvidenceForm,
            evidence.evidence_add,
            evidence.evidence_add_gate,
        ),
        _step(
            "recusal_request",
            _("Record a recusal request"),
            {OFFICER, HEAD},
            f.RecusalRequestForm,
            cs.recusal_request,
            investigation.recusal_request_gate,
        ),
        _step(
            "recusal_decide",
            _("Decide a recusal request"),
            {HEAD},
            f.RecusalDecideForm,
            cs.recusal_decide,
            investigation.recusal_decide_gate,
        ),
        _step(
            "draft_propose", _("Draft the decision"), {OFFICER}, f.DraftForm, cs.draft_propose, draft.draft_propose_gate
        ),
        _step(
            "investigation_reopen",
            _("Reopen the investigation"),
            {HEAD},
            f.ReasonForm,
            cs.investigation_reopen,
            draft.investigation_reopen_gate,
        ),
        _step(
            "legal_review_approve",
            _("Approve in legal review"),
            {REVIEWER},
            f.ReviewForm,
            cs.legal_review_record,
            draft.legal_review_approve_gate,
            fixed={"approved": True},
        ),
        _step(
            "legal_review_return",
            _("Return from legal review"),
            {REVIEWER},
            f.ReviewForm,
            cs.legal_review_record,
            draft.legal_review_return_gate,
            fixed={"approved": False},
        ),
        _step(
            "discussion_record",
            _("Record collective discussion"),
            {HEAD},
            f.DiscussionForm,
            cs.discussion_record,
            draft.discussion_record_gate,
        ),
        _step(
            "notice_issue", _("Serve prior notice"), {OFFICER}, f.NoticeForm, cs.notice_issue, hearing.notice_issue_gate
        ),
        _step(
            "statement_record",
            _("Record statement and defence"),
            {OFFICER, HEAD},
            f.StatementForm,
            cs.statement_record,
            hearing.statement_record_gate,
        ),
        _step(
            "hearing_request",
            _("Record hearing request"),
            {OFFICER, HEAD},
            f.DateForm,
            cs.hearing_request,
            hearing.hearing_request_gate,
        ),
        _step(
            "hearing_record",
            _("Record hearing"),
            {OFFICER, HEAD},
            f.HearingForm,
            cs.hearing_record,
            hearing.hearing_record_gate,
        ),
        _step("decide", _("Approve the decision"), {HEAD}, f.DecideForm, cs.decide, decision.decide_gate),
        _step("serve", _("Record service"), {OFFICER, HEAD}, f.ServeForm, cs.serve, execution.serve_gate),
        _step("close", _("Close the case"), {HEAD}, f.DateForm, cs.close, execution.close_gate),
        _step("archive", _("Archive"), {OFFICER, HEAD}, f.DateForm, cs.archive, execution.archive_gate),
        _step("dismiss", _("Dismiss / terminate"), {HEAD}, f.ReasonForm, cs.dismiss, ending.dismiss_gate),
        _step("transfer", _("Transfer"), {HEAD}, f.TransferForm, cs.case_transfer, ending.case_transfer_gate),
        _step(
            "clock_suspend", _("Suspend the clock"), {HEAD}, f.SuspendForm, cs.clock_suspend, clocks.clock_suspend_gate
        ),
        _step("clock_resume", _("Resume the clock"), {HEAD}, f.ResumeForm, cs.clock_resume, clocks.clock_resume_gate),
        _step(
            "decision_extend",
            _("Extend the decision period"),
            {HEAD},
            f.ReasonForm,
            cs.decision_extend,
            clocks.decision_extend_gate,
        ),
        _step(
            "supervise",
            _("Supervise (higher office)"),
            {HEAD, INSPECTOR},
            f.SuperviseForm,
            cs.case_supervise,
            oversight.supervise_gate,
            fixed={"kind": Record.SUPERVISION},
        ),
        _step(
            "instruct",
            _("Instruct (higher office)"),
            {HEAD, INSPECTOR},
            f.SuperviseForm,
            cs.case_supervise,
            oversight.instruct_gate,
            fixed={"kind": Record.INSTRUCTION},
        ),
    ]
}


def available_steps(case: Case, actor: object, *, on: dt.date) -> list[Available]:
    """Every step of the case's current state for this officer: allowed, or refused with the gate's reason."""
    return available(STEPS.values(), obj=case, actor=actor, on=on, state=case.state)
