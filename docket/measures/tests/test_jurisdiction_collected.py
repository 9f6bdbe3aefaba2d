"""A measure (or clue) of Hangzhou does not exist for Ningbo (a sibling city), whatever its officer's roles;
an order addressed to one platform does not exist for another platform's client."""

import datetime as dt
from decimal import Decimal

import pytest

from docket import testing as t
from docket.cases.models import State
from docket.clues import services as cl
from docket.clues.models import Source
from docket.core.tests.races import assert_absent
from docket.measures import services as ms
from docket.measures.models import Measure
from docket.measures.transfers import clue_transfer
from docket.officers.models import Role
from docket.subjects.models import Subject

NOW = t.NOW
D = dt.date


@pytest.fixture
def sibling(tree):
    return t.officer(tree.nb, Role.OFFICE_HEAD, Role.CASE_OFFICER, Role.PLATFORM)


def _record(team, type="website_closure", **kw):
    return ms.measure_record(
        actor=team.a,
        type=type,
        taken_on=D(2024, 6, 3),
        subjects=kw.pop("subjects", [t.website("j.example.cn")]),
        now=NOW,
        **kw,
    )


@pytest.mark.jurisdiction("measure_confirm")
def test_confirm(team, sibling):
    m = _record(team)
    assert_absent(
        lambda: ms.measure_confirm(actor=sibling, measure=m, confirmed_on=D(2024, 6, 4), confirmation="c", now=NOW), m
    )


@pytest.mark.jurisdiction("rectification_verify")
def test_verify(team, sibling):
    m = _record(team, "rectification_order", due_on=D(2024, 6, 30))
    assert_absent(
        lambda: ms.rectification_verify(
            actor=sibling, measure=m, verified_on=D(2024, 7, 2), complied=False, note="", now=NOW
        ),
        m,
    )


@pytest.mark.jurisdiction("fine_payment_record")
def test_payment(team, sibling):
    case = t.drive(team, to=State.SERVED)
    fine = Measure.objects.get(case=case, type="fine")
    assert_absent(
        lambda: ms.fine_payment_record(
            actor=sibling, measure=fine, paid_on=fine.due_on, amount=Decimal("1.00"), reference="", now=NOW
        ),
        fine,
    )
    assert not fine.payments.exists()


def _transfer(team):
    clue = cl.clue_register(
        actor=team.a, source=Source.MEDIA, received_on=D(2024, 6, 3), summary="s", subjects=[t.organisation()], now=NOW
    )
    return clue, clue_transfer(
        actor=team.head, clue=clue, reason="r", on=D(2024, 6, 5), now=NOW, authority="public_security"
    )


@pytest.mark.jurisdiction("transfer_receipt_record")
def test_receipt(team, sibling):
    _clue, m = _transfer(team)
    assert_absent(
        lambda: ms.transfer_receipt_record(
            actor=sibling, measure=m, receipt_on=D(2024, 6, 8), receipt_ref="x", now=NOW
        ),
        m,
    )


@pytest.mark.jurisdiction("clue_transfer")
def test_clue_transfer(team, sibling, tree):
    clue = cl.clue_register(
        actor=team.a, source=Source.MEDIA, received_on=D(2024, 6, 3), summary="s", subjects=[t.organisation()], now=NOW
    )
    assert_absent(
        lambda: clue_transfer(actor=sibling, clue=clue, reason="r", on=D(2024, 6, 5), now=NOW, to_office=tree.gd),
        clue,
    )
    assert not Measure.objects.exists()


@pytest.mark.jurisdiction("account_closures_report")
def test_platform_report(team, sibling):
    weibo = t.organisation(name="微博")
    account = Subject.objects.create(kind="account", name="a", identifier="acc", platform="weibo")
    order = _record(team, "account_closure_order", subjects=[account], addressee=weibo)
    other_platform = t.officer(None, Role.PLATFORM, platform=t.organisation(name="抖音"))
    for actor in (other_platform, sibling):
        assert_absent(
            lambda a=actor: ms.account_closures_report(
                actor=a, measure=order, closed=["acc"], refused={}, on=D(2024, 6, 4), now=NOW
            ),
            order,
        )


@pytest.mark.jurisdiction("measure_correct")
def test_correct(team, sibling):
    m = _record(team)
    assert_absent(lambda: ms.measure_correct(actor=sibling, measure=m, reason="r", taken_on=D(2024, 6, 1), now=NOW), m)


@pytest.mark.jurisdiction("measure_delete")
def test_delete(team, sibling):
    m = _record(team)
    assert_absent(lambda: ms.measure_delete(actor=sibling, measure=m, reason="r", now=NOW), m)


@pytest.mark.jurisdiction("measure_record")
def test_record_from_a_clue(team, sibling):
    clue = cl.clue_register(
        actor=team.a,
        source=Source.INSPECTION,
        received_on=D(2024, 6, 1),
        summary="线索",
        subjects=[t.website("c.example.cn")],
        now=NOW,
    )
    assert_absent(
        lambda: ms.measure_record(
            actor=sibling,
            type="website_closure",
            taken_on=D(2024, 6, 3),
            subjects=[t.website("k.example.cn")],
            now=NOW,
            clue=clue,
        ),
        clue,
    )
    assert not Measure.objects.filter(clue=clue).exists()
