"""The work waiting on the day the demo runs: open clues, and cases stopped in every state of the procedure,
for the example users of several offices, dated back from that day so that some are due within days, some
overdue and some suspended. Everything goes through the real services.

The steps are dated in the weeks before ``now`` (never in 2022 or 2023), so the published figures of those
years do not move; the fines of the decided cases count in the current year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max

from docket.cases import services as cs
from docket.cases.models import Case, Outcome, State, Step, SuspensionReason
from docket.clues.models import Clue, Source
from docket.clues.services import clue_register
from docket.core.dates import local_date
from docket.core.vocabulary import Kind, MeasureType
from docket.demo.procedure import Team, hold_hearing, investigate
from docket.demo.state import Demo
from docket.officers.models import Officer
from docket.subjects.models import Subject
from docket.workdays.models import CalendarYear

DAY = dt.timedelta(days=1)
SUSPENDED = "suspended"  # not a state: an investigating case whose decision clock stands still


@dataclass(frozen=True)
class Open:
    """One open case: the state it stops in, how many days before today it was filed, and its penalties."""

    stop: str
    filed_ago: int
    fine: bool = True  # a fine (a hearing may be requested, execution follows) or a warning only
    hearing: bool = False


# Days before today chosen so that the decision period (90 calendar days from filing) is overdue (95),
# due within days (87) or far off; statement windows (5 working days) and the service clock (7 working days)
# run out in the coming days for the recently notified and decided cases.
EVERY_STATE = [
    Open(State.FILED, 2),
    Open(State.INVESTIGATING, 40),
    Open(State.INVESTIGATING, 95),
    Open(State.INVESTIGATING, 87),
    Open(SUSPENDED, 50),
    Open(State.PROPOSED, 12),
    Open(State.NOTIFIED, 15),
    Open(State.HEARING, 16, hearing=True),
    Open(State.HEARD, 32, hearing=True),
    Open(State.DECIDED, 20),
    Open(State.SERVED, 30, fine=False),
    Open(State.EXECUTING, 45),
    Open(State.EXECUTING, 25),
]
# (example office, head, first and second investigator, reviewer; None = the demo's own staff of that office)
OFFICES: list[tuple[str, str, str, str | None, str | None, list[Open]]] = [
    ("330000", "zj-head", "zj-officer1", "zj-officer2", "zj-reviewer", EVERY_STATE),
    (
        "110000",
        "bj-head",
        "bj-officer1",
        "bj-officer2",
        None,
        [
            Open(State.FILED, 3),
            Open(State.INVESTIGATING, 96),
            Open(State.NOTIFIED, 15),
            Open(State.HEARD, 33, hearing=True),
            Open(State.EXECUTING, 26),
            Open(SUSPENDED, 60),
        ],
    ),
    (
        "440000",
        "gd-head",
        "gd-officer1",
        None,
        None,
        [
            Open(State.INVESTIGATING, 30),
            Open(State.PROPOSED, 13),
            Open(State.HEARING, 17, hearing=True),
            Open(State.DECIDED, 21),
            Open(State.EXECUTING, 46),
            Open(State.SERVED, 31, fine=False),
        ],
    ),
    (
        "330100",
        "hz-head",
        "hz-officer1",
        None,
        None,
        [
            Open(State.FILED, 1),
            Open(State.INVESTIGATING, 88),
            Open(State.PROPOSED, 12),
            Open(State.DECIDED, 20),
            Open(State.EXECUTING, 27),
        ],
    ),
    ("000000", "cac-head", "", None, None, [Open(State.INVESTIGATING, 35), Open(State.NOTIFIED, 16)]),
]
# Open clues of each office: received 3 days ago (due in about three weeks), 19 days ago (due within days)
# and 30 days ago (overdue: the 15-working-day check period has run out).
CLUES_RECEIVED_AGO = (3, 19, 30)


def open_work(demo: Demo) -> list[Case]:
    """Leave the example users something to do today; returns the open cases."""
    officers = {o.username: o for o in Officer.objects.select_related("office")}
    cases: list[Case] = []
    for code, head, first, second, reviewer, plans in OFFICES:
        staff = demo.staff[code].team
        team = Team(
            head=officers[head],
            a=officers[first] if first else staff.a,
            b=officers[second] if second else staff.b,
            reviewer=officers[reviewer] if reviewer else staff.reviewer,
            chair=staff.chair,
        )
        today = local_date(demo.now, demo.staff[code].office.time_zone)
        horizon = _calendar_horizon(today)
        for ago in CLUES_RECEIVED_AGO:
            org, site = _subjects(demo)
            clue_register(
                actor=team.a,
                source=demo.rng.choice([Source.INSPECTION, Source.PUBLIC_REPORT, Source.MEDIA]),
                received_on=today - ago * DAY,
                summary=f"{site.name}涉嫌传播违法信息，待核查",
                subjects=[org, site],
                now=demo.now,
            )
        for plan in plans:
            cases.append(_case(demo, team, today, plan, horizon))
    _supervise(demo, officers, cases)
    return cases


def _subjects(demo: Demo) -> tuple[Subject, Subject]:
    org = Subject.objects.get(pk=demo.pool[Kind.ORGANISATION].pop())
    site = Subject.objects.get(pk=demo.pool[Kind.WEBSITE].pop())
    return org, site


def _calendar_horizon(today: dt.date) -> dt.date:
    """The last day of the working-day calendar (a deadline beyond it is refused, not guessed)."""
    last = CalendarYear.objects.aggregate(last=Max("year"))["last"]
    return dt.date(last, 12, 31) if last else today


def _case(demo: Demo, team: Team, today: dt.date, plan: Open, horizon: dt.date) -> Case:
    now = demo.now
    d = today - plan.filed_ago * DAY
    if plan.stop in (State.DECIDED, State.SERVED, State.EXECUTING):
        # Deciding needs the decision period's end (90 days on) and serving the fine's (15 days on) to lie within
        # the calendar: late in a year whose successor has no holiday data yet, these cases are filed earlier.
        d = min(d, horizon - 110 * DAY)
    org, site = _subjects(demo)
    clue = clue_register(
        actor=team.a,
        source=Source.INSPECTION,
        received_on=d - 3 * DAY,
        summary=f"{site.name}传播违法信息",
        subjects=[org, site],
        now=now,
    )
    case = cs.case_file(actor=team.head, clue=clue, title=f"{site.name}传播违法信息案", on=d, now=now)
    cs.case_assign(actor=team.head, case=case, officers=[team.a, team.b], on=d, now=now)
    if plan.stop == State.FILED:
        return case
    cs.investigation_start(actor=team.a, case=case, on=d, now=now)
    category = investigate(
        team,
        case,
        category="content-management",
        facts="经初步核查，当事人涉嫌未依法履行信息内容管理义务。",
        collected_on=min(d + 2 * DAY, today),
        now=now,
    )
    if plan.stop == SUSPENDED:
        cs.clock_suspend(
            actor=team.head,
            case=case,
            reason=SuspensionReason.EXPERT_TESTING,
            note="电子数据委托司法鉴定",
            starts_on=today - 10 * DAY,
            now=now,
        )
        return case
    if plan.stop == State.INVESTIGATING:
        return case
    penalties = [{"measure": MeasureType.WARNING, "subject": site.pk}]
    if plan.fine:
        penalties.insert(0, {"measure": MeasureType.FINE, "subject": site.pk, "amount": "200000.00"})
    legal_basis = "、".join(str(p) for p in category.provisions.all())
    cs.draft_propose(
        actor=team.a,
        case=case,
        outcome=Outcome.PENALTY,
        facts="违法事实清楚，证据确凿。",
        legal_basis=legal_basis,
        discretion="按一般情形裁量。",
        penalties=penalties,
        now=now,
    )
    if plan.stop == State.PROPOSED:
        return case
    opinion = "事实清楚，证据充分，适用法律正确，程序合法。"
    cs.legal_review_record(actor=team.reviewer, case=case, approved=True, opinion=opinion, on=d + 10 * DAY, now=now)
    notice_day = d + 13 * DAY
    cs.notice_issue(actor=team.a, case=case, served_on=notice_day, now=now)
    if plan.stop == State.NOTIFIED:
        return case
    if plan.hearing:
        cs.hearing_request(actor=team.a, case=case, on=notice_day + DAY, now=now)
        if plan.stop == State.HEARING:
            return case
        hold_hearing(team, case, notified=notice_day + 2 * DAY, now=now)
        return case  # heard: the decision waits for the head
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
    cs.decide(
        actor=team.head,
        case=case,
        outcome=Outcome.PENALTY,
        legal_basis=legal_basis,
        discretion="一般情形",
        on=decide_on,
        now=now,
    )
    if plan.stop == State.DECIDED:
        return case
    cs.serve(
        actor=team.a,
        case=case,
        served_on=decide_on,
        method="直接送达",
        party_present=True,
        proof="当事人签收送达回证",
        now=now,
    )
    return case  # served (a warning only) or executing (the fine is outstanding)


def _supervise(demo: Demo, officers: dict[str, Officer], cases: list[Case]) -> None:
    """The national office supervises two provincial cases: the inspector one, the head another."""
    for username, code in (("cac-inspector", "330000"), ("cac-head", "440000")):
        actor = officers[username]
        case = next(c for c in cases if c.office.code == code and c.state == State.INVESTIGATING)
        today = local_date(demo.now, case.office.time_zone)
        cs.case_supervise(
            actor=actor,
            case=case,
            kind=Step.SUPERVISION,
            instructions="挂牌督办，按期报告进展",
            on=today - 5 * DAY,
            now=demo.now,
            due_on=today + 7 * DAY,
        )


def open_cases() -> list[Case]:
    """The cases still under way (for the tests and the command's summary)."""
    ended = [State.CLOSED, State.ARCHIVED, State.DISMISSED, State.TRANSFERRED]
    return list(Case.objects.exclude(state__in=ended).select_related("office"))


def open_clues() -> list[Clue]:
    return list(Clue.objects.filter(status="open").select_related("office"))
