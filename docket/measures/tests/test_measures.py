import datetime as dt
from decimal import Decimal

import pytest

from docket import testing as t
from docket.cases.models import State
from docket.clues.models import Clue
from docket.core.errors import Denied, GateRefused, InvalidInput
from docket.core.vocabulary import Kind
from docket.measures import services as ms
from docket.measures.models import Measure, TargetStatus
from docket.officers.models import Role
from docket.subjects.models import Subject

NOW = t.NOW
D = dt.date


def test_standalone_interview_needs_its_notice(team):
    org = t.organisation()
    with pytest.raises(InvalidInput, match="interview notice"):
        ms.measure_record(
            actor=team.a,
            type="interview",
            taken_on=D(2024, 6, 3),
            subjects=[org],
            now=NOW,
            details={"reason": "信息内容管理不力"},
        )
    m = ms.measure_record(
        actor=team.a,
        type="interview",
        taken_on=D(2024, 6, 3),
        subjects=[org],
        now=NOW,
        details={
            "reason": "信息内容管理不力",
            "time": "2024-06-03 10:00",
            "place": "网信办",
            "attendees": "总编辑",
            "commitments": "立即整改",
        },
    )
    assert m.case is None and m.office == team.office


def test_penalties_only_come_from_decisions(team):
    with pytest.raises(GateRefused, match="case decision"):
        ms.measure_record(actor=team.a, type="fine", taken_on=D(2024, 6, 3), subjects=[t.organisation()], now=NOW)


def test_measure_input_is_validated(team):
    site = t.website("a.example.cn")
    with pytest.raises(InvalidInput) as exc:
        ms.measure_record(
            actor=team.a,
            type="app_removal",
            taken_on=D(2099, 1, 1),
            subjects=[site],
            now=NOW,
            details={"colour": "red"},
        )
    assert {e.field for e in exc.value.errors} == {"taken_on", "subjects", "details"}
    with pytest.raises(InvalidInput, match="due_on"):
        ms.measure_record(actor=team.a, type="rectification_order", taken_on=D(2024, 6, 3), subjects=[site], now=NOW)
    with pytest.raises(InvalidInput, match="unknown measure type"):
        ms.measure_record(actor=team.a, type="banishment", taken_on=D(2024, 6, 3), subjects=[site], now=NOW)
    with pytest.raises(Denied):
        ms.measure_record(
            actor=t.officer(team.office, Role.STATISTICIAN),
            type="website_closure",
            taken_on=D(2024, 6, 3),
            subjects=[site],
            now=NOW,
        )


def test_account_closure_order_with_thousands_of_accounts(team):
    platform = t.organisation(name="某平台")
    accounts = Subject.objects.bulk_create(
        [Subject(kind=Kind.ACCOUNT, name=f"账号{i}", identifier=f"u{i}", platform="douyin") for i in range(3000)]
    )
    order = ms.measure_record(
        actor=team.a,
        type="account_closure_order",
        taken_on=D(2024, 6, 3),
        subjects=accounts,
        addressee=platform,
        now=NOW,
        details={"grounds": "发布违法信息"},
    )
    assert order.targets.count() == 3000 and order.quantity == 0
    client = t.officer(None, Role.PLATFORM, platform=platform)
    closed = [f"u{i}" for i in range(2500)]
    with pytest.raises(InvalidInput, match="not in this order"):
        ms.account_closures_report(
            actor=client, measure=order, closed=["nobody"], refused={}, on=D(2024, 6, 4), now=NOW
        )
    count = ms.account_closures_report(
        actor=client, measure=order, closed=closed, refused={"u2999": "已注销"}, on=D(2024, 6, 4), now=NOW
    )
    assert count == 2500 and Measure.objects.get(pk=order.pk).quantity == 2500
    assert order.targets.filter(status=TargetStatus.REFUSED).count() == 1
    with pytest.raises(Denied):
        ms.account_closures_report(actor=team.a, measure=order, closed=[], refused={}, on=D(2024, 6, 4), now=NOW)


