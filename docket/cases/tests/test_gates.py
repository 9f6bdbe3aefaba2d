"""Each gate of the procedure: refused when unmet, allowed when met."""

import datetime as dt
from decimal import Decimal

import pytest

from docket import testing as t
from docket.cases import services as cs
from docket.cases.models import Flag, State
from docket.clues.models import Source
from docket.clues.services import clue_check_extend, clue_register
from docket.core.errors import Conflict, Denied, GateRefused, InvalidInput, NotFound
from docket.evidence.services import evidence_add
from docket.measures.models import Measure
from docket.officers.models import Role
from docket.workdays.calendar import add_working_days

NOW = t.NOW
D = dt.date


# Filing ------------------------------------------------------------------------------------------


def test_filing_needs_the_head_of_the_clues_office(team, tree):
    party = t.organisation()
    clue = clue_register(
        actor=team.a, source=Source.INSPECTION, received_on=D(2024, 3, 1), summary="s", subjects=[party], now=NOW
    )
    with pytest.raises(Denied):
        cs.case_file(actor=team.a, clue=clue, title="x", on=D(2024, 3, 4), now=NOW)
    upper_head = t.officer(tree.zj, Role.OFFICE_HEAD)
    with pytest.raises(Denied):
        cs.case_file(actor=upper_head, clue=clue, title="x", on=D(2024, 3, 4), now=NOW)
    case = cs.case_file(actor=team.head, clue=clue, title="x", on=D(2024, 3, 4), now=NOW)
    assert case.state == State.FILED and list(case.parties.all()) == [party]
    clue.refresh_from_db()
    assert clue.status == "filed"
    with pytest.raises(GateRefused, match="already"):
        cs.case_file(actor=team.head, clue=clue, title="x", on=D(2024, 3, 4), now=NOW)


def test_filing_clock_across_spring_festival_and_its_extension(team):
    # Received Fri 2 Feb 2024: 15 working days run past the Spring Festival (10–17 Feb, 4 & 18 Feb worked).
    received = D(2024, 2, 2)
    due = add_working_days(received, 15)
    assert due == D(2024, 2, 28)
    clue = clue_register(
        actor=team.a,
        source=Source.PUBLIC_REPORT,
        received_on=received,
        summary="s",
        subjects=[t.organisation()],
        now=NOW,
    )
    with pytest.raises(GateRefused, match="2024-02-28"):
        cs.case_file(actor=team.head, clue=clue, title="x", on=D(2024, 2, 29), now=NOW)
    with pytest.raises(GateRefused, match="ended"):
        clue_check_extend(actor=team.head, clue=clue, reason="复杂", on=D(2024, 2, 29), now=NOW)
    new = clue_check_extend(actor=team.head, clue=clue, reason="情况复杂", on=D(2024, 2, 28), now=NOW)
    assert new.due == add_working_days(received, 30)
    with pytest.raises(GateRefused, match="already"):
        clue_check_extend(actor=team.head, clue=clue, reason="再次", on=D(2024, 2, 28), now=NOW)
    case = cs.case_file(actor=team.head, clue=clue, title="x", on=D(2024, 3, 1), now=NOW)
    assert case.filed_on == D(2024, 3, 1)


def test_filing_input_is_validated(team):
    clue = clue_register(
        actor=team.a, source=Source.MEDIA, received_on=D(2024, 3, 1), summary="s", subjects=[], now=NOW
    )
    with pytest.raises(InvalidInput) as exc:
        cs.case_file(actor=team.head, clue=clue, title=" ", on=D(2024, 2, 1), now=NOW, flags=["odd"])
    assert {e.field for e in exc.value.errors} == {"title", "flags", "on", "parties"}


# Investigation -----------------------------------------------------------------------------------


def test_investigation_needs_two_certified_officers(team, tree):
    case = t.drive(team, to=State.FILED)
    uncertified = t.officer(tree.hz, Role.CASE_OFFICER, certified=False)
    cs.case_assign(actor=team.head, case=case, officers=[team.a, uncertified], on=case.filed_on, now=NOW)
    with pytest.raises(GateRefused, match="two officers"):
        cs.investigation_start(actor=team.a, case=case, on=case.filed_on, now=NOW)
    cs.case_assign(actor=team.head, case=case, officers=[team.b], on=case.filed_on, now=NOW)
    cs.investigation_start(actor=team.a, case=case, on=case.filed_on, now=NOW)
    assert case.state == State.INVESTIGATING


