"""What the audit trail's machine names mean to a reader: the timeline of a case or a clue shows these labels,
the trail itself keeps the names (they are part of each entry's hash and must never change with a translation).

A name without a label (a new service not listed yet) is shown as it is stored rather than hidden.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACTION_LABELS: dict[str, Promise] = {
    # Clues
    "clue.register": _("Clue registered"),
    "clue.assign": _("Clue assigned to an office"),
    "clue.check_extend": _("Check period extended"),
    "clue.no_case": _("Closed without a case"),
    "clue.merge": _("Merged"),
    "clue.transfer": _("Clue transferred"),
    # Cases
    "case.file": _("Case filed"),
    "case.assign": _("Investigators assigned"),
    "case.investigation_start": _("Investigation started"),
    "case.violation_set": _("Violation named"),
    "case.recusal_request": _("Recusal requested"),
    "case.recusal_decide": _("Recusal decided"),
    "case.draft_propose": _("Decision drafted"),
    "case.investigation_reopen": _("Investigation reopened"),
    "case.legal_review": _("Legal review recorded"),
    "case.discussion": _("Collective discussion recorded"),
    "case.notice_issue": _("Prior notice served"),
    "case.statement": _("Statement and defence recorded"),
    "case.hearing_request": _("Hearing requested"),
    "case.hearing": _("Hearing held"),
    "case.decide": _("Decision approved"),
    "case.serve": _("Decision served"),
    "case.close": _("Case closed"),
    "case.archive": _("Case archived"),
    "case.dismiss": _("Case dismissed"),
    "case.transfer": _("Case transferred"),
    "case.clock_suspend": _("Clock suspended"),
    "case.clock_resume": _("Clock resumed"),
    "case.decision_extend": _("Decision period extended"),
    "case.supervision": _("Supervised by a higher office"),
    "case.instruction": _("Instruction from a higher office"),
    "cases.case.read": _("Access refused"),
    # Evidence, documents, measures
    "evidence.add": _("Evidence added"),
    "evidence.read": _("Evidence opened"),
    "document.render": _("Document generated"),
    "document.read": _("Document opened"),
    "measure.record": _("Measure recorded"),
    "measure.confirm": _("Measure confirmed as carried out"),
    "measure.verify": _("Rectification verified"),
    "measure.payment": _("Payment recorded"),
    "measure.receipt": _("Receipt recorded"),
    "measure.platform_report": _("Platform report received"),
    "measure.correct": _("Measure corrected"),
    "measure.delete": _("Measure deleted"),
    # The workspace
    "saved_queue.save": _("Saved queue stored"),
    "saved_queue.delete": _("Saved queue deleted"),
}


def action_label(action: str) -> str:
    """The reader's words for an audited action, in the active language."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action
