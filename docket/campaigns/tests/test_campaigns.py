import datetime as dt

import pytest

from docket import testing as t
from docket.campaigns.services import campaign_create
from docket.cases import services as cs
from docket.cases.models import State
from docket.clues.models import Source
from docket.clues.services import clue_register
from docket.core.errors import Denied, InvalidInput
from docket.measures.models import Measure
from docket.officers.models import Role

D = dt.date


def test_campaign_tags_follow_a_clue_into_its_case_and_measures(tree, team):
    head = t.officer(tree.zj, Role.OFFICE_HEAD)
    qinglang = campaign_create(
        actor=head,
        slug="qinglang-2024-live",
        name="清朗·直播乱象整治",
        starts_on=D(2024, 3, 1),
        ends_on=D(2024, 12, 31),
        focus_areas=["直播", "短视频"],
        offices=[tree.zj, tree.hz],
        now=t.NOW,
    )
    clue = clue_register(
        actor=team.a,
        source=Source.INSPECTION,
        received_on=D(2024, 3, 1),
        summary="直播间违规",
        subjects=[t.organisation()],
        campaigns=[qinglang],
        now=t.NOW,
    )
    case = cs.case_file(actor=team.head, clue=clue, title="直播间案", on=D(2024, 3, 4), now=t.NOW)
    assert list(case.campaigns.all()) == [qinglang]
    decided = t.drive(team, to=State.DECIDED, campaigns=[qinglang])
    measures = Measure.objects.filter(case=decided)
    assert measures.exists() and all(list(m.campaigns.all()) == [qinglang] for m in measures)
    assert set(qinglang.cases.all()) == {case, decided}


def test_campaign_input_and_jurisdiction(tree):
    head = t.officer(tree.hz, Role.OFFICE_HEAD)
    with pytest.raises(InvalidInput) as exc:
        campaign_create(
            actor=head,
            slug="x",
            name="x",
            starts_on=D(2024, 3, 1),
            ends_on=D(2024, 2, 1),
            focus_areas=[],
            offices=[tree.nb],
            now=t.NOW,
        )
    assert {e.field for e in exc.value.errors} == {"ends_on", "offices"}
    with pytest.raises(Denied):
        campaign_create(
            actor=t.officer(tree.hz, Role.CASE_OFFICER),
            slug="y",
            name="y",
            starts_on=D(2024, 3, 1),
            ends_on=D(2024, 4, 1),
            focus_areas=[],
            offices=[],
            now=t.NOW,
        )