def test_an_expired_certificate_does_not_count(team):
    case = t.drive(team, to=State.FILED)
    team.b.certificate_valid_until = case.filed_on - dt.timedelta(days=1)
    team.b.save()
    cs.case_assign(actor=team.head, case=case, officers=[team.a, team.b], on=case.filed_on, now=NOW)
    with pytest.raises(GateRefused):
        cs.investigation_start(actor=team.a, case=case, on=case.filed_on, now=NOW)


def test_only_officers_of_the_office_are_assigned(team, tree):
    case = t.drive(team, to=State.FILED)
    outsider = t.officer(tree.nb, Role.CASE_OFFICER)
    with pytest.raises(InvalidInput):
        cs.case_assign(actor=team.head, case=case, officers=[outsider], on=case.filed_on, now=NOW)
    with pytest.raises(Denied):
        cs.case_assign(actor=team.a, case=case, officers=[team.b], on=case.filed_on, now=NOW)


def _evidence(team, case, collectors, actor=None, day=None):
    return evidence_add(
        actor=actor or team.a,
        case=case,
        content=b"x",
        name="a.txt",
        content_type="text/plain",
        collected_on=day or case.filed_on,
        collectors=collectors,
        method="勘验",
        description="",
        now=NOW,
    )


def test_evidence_needs_two_certified_investigators(team, tree):
    case = t.drive(team, to=State.INVESTIGATING)
    with pytest.raises(GateRefused, match="two officers"):
        _evidence(team, case, [team.a])
    with pytest.raises(GateRefused, match="not an investigator"):
        _evidence(team, case, [team.a, team.chair])
    with pytest.raises(Denied, match="own investigators"):
        _evidence(team, case, [team.b, team.a], actor=team.chair)
    with pytest.raises(GateRefused, match="one of its collectors"):
        _evidence(team, case, [team.b, team.chair], actor=team.a)
    item = _evidence(team, case, [team.a, team.b])
    assert item.collectors.count() == 2


def test_granted_recusal_takes_the_officer_off_the_case(team):
    case = t.drive(team, to=State.INVESTIGATING)
    recusal = cs.recusal_request(
        actor=team.a, case=case, officer=team.b, reason="亲属关系", by_party=True, on=case.filed_on, now=NOW
    )
    with pytest.raises(Denied):
        cs.recusal_decide(actor=team.a, recusal=recusal, granted=True, on=case.filed_on, now=NOW)
    cs.recusal_decide(actor=team.head, recusal=recusal, granted=True, on=case.filed_on, now=NOW)
    with pytest.raises(GateRefused):
        _evidence(team, case, [team.a, team.b])
    with pytest.raises(InvalidInput, match="recused"):
        cs.case_assign(actor=team.head, case=case, officers=[team.b], on=case.filed_on, now=NOW)
    cs.case_assign(actor=team.head, case=case, officers=[team.chair], on=case.filed_on, now=NOW)
    _evidence(team, case, [team.a, team.chair])


# Draft, review, discussion ---------------------------------------------------------------------------


def _ready_to_draft(team, party=None):
    case = t.drive(team, to=State.INVESTIGATING, party=party)
    category, provision = t.taxonomy()
    cs.violation_set(actor=team.a, case=case, category=category, provisions=[provision], facts="f", now=NOW)
    _evidence(team, case, [team.a, team.b])
    return case


def _draft(team, case, amount="60000.00", measure="fine", outcome="penalty"):
    party = case.parties.first()
    penalties = [{"measure": measure, "subject": party.pk, "amount": amount}] if outcome == "penalty" else []
    cs.draft_propose(
        actor=team.a,
        case=case,
        outcome=outcome,
        facts="f",
        legal_basis="《网络安全法》第六十八条",
        discretion="d",
        penalties=penalties,
        now=NOW,
    )


