import datetime as dt

import pytest

from docket import testing as t
from docket.cases.models import State
from docket.clues import services as cl
from docket.clues.models import Clue, ClueStatus, Source
from docket.core.errors import Denied, GateRefused, InvalidInput
from docket.measures.models import Measure
from docket.measures.services import transfer_receipt_record
from docket.measures.transfers import clue_transfer
from docket.officers.models import Role

NOW = t.NOW
D = dt.date


def _clue(team, **kw):
    return cl.clue_register(
        actor=team.a,
        source=kw.pop("source", Source.PUBLIC_REPORT),
        received_on=kw.pop("received_on", D(2024, 6, 3)),
        summary="举报",
        subjects=[t.organisation()],
        now=NOW,
        **kw,
    )


def test_register_validates_and_audits(team):
    with pytest.raises(InvalidInput) as exc:
        cl.clue_register(actor=team.a, source="rumour", received_on=D(2025, 6, 1), summary=" ", subjects=[], now=NOW)
    assert {e.field for e in exc.value.errors} == {"source", "summary", "received_on"}
    with pytest.raises(InvalidInput, match="assignment"):
        _clue(team, source=Source.ASSIGNMENT)
    with pytest.raises(Denied):
        cl.clue_register(
            actor=team.head, source=Source.MEDIA, received_on=D(2024, 6, 3), summary="s", subjects=[], now=NOW
        )
    clue = _clue(team)
    assert clue.office == team.office and clue.ref.startswith("XS-330100-2024-")


def test_assignment_goes_down_only(tree, team):
    upper = t.officer(tree.zj, Role.OFFICE_HEAD)
    clue = cl.clue_assign(
        actor=upper, to_office=tree.hz, received_on=D(2024, 6, 3), summary="交办", subjects=[], now=NOW
    )
    assert clue.source == Source.ASSIGNMENT and clue.assigned_by == tree.zj
    for office in (tree.gd, tree.national, tree.zj):
        with pytest.raises(Denied):
            cl.clue_assign(actor=upper, to_office=office, received_on=D(2024, 6, 3), summary="x", subjects=[], now=NOW)
    with pytest.raises(Denied):
        cl.clue_assign(actor=team.head, to_office=tree.zj, received_on=D(2024, 6, 3), summary="x", subjects=[], now=NOW)


def test_no_case_needs_a_reason(team):
    clue = _clue(team)
    with pytest.raises(InvalidInput):
        cl.clue_no_case(actor=team.head, clue=clue, reason="", on=D(2024, 6, 5), now=NOW)
    cl.clue_no_case(actor=team.head, clue=clue, reason="不属于管辖范围", on=D(2024, 6, 5), now=NOW)
    assert Clue.objects.get(pk=clue.pk).status == ClueStatus.NO_CASE
    with pytest.raises(GateRefused):
        cl.clue_no_case(actor=team.head, clue=clue, reason="again", on=D(2024, 6, 5), now=NOW)


def test_transfer_to_authority_tracks_receipt(team):
    clue = _clue(team)
    with pytest.raises(InvalidInput):
        clue_transfer(actor=team.head, clue=clue, reason="r", on=D(2024, 6, 5), now=NOW, authority="army")
    measure = clue_transfer(
        actor=team.head, clue=clue, reason="涉嫌电信诈骗", on=D(2024, 6, 5), now=NOW, authority="public_security"
    )
    assert measure.type == "transfer" and measure.clue == clue and measure.subjects.count() == 1
    with pytest.raises(InvalidInput):
        transfer_receipt_record(actor=team.a, measure=measure, receipt_on=D(2024, 6, 1), receipt_ref="R1", now=NOW)
    transfer_receipt_record(actor=team.a, measure=measure, receipt_on=D(2024, 6, 7), receipt_ref="公安回执1", now=NOW)
    assert Measure.objects.get(pk=measure.pk).receipt_ref == "公安回执1"
    with pytest.raises(GateRefused):
        transfer_receipt_record(actor=team.a, measure=measure, receipt_on=D(2024, 6, 8), receipt_ref="R2", now=NOW)


def test_transfer_to_another_office_creates_its_clue(team, tree):
    clue = _clue(team)
    clue_transfer(actor=team.head, clue=clue, reason="属地管辖", on=D(2024, 6, 5), now=NOW, to_office=tree.gd)
    received = Clue.objects.get(office=tree.gd)
    assert received.origin_clue == clue and received.status == ClueStatus.OPEN
    with pytest.raises(InvalidInput):
        clue_transfer(actor=team.head, clue=_clue(team), reason="r", on=D(2024, 6, 5), now=NOW, to_office=tree.hz)


def test_merge_into_clue_or_case_of_the_same_office(team, tree):
    a, b = _clue(team), _clue(team)
    cl.clue_merge(actor=team.a, clue=a, into=b, on=D(2024, 6, 5), now=NOW)
    assert Clue.objects.get(pk=a.pk).merged_into == b and b.subjects.count() == 2
    case = t.drive(team, to=State.FILED)
    c = _clue(team)
    cl.clue_merge(actor=team.a, clue=c, into_case=case, on=D(2024, 6, 5), now=NOW)
    assert case.parties.count() == 2
    with pytest.raises(InvalidInput):
        cl.clue_merge(actor=team.a, clue=_clue(team), on=D(2024, 6, 5), now=NOW)
    other = t.Team(tree.nb)
    foreign = _clue(other)
    with pytest.raises(InvalidInput, match="same office"):
        cl.clue_merge(actor=team.a, clue=_clue(team), into=foreign, on=D(2024, 6, 5), now=NOW)
