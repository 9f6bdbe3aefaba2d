"""``office`` and ``below``: one filter for the case, clue and measure lists, in the API as on the pages."""

import pytest

from docket import testing as t
from docket.api.tests.conftest import api_as
from docket.api.tests.test_api import _problem
from docket.cases.models import State
from docket.officers.models import Role

pytestmark = pytest.mark.django_db

LISTS = {"cases": "ref", "clues": "ref", "measures": "id"}


@pytest.fixture
def work(tree, team):
    """A case of Hangzhou's own and one of Xihu's below it, each with its clue and a fine."""
    return {"hz": t.drive(team, to=State.EXECUTING), "xh": t.drive(t.Team(tree.xh), to=State.EXECUTING)}


def _listed(api, name, **params):
    response = api.get(f"/api/v1/{name}/", params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.mark.parametrize("name", LISTS)
def test_below_false_keeps_the_offices_own_rows(tree, team, work, name):
    api = api_as(t.officer(tree.zj, Role.INSPECTOR))
    with_below = _listed(api, name, office=tree.hz.code)
    own = _listed(api, name, office=tree.hz.code, below="false")
    assert own and len(own) < len(with_below)
    assert _listed(api, name, office=tree.hz.code, below="true") == with_below
    assert len(_listed(api, name, office=tree.xh.code, below="false")) == len(with_below) - len(own)
    # A sibling's code narrows to nothing; it never widens the reader's jurisdiction.
    assert _listed(api_as(team.head), name, office=tree.zj.code, below="false") == []


@pytest.mark.parametrize("name", LISTS)
def test_a_below_that_is_not_true_or_false_is_refused_by_field(team, work, name):
    body = _problem(api_as(team.head).get(f"/api/v1/{name}/", {"office": team.office.code, "below": "maybe"}), 422)
    assert body["errors"][0]["field"] == "below"


def test_supervised_that_is_not_true_or_false_is_refused_by_field(team, work):
    api = api_as(team.head)
    body = _problem(api.get("/api/v1/cases/", {"supervised": "maybe"}), 422)
    assert body["errors"][0]["field"] == "supervised"
    assert len(_listed(api, "cases", supervised="false")) == 2  # its own and the one below
    assert _listed(api, "cases", supervised="true") == []