def test_draft_needs_evidence_and_a_named_violation(team):
    case = t.drive(team, to=State.INVESTIGATING)
    with pytest.raises(GateRefused, match="evidence"):
        _draft(team, case)
    _evidence(team, case, [team.a, team.b])
    with pytest.raises(GateRefused, match="violation"):
        _draft(team, case)


def test_penalty_outside_the_statutory_range_is_refused(team):
    case = _ready_to_draft(team)
    with pytest.raises(GateRefused, match="maximum"):
        _draft(team, case, amount="600000.00")
    with pytest.raises(GateRefused, match="minimum"):
        _draft(team, case, amount="1000.00")
    with pytest.raises(InvalidInput, match="not a measure"):
        _draft(team, case, measure="interview")
    _draft(team, case, amount="500000.00")
    assert case.state == State.PROPOSED


def test_legal_reviewer_must_not_have_investigated(team, tree):
    case = _ready_to_draft(team)
    _draft(team, case)
    investigator_reviewer = team.a
    investigator_reviewer.roles.create(role=Role.LEGAL_REVIEWER)
    investigator_reviewer._role_cache = None
    with pytest.raises(Denied, match="investigated"):
        cs.legal_review_record(
            actor=investigator_reviewer, case=case, approved=True, opinion="ok", on=case.filed_on, now=NOW
        )
    other_office_reviewer = t.officer(tree.nb, Role.LEGAL_REVIEWER)
    with pytest.raises(NotFound):  # a sibling office's case does not exist for its reviewer
        cs.legal_review_record(
            actor=other_office_reviewer, case=case, approved=True, opinion="ok", on=case.filed_on, now=NOW
        )
    cs.legal_review_record(
        actor=team.reviewer, case=case, approved=False, opinion="证据不足", on=case.filed_on, now=NOW
    )
    assert case.state == State.INVESTIGATING


def test_prior_notice_needs_legal_review_when_triggered(team):
    case = _ready_to_draft(team)
    _draft(team, case, amount="150000.00")  # ≥ 100 000: legal review is mandatory
    with pytest.raises(GateRefused, match="legal review"):
        cs.notice_issue(actor=team.a, case=case, served_on=case.filed_on + dt.timedelta(days=5), now=NOW)
    cs.legal_review_record(actor=team.reviewer, case=case, approved=True, opinion="ok", on=case.filed_on, now=NOW)
    doc = cs.notice_issue(actor=team.a, case=case, served_on=case.filed_on + dt.timedelta(days=5), now=NOW)
    assert doc.body["hearing_offered"] is True  # ≥ 100 000 for an organisation


def test_small_fine_needs_no_review_and_offers_no_hearing(team):
    case = _ready_to_draft(team)
    _draft(team, case, amount="60000.00")
    doc = cs.notice_issue(actor=team.a, case=case, served_on=case.filed_on + dt.timedelta(days=5), now=NOW)
    assert doc.body["hearing_offered"] is False
    with pytest.raises(GateRefused, match="no hearing"):
        cs.hearing_request(actor=team.a, case=case, on=case.filed_on + dt.timedelta(days=6), now=NOW)


def test_no_penalty_without_prior_notice(team):
    case = _ready_to_draft(team)
    _draft(team, case)
    with pytest.raises(GateRefused, match="prior notice"):
        cs.decide(
            actor=team.head, case=case, outcome="penalty", legal_basis="b", discretion="", on=case.filed_on, now=NOW
        )


def test_non_penalty_decision_needs_no_notice(team):
    case = _ready_to_draft(team)
    _draft(team, case, outcome="no_penalty")
    cs.decide(
        actor=team.head,
        case=case,
        outcome="no_penalty",
        legal_basis="《行政处罚法》第三十三条",
        discretion="首违不罚",
        on=case.filed_on + dt.timedelta(days=20),
        now=NOW,
    )
    assert case.state == State.DECIDED
    assert not Measure.objects.filter(case=case).exists()


def test_judicial_transfer_records_a_transfer(team):
    case = _ready_to_draft(team)
    _draft(team, case, outcome="judicial_transfer")
    cs.decide(
        actor=team.head,
        case=case,
        outcome="judicial_transfer",
        legal_basis="",
        discretion="",
        on=case.filed_on + dt.timedelta(days=20),
        now=NOW,
    )
    transfer = Measure.objects.get(case=case, type="transfer")
    assert transfer.authority == "procuratorate"


