"""A clue of Hangzhou does not exist for Ningbo (a sibling city), whatever Ningbo's officer holds as roles."""

import datetime as dt

import pytest

from docket import testing as t
from docket.clues import services as cl
from docket.clues.models import Source
from docket.core.tests.races import assert_absent
from docket.officers.models import Role

NOW = t.NOW
D = dt.date


@pytest.fixture
def world(tree, team):
    def clue():
        return cl.clue_register(
            actor=team.a,
            source=Source.MEDIA,
            received_on=D(2024, 6, 3),
            summary="s",
            subjects=[t.organisation()],
            now=NOW,
        )

    sibling = t.officer(tree.nb, Role.OFFICE_HEAD, Role.CASE_OFFICER)
    return type("World", (), {"clue": clue(), "other": clue(), "sibling": sibling})


@pytest.mark.jurisdiction("clue_check_extend")
def test_extend(world):
    assert_absent(
        lambda: cl.clue_check_extend(actor=world.sibling, clue=world.clue, reason="r", on=D(2024, 6, 4), now=NOW),
        world.clue,
    )


@pytest.mark.jurisdiction("clue_no_case")
def test_no_case(world):
    assert_absent(
        lambda: cl.clue_no_case(actor=world.sibling, clue=world.clue, reason="r", on=D(2024, 6, 4), now=NOW),
        world.clue,
    )


@pytest.mark.jurisdiction("clue_merge")
def test_merge(world):
    assert_absent(
        lambda: cl.clue_merge(actor=world.sibling, clue=world.clue, into=world.other, on=D(2024, 6, 4), now=NOW),
        world.clue,
        world.other,
    )
