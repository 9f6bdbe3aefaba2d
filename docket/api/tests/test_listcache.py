"""The officers' lists keep their answers under the audit chain's head (docket.api.listcache): asked again with
nothing changed, a list is answered from one query; any change answers afresh; nothing else of the request is
skipped (token, officer, office, roles, rate limits)."""

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from docket import testing as t
from docket.api import listcache
from docket.api.listcache import kept
from docket.api.tests.conftest import api_as, secret_for
from docket.cases import services as cs
from docket.cases.models import Case, State
from docket.core.memory import SizedLRU
from docket.officers.models import Role
from docket.officers.services import officer_role_revoke

LISTS = ["offices", "cases", "clues", "measures", "subjects"]


def _queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), response


@pytest.mark.parametrize("name", LISTS)
def test_a_list_asked_again_with_nothing_changed_is_answered_from_the_token_query_alone(team, name):
    t.drive(team, to=State.DECIDED)
    api = api_as(team.head)
    path = f"/api/v1/{name}/?page_size=5"
    computed, first = _queries(api, path)
    again, second = _queries(api, path)
    assert computed >= 2
    assert again == 1, "the token, its officer and the chain's head: one query"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    # Another page of the same list is another answer.
    other, _ = _queries(api, f"/api/v1/{name}/?page_size=4")
    assert other >= 2


def test_a_change_anywhere_is_in_the_next_answer(team):
    case = t.drive(team, to=State.FILED)
    api = api_as(team.head)
    assert api.get("/api/v1/cases/").json()["results"][0]["state"] == State.FILED
    cs.case_assign(actor=team.head, case=case, officers=[team.a, team.b], on=case.filed_on, now=timezone.now())
    cs.investigation_start(actor=team.a, case=case, on=case.filed_on, now=timezone.now())
    rows = api.get("/api/v1/cases/").json()["results"]
    assert rows[0]["state"] == State.INVESTIGATING
    assert rows[0]["version"] == Case.objects.get(pk=case.pk).version


def test_officers_of_sibling_offices_asking_the_same_path_each_get_their_own_rows(tree):
    hangzhou, ningbo = t.Team(tree.hz), t.Team(tree.nb)
    mine, theirs = t.drive(hangzhou, to=State.FILED), t.drive(ningbo, to=State.FILED)
    for _ in range(2):  # the second time from what each kept
        hz_refs = {r["ref"] for r in api_as(hangzhou.head).get("/api/v1/cases/").json()["results"]}
        nb_refs = {r["ref"] for r in api_as(ningbo.head).get("/api/v1/cases/").json()["results"]}
        assert hz_refs == {mine.ref} and nb_refs == {theirs.ref}


def test_a_kept_answer_still_needs_a_live_token_and_officer(team):
    t.drive(team, to=State.FILED)
    secret = secret_for(team.head)
    assert api_as(secret=secret).get("/api/v1/cases/").status_code == 200
    assert len(kept) == 1
    # Switched off behind the services' backs (no audit entry, so the head stays): the token is still checked.
    type(team.head).objects.filter(pk=team.head.pk).update(is_active=False)
    assert api_as(secret=secret).get("/api/v1/cases/").status_code == 401


def test_a_reader_who_lost_the_role_gets_no_kept_rows(team):
    t.drive(team, to=State.FILED)
    api = api_as(team.a)
    assert len(api.get("/api/v1/cases/").json()["results"]) == 1
    admin = t.officer(team.office, Role.ADMINISTRATOR)
    officer_role_revoke(actor=admin, officer=team.a, role=Role.CASE_OFFICER, now=timezone.now())
    assert api.get("/api/v1/cases/").json()["results"] == []


def test_kept_answers_count_against_the_rate_limit(team, settings):
    settings.DOCKET_API_RATE_TOKEN = "3/min"
    api = api_as(team.head)
    assert [api.get("/api/v1/cases/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert len(kept) == 1  # the second and third were kept answers


def test_a_refusal_is_not_kept(team):
    api = api_as(team.head)
    assert api.get("/api/v1/cases/?filed_from=yesterday").status_code == 422
    assert len(kept) == 0
    count, _ = _queries(api, "/api/v1/cases/")
    assert count >= 2 and len(kept) == 1


def test_with_no_room_every_answer_is_computed(team, settings):
    settings.DOCKET_API_LIST_CACHE_MB = 0
    t.drive(team, to=State.FILED)
    api = api_as(team.head)
    api.get("/api/v1/cases/")  # the token's first use is written down (once a minute)
    first, _ = _queries(api, "/api/v1/cases/")
    again, _ = _queries(api, "/api/v1/cases/")
    assert again == first >= 2
    assert len(kept) == 0


def test_the_least_recently_used_answer_goes_first_when_the_room_is_full():
    answers: SizedLRU[tuple[str], bytes] = SizedLRU(lambda: 25)
    for key in ("a", "b", "c"):
        answers.put((key,), key.encode() * 10, 10)
    assert answers.get(("a",)) is None and answers.size == 20
    assert answers.get(("b",)) is not None  # b is now the most recently used
    answers.put(("d",), b"d" * 10, 10)
    assert answers.get(("c",)) is None and answers.get(("b",)) is not None
    answers.put(("b",), b"b" * 5, 5)  # kept again: counted once
    assert answers.size == 15 and len(answers) == 2
    answers.put(("e",), b"e" * 26, 26)  # larger than the whole room: not kept, nothing lost for it
    assert answers.get(("e",)) is None and len(answers) == 2


def test_an_answer_larger_than_the_largest_kept_is_computed_each_time(team):
    t.drive(team, to=State.FILED)
    api = api_as(team.head)
    api.get("/api/v1/cases/")
    assert len(kept) == 1
    listcache.LARGEST, before = 10, listcache.LARGEST
    try:
        kept.clear()
        api.get("/api/v1/cases/?page_size=3")
        assert len(kept) == 0
    finally:
        listcache.LARGEST = before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_readers_during_changes_never_get_an_answer_older_than_the_last_change_before_they_asked(tree, settings):
    """Twenty readers ask for the list while a writer files cases one by one: every answer holds at least every
    case whose filing had committed when the reader sent its request (on PostgreSQL the readers and the writer
    really overlap)."""
    settings.DOCKET_API_RATE_TOKEN = settings.DOCKET_API_RATE_ADDRESS = "1000000/min"
    team = t.Team(tree.hz)
    secret = secret_for(team.head)
    filed: list[str] = []
    done = threading.Event()
    stale: list[tuple[set[str], set[str]]] = []

    def write() -> None:
        try:
            for _ in range(6):
                filed.append(t.drive(team, to=State.FILED).ref)
        finally:
            done.set()
            connection.close()

    def read(_i: int) -> int:
        api, answers = api_as(secret=secret), 0
        while not done.is_set():
            before = set(filed)
            response = api.get("/api/v1/cases/?page_size=100")
            assert response.status_code == 200, response.content
            seen = {r["ref"] for r in response.json()["results"]}
            if not before <= seen:
                stale.append((before, seen))
            answers += 1
        return answers

    writer = threading.Thread(target=write)
    writer.start()
    answers = t.race(read)
    writer.join()
    assert all(isinstance(a, int) for a in answers), answers
    assert sum(answers) >= 20
    assert not stale, stale[:3]
    assert {r["ref"] for r in api_as(secret=secret).get("/api/v1/cases/?page_size=100").json()["results"]} == set(filed)