# Statement and hearing --------------------------------------------------------------------------------


def _notified(team, amount="60000.00"):
    case = _ready_to_draft(team)
    _draft(team, case, amount=amount)
    if Decimal(amount) >= 100000:
        cs.legal_review_record(actor=team.reviewer, case=case, approved=True, opinion="ok", on=case.filed_on, now=NOW)
    served = D(2024, 4, 26)  # Friday before the May Day holiday (1–5 May; Sun 28 Apr and Sat 11 May worked)
    cs.notice_issue(actor=team.a, case=case, served_on=served, now=NOW)
    return case, served


def _decide(team, case, on, **kw):
    """A penalty decision by the office head, with the arguments these tests do not vary."""
    return cs.decide(
        actor=team.head, case=case, outcome="penalty", legal_basis="b", discretion="", on=on, now=NOW, **kw
    )


def test_decision_waits_for_the_statement_period(team):
    case, served = _notified(team)
    due = add_working_days(served, 5)
    assert due == D(2024, 5, 7)  # 28 Apr, 29 Apr, 30 Apr, 6 May, 7 May
    with pytest.raises(GateRefused, match="state and defend"):
        _decide(team, case, due)
    _decide(team, case, due + dt.timedelta(days=1))


def test_recorded_statement_ends_the_wait_and_needs_a_recheck(team):
    case, served = _notified(team)
    with pytest.raises(InvalidInput, match="re-check"):
        cs.statement_record(
            actor=team.a, case=case, content="不服", waives_hearing=False, recheck="", on=served, now=NOW
        )
    cs.statement_record(
        actor=team.a, case=case, content="不服", waives_hearing=False, recheck="复核：理由不成立", on=served, now=NOW
    )
    _decide(team, case, served + dt.timedelta(days=1))


def test_decision_cannot_go_beyond_the_notice(team):
    case, served = _notified(team, amount="60000.00")
    party = case.parties.first()
    later = served + dt.timedelta(days=20)
    with pytest.raises(GateRefused, match="exceeds"):
        _decide(
            team,
            case,
            later,
            penalties=[{"measure": "fine", "subject": party.pk, "amount": "80000.00"}],
        )
    with pytest.raises(GateRefused, match="not in the prior notice"):
        _decide(
            team,
            case,
            later,
            penalties=[
                {"measure": "fine", "subject": party.pk, "amount": "60000.00"},
                {"measure": "warning", "subject": party.pk},
            ],
        )
    _decide(
        team,
        case,
        later,
        penalties=[{"measure": "fine", "subject": party.pk, "amount": "50000.00"}],
    )
    assert Measure.objects.get(case=case).amount == Decimal("50000.00")


def test_hearing_request_window_chair_notice_and_re_review(team):
    case, served = _notified(team, amount="200000.00")
    due = add_working_days(served, 5)
    cs.statement_record(
        actor=team.a, case=case, content="申辩", waives_hearing=False, recheck="复核", on=served, now=NOW
    )
    with pytest.raises(GateRefused, match="party may request a hearing"):
        _decide(team, case, due)
    with pytest.raises(GateRefused, match="ended"):
        cs.hearing_request(actor=team.a, case=case, on=due + dt.timedelta(days=1), now=NOW)
    cs.hearing_request(actor=team.a, case=case, on=due, now=NOW)
    notified = D(2024, 5, 8)
    with pytest.raises(GateRefused, match="did not investigate"):
        cs.hearing_record(
            actor=team.a, case=case, notified_on=notified, held_on=D(2024, 5, 20), chair=team.b, record="r", now=NOW
        )
    with pytest.raises(GateRefused, match="7 days' notice"):
        cs.hearing_record(
            actor=team.a, case=case, notified_on=notified, held_on=D(2024, 5, 15), chair=team.chair, record="r", now=NOW
        )
    # Notified Wed 8 May: 9, 10, Sat 11 (worked), 13, 14, 15, 16 — seven working days.
    cs.hearing_record(
        actor=team.a,
        case=case,
        notified_on=notified,
        held_on=D(2024, 5, 16),
        chair=team.chair,
        record="听证笔录",
        now=NOW,
    )
    assert case.state == State.HEARD
    with pytest.raises(GateRefused, match="Legal review"):
        cs.decide(
            actor=team.head, case=case, outcome="penalty", legal_basis="b", discretion="", on=D(2024, 5, 20), now=NOW
        )
    cs.legal_review_record(
        actor=team.reviewer, case=case, approved=True, opinion="听证后复核", on=D(2024, 5, 20), now=NOW
    )
    _decide(team, case, D(2024, 5, 20))


