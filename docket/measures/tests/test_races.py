"""Twenty officers (or platform clients) acting on one measure at once (PostgreSQL, concurrent connections).

Measured before the row locks: a 100,000 fine took 1.7 million in payments, 40 verifications of one order
all succeeded and opened 40 escalation clues, 40 receipts of one transfer all succeeded.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum

from docket import testing as t
from docket.audit.models import AuditEntry
from docket.cases.models import State
from docket.clues import services as cl
from docket.clues.models import Clue, ClueStatus, Source
from docket.core.errors import Conflict, GateRefused
from docket.measures import services as ms
from docket.measures.models import FinePayment, Measure, MeasureTarget, TargetStatus
from docket.measures.transfers import clue_transfer
from docket.officers.models import Officer, Role
from docket.reports.aggregates import cells_rebuild
from docket.reports.models import Cell
from docket.subjects.models import Subject

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL connections"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NOW = t.NOW
D = dt.date
N = t.RACERS


def tally(results: list[object]) -> tuple[list[object], list[Any]]:
    """The successes and the refusals; anything else (an IntegrityError, a deadlock) fails the test."""
    refused = [r for r in results if isinstance(r, Conflict | GateRefused)]
    broken = [r for r in results if isinstance(r, BaseException) and not isinstance(r, Conflict | GateRefused)]
    assert not broken, broken
    return [r for r in results if not isinstance(r, BaseException)], refused


def _me(officer: Officer) -> Officer:
    return Officer.objects.get(pk=officer.pk)


def _m(measure: Measure) -> Measure:
    return Measure.objects.get(pk=measure.pk)


def _cells() -> set[tuple[object, ...]]:
    # A cell emptied by a deletion stays (at zero) where a rebuild writes none: both count nothing.
    return set(
        Cell.objects.exclude(events=0, quantity=0).values_list(
            "scope_id", "grain", "period_start", "campaign_id", "measure_type", "subject_kind", "events", "quantity"
        )
    )


def assert_cells_exact() -> None:
    kept = _cells()
    cells_rebuild()
    assert kept == _cells()


def _audits(action: str) -> int:
    return AuditEntry.objects.filter(action=action, outcome="ok").count()


@pytest.mark.race("measure_record")
def test_simultaneous_records_all_land_and_the_cells_stay_exact(tree):
    team = t.Team(tree.hz)
    sites = [t.website(f"r{i}.example.cn") for i in range(N)]
    results = t.race(
        lambda i: ms.measure_record(
            actor=_me(team.a), type="website_closure", taken_on=D(2024, 6, 3), subjects=[sites[i]], now=NOW
        )
    )
    ok, refused = tally(results)
    assert len(ok) == N and not refused
    assert Measure.objects.filter(type="website_closure").count() == N
    assert_cells_exact()


@pytest.mark.race("measure_confirm")
def test_one_confirmation(tree):
    team = t.Team(tree.hz)
    closure = ms.measure_record(
        actor=team.a, type="website_closure", taken_on=D(2024, 6, 3), subjects=[t.website("c.example.cn")], now=NOW
    )
    results = t.race(
        lambda i: ms.measure_confirm(
            actor=_me(team.a), measure=_m(closure), confirmed_on=D(2024, 6, 4), confirmation=f"电信管理局 {i}", now=NOW
        )
    )
    ok, refused = tally(results)
    assert len(ok) == 1 and len(refused) == N - 1
    assert _m(closure).confirmed_on == D(2024, 6, 4)
    assert _audits("measure.confirm") == 1


@pytest.mark.race("rectification_verify")
def test_one_verification_opens_one_escalation_clue(tree):
    team = t.Team(tree.hz)
    order = ms.measure_record(
        actor=team.a,
        type="rectification_order",
        taken_on=D(2024, 6, 3),
        due_on=D(2024, 6, 30),
        subjects=[t.website("v.example.cn")],
        now=NOW,
    )
    results = t.race(
        lambda i: ms.rectification_verify(
            actor=_me(team.a), measure=_m(order), verified_on=D(2024, 7, 2), complied=False, note="未整改", now=NOW
        )
    )
    ok, refused = tally(results)
    assert len(ok) == 1 and len(refused) == N - 1
    assert Clue.objects.filter(office=tree.hz).count() == 1
    assert _m(order).verification == "not_complied"
    assert _audits("measure.verify") == 1


@pytest.mark.race("fine_payment_record")
def test_payments_never_exceed_the_fine(tree):
    """Twenty payments of 10,000 against a 100,000 fine: ten land, ten find nothing left to pay."""
    team = t.Team(tree.hz)
    case = t.drive(team, to=State.SERVED, fine="100000.00")
    fine = Measure.objects.get(case=case, type="fine")
    assert fine.due_on is not None
    results = t.race(
        lambda i: ms.fine_payment_record(
            actor=_me(team.a),
            measure=_m(fine),
            paid_on=fine.due_on,
            amount=Decimal("10000.00"),
            reference=f"P{i}",
            now=NOW,
        )
    )
    ok, refused = tally(results)
    assert len(ok) == 10 and len(refused) == N - 10
    assert all(isinstance(r, GateRefused) for r in refused)
    assert FinePayment.objects.filter(measure=fine).aggregate(s=Sum("amount"))["s"] == Decimal("100000.00")
    assert _audits("measure.payment") == 10


def _transfer(team: t.Team) -> Measure:
    clue = cl.clue_register(
        actor=team.a, source=Source.MEDIA, received_on=D(2024, 6, 3), summary="s", subjects=[t.organisation()], now=NOW
    )
    return clue_transfer(
        actor=team.head, clue=clue, reason="涉嫌犯罪", on=D(2024, 6, 5), now=NOW, authority="public_security"
    )


@pytest.mark.race("transfer_receipt_record")
def test_one_receipt_per_transfer(tree):
    team = t.Team(tree.hz)
    transfer = _transfer(team)
    results = t.race(
        lambda i: ms.transfer_receipt_record(
            actor=_me(team.a), measure=_m(transfer), receipt_on=D(2024, 6, 8), receipt_ref=f"回执{i}", now=NOW
        )
    )
    ok, refused = tally(results)
    assert len(ok) == 1 and len(refused) == N - 1
    assert _m(transfer).receipt_ref.startswith("回执")
    assert _audits("measure.receipt") == 1


@pytest.mark.race("clue_transfer")
def test_a_clue_is_transferred_once(tree):
    team = t.Team(tree.hz)
    clue = cl.clue_register(
        actor=team.a, source=Source.MEDIA, received_on=D(2024, 6, 3), summary="s", subjects=[t.organisation()], now=NOW
    )
    results = t.race(
        lambda i: clue_transfer(
            actor=_me(team.head),
            clue=Clue.objects.get(pk=clue.pk),
            reason="属地管辖",
            on=D(2024, 6, 5),
            now=NOW,
            to_office=tree.nb,
        )
    )
    ok, refused = tally(results)
    assert len(ok) == 1 and len(refused) == N - 1
    assert Measure.objects.filter(clue=clue, type="transfer").count() == 1
    assert Clue.objects.filter(office=tree.nb, origin_clue=clue).count() == 1
    assert Clue.objects.get(pk=clue.pk).status == ClueStatus.TRANSFERRED
    assert_cells_exact()


@pytest.mark.race("account_closures_report")
def test_a_report_sent_many_times_counts_its_accounts_once(tree):
    team = t.Team(tree.hz)
    weibo = t.organisation(name="微博")
    accounts = [
        Subject.objects.create(kind="account", name=f"a{i}", identifier=f"acc{i}", platform="weibo") for i in range(5)
    ]
    order = ms.measure_record(
        actor=team.a,
        type="account_closure_order",
        taken_on=D(2024, 5, 6),
        subjects=accounts,
        addressee=weibo,
        now=NOW,
    )
    client = t.officer(None, Role.PLATFORM, platform=weibo)
    results = t.race(
        lambda i: ms.account_closures_report(
            actor=_me(client),
            measure=_m(order),
            closed=["acc0", "acc1", "acc2"],
            refused={"acc3": "已注销"},
            on=D(2024, 5, 8),
            now=NOW,
        )
    )
    ok, refused = tally(results)
    assert ok == [3] and len(refused) == N - 1
    assert _m(order).quantity == 3
    assert MeasureTarget.objects.filter(measure=order, status=TargetStatus.DONE).count() == 3
    assert_cells_exact()


@pytest.mark.race("measure_correct")
def test_corrections_queue_and_the_cells_follow_the_last(tree):
    """Every correction lands, one after the other: each starts from what the one before it left."""
    team = t.Team(tree.hz)
    weibo = t.organisation(name="微博")
    order = ms.measure_record(
        actor=team.a,
        type="account_closure_order",
        taken_on=D(2024, 5, 6),
        subjects=[Subject.objects.create(kind="account", name="a", identifier="acc", platform="weibo")],
        addressee=weibo,
        now=NOW,
    )
    results = t.race(
        lambda i: ms.measure_correct(actor=_me(team.head), measure=_m(order), reason="更正", quantity=i + 1, now=NOW)
    )
    ok, refused = tally(results)
    assert len(ok) == N and not refused
    entries = list(AuditEntry.objects.filter(action="measure.correct").order_by("seq"))
    assert len(entries) == N
    chain = [e.detail["before"]["quantity"] for e in entries] + [entries[-1].detail["after"]["quantity"]]
    assert chain[1:] == [e.detail["after"]["quantity"] for e in entries]
    assert _m(order).quantity == chain[-1]
    assert_cells_exact()


@pytest.mark.race("measure_delete")
def test_a_measure_is_deleted_once(tree):
    team = t.Team(tree.hz)
    closure = ms.measure_record(
        actor=team.a, type="website_closure", taken_on=D(2024, 6, 3), subjects=[t.website("d.example.cn")], now=NOW
    )
    copies = [_m(closure) for _ in range(N)]
    results = t.race(lambda i: ms.measure_delete(actor=_me(team.head), measure=copies[i], reason="重复", now=NOW))
    ok, refused = tally(results)
    assert len(ok) == 1 and len(refused) == N - 1
    assert not Measure.objects.filter(pk=closure.pk).exists()
    assert _audits("measure.delete") == 1
    assert_cells_exact()
