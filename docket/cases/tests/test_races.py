"""Every step of the procedure pressed by twenty officers at once (PostgreSQL, concurrent connections).

A step of one case is taken once: one success, every other call a Conflict (the case changed under it) or a
gate refusal, and the records hold exactly one step's worth. Steps of different cases of one office run side by
side and number their documents consecutively.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from docket import testing as t
from docket.audit.models import AuditEntry
from docket.cases import services as cs
from docket.cases.models import Case, Document, ProcedureRecord, Recusal, State
from docket.clues.models import Clue, Source
from docket.clues.services import clue_register
from docket.core.tests.races import fresh, me, tally
from docket.measures import services as ms
from docket.measures.models import Measure
from docket.officers.models import Role
from docket.reports.aggregates import cells_rebuild
from docket.reports.models import Cell

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL connections"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NOW = t.NOW
N = t.RACERS
D = dt.date
RECEIVED = D(2024, 3, 1)
FILED = RECEIVED + dt.timedelta(days=3)
NOTICE = FILED + dt.timedelta(days=12)
DECIDED = NOTICE + dt.timedelta(days=10)


@dataclass
class World:
    team: t.Team
    case: Case
    extra: dict[str, Any]
    # What each of the twenty officers has on screen: the case as it was when they all opened it.
    copies: list[Case]


def _notified(team: t.Team) -> Case:
    case = t.drive(team, to=State.NOTIFIED)
    cs.statement_record(actor=team.a, case=case, content="", waives_hearing=True, recheck="", on=NOTICE, now=NOW)
    return case


def _closed(team: t.Team) -> Case:
    case = t.drive(team, to=State.SERVED)
    fine = Measure.objects.get(case=case, type="fine")
    assert fine.due_on is not None and fine.amount is not None
    ms.fine_payment_record(actor=team.a, measure=fine, paid_on=fine.due_on, amount=fine.amount, reference="P", now=NOW)
    cs.close(actor=team.head, case=case, on=fine.due_on, now=NOW)
    return case


def _reopened(team: t.Team) -> Case:
    case = t.drive(team, to=State.PROPOSED)
    cs.investigation_reopen(actor=team.head, case=case, reason="新证据", now=NOW)
    return case


def _reviewed(team: t.Team) -> Case:
    case = t.drive(team, to=State.PROPOSED)
    cs.legal_review_record(actor=team.reviewer, case=case, approved=True, opinion="同意", on=FILED, now=NOW)
    return case


def _heard_pending(team: t.Team) -> Case:
    case = t.drive(team, to=State.NOTIFIED)
    cs.hearing_request(actor=team.a, case=case, on=NOTICE, now=NOW)
    return case


def _suspended(team: t.Team) -> Case:
    case = t.drive(team, to=State.INVESTIGATING)
    cs.clock_suspend(actor=team.head, case=case, reason="expert_testing", note="", starts_on=FILED, now=NOW)
    return case


def _filed_assigned(team: t.Team) -> Case:
    case = t.drive(team, to=State.FILED)
    cs.case_assign(actor=team.head, case=case, officers=[team.a, team.b], on=FILED, now=NOW)
    return case


def _with_recusal(team: t.Team) -> Case:
    case = t.drive(team, to=State.INVESTIGATING)
    cs.recusal_request(actor=team.a, case=case, officer=team.b, reason="亲属", by_party=True, on=FILED, now=NOW)
    return case


@dataclass(frozen=True)
class Step:
    name: str
    prepare: Callable[[t.Team], Case]
    call: Callable[[World, int], Any]
    # What one success leaves behind, checked after the race (besides the single audit entry).
    check: Callable[[World], None] = lambda w: None
    # Audit entries of one success: the case's, plus one per measure the step records.
    audits: int = 1


def _one(model: Any, **lookup: Any) -> Callable[[World], None]:
    def check(w: World) -> None:
        assert model.objects.filter(**{k: (w.case if v is None else v) for k, v in lookup.items()}).count() == 1

    return check


def _docs(kind: str) -> Callable[[World], None]:
    def check(w: World) -> None:
        assert Document.objects.filter(case=w.case, kind=kind).count() == 1

    return check


def _records(step: str) -> Callable[[World], None]:
    def check(w: World) -> None:
        assert ProcedureRecord.objects.filter(case=w.case, step=step).count() == 1

    return check


def _decided(w: World) -> None:
    assert Document.objects.filter(case=w.case, kind="decision").count() == 1
    assert Measure.objects.filter(case=w.case).count() == 1
    kept = set(Cell.objects.exclude(events=0, quantity=0).values_list("pk", "events", "quantity"))
    cells_rebuild()
    assert {(e, q) for _pk, e, q in kept} == set(
        Cell.objects.exclude(events=0, quantity=0).values_list("events", "quantity")
    )


def _transferred(w: World) -> None:
    assert Measure.objects.filter(case=w.case, type="transfer").count() == 1
    assert Clue.objects.filter(origin_case=w.case).count() == 1


STEPS = [
    Step(
        "case_assign",
        lambda team: t.drive(team, to=State.FILED),
        lambda w, i: cs.case_assign(
            actor=me(w.team.head), case=w.copies[i], officers=[w.team.a, w.team.b], on=FILED, now=NOW
        ),
    ),
    Step(
        "investigation_start",
        _filed_assigned,
        lambda w, i: cs.investigation_start(actor=me(w.team.a), case=w.copies[i], on=FILED, now=NOW),
    ),
    Step(
        "violation_set",
        lambda team: t.drive(team, to=State.INVESTIGATING),
        lambda w, i: cs.violation_set(
            actor=me(w.team.a),
            case=w.copies[i],
            category=w.extra["category"],
            provisions=[w.extra["provision"]],
            facts=f"事实 {i}",
            now=NOW,
        ),
    ),
    Step(
        "recusal_request",
        lambda team: t.drive(team, to=State.INVESTIGATING),
        lambda w, i: cs.recusal_request(
            actor=me(w.team.a), case=w.copies[i], officer=w.team.b, reason="亲属", by_party=True, on=FILED, now=NOW
        ),
        _one(Recusal, case=None),
    ),
    Step(
        "recusal_decide",
        _with_recusal,
        lambda w, i: cs.recusal_decide(
            actor=me(w.team.head), recusal=fresh(w.case.recusals.get()), granted=True, on=FILED, now=NOW
        ),
        _one(Recusal, case=None, granted=True),
    ),
    Step(
        "draft_propose",
        _reopened,
        lambda w, i: cs.draft_propose(
            actor=me(w.team.a),
            case=w.copies[i],
            outcome="penalty",
            facts="查明事实",
            legal_basis="《网络安全法》第六十八条",
            discretion="一般",
            penalties=[{"measure": "fine", "subject": w.case.parties.get().pk, "amount": "100000.00"}],
            now=NOW,
        ),
    ),
    Step(
        "investigation_reopen",
        lambda team: t.drive(team, to=State.PROPOSED),
        lambda w, i: cs.investigation_reopen(actor=me(w.team.head), case=w.copies[i], reason="新证据", now=NOW),
    ),
    Step(
        "legal_review_record",
        lambda team: t.drive(team, to=State.PROPOSED),
        lambda w, i: cs.legal_review_record(
            actor=me(w.team.reviewer), case=w.copies[i], approved=True, opinion="同意", on=FILED, now=NOW
        ),
        _records("legal_review"),
    ),
    Step(
        "discussion_record",
        lambda team: t.drive(team, to=State.PROPOSED),
        lambda w, i: cs.discussion_record(
            actor=me(w.team.head),
            case=w.copies[i],
            attendees=["甲", "乙", "丙"],
            minutes="纪要",
            conclusion="同意",
            on=FILED,
            now=NOW,
        ),
        _records("discussion"),
    ),
    Step(
        "notice_issue",
        _reviewed,
        lambda w, i: cs.notice_issue(actor=me(w.team.a), case=w.copies[i], served_on=NOTICE, now=NOW),
        _docs("prior_notice"),
    ),
    Step(
        "statement_record",
        lambda team: t.drive(team, to=State.NOTIFIED),
        lambda w, i: cs.statement_record(
            actor=me(w.team.a),
            case=w.copies[i],
            content="申辩",
            waives_hearing=False,
            recheck="复核",
            on=NOTICE,
            now=NOW,
        ),
        _records("statement"),
    ),
    Step(
        "hearing_request",
        lambda team: t.drive(team, to=State.NOTIFIED),
        lambda w, i: cs.hearing_request(actor=me(w.team.a), case=w.copies[i], on=NOTICE, now=NOW),
        _records("hearing_request"),
    ),
    Step(
        "hearing_record",
        _heard_pending,
        lambda w, i: cs.hearing_record(
            actor=me(w.team.a),
            case=w.copies[i],
            notified_on=D(2024, 3, 20),
            held_on=D(2024, 4, 2),
            chair=w.team.chair,
            record="听证笔录",
            now=NOW,
        ),
        _docs("hearing_notice"),
    ),
    Step(
        "decide",
        _notified,
        lambda w, i: cs.decide(
            actor=me(w.team.head),
            case=w.copies[i],
            outcome="penalty",
            legal_basis="《网络安全法》第六十八条",
            discretion="一般",
            on=DECIDED,
            now=NOW,
        ),
        _decided,
        audits=2,
    ),
    Step(
        "serve",
        lambda team: t.drive(team, to=State.DECIDED),
        lambda w, i: cs.serve(
            actor=me(w.team.a),
            case=w.copies[i],
            served_on=DECIDED,
            method="直接送达",
            party_present=True,
            proof="签收",
            now=NOW,
        ),
        _docs("service"),
    ),
    Step(
        "close",
        lambda team: _paid(team),
        lambda w, i: cs.close(actor=me(w.team.head), case=w.copies[i], on=w.extra["paid_on"], now=NOW),
    ),
    Step(
        "archive",
        _closed,
        lambda w, i: cs.archive(actor=me(w.team.a), case=w.copies[i], on=D(2024, 12, 1), now=NOW),
    ),
    Step(
        "dismiss",
        lambda team: t.drive(team, to=State.INVESTIGATING),
        lambda w, i: cs.dismiss(actor=me(w.team.head), case=w.copies[i], reason="不予立案", on=FILED, now=NOW),
    ),
    Step(
        "case_transfer",
        lambda team: t.drive(team, to=State.INVESTIGATING),
        lambda w, i: cs.case_transfer(
            actor=me(w.team.head), case=w.copies[i], reason="属地管辖", on=FILED, now=NOW, to_office=w.extra["nb"]
        ),
        _transferred,
        audits=2,
    ),
    Step(
        "clock_suspend",
        lambda team: t.drive(team, to=State.INVESTIGATING),
        lambda w, i: cs.clock_suspend(
            actor=me(w.team.head), case=w.copies[i], reason="expert_testing", note="", starts_on=FILED, now=NOW
        ),
        lambda w: None if w.case.suspensions.count() == 1 else pytest.fail("suspensions"),
    ),
    Step(
        "clock_resume",
        _suspended,
        lambda w, i: cs.clock_resume(actor=me(w.team.head), case=w.copies[i], ends_on=FILED, now=NOW),
        lambda w: None if not w.case.suspensions.filter(ends_on__isnull=True).exists() else pytest.fail("open"),
    ),
    Step(
        "decision_extend",
        lambda team: t.drive(team, to=State.INVESTIGATING),
        lambda w, i: cs.decision_extend(
            actor=me(w.team.head), case=w.copies[i], reason="案情复杂", on=FILED + dt.timedelta(days=10), now=NOW
        ),
        _records("extension"),
    ),
    Step(
        "case_supervise",
        lambda team: t.drive(team, to=State.INVESTIGATING),
        lambda w, i: cs.case_supervise(
            actor=me(w.extra["inspector"]),
            case=w.copies[i],
            kind="supervision",
            instructions=f"督办 {i}",
            on=FILED,
            now=NOW,
        ),
        _records("supervision"),
    ),
]


def _paid(team: t.Team) -> Case:
    case = t.drive(team, to=State.SERVED)
    fine = Measure.objects.get(case=case, type="fine")
    assert fine.due_on is not None and fine.amount is not None
    ms.fine_payment_record(actor=team.a, measure=fine, paid_on=fine.due_on, amount=fine.amount, reference="P", now=NOW)
    return case


# A step whose race the cases code still loses names what is wrong; the lead fixes it and removes the mark.
XFAIL: dict[str, str] = {}


def _param(step: Step) -> Any:
    marks = [pytest.mark.race(step.name)]
    if step.name in XFAIL:
        marks.append(pytest.mark.xfail(strict=True, reason=f"cases: {XFAIL[step.name]}"))
    return pytest.param(step, id=step.name, marks=marks)


@pytest.mark.race("case_assign")
@pytest.mark.race("investigation_start")
@pytest.mark.race("violation_set")
@pytest.mark.race("recusal_request")
@pytest.mark.race("recusal_decide")
@pytest.mark.race("draft_propose")
@pytest.mark.race("investigation_reopen")
@pytest.mark.race("legal_review_record")
@pytest.mark.race("discussion_record")
@pytest.mark.race("notice_issue")
@pytest.mark.race("statement_record")
@pytest.mark.race("hearing_request")
@pytest.mark.race("hearing_record")
@pytest.mark.race("decide")
@pytest.mark.race("serve")
@pytest.mark.race("close")
@pytest.mark.race("archive")
@pytest.mark.race("dismiss")
@pytest.mark.race("case_transfer")
@pytest.mark.race("clock_suspend")
@pytest.mark.race("clock_resume")
@pytest.mark.race("decision_extend")
@pytest.mark.race("case_supervise")
@pytest.mark.parametrize("step", [_param(s) for s in STEPS])
def test_a_step_is_taken_once(tree, step: Step):
    team = t.Team(tree.hz)
    case = step.prepare(team)
    category, provision = t.taxonomy()
    extra = {
        "category": category,
        "provision": provision,
        "nb": tree.nb,
        "inspector": t.officer(tree.zj, Role.INSPECTOR),
        "paid_on": Measure.objects.filter(case=case, type="fine").values_list("due_on", flat=True).first(),
    }
    world = World(team, case, extra, [fresh(case) for _ in range(N)])
    version = Case.objects.get(pk=case.pk).version
    entries = AuditEntry.objects.filter(outcome="ok").count()
    ok, refused = tally(t.race(lambda i: step.call(world, i)))
    assert len(ok) == 1 and len(refused) == N - 1, (len(ok), [str(r) for r in refused][:3])
    assert Case.objects.get(pk=case.pk).version == version + 1
    step.check(world)
    assert AuditEntry.objects.filter(outcome="ok").count() - entries == step.audits


@pytest.mark.race("case_file")
def test_one_filing_per_clue(tree):
    team = t.Team(tree.hz)
    clue = clue_register(
        actor=team.a, source=Source.MEDIA, received_on=RECEIVED, summary="s", subjects=[t.organisation()], now=NOW
    )
    copies = [fresh(clue) for _ in range(N)]
    ok, refused = tally(
        t.race(lambda i: cs.case_file(actor=me(team.head), clue=copies[i], title="案", on=FILED, now=NOW))
    )
    assert len(ok) == 1 and len(refused) == N - 1
    assert Case.objects.filter(clue=clue).count() == 1
    assert Document.objects.filter(kind="filing").count() == 1


@pytest.mark.race("case_file")
def test_filings_of_one_office_get_consecutive_numbers(tree):
    team = t.Team(tree.hz)
    clues = [
        clue_register(
            actor=team.a, source=Source.MEDIA, received_on=RECEIVED, summary="s", subjects=[t.organisation()], now=NOW
        )
        for _ in range(N)
    ]
    ok, refused = tally(
        t.race(lambda i: cs.case_file(actor=me(team.head), clue=fresh(clues[i]), title="案", on=FILED, now=NOW))
    )
    assert len(ok) == N and not refused
    refs = sorted(Case.objects.filter(office=tree.hz).values_list("ref", flat=True))
    assert refs == [f"AJ-330100-2024-{n:05d}" for n in range(1, N + 1)]
    numbers = sorted(Document.objects.filter(kind="filing").values_list("number", flat=True))
    assert numbers == [f"330100-filing-2024-{n:05d}" for n in range(1, N + 1)]


@pytest.mark.race("decide")
def test_decisions_of_one_office_get_consecutive_numbers(tree):
    """Twenty cases of one office decided at the same moment: twenty decisions, numbered 1 to 20."""
    team = t.Team(tree.hz)
    cases = [_notified(team) for _ in range(N)]
    ok, refused = tally(
        t.race(
            lambda i: cs.decide(
                actor=me(team.head),
                case=fresh(cases[i]),
                outcome="penalty",
                legal_basis="《网络安全法》第六十八条",
                discretion="一般",
                on=DECIDED,
                now=NOW,
            )
        )
    )
    assert len(ok) == N and not refused
    numbers = sorted(Document.objects.filter(kind="decision").values_list("number", flat=True))
    assert numbers == [f"330100-decision-2024-{n:05d}" for n in range(1, N + 1)]
    assert Measure.objects.filter(type="fine", case__in=cases).count() == N
    assert sum(m.amount for m in Measure.objects.filter(type="fine", case__in=cases)) == Decimal("100000.00") * N