def test_serious_case_needs_collective_discussion(team):
    case = _ready_to_draft(team)
    case.flags = [Flag.SERIOUS]
    case.save(update_fields=["flags"])
    _draft(team, case, outcome="no_penalty")
    day = case.filed_on + dt.timedelta(days=20)
    with pytest.raises(GateRefused, match="collective discussion"):
        cs.decide(actor=team.head, case=case, outcome="no_penalty", legal_basis="b", discretion="", on=day, now=NOW)
    with pytest.raises(InvalidInput, match="three"):
        cs.discussion_record(
            actor=team.head, case=case, attendees=["甲", "乙"], minutes="m", conclusion="c", on=day, now=NOW
        )
    cs.discussion_record(
        actor=team.head, case=case, attendees=["甲", "乙", "丙"], minutes="纪要", conclusion="不予处罚", on=day, now=NOW
    )
    cs.decide(actor=team.head, case=case, outcome="no_penalty", legal_basis="b", discretion="", on=day, now=NOW)


# Clocks ------------------------------------------------------------------------------------------------


def test_decision_period_extension_and_suspension(team):
    case = _ready_to_draft(team)
    _draft(team, case, outcome="no_penalty")
    limit = cs.decision_deadline(case, case.filed_on)
    late = limit.due + dt.timedelta(days=5)
    with pytest.raises(GateRefused, match="decision period ended"):
        cs.decide(actor=team.head, case=case, outcome="no_penalty", legal_basis="b", discretion="", on=late, now=NOW)
    cs.clock_suspend(actor=team.head, case=case, reason="expert_testing", note="", starts_on=case.filed_on, now=NOW)
    with pytest.raises(GateRefused, match="already suspended"):
        cs.clock_suspend(actor=team.head, case=case, reason="hearing", note="", starts_on=case.filed_on, now=NOW)
    cs.clock_resume(actor=team.head, case=case, ends_on=case.filed_on + dt.timedelta(days=10), now=NOW)
    assert limit.due == D(2024, 6, 3)  # 90 days from 4 Mar is Sun 2 Jun: the period ends Mon 3 Jun
    assert cs.decision_deadline(case, late).due == D(2024, 6, 12)  # 100 days: Wed 12 Jun
    cs.decision_extend(actor=team.head, case=case, reason="案情复杂", on=limit.due, now=NOW)
    with pytest.raises(GateRefused, match="extended already"):
        cs.decision_extend(actor=team.head, case=case, reason="again", on=limit.due, now=NOW)
    cs.decide(actor=team.head, case=case, outcome="no_penalty", legal_basis="b", discretion="", on=late, now=NOW)


def test_suspension_input(team):
    case = t.drive(team, to=State.FILED)
    with pytest.raises(InvalidInput):
        cs.clock_suspend(actor=team.head, case=case, reason="holiday", note="", starts_on=case.filed_on, now=NOW)
    with pytest.raises(InvalidInput, match="lawful"):
        cs.clock_suspend(actor=team.head, case=case, reason="other", note="", starts_on=case.filed_on, now=NOW)
    with pytest.raises(GateRefused, match="not suspended"):
        cs.clock_resume(actor=team.head, case=case, ends_on=case.filed_on, now=NOW)


# Service, execution, closing -------------------------------------------------------------------------