def test_order_needs_one_platform_and_an_addressee(team):
    a = Subject.objects.create(kind=Kind.ACCOUNT, name="a", identifier="a", platform="weibo")
    b = Subject.objects.create(kind=Kind.ACCOUNT, name="b", identifier="b", platform="douyin")
    with pytest.raises(InvalidInput) as exc:
        ms.measure_record(actor=team.a, type="account_closure_order", taken_on=D(2024, 6, 3), subjects=[a, b], now=NOW)
    assert {e.field for e in exc.value.errors} == {"addressee", "subjects"}


def test_third_party_confirmation(team):
    app = Subject.objects.create(kind=Kind.APP, name="某应用", identifier="com.example.bad")
    removal = ms.measure_record(
        actor=team.a,
        type="app_removal",
        taken_on=D(2024, 6, 3),
        subjects=[app],
        now=NOW,
        details={"stores": ["应用宝"]},
    )
    ms.measure_confirm(actor=team.a, measure=removal, confirmed_on=D(2024, 6, 4), confirmation="应用宝回函", now=NOW)
    with pytest.raises(GateRefused, match="Already"):
        ms.measure_confirm(actor=team.a, measure=removal, confirmed_on=D(2024, 6, 5), confirmation="x", now=NOW)
    interview = ms.measure_record(
        actor=team.a,
        type="interview",
        taken_on=D(2024, 6, 3),
        subjects=[t.organisation()],
        now=NOW,
        details={"reason": "r", "time": "t", "place": "p", "attendees": "a"},
    )
    with pytest.raises(GateRefused, match="third party"):
        ms.measure_confirm(actor=team.a, measure=interview, confirmed_on=D(2024, 6, 4), confirmation="x", now=NOW)


def test_missed_rectification_escalates_to_a_new_clue(team):
    site = t.website("b.example.cn")
    order = ms.measure_record(
        actor=team.a,
        type="rectification_order",
        taken_on=D(2024, 6, 3),
        due_on=D(2024, 6, 17),
        subjects=[site],
        now=NOW,
        details={"requirements": "删除违法信息"},
    )
    with pytest.raises(GateRefused, match="after the due date"):
        ms.rectification_verify(
            actor=team.a, measure=order, verified_on=D(2024, 6, 10), complied=False, note="", now=NOW
        )
    follow_up = ms.rectification_verify(
        actor=team.a, measure=order, verified_on=D(2024, 6, 18), complied=False, note="仍未删除", now=NOW
    )
    assert isinstance(follow_up, Clue) and follow_up.office == team.office
    assert list(follow_up.subjects.all()) == [site]
    assert Measure.objects.get(pk=order.pk).escalated


def test_late_payment_surcharge_is_three_percent_a_day_capped_at_the_fine(team):
    case = t.drive(team, to=State.SERVED, fine="100000.00")
    fine = Measure.objects.get(case=case, type="fine")
    due = fine.due_on
    assert ms.fine_balance(fine, due).outstanding == Decimal("100000.00")
    assert ms.fine_balance(fine, due + dt.timedelta(days=1)).surcharge == Decimal("3000.00")
    assert ms.fine_balance(fine, due + dt.timedelta(days=10)).surcharge == Decimal("30000.00")
    assert ms.fine_balance(fine, due + dt.timedelta(days=200)).surcharge == Decimal("100000.00")
    # Half paid on time: the surcharge then runs on the unpaid half only.
    ms.fine_payment_record(actor=team.a, measure=fine, paid_on=due, amount=Decimal("50000.00"), reference="1", now=NOW)
    late = ms.fine_balance(fine, due + dt.timedelta(days=2))
    assert late.surcharge == Decimal("3000.00") and late.outstanding == Decimal("53000.00")
    with pytest.raises(InvalidInput, match="only"):
        ms.fine_payment_record(
            actor=team.a,
            measure=fine,
            paid_on=due + dt.timedelta(days=2),
            amount=Decimal("60000.00"),
            reference="2",
            now=NOW,
        )
    with pytest.raises(InvalidInput, match="fen"):
        ms.fine_payment_record(actor=team.a, measure=fine, paid_on=due, amount=Decimal("1.001"), reference="", now=NOW)


