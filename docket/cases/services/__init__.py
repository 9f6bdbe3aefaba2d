"""The case procedure (DESIGN §3), one module per stage. Each function is one step: it checks who acts, the
transition table, the step's gates and clocks, then writes the change and its audit entry in one transaction.

Callers import from here (``from docket.cases import services as cs``); the stage modules are the map.
"""

from docket.cases.services._common import decision_deadline, paused_days
from docket.cases.services.clocks import clock_resume, clock_suspend, decision_extend
from docket.cases.services.decision import decide
from docket.cases.services.draft import discussion_record, draft_propose, investigation_reopen, legal_review_record
from docket.cases.services.ending import case_transfer, dismiss
from docket.cases.services.execution import archive, close, outstanding, serve
from docket.cases.services.filing import case_file
from docket.cases.services.hearing import hearing_record, hearing_request, notice_issue, statement_record
from docket.cases.services.investigation import (
    case_assign,
    investigation_start,
    recusal_decide,
    recusal_request,
    violation_set,
)
from docket.cases.services.oversight import case_supervise

__all__ = [
    "archive",
    "case_assign",
    "case_file",
    "case_supervise",
    "case_transfer",
    "clock_resume",
    "clock_suspend",
    "close",
    "decide",
    "decision_deadline",
    "decision_extend",
    "discussion_record",
    "dismiss",
    "draft_propose",
    "hearing_record",
    "hearing_request",
    "investigation_reopen",
    "investigation_start",
    "legal_review_record",
    "notice_issue",
    "outstanding",
    "paused_days",
    "recusal_decide",
    "recusal_request",
    "serve",
    "statement_record",
    "violation_set",
]
