import pytest
from django.db import connection

from docket import testing as t
from docket.api.models import IdempotentRequest
from docket.api.tests.conftest import api_as, secret_for
from docket.audit.models import AuditEntry
from docket.cases.models import State


def _assign(api, case, team, key, officers=None):
    return api.post(
        f"/api/v1/cases/{case.ref}/steps/assign/",
        {"on": str(case.filed_on), "officers": officers or [team.a.pk, team.b.pk]},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_same_key_and_body_replays_the_first_answer(tree, team):
    case = t.drive(team, to=State.FILED)
    api = api_as(team.head)
    first = _assign(api, case, team, "k-1")
    assert first.status_code == 200, first.content
    again = _assign(api, case, team, "k-1")
    assert again.status_code == 200 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true" and again["ETag"] == first["ETag"]
    assert AuditEntry.objects.filter(object_id=str(case.pk), action__contains="assign", outcome="ok").count() == 1


def test_same_key_other_body_is_422(tree, team):
    case = t.drive(team, to=State.FILED)
    api = api_as(team.head)
    assert _assign(api, case, team, "k-2").status_code == 200
    other = _assign(api, case, team, "k-2", officers=[team.a.pk])
    assert other.status_code == 422 and other["Content-Type"].startswith("application/problem+json")


def test_a_key_in_flight_is_409(tree, team):
    case = t.drive(team, to=State.FILED)
    api = api_as(team.head)
    assert _assign(api, case, team, "k-3").status_code == 200
    # As if the first request were still running: its claim has no answer yet.
    IdempotentRequest.objects.filter(key="k-3").update(status=None, answer=None)
    busy = _assign(api, case, team, "k-3")
    assert busy.status_code == 409 and busy.json()["status"] == 409
    assert case.assignments.filter(active=True).count() == 2


def test_a_refusal_is_replayed_too_and_keys_are_per_token(tree, team):
    case = t.drive(team, to=State.FILED)
    api = api_as(team.a)
    url = f"/api/v1/cases/{case.ref}/steps/investigation_start/"
    refused = api.post(url, {"on": str(case.filed_on)}, format="json", HTTP_IDEMPOTENCY_KEY="k-4")
    assert refused.status_code == 422
    assert api.post(url, {"on": str(case.filed_on)}, format="json", HTTP_IDEMPOTENCY_KEY="k-4").json() == refused.json()
    other = api_as(team.b).post(url, {"on": str(case.filed_on)}, format="json", HTTP_IDEMPOTENCY_KEY="k-4")
    assert other.status_code == 422 and "Idempotent-Replayed" not in other


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_race_twenty_copies_of_one_request_act_once(tree):
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL")
    team = t.Team(tree.hz)
    case = t.drive(team, to=State.FILED)
    secret = secret_for(team.head)
    results = t.race(lambda i: _assign(api_as(secret=secret), case, team, "k-race").status_code)
    assert results.count(200) >= 1 and set(results) <= {200, 409}, results
    assert AuditEntry.objects.filter(object_id=str(case.pk), action__contains="assign", outcome="ok").count() == 1