def test_correction_and_deletion_refuse_bad_input(team):
    site = t.website("c.example.cn")
    closure = ms.measure_record(actor=team.a, type="website_closure", taken_on=D(2024, 6, 3), subjects=[site], now=NOW)
    with pytest.raises(Denied):
        ms.measure_correct(actor=team.a, measure=closure, reason="r", quantity=1, now=NOW)
    with pytest.raises(InvalidInput) as exc:
        ms.measure_correct(
            actor=team.head,
            measure=closure,
            reason=" ",
            taken_on=D(2099, 1, 1),
            quantity=-1,
            subjects=[t.organisation()],
            now=NOW,
        )
    assert {e.field for e in exc.value.errors} == {"reason", "taken_on", "quantity", "subjects"}
    assert Measure.objects.get(pk=closure.pk).taken_on == D(2024, 6, 3)
    with pytest.raises(InvalidInput, match="reason"):
        ms.measure_delete(actor=team.head, measure=closure, reason="", now=NOW)
    case = t.drive(team, to=State.SERVED)
    fine = Measure.objects.get(case=case, type="fine")
    with pytest.raises(GateRefused, match="decision"):
        ms.measure_delete(actor=team.head, measure=fine, reason="错误", now=NOW)
    order = ms.measure_record(
        actor=team.a,
        type="rectification_order",
        taken_on=D(2024, 6, 3),
        due_on=D(2024, 6, 30),
        subjects=[site],
        now=NOW,
    )
    ms.measure_delete(actor=team.head, measure=order, reason="重复录入", now=NOW)
    assert not Measure.objects.filter(pk=order.pk).exists()


def test_a_paid_measure_is_not_deleted(team):
    from docket.measures.imports import measures_import

    data = (
        "office_code,date,measure,subject_kind,subject_identifier,amount\n"
        "330100,2024-05-06,fine,website,p.example.cn,500.00\n"
    )
    measures_import(actor=None, system=True, data=data.encode(), now=NOW)
    fine = Measure.objects.get(type="fine")
    ms.fine_payment_record(
        actor=team.a, measure=fine, paid_on=D(2024, 5, 20), amount=Decimal("500.00"), reference="B", now=NOW
    )
    with pytest.raises(GateRefused, match="Payments"):
        ms.measure_delete(actor=team.head, measure=fine, reason="错误", now=NOW)


def test_a_transferred_clue_counts_in_its_campaign(tree, team):
    """The transfer measure carries the clue's campaigns before its cells are added (they were set after, and
    campaign figures missed every transferred clue)."""
    from docket.campaigns.services import campaign_create
    from docket.clues.models import Source
    from docket.clues.services import clue_register
    from docket.measures.transfers import clue_transfer
    from docket.reports.aggregates import ANY
    from docket.reports.queries import figures

    campaign = campaign_create(
        actor=t.officer(tree.zj, Role.OFFICE_HEAD),
        slug="qinglang-2024",
        name="清朗",
        starts_on=D(2024, 1, 1),
        ends_on=D(2024, 12, 31),
        focus_areas=[],
        offices=[tree.hz],
        now=NOW,
    )
    clue = clue_register(
        actor=team.a,
        source=Source.MEDIA,
        received_on=D(2024, 6, 3),
        summary="s",
        subjects=[t.organisation()],
        campaigns=[campaign],
        now=NOW,
    )
    transfer = clue_transfer(
        actor=team.head, clue=clue, reason="涉嫌犯罪", on=D(2024, 6, 5), now=NOW, authority="public_security"
    )
    assert list(transfer.campaigns.all()) == [campaign]
    raw = Measure.objects.filter(campaigns=campaign, type="transfer", office__path__startswith=tree.zj.path).count()
    assert raw == 1
    for office in (tree.zj, tree.hz, tree.national):
        f = figures(office=office, date_from=D(2024, 1, 1), date_to=D(2024, 12, 31), campaign_id=campaign.pk)
        assert f.tallies[("transfer", ANY)].events == raw, office
        month = figures(office=office, date_from=D(2024, 6, 1), date_to=D(2024, 6, 30), campaign_id=campaign.pk)
        assert month.tallies[("transfer", ANY)].events == raw, office
