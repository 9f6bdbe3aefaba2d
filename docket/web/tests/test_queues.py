"""Saved queues: a list's filter kept under a name, validated by the list's FilterSet, shared within one office."""

from urllib.parse import parse_qs

import pytest
from django.db import connection

from docket import testing as t
from docket.audit.models import AuditEntry
from docket.cases.models import State
from docket.core.errors import Conflict, Denied, InvalidInput, NotFound
from docket.officers.models import Officer, Role
from docket.web.models import SavedQueue
from docket.web.services import MAX_QUEUES, queue_delete, queue_save

pytestmark = pytest.mark.django_db


def signed_in(client, officer):
    t.verified_login(client, officer)
    return client


def save(officer, name="急办", query="state=investigating&order=due", *, shared=False, list_name="cases"):
    return queue_save(actor=officer, list_name=list_name, name=name, query=query, shared=shared, now=t.NOW)


def test_saving_from_the_list_keeps_the_filter_as_its_filterset_reads_it(client, team):
    investigating = t.drive(team, to=State.INVESTIGATING)
    filed = t.drive(team, to=State.FILED)
    signed_in(client, team.a)
    page = client.get("/cases/", {"state": "investigating", "order": "due", "page": "1"}).content.decode()
    assert "Save this filter as…" in page and 'name="query"' in page
    response = client.post(
        "/queues/save/",
        {"list_name": "cases", "name": "调查中", "query": "state=investigating&order=due&page=2&export=csv&bogus=1"},
    )
    assert response.status_code == 302
    queue = SavedQueue.objects.get(owner=team.a)
    # Paging, export and unknown parameters are not part of a filter.
    assert parse_qs(queue.query) == {"state": ["investigating"], "order": ["due"]}
    assert response["Location"] == f"/cases/?{queue.query}"
    listed = client.get(response["Location"])
    assert investigating.ref in listed.content.decode() and filed.ref not in listed.content.decode()
    assert "调查中" in listed.content.decode()
    assert "调查中" in client.get("/").content.decode()
    entry = AuditEntry.objects.get(action="saved_queue.save")
    assert entry.actor_id == team.a.pk and entry.detail["query"] == queue.query and entry.detail["before"] is None


def test_saving_again_under_the_name_replaces_it(team):
    first = save(team.a)
    second = save(team.a, query="state=filed", shared=True)
    assert first.pk == second.pk and SavedQueue.objects.count() == 1
    assert second.query == "state=filed" and second.office_id == team.office.pk
    entries = AuditEntry.objects.filter(action="saved_queue.save").order_by("seq")
    assert entries.last().detail["before"] == {"query": "state=investigating&order=due", "shared": False}


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("state=bogus", "States"),
        ("due_before=not-a-date", "Due on or before"),
        ("order=sideways", "Order"),
    ],
)
def test_an_invalid_filter_is_refused_naming_it(client, team, query, said):
    signed_in(client, team.a)
    response = client.post("/queues/save/", {"list_name": "cases", "name": "坏的", "query": query})
    assert response.status_code == 422
    assert said in response.content.decode()
    assert not SavedQueue.objects.exists()


def test_a_name_and_a_known_list_are_required(team):
    with pytest.raises(InvalidInput) as exc:
        save(team.a, name="  ")
    assert exc.value.errors[0].field == "name"
    with pytest.raises(InvalidInput) as exc:
        save(team.a, list_name="officers")
    assert exc.value.errors[0].field == "list_name"


def test_an_officer_keeps_a_bounded_number_of_queues(team):
    from docket.core.errors import GateRefused

    for i in range(MAX_QUEUES):
        save(team.a, name=f"q{i}")
    with pytest.raises(GateRefused):
        save(team.a, name="one more")
    # Replacing one is still possible.
    save(team.a, name="q0", query="state=filed")


def test_a_shared_queue_is_seen_in_its_office_alone(client, tree, team):
    shared = save(team.a, name="本办共享", shared=True)
    private = save(team.a, name="我自己的")
    colleague = team.b
    above = t.officer(tree.zj, Role.OFFICE_HEAD)
    sibling = t.Team(tree.nb).a
    assert set(SavedQueue.objects.visible_to(team.a)) == {shared, private}
    assert set(SavedQueue.objects.visible_to(colleague)) == {shared}
    assert not SavedQueue.objects.visible_to(above).exists()
    assert not SavedQueue.objects.visible_to(sibling).exists()
    signed_in(client, colleague)
    body = client.get("/cases/").content.decode()
    assert "本办共享" in body and "我自己的" not in body
    signed_in(client, sibling)
    body = client.get("/cases/").content.decode() + client.get("/").content.decode()
    assert "本办共享" not in body


