"""Terms too short for a trigram: two characters (the commonest Chinese search) are found exactly as a plain
substring match over the reader's rows would find them — from the bigram indexes on PostgreSQL — and a single
character is refused."""

import random

import pytest
from django.db import connection
from django.db.models import Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docket import testing as t
from docket.api.tests.conftest import api_as
from docket.cases.models import Case, State
from docket.clues.models import Clue
from docket.search import indexes
from docket.search.queries import MAX_LIMIT, _contains, indexed, search
from docket.subjects.models import Kind, Subject, identifier_search

pytestmark = pytest.mark.django_db

# Few characters, so that random pairs of them are often in the texts and often not.
HAN = "网信直播平台违法赌博张李"
LATIN = "aBxY"
ALPHABET = HAN + LATIN + " "


def person(n: int, name: str) -> Subject:
    return Subject.objects.create(kind=Kind.RESPONSIBLE_PERSON, name=name, identifier=t.valid_resident_id(n))


def text(rng: random.Random, low: int, high: int) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(low, high))).strip() or "网"


@pytest.fixture
def sibling(tree):
    return t.Team(tree.nb)


@pytest.fixture
def corpus(team, sibling):
    """Cases, clues and subjects of our office and a sibling's, their texts drawn from a small alphabet."""
    rng = random.Random(20240301)  # noqa: S311 - test data, not secrets
    mine: dict[str, set[int]] = {"cases": set(), "clues": set()}
    theirs: dict[str, set[int]] = {"cases": set(), "clues": set()}
    for n in range(12):
        ours = n < 8
        party = person(100 + n, text(rng, 2, 3)) if n % 4 == 0 else None
        case = t.drive(team if ours else sibling, to=State.FILED, party=party)
        Case.objects.filter(pk=case.pk).update(title=text(rng, 4, 14))
        Clue.objects.filter(pk=case.clue_id).update(summary=text(rng, 6, 30))
        side = mine if ours else theirs
        side["cases"].add(case.pk)
        side["clues"].add(case.clue_id)
    for _n in range(30):
        t.organisation(name=f"{text(rng, 2, 8)}公司")
    return mine, theirs


def plain(actor, q: str) -> dict[str, set[int]]:
    """The answer by definition: ``icontains`` over the scoped rows, no index involved."""
    return {
        "cases": set(
            Case.objects.visible_to(actor)
            .filter(Q(ref__icontains=q) | Q(title__icontains=q))
            .values_list("pk", flat=True)
        ),
        "clues": set(
            Clue.objects.visible_to(actor)
            .filter(Q(ref__icontains=q) | Q(summary__icontains=q))
            .values_list("pk", flat=True)
        ),
        "subjects": set(
            Subject.objects.visible_to(actor)
            .filter(Q(name__icontains=q) | identifier_search(q))
            .values_list("pk", flat=True)
        ),
    }


def texts_of(kind: str, row) -> list[str]:
    if kind == "subjects":
        return [row.name, row.identifier]
    return [row.ref, row.title if kind == "cases" else row.summary]


def check(actor, q: str, theirs: dict[str, set[int]]) -> None:
    found = search(actor, q, limit=MAX_LIMIT)
    expected = plain(actor, q)
    for group in found.groups:
        assert len(expected[group.kind]) < MAX_LIMIT  # the whole answer is compared, not a page of it
        ids = {row.pk for row in group.rows}
        assert ids == expected[group.kind], (q, group.kind)
        for row in group.rows:
            assert any(q.upper() in value.upper() for value in texts_of(group.kind, row)), (q, row)
        assert not ids & theirs.get(group.kind, set()), (q, group.kind)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(alphabet=ALPHABET, min_size=2, max_size=2).map(str.strip).filter(lambda q: len(q) == 2))
def test_any_two_characters_find_what_a_plain_substring_match_finds(team, corpus, q):
    _mine, theirs = corpus
    assert indexed(q) == (connection.vendor == "postgresql")
    check(team.a, q, theirs)


def test_every_pair_in_the_texts_finds_what_a_plain_substring_match_finds(team, corpus):
    mine, theirs = corpus
    pairs = set()
    for title in Case.objects.filter(pk__in=mine["cases"]).values_list("title", flat=True):
        pairs |= {title[i : i + 2] for i in range(len(title) - 1)}
    pairs = {p for p in pairs if p.strip() == p}
    assert len(pairs) > 20
    for q in sorted(pairs):
        check(team.a, q, theirs)
        # Upper and lower case alike.
        check(team.a, q.lower(), theirs)


