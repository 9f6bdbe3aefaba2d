"""The draft decision's page: each measure is chosen by its type first, then shows that type's fields alone."""

from __future__ import annotations

import re
from html import unescape

import pytest

from docket import testing as t
from docket.cases.models import Case, State
from docket.cases.tests.test_gates import _ready_to_draft
from docket.measures.types import DECISION_TYPES, SPECS

pytestmark = pytest.mark.django_db


def names_of(html: str, index: int) -> set[str]:
    """The fields of the draft's measure number ``index`` as the page holds them."""
    return set(re.findall(rf'name="penalties-{index}-([a-z_]+)"', html))


def fieldset(html: str, index: int) -> str:
    blocks = re.findall(r'<fieldset class="penalty".*?</fieldset>', html, re.S)
    return blocks[index]


@pytest.fixture
def draft_page(client, team):
    case = _ready_to_draft(team)
    t.verified_login(client, team.a)
    return f"/cases/{case.ref}/steps/draft_propose/", case


def test_each_measure_shows_its_own_fields_only(client, draft_page):
    url, _case = draft_page
    html = client.get(url + "?measure=fine&measure=rectification_order&measure=warning&measure=suspension").content
    html = html.decode()
    assert 'name="penalties-TOTAL_FORMS" value="4"' in html
    assert names_of(html, 0) == {"measure", "subject", "amount"}
    assert names_of(html, 1) == {"measure", "subject", "due_on"}
    assert names_of(html, 2) == {"measure", "subject"}
    assert names_of(html, 3) == {"measure", "subject", "starts_on", "ends_on"}
    # The type is fixed (a hidden field) and named as the fieldset's legend.
    assert re.search(r'<input type="hidden" name="penalties-0-measure" value="fine"', html)
    assert "<legend>Fine</legend>" in fieldset(html, 0)
    assert "Rectify by" in fieldset(html, 1) and "Amount" not in fieldset(html, 1)
    assert "Amount" not in fieldset(html, 2) and "Rectify by" not in fieldset(html, 2)
    assert "From" not in fieldset(html, 0) and "Until" not in fieldset(html, 0)


def test_every_decision_type_offers_exactly_its_specs_fields(client, draft_page):
    url, _case = draft_page
    for kind in sorted(DECISION_TYPES):
        html = client.get(f"{url}?measure={kind}").content.decode()
        spec = SPECS[kind]
        wanted = {"measure", "subject"}
        wanted |= {"amount"} if spec.amount else set()
        wanted |= {"due_on"} if spec.due_date else set()
        wanted |= {"starts_on", "ends_on"} if spec.period else set()
        assert names_of(html, 0) == wanted, kind


def test_the_type_comes_first_through_links_that_keep_the_chosen_ones(client, draft_page):
    url, _case = draft_page
    html = client.get(url).content.decode()
    # Nothing chosen: no measure, and a link per type the decision may impose.
    assert 'name="penalties-TOTAL_FORMS" value="0"' in html
    assert not names_of(html, 0)
    links = dict(re.findall(r'data-add-measure="([a-z_]+)" href="([^"]+)"', html))
    assert set(links) == set(DECISION_TYPES)
    assert unescape(links["fine"]) == "?measure=fine"
    html = client.get(url + unescape(links["fine"])).content.decode()
    links = dict(re.findall(r'data-add-measure="([a-z_]+)" href="([^"]+)"', html))
    assert unescape(links["warning"]) == "?measure=fine&measure=warning"
    removed = re.search(r'href="([^"]+)" data-remove-measure="0"', html)
    assert removed and unescape(removed.group(1)) == "?"
    # Not a type a decision imposes: left out, not guessed.
    html = client.get(url + "?measure=interview&measure=nonsense").content.decode()
    assert 'name="penalties-TOTAL_FORMS" value="0"' in html


def test_the_measures_chosen_are_posted_and_drafted(client, draft_page):
    url, case = draft_page
    party = case.parties.first()
    data = {
        "outcome": "penalty",
        "facts": "查明事实",
        "legal_basis": "《网络安全法》第六十八条",
        "discretion": "一般",
        "version": case.version,
        "penalties-TOTAL_FORMS": "2",
        "penalties-INITIAL_FORMS": "0",
        "penalties-0-measure": "fine",
        "penalties-0-subject": party.pk,
        "penalties-0-amount": "60000.00",
        "penalties-1-measure": "warning",
        "penalties-1-subject": party.pk,
        # A field the warning does not carry is not read.
        "penalties-1-amount": "1.00",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    case = Case.objects.get(pk=case.pk)
    assert case.state == State.PROPOSED
    assert [(p["measure"], p.get("amount")) for p in case.proposed_penalties] == [
        ("fine", "60000.00"),
        ("warning", None),
    ]


def test_a_fine_without_its_amount_is_shown_again_with_the_amount_marked(client, draft_page):
    url, case = draft_page
    party = case.parties.first()
    data = {
        "outcome": "penalty",
        "facts": "查明事实",
        "version": case.version,
        "penalties-TOTAL_FORMS": "1",
        "penalties-INITIAL_FORMS": "0",
        "penalties-0-measure": "fine",
        "penalties-0-subject": party.pk,
    }
    response = client.post(url, data)
    assert response.status_code == 422
    html = response.content.decode()
    assert names_of(html, 0) == {"measure", "subject", "amount"}
    assert "required for this measure" in fieldset(html, 0)
