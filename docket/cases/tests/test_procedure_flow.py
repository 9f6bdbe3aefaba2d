import datetime as dt
from decimal import Decimal

import pytest

from docket import testing as t
from docket.audit.models import AuditEntry
from docket.audit.queries import audit_chain_verify
from docket.cases import services as cs
from docket.cases.models import State
from docket.core.errors import GateRefused
from docket.measures.models import Measure
from docket.measures.services import fine_payment_record

NOW = t.NOW


def test_penalty_case_runs_from_clue_to_archive(team):
    case = t.drive(team, to=State.SERVED)
    assert case.state == State.EXECUTING
    fine = Measure.objects.get(case=case, type="fine")
    assert fine.amount == Decimal("100000.00")
    # Served on the decision day, fine due 15 calendar days later (rolled past rest days).
    assert fine.due_on is not None and fine.due_on >= case.served_on + dt.timedelta(days=15)
    with pytest.raises(GateRefused, match="unpaid"):
        cs.close(actor=team.head, case=case, on=fine.due_on, now=NOW)
    fine_payment_record(
        actor=team.a, measure=fine, paid_on=fine.due_on, amount=Decimal("100000.00"), reference="BANK-1", now=NOW
    )
    cs.close(actor=team.head, case=case, on=fine.due_on, now=NOW)
    cs.archive(actor=team.a, case=case, on=fine.due_on, now=NOW)
    case.refresh_from_db()
    assert case.state == State.ARCHIVED
    actions = list(
        AuditEntry.objects.filter(object_id=str(case.pk), object_type="cases.case").values_list("action", flat=True)
    )
    for step in (
        "case.file",
        "case.investigation_start",
        "case.draft_propose",
        "case.legal_review",
        "case.notice_issue",
        "case.decide",
        "case.serve",
        "case.close",
        "case.archive",
    ):
        assert step in actions
    checked, broken = audit_chain_verify()
    assert broken is None and checked == AuditEntry.objects.count()
