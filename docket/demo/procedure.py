"""Cases taken through the whole procedure by the real services, for the demo year."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from docket.cases import services as cs
from docket.cases.models import Case, Outcome, Step
from docket.clues.models import Clue
from docket.core.vocabulary import MeasureType
from docket.evidence.services import evidence_add
from docket.measures.models import Measure
from docket.measures.services import fine_balance, fine_payment_record, measure_confirm, rectification_verify
from docket.measures.types import SPECS
from docket.officers.models import Officer
from docket.subjects.models import Subject
from docket.taxonomy.models import ViolationCategory
from docket.workdays.calendar import add_working_days

DAY = dt.timedelta(days=1)


@dataclass
class Team:
    """The officers of one office who work a case."""

    head: Officer
    a: Officer
    b: Officer
    reviewer: Officer
    chair: Officer


@dataclass
class Plan:
    """How a case goes: its outcome, what it imposes, and the optional steps it takes."""

    outcome: str = Outcome.PENALTY
    penalties: list[tuple[str, Subject, str | None]] | None = None  # (measure, subject, amount)
    category: str = "content-management"
    hearing: bool = False
    supervisor: Officer | None = None
    instructed_by: Officer | None = None
    dismiss: str = ""
    flags: list[str] | None = None
    parties: list[Subject] | None = None


def run_case(team: Team, clue: Clue, title: str, filed_on: dt.date, plan: Plan, now: dt.datetime) -> Case:
    """File a case on ``clue`` and take it as far as its plan goes: to the archive, or to its dismissal."""
    parties = list(clue.subjects.all()) + [s for s in plan.parties or [] if s not in clue.subjects.all()]
    case = cs.case_file(
        actor=team.head, clue=clue, title=title, on=filed_on, now=now, flags=plan.flags, parties=parties
    )
    day = filed_on
    if plan.instructed_by is not None:
        cs.case_supervise(
            actor=plan.instructed_by,
            case=case,
            kind=Step.INSTRUCTION,
            instructions="依法从严查处并报告结果",
            on=day,
            now=now,
        )
    cs.case_assign(actor=team.head, case=case, officers=[team.a, team.b], on=day, now=now)
    cs.investigation_start(actor=team.a, case=case, on=day, now=now)
    if plan.supervisor is not None:
        cs.case_supervise(
            actor=plan.supervisor,
            case=case,
            kind=Step.SUPERVISION,
            instructions="挂牌督办，按期报告进展",
            on=day + DAY,
            now=now,
            due_on=day + 60 * DAY,
        )
    category = investigate(
        team,
        case,
        category=plan.category,
        facts="经查，当事人未依法履行相关义务。",
        collected_on=day + 2 * DAY,
        now=now,
    )
    if plan.dismiss:
        cs.dismiss(actor=team.head, case=case, reason=plan.dismiss, on=day + 20 * DAY, now=now)
        cs.archive(actor=team.a, case=case, on=day + 25 * DAY, now=now)
        return case
    items = (
        [
            {
                "measure": m,
                "subject": s.pk,
                **({"amount": a} if a else {}),
                **({"due_on": (day + 60 * DAY).isoformat()} if m == MeasureType.RECTIFICATION_ORDER else {}),
                **(
                    {"starts_on": (day + 40 * DAY).isoformat(), "ends_on": (day + 70 * DAY).isoformat()}
                    if m == MeasureType.SUSPENSION
                    else {}
                ),
            }
            for m, s, a in (plan.penalties or [])
        ]
        if plan.outcome == Outcome.PENALTY
        else []
    )
    legal_basis = "、".join(str(p) for p in category.provisions.all())
    cs.draft_propose(
        actor=team.a,
        case=case,
        outcome=plan.outcome,
        facts="违法事实清楚，证据确凿。",
        legal_basis=legal_basis,
        discretion="综合考虑违法情节、危害后果及整改情况，按一般情形裁量。",
        penalties=items,
        now=now,
    )
    review_day = day + 10 * DAY
    cs.legal_review_record(
        actor=team.reviewer,
        case=case,
        approved=True,
        opinion="事实清楚，证据充分，适用法律正确，程序合法。",
        on=review_day,
        now=now,
    )
    decide_on = review_day + 2 * DAY
    if plan.outcome == Outcome.PENALTY:
        notice_day = review_day + 3 * DAY
        doc = cs.notice_issue(actor=team.a, case=case, served_on=notice_day, now=now)
        if plan.hearing and doc.body["hearing_offered"]:
            cs.hearing_request(actor=team.a, case=case, on=notice_day + DAY, now=now)
            held = hold_hearing(team, case, notified=notice_day + 2 * DAY, now=now)
            decide_on = held + 2 * DAY
        else:
            cs.statement_record(
                actor=team.a,
                case=case,
                content="当事人表示认可，放弃陈述申辩和听证。",
                waives_hearing=True,
                recheck="经复核，当事人未提出新的事实、理由和证据。",
                on=notice_day + DAY,
                now=now,
            )
            decide_on = notice_day + 3 * DAY
    from docket.cases import rules

    if rules.discussion_required(case, case.proposed_penalties):
        cs.discussion_record(
            actor=team.head,
            case=case,
            attendees=["主要负责人", "分管负责人", "法制机构负责人"],
            minutes="集体讨论同意拟处理意见。",
            conclusion="同意",
            on=decide_on,
            now=now,
        )
    cs.decide(
        actor=team.head,
        case=case,
        outcome=plan.outcome,
        legal_basis=legal_basis or "《行政处罚法》",
        discretion="一般情形",
        on=decide_on,
        now=now,
    )
    cs.serve(
        actor=team.a,
        case=case,
        served_on=decide_on,
        method="直接送达",
        party_present=True,
        proof="当事人签收送达回证",
        now=now,
    )
    last = decide_on
    for measure in Measure.objects.filter(case=case):
        spec = SPECS[measure.type]
        if spec.amount:
            owed = fine_balance(measure, decide_on + 10 * DAY).outstanding
            fine_payment_record(
                actor=team.a,
                measure=measure,
                paid_on=decide_on + 10 * DAY,
                amount=Decimal(owed),
                reference=f"缴款书{measure.pk:08d}",
                now=now,
            )
            last = max(last, decide_on + 10 * DAY)
        if spec.confirmation:
            measure_confirm(
                actor=team.a,
                measure=measure,
                confirmed_on=decide_on + 5 * DAY,
                confirmation="电信主管部门/应用商店回函确认",
                now=now,
            )
            last = max(last, decide_on + 5 * DAY)
        if spec.due_date:
            rectification_verify(
                actor=team.a,
                measure=measure,
                verified_on=decide_on + 20 * DAY,
                complied=True,
                note="复查确认已整改",
                now=now,
            )
            last = max(last, decide_on + 20 * DAY)
    if case.state in ("served", "executing"):
        cs.close(actor=team.head, case=case, on=last + DAY, now=now)
        cs.archive(actor=team.a, case=case, on=last + 5 * DAY, now=now)
    return case


def hold_hearing(team: Team, case: Case, *, notified: dt.date, now: dt.datetime) -> dt.date:
    """A hearing notified on ``notified``, held seven working days later, and the legal review after it."""
    held = add_working_days(notified, 7)
    cs.hearing_record(
        actor=team.a,
        case=case,
        notified_on=notified,
        held_on=held,
        chair=team.chair,
        record="听证笔录：当事人陈述申辩意见，调查人员出示证据。",
        now=now,
    )
    cs.legal_review_record(
        actor=team.reviewer, case=case, approved=True, opinion="听证后复核，维持原处理意见。", on=held + DAY, now=now
    )
    return held


def investigate(
    team: Team, case: Case, *, category: str, facts: str, collected_on: dt.date, now: dt.datetime
) -> ViolationCategory:
    """The investigation's record: the violation named with its provisions, and the evidence of two officers."""
    violation = ViolationCategory.objects.get(version="2023", code=category)
    cs.violation_set(
        actor=team.a, case=case, category=violation, provisions=list(violation.provisions.all()), facts=facts, now=now
    )
    evidence_add(
        actor=team.a,
        case=case,
        content=f"{case.ref} 远程勘验记录".encode(),
        name="勘验笔录.txt",
        content_type="text/plain",
        collected_on=collected_on,
        collectors=[team.a, team.b],
        method="远程勘验、电子数据提取",
        description="涉案页面截图及电子数据",
        now=now,
    )
    return violation
