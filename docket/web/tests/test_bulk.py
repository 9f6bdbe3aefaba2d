"""Bulk reassignment from the case list: the assignment service once per case, each audited, refusals listed."""

import re

import pytest
from django.utils.html import escape

from docket import testing as t
from docket.audit.models import AuditEntry
from docket.cases.models import Assignment, Case, State

pytestmark = pytest.mark.django_db


def signed_in(client, officer):
    t.verified_login(client, officer)
    return client


def assigned(case: Case, officer) -> bool:
    return Assignment.objects.filter(case=case, officer=officer, active=True).exists()


def test_the_head_sees_checkboxes_and_others_do_not(client, team):
    case = t.drive(team, to=State.FILED)
    signed_in(client, team.head)
    html = client.get("/cases/").content.decode()
    assert f'name="cases" value="{case.pk}"' in html
    assert 'action="/cases/reassign/"' in html
    assert re.search(rf'<option value="{team.chair.pk}">', html)
    # Only officers of the head's office who investigate are offered.
    assert f'<option value="{team.reviewer.pk}">' not in html
    signed_in(client, team.a)
    html = client.get("/cases/").content.decode()
    assert 'name="cases"' not in html and "/cases/reassign/" not in html


def test_one_call_per_case_each_audited_refusals_listed(client, tree, team):
    filed = t.drive(team, to=State.FILED)
    investigating = t.drive(team, to=State.INVESTIGATING)
    decided = t.drive(team, to=State.DECIDED)
    theirs = t.drive(t.Team(tree.nb), to=State.FILED)
    signed_in(client, team.head)
    response = client.post(
        "/cases/reassign/",
        {
            "cases": [filed.pk, investigating.pk, decided.pk, theirs.pk],
            "officer": team.chair.pk,
            "mode": "add",
            "query": "state=filed",
        },
    )
    assert response.status_code == 200
    assert assigned(filed, team.chair) and assigned(investigating, team.chair)
    assert not assigned(decided, team.chair) and not assigned(theirs, team.chair)
    entries = AuditEntry.objects.filter(action="case.assign", outcome="ok", actor_id=team.head.pk)
    assert {e.object_id for e in entries if team.chair.username in e.detail["officers"]} == {
        str(filed.pk),
        str(investigating.pk),
    }
    html = response.content.decode()
    refused = dict(re.findall(r'<li data-ref="([^"]+)">(.*?)</li>', html, re.S))
    assert set(refused) == {decided.ref, str(theirs.pk)}
    # The transition table's own sentence, and for a case outside the jurisdiction no more than "not found".
    assert escape("assign is not possible while the case is Decided") in refused[decided.ref]
    assert "Not found" in refused[str(theirs.pk)] and theirs.ref not in html
    assert 'href="/cases/?state=filed"' in html


def test_a_forged_post_gets_the_services_refusal(client, team):
    case = t.drive(team, to=State.FILED)
    signed_in(client, team.a)
    response = client.post("/cases/reassign/", {"cases": [case.pk], "officer": team.chair.pk})
    assert response.status_code == 403
    assert "Assigning investigators needs the role of Office head." in response.content.decode()
    assert not assigned(case, team.chair)
    assert AuditEntry.objects.filter(action="case_assign", outcome="denied", actor_id=team.a.pk).exists()


def test_an_officer_of_another_office_is_the_services_refusal(client, tree, team):
    case = t.drive(team, to=State.FILED)
    signed_in(client, team.head)
    # An officer the head cannot see is no choice at all.
    response = client.post("/cases/reassign/", {"cases": [case.pk], "officer": t.Team(tree.nb).a.pk})
    assert response.status_code == 422
    assert "Choose the officer to assign." in response.content.decode()
    # One of the head's subtree but not of the case's office: the service says so.
    below = t.Team(tree.xh).a
    response = client.post("/cases/reassign/", {"cases": [case.pk], "officer": below.pk})
    assert response.status_code == 422
    assert escape(f"{below} is not an officer of this office") in response.content.decode()
    assert not Assignment.objects.filter(case=case).exists()


def _active(case: Case) -> set[int]:
    return set(Assignment.objects.filter(case=case, active=True).values_list("officer_id", flat=True))


def test_the_list_offers_reassignment_by_default(client, team):
    t.drive(team, to=State.FILED)
    signed_in(client, team.head)
    html = client.get("/cases/").content.decode()
    assert re.search(r'<select id="bulk-officer" name="officer" multiple', html)
    assert re.search(r'<input type="radio" id="bulk-replace" name="mode" value="replace" checked>', html)
    assert '<input type="radio" id="bulk-add" name="mode" value="add">' in html


def test_reassigning_replaces_the_investigators_each_audited(client, team):
    filed = t.drive(team, to=State.FILED)
    investigating = t.drive(team, to=State.INVESTIGATING)
    assert _active(investigating) == {team.a.pk, team.b.pk}
    signed_in(client, team.head)
    response = client.post(
        "/cases/reassign/",
        {"cases": [filed.pk, investigating.pk], "officer": [team.chair.pk, team.b.pk], "mode": "replace"},
    )
    assert response.status_code == 200
    assert _active(filed) == _active(investigating) == {team.chair.pk, team.b.pk}
    # Taken off, not deleted: the case keeps who worked on it.
    assert Assignment.objects.filter(case=investigating, officer=team.a, active=False).exists()
    entry = AuditEntry.objects.filter(action="case.assign", object_id=str(investigating.pk)).latest("seq")
    assert entry.detail["replace"] is True
    assert entry.detail["removed"] == [team.a.username] and entry.detail["added"] == [team.chair.username]
    html = response.content.decode()
    assert "2 cases reassigned to" in html and str(team.chair) in html


def test_a_reassignment_leaving_one_investigator_is_refused_with_its_reason(client, team):
    investigating = t.drive(team, to=State.INVESTIGATING)
    signed_in(client, team.head)
    response = client.post(
        "/cases/reassign/", {"cases": [investigating.pk], "officer": [team.chair.pk], "mode": "replace"}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "keeps two officers holding valid enforcement certificates; 1 would remain" in html
    assert _active(investigating) == {team.a.pk, team.b.pk}
    # Adding instead is what the head may do.
    response = client.post("/cases/reassign/", {"cases": [investigating.pk], "officer": [team.chair.pk], "mode": "add"})
    assert response.status_code == 200 and "added to the investigators of 1 case" in response.content.decode()
    assert _active(investigating) == {team.a.pk, team.b.pk, team.chair.pk}


def test_an_unknown_mode_is_invalid_input(client, team):
    case = t.drive(team, to=State.FILED)
    signed_in(client, team.head)
    response = client.post("/cases/reassign/", {"cases": [case.pk], "officer": team.chair.pk, "mode": "swap"})
    assert response.status_code == 422
    assert not Assignment.objects.filter(case=case).exists()


def test_nothing_selected_is_invalid_input(client, team):
    signed_in(client, team.head)
    response = client.post("/cases/reassign/", {"officer": team.chair.pk})
    assert response.status_code == 422
    assert "Select at least one case." in response.content.decode()
    assert client.get("/cases/reassign/").status_code == 405