def test_a_sibling_office_finds_nothing_of_ours(team, sibling, corpus):
    mine, _theirs = corpus
    case = Case.objects.get(pk=min(mine["cases"]))
    Case.objects.filter(pk=case.pk).update(title="蛙鸣案件")
    Clue.objects.filter(pk=case.clue_id).update(summary="池塘蛙鸣")
    ours = person(999, "蛙鸣")
    case.parties.add(ours)
    found = search(team.a, "蛙鸣")
    assert [c.pk for c in found["cases"].rows] == [case.pk]
    assert [c.pk for c in found["clues"].rows] == [case.clue_id]
    assert found["subjects"].rows == [ours]
    assert all(not group.rows for group in search(sibling.a, "蛙鸣").groups)
    assert all(not group.rows for group in search(sibling.head, "鸣案").groups)


def test_the_bigrams_narrow_and_the_substring_decides(team, corpus):
    """Three characters without a run of three letters: looked up by its bigrams ("A ", " B"), which a text can
    hold without holding the term; the substring condition leaves that text out."""
    mine, _theirs = corpus
    first, second = sorted(mine["cases"])[:2]
    Case.objects.filter(pk=first).update(title="ta bt")
    Case.objects.filter(pk=second).update(title="ta  bt")
    assert [c.pk for c in search(team.a, "a b")["cases"].rows] == [first]
    assert [c.pk for c in search(team.a, "A B")["cases"].rows] == [first]


@pytest.mark.parametrize("q", ["直", " 直 ", "Ａ", "a"])
def test_a_single_character_is_refused(team, corpus, q):
    found = search(team.a, q)
    assert found.too_short
    assert all(not group.rows for group in found.groups)
    assert not search(team.a, "").too_short  # nothing typed is not a short term


def test_the_api_says_why_a_single_character_finds_nothing(team, corpus):
    client = api_as(team.a)
    response = client.get("/api/v1/search/", {"q": "直"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert "at least two characters" in response.content.decode()
    assert client.get("/api/v1/search/", {"q": "直播"}).status_code == 200


def test_the_page_says_why_a_single_character_finds_nothing(client, team, corpus):
    t.verified_login(client, team.a)
    body = client.get("/search/", {"q": "直"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Type at least two characters" in body and "data-group=" not in body
    body = client.get("/search/", {"q": "直播"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Type at least two characters" not in body and 'data-group="cases"' in body


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's bigram indexes")
def test_postgres_answers_two_characters_from_the_bigram_indexes(team, corpus):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'search_%%_bigram'")
        names = {row[0] for row in cursor.fetchall()}
        assert names == {s.bigram_index(c) for s in indexes.ALL for c in s.columns}
        cursor.execute("SELECT docket_bigrams('直播平台'), docket_bigrams('直')")
        assert cursor.fetchone() == (["直播", "播平", "平台"], [])
        # Forbidden to scan (the tables are small), the planner must find both columns' indexes usable.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        for source, q in ((indexes.CASES, "直播"), (indexes.CLUES, "ab"), (indexes.SUBJECTS, "张李")):
            model = {indexes.CASES: Case, indexes.CLUES: Clue, indexes.SUBJECTS: Subject}[source]
            found = model.objects.filter(_contains(source, q, *source.columns, use_index=True))
            sql, params = found.query.sql_with_params()
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            for column in source.columns:
                assert source.bigram_index(column) in plan, plan


@pytest.mark.parametrize(
    ("window", "branch"),
    [
        (100_000, "window"),  # the walk of the newest rows covers every row
        (1, "sorted"),  # too few among the newest rows: all matches sorted by the database
    ],
)
def test_the_rows_shown_are_the_newest_matches_whichever_way_they_are_found(team, corpus, monkeypatch, window, branch):
    """The groups hold the matches recorded last (highest id first), exactly, in each branch of ``_newest``; and
    ``more`` says whether any match was left out."""
    from docket.search import queries

    monkeypatch.setattr(queries, "WINDOW", window)
    answered: set[str] = set()
    for q in ("网信", "直播", "ab", "xY", "张李", "违法赌"):
        expected = plain(team.a, q)
        for limit in (1, 2, 5):
            found = search(team.a, q, limit=limit)
            for group in found.groups:
                newest = sorted(expected[group.kind], reverse=True)
                assert [row.pk for row in group.rows] == newest[:limit], (q, group.kind, limit)
                assert group.more == (len(newest) > limit), (q, group.kind, limit)
                if len(newest) > limit:  # enough matches for the walk to answer, if its window holds them
                    answered |= {"sorted" if row.sorted else "window" for row in group.rows}
    # The branch the window forces answered every group the walk could have (and no other).
    assert answered == {branch}
