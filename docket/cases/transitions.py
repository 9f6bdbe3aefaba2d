"""The case procedure as an explicit table: which action may run in which state, and where it leads.

``None`` as the destination means the action records a step and leaves the state as it is. The gates
(who may act, which records must exist, which clocks must hold) live in the services; the table is the
first check every service makes, and the conditional update in ``advance`` makes it race-free.
"""

from django.db.models import F
from django.utils.translation import gettext as _

from docket.cases.due import case_due
from docket.cases.models import BEFORE_DECISION, DRAFTED, NOT_ARCHIVED, Case, State
from docket.core.errors import Conflict, GateRefused

S = State

TRANSITIONS: dict[str, tuple[frozenset[str], frozenset[str | None]]] = {
    "assign": (frozenset({S.FILED, S.INVESTIGATING}), frozenset({None})),
    "investigation_start": (frozenset({S.FILED}), frozenset({S.INVESTIGATING})),
    "violation_set": (frozenset({S.FILED, S.INVESTIGATING}), frozenset({None})),
    "evidence_add": (frozenset({S.INVESTIGATING}), frozenset({None})),
    "recusal_request": (BEFORE_DECISION, frozenset({None})),
    "recusal_decide": (BEFORE_DECISION, frozenset({None})),
    "draft_propose": (frozenset({S.INVESTIGATING}), frozenset({S.PROPOSED})),
    "investigation_reopen": (DRAFTED, frozenset({S.INVESTIGATING})),
    "legal_review_approve": (DRAFTED, frozenset({None})),
    "legal_review_return": (DRAFTED, frozenset({S.INVESTIGATING})),
    "discussion_record": (DRAFTED, frozenset({None})),
    "notice_issue": (frozenset({S.PROPOSED}), frozenset({S.NOTIFIED})),
    "statement_record": (frozenset({S.NOTIFIED, S.HEARD}), frozenset({None})),
    "hearing_request": (frozenset({S.NOTIFIED}), frozenset({S.HEARING})),
    "hearing_record": (frozenset({S.HEARING}), frozenset({S.HEARD})),
    "decide": (DRAFTED, frozenset({S.DECIDED})),
    "serve": (frozenset({S.DECIDED}), frozenset({S.SERVED, S.EXECUTING})),
    "close": (frozenset({S.SERVED, S.EXECUTING}), frozenset({S.CLOSED})),
    "archive": (frozenset({S.CLOSED, S.DISMISSED, S.TRANSFERRED}), frozenset({S.ARCHIVED})),
    "dismiss": (BEFORE_DECISION, frozenset({S.DISMISSED})),
    "transfer": (BEFORE_DECISION, frozenset({S.TRANSFERRED})),
    "clock_suspend": (BEFORE_DECISION, frozenset({None})),
    "clock_resume": (BEFORE_DECISION, frozenset({None})),
    "decision_extend": (BEFORE_DECISION, frozenset({None})),
    "supervise": (NOT_ARCHIVED, frozenset({None})),
    "instruct": (BEFORE_DECISION, frozenset({None})),
}


def check_allowed(case: Case, action: str) -> None:
    allowed_from, _to = TRANSITIONS[action]
    if case.state not in allowed_from:
        raise GateRefused(
            _("%(action)s is not possible while the case is %(state)s.")
            % {"action": action, "state": case.get_state_display()}
        )


def advance(case: Case, action: str, *, to: str | None = None, **fields: object) -> None:
    """Apply ``action``: move to ``to`` and save ``fields`` only if nobody changed the case meanwhile.

    The UPDATE is conditional on the version read, so of two simultaneous approvals exactly one
    matches a row; the other gets Conflict and changes nothing.
    """
    check_allowed(case, action)
    _from, destinations = TRANSITIONS[action]
    if to not in destinations:
        raise ValueError(f"{action} cannot lead to {to}")
    updates: dict[str, object] = dict(fields)
    if to is not None:
        updates["state"] = to
    # The stored next due date follows every transition, in the same conditional UPDATE.
    previous = {name: getattr(case, name) for name in updates}
    for name, value in updates.items():
        setattr(case, name, value)
    updates["due_on"], updates["due_clock"] = case_due(case)
    for name, value in previous.items():
        setattr(case, name, value)
    matched = Case.objects.filter(pk=case.pk, version=case.version, state=case.state).update(
        version=F("version") + 1, **updates
    )
    if matched != 1:
        raise Conflict(_("The case was changed by someone else meanwhile; reload it and try again."))
    for name, value in updates.items():
        setattr(case, name, value)
    case.version += 1