def test_service_needs_proof_and_same_day_when_present(team):
    case = t.drive(team, to=State.DECIDED)
    with pytest.raises(InvalidInput) as exc:
        cs.serve(actor=team.a, case=case, served_on=case.decided_on, method="", party_present=False, proof="", now=NOW)
    assert {e.field for e in exc.value.errors} == {"method", "proof"}
    with pytest.raises(GateRefused, match="same day"):
        cs.serve(
            actor=team.a,
            case=case,
            served_on=case.decided_on + dt.timedelta(days=1),
            method="直接送达",
            party_present=True,
            proof="回执",
            now=NOW,
        )
    cs.serve(
        actor=team.a,
        case=case,
        served_on=case.decided_on + dt.timedelta(days=2),
        method="邮寄送达",
        party_present=False,
        proof="EMS1234",
        now=NOW,
    )
    assert case.state == State.EXECUTING


def test_dismissal_needs_a_reason_and_the_head(team):
    case = t.drive(team, to=State.INVESTIGATING)
    with pytest.raises(InvalidInput):
        cs.dismiss(actor=team.head, case=case, reason=" ", on=case.filed_on, now=NOW)
    with pytest.raises(Denied):
        cs.dismiss(actor=team.a, case=case, reason="违法事实不能成立", on=case.filed_on, now=NOW)
    cs.dismiss(actor=team.head, case=case, reason="违法事实不能成立", on=case.filed_on, now=NOW)
    with pytest.raises(GateRefused):
        cs.investigation_start(actor=team.a, case=case, on=case.filed_on, now=NOW)
    cs.archive(actor=team.a, case=case, on=case.filed_on, now=NOW)
    assert case.state == State.ARCHIVED


def test_stale_version_is_a_conflict(team):
    case = _ready_to_draft(team)
    _draft(team, case, outcome="no_penalty")
    with pytest.raises(Conflict):
        cs.decide(
            actor=team.head,
            case=case,
            outcome="no_penalty",
            legal_basis="b",
            discretion="",
            on=case.filed_on + dt.timedelta(days=5),
            now=NOW,
            version=case.version - 1,
        )
    from docket.cases.models import Case

    stale = Case.objects.get(pk=case.pk)
    cs.decide(
        actor=team.head,
        case=case,
        outcome="no_penalty",
        legal_basis="b",
        discretion="",
        on=case.filed_on + dt.timedelta(days=5),
        now=NOW,
    )
    with pytest.raises((Conflict, GateRefused)):
        cs.dismiss(actor=team.head, case=stale, reason="r", on=stale.filed_on, now=NOW)


# Supervision and transfer -------------------------------------------------------------------------


def test_supervision_only_from_a_higher_office(team, tree):
    case = t.drive(team, to=State.INVESTIGATING)
    for office, refusal in ((tree.hz, Denied), (tree.nb, NotFound), (tree.xh, NotFound), (tree.gd, NotFound)):
        with pytest.raises(refusal):
            cs.case_supervise(
                actor=t.officer(office, Role.OFFICE_HEAD),
                case=case,
                kind="supervision",
                instructions="x",
                on=case.filed_on,
                now=NOW,
            )
    for office in (tree.zj, tree.national):
        record = cs.case_supervise(
            actor=t.officer(office, Role.INSPECTOR),
            case=case,
            kind="supervision",
            instructions="限期报告",
            on=case.filed_on,
            now=NOW,
        )
        assert record.by_office == office
    cs.case_supervise(
        actor=t.officer(tree.national, Role.OFFICE_HEAD),
        case=case,
        kind="instruction",
        instructions="依法处置",
        on=case.filed_on,
        now=NOW,
    )


def test_case_transfer_to_another_office_gives_it_a_clue(team, tree):
    case = t.drive(team, to=State.INVESTIGATING)
    with pytest.raises(InvalidInput, match="either"):
        cs.case_transfer(actor=team.head, case=case, reason="r", on=case.filed_on, now=NOW)
    measure = cs.case_transfer(
        actor=team.head, case=case, reason="管辖权属宁波", on=case.filed_on, now=NOW, to_office=tree.nb
    )
    assert case.state == State.TRANSFERRED and measure.type == "transfer"
    from docket.clues.models import Clue

    received = Clue.objects.get(office=tree.nb)
    assert received.source == "transfer" and received.origin_case == case


# Gates that had no test ---------------------------------------------------------------------------------