def test_another_offices_queue_is_404_and_a_colleague_may_not_delete(client, tree, team):
    queue = save(team.a, shared=True)
    never = SavedQueue.objects.order_by("-pk").first().pk + 1000
    signed_in(client, t.Team(tree.nb).a)
    absent = client.post(f"/queues/{never}/delete/")
    refused = client.post(f"/queues/{queue.pk}/delete/")
    assert absent.status_code == refused.status_code == 404
    assert absent.content == refused.content
    signed_in(client, team.b)
    response = client.post(f"/queues/{queue.pk}/delete/")
    assert response.status_code == 403
    assert SavedQueue.objects.filter(pk=queue.pk).exists()
    signed_in(client, team.a)
    response = client.post(f"/queues/{queue.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/cases/"
    assert not SavedQueue.objects.filter(pk=queue.pk).exists()
    entry = AuditEntry.objects.get(action="saved_queue.delete")
    assert entry.object_id == str(queue.pk) and entry.detail["name"] == queue.name


@pytest.mark.jurisdiction("queue_delete")
def test_a_sibling_office_cannot_delete_a_queue(tree, team):
    queue = save(team.a, shared=True)
    outsiders = (t.Team(tree.nb).head, t.officer(tree.zj, Role.OFFICE_HEAD))
    for outsider in outsiders:
        with pytest.raises(NotFound):
            queue_delete(actor=outsider, queue=queue, now=t.NOW)
    with pytest.raises(Denied):
        queue_delete(actor=team.b, queue=queue, now=t.NOW)
    assert SavedQueue.objects.filter(pk=queue.pk).exists()
    # Each refusal is on record, the outsiders' as a refused read like any object outside a jurisdiction.
    for who in (*outsiders, team.b):
        assert AuditEntry.objects.filter(actor_id=who.pk, outcome="denied").count() == 1
    assert not AuditEntry.objects.filter(action="saved_queue.delete").exists()


def test_the_list_offers_delete_to_the_owner_only(client, team):
    save(team.a, name="共享队列", shared=True)
    signed_in(client, team.a)
    assert "/delete/" in client.get("/cases/").content.decode()
    signed_in(client, team.b)
    body = client.get("/cases/").content.decode()
    assert "共享队列" in body and "/delete/" not in body


on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL connections")


@on_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.race("queue_save")
def test_twenty_saves_under_one_name_make_one_queue(tree):
    office_team = t.Team(tree.hz)
    pk = office_team.a.pk
    results = t.race(
        lambda i: save(Officer.objects.get(pk=pk), name="同名", query=f"state={'filed' if i % 2 else 'investigating'}")
    )
    broken = [r for r in results if isinstance(r, BaseException)]
    assert not broken, broken
    assert SavedQueue.objects.filter(owner_id=pk).count() == 1
    entries = list(AuditEntry.objects.filter(action="saved_queue.save", outcome="ok").order_by("seq"))
    assert len(entries) == t.RACERS
    # Each save saw the one before it: the trail says what every save replaced.
    assert entries[0].detail["before"] is None
    for previous, entry in zip(entries, entries[1:], strict=False):
        assert entry.detail["before"]["query"] == previous.detail["query"]
    assert SavedQueue.objects.get(owner_id=pk).query == entries[-1].detail["query"]


@on_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.race("queue_delete")
def test_twenty_deletes_of_one_queue_delete_it_once(tree):
    office_team = t.Team(tree.hz)
    queue = save(office_team.a)
    pk = office_team.a.pk
    results = t.race(lambda i: queue_delete(actor=Officer.objects.get(pk=pk), queue=SavedQueue(pk=queue.pk), now=t.NOW))
    done = [r for r in results if not isinstance(r, BaseException)]
    gone = [r for r in results if isinstance(r, NotFound | Conflict)]
    assert len(done) == 1 and len(gone) == t.RACERS - 1, results
    assert not SavedQueue.objects.exists()
    assert AuditEntry.objects.filter(action="saved_queue.delete", outcome="ok").count() == 1