def test_an_office_head_does_not_decide_their_own_recusal(team):
    case = t.drive(team, to=State.FILED)
    # A head who also investigates (small offices): assigned to the case, then asked to step aside.
    working_head = t.officer(team.office, Role.OFFICE_HEAD, Role.CASE_OFFICER)
    cs.case_assign(actor=team.head, case=case, officers=[working_head, team.a], on=case.filed_on, now=NOW)
    recusal = cs.recusal_request(
        actor=team.a, case=case, officer=working_head, reason="利害关系", by_party=True, on=case.filed_on, now=NOW
    )
    with pytest.raises(Denied, match="own recusal"):
        cs.recusal_decide(actor=working_head, recusal=recusal, granted=False, on=case.filed_on, now=NOW)
    recusal.refresh_from_db()
    assert recusal.granted is None
    cs.recusal_decide(actor=team.head, recusal=recusal, granted=True, on=case.filed_on, now=NOW)
    assert not case.assignments.get(officer=working_head).active
    with pytest.raises(GateRefused, match="decided already|waiting"):
        cs.recusal_decide(actor=team.head, recusal=recusal, granted=False, on=case.filed_on, now=NOW)


def test_one_decision_does_not_impose_the_same_measure_twice_on_one_subject(team):
    case = _ready_to_draft(team)
    party = case.parties.first()
    twice = [
        {"measure": "fine", "subject": party.pk, "amount": "60000.00"},
        {"measure": "fine", "subject": party.pk, "amount": "70000.00"},
    ]
    with pytest.raises(InvalidInput, match="twice"):
        cs.draft_propose(
            actor=team.a,
            case=case,
            outcome="penalty",
            facts="f",
            legal_basis="b",
            discretion="d",
            penalties=twice,
            now=NOW,
        )
    assert case.state == State.INVESTIGATING
    different = [twice[0], {"measure": "warning", "subject": party.pk}]
    cs.draft_propose(
        actor=team.a,
        case=case,
        outcome="penalty",
        facts="f",
        legal_basis="b",
        discretion="d",
        penalties=different,
        now=NOW,
    )
    assert case.state == State.PROPOSED


def test_a_case_is_not_closed_with_a_date_in_the_future(team):
    case = t.drive(team, to=State.SERVED)
    fine = Measure.objects.get(case=case, type="fine")
    from docket.measures.services import fine_payment_record

    fine_payment_record(actor=team.a, measure=fine, paid_on=case.served_on, amount=fine.amount, reference="P", now=NOW)
    tomorrow = NOW.date() + dt.timedelta(days=1)
    with pytest.raises(InvalidInput, match="future"):
        cs.close(actor=team.head, case=case, on=tomorrow, now=NOW)
    assert case.state == State.EXECUTING
    cs.close(actor=team.head, case=case, on=NOW.date(), now=NOW)
    assert case.state == State.CLOSED


def test_hearing_notice_not_before_the_prior_notice_nor_too_far_back(team):
    from docket.workdays.models import ClockRule, DayCount

    case, served = _notified(team, amount="200000.00")
    cs.hearing_request(actor=team.a, case=case, on=served, now=NOW)
    with pytest.raises(GateRefused, match="cannot precede the prior notice"):
        cs.hearing_record(
            actor=team.a,
            case=case,
            notified_on=served - dt.timedelta(days=1),
            held_on=D(2024, 5, 16),
            chair=team.chair,
            record="r",
            now=NOW,
        )
    # A profile that allows recording a step at most 10 days after its date.
    ClockRule.objects.create(
        profile=case.profile,
        key="record_grace",
        name="补录时限",
        days=10,
        count=DayCount.CALENDAR,
        citation="本机关规定",
    )
    late = dt.datetime(2024, 6, 1, 8, 0, tzinfo=dt.UTC)
    with pytest.raises(GateRefused, match="too far back"):
        cs.hearing_record(
            actor=team.a,
            case=case,
            notified_on=D(2024, 5, 8),
            held_on=D(2024, 5, 16),
            chair=team.chair,
            record="r",
            now=late,
        )
    assert case.state == State.HEARING
    cs.hearing_record(
        actor=team.a,
        case=case,
        notified_on=D(2024, 5, 8),
        held_on=D(2024, 5, 16),
        chair=team.chair,
        record="听证笔录",
        now=dt.datetime(2024, 5, 17, 8, 0, tzinfo=dt.UTC),
    )
    assert case.state == State.HEARD
