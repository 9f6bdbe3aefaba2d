"""The one search box: substrings in Chinese and English, identifiers, and never outside the jurisdiction — on
SQLite (FTS5 trigram) and PostgreSQL (pg_trgm) alike."""

import pytest
from django.db import connection

from docket import testing as t
from docket.api.tests.conftest import api_as
from docket.cases.models import Case, State
from docket.clues.models import Clue
from docket.officers.models import Role
from docket.search import indexes
from docket.search.queries import indexed, search
from docket.subjects.models import Kind, Subject

pytestmark = pytest.mark.django_db


def person(n: int, name: str) -> Subject:
    return Subject.objects.create(kind=Kind.RESPONSIBLE_PERSON, name=name, identifier=t.valid_resident_id(n))


def refs(results, kind):
    return [getattr(row, "ref", None) or row.name for row in results[kind].rows]


@pytest.fixture
def sibling(tree):
    return t.Team(tree.nb)


@pytest.fixture
def world(team, sibling):
    """A case of ours and one of the sibling office, each with its clue and a party; titles set afterwards, so
    the indexes must follow an UPDATE too."""
    ours_party = person(11, "张三")
    ours = t.drive(team, to=State.INVESTIGATING, party=ours_party)
    Case.objects.filter(pk=ours.pk).update(title="网络直播平台 LiveStream 违规案")
    Clue.objects.filter(pk=ours.clue_id).update(summary="群众举报直播间传播赌博信息")
    theirs_party = person(12, "李四")
    theirs = t.drive(sibling, to=State.INVESTIGATING, party=theirs_party)
    Case.objects.filter(pk=theirs.pk).update(title="网络直播平台 LiveStream 另案")
    Clue.objects.filter(pk=theirs.clue_id).update(summary="群众举报直播间传播赌博信息（宁波）")
    shop = t.website("shop-example.cn")
    org = t.organisation(name="杭州某某科技有限公司")
    ours.refresh_from_db()
    theirs.refresh_from_db()
    return type(
        "World",
        (),
        {
            "ours": ours,
            "theirs": theirs,
            "ours_party": ours_party,
            "theirs_party": theirs_party,
            "shop": shop,
            "org": org,
        },
    )


def test_chinese_three_characters_and_more(team, world):
    found = search(team.a, "直播平台")
    assert found.indexed
    assert refs(found, "cases") == [world.ours.ref]
    found = search(team.a, "直播间传播")
    assert refs(found, "clues") == [world.ours.clue.ref]
    assert world.org in search(team.a, "某某科技")["subjects"].rows


def test_chinese_two_characters_are_found(team, world):
    # A Chinese name is often two characters: no trigram, yet found (from the bigram indexes on PostgreSQL, by a
    # scan on SQLite), and only within the jurisdiction.
    found = search(team.a, "张三")
    assert found.indexed == (connection.vendor == "postgresql")
    assert found["subjects"].rows == [world.ours_party]
    assert refs(search(team.a, "直播"), "cases") == [world.ours.ref]
    assert refs(search(team.a, "赌博"), "clues") == [world.ours.clue.ref]


def test_english_substring_ignores_case(team, world):
    assert refs(search(team.a, "livestream"), "cases") == [world.ours.ref]
    assert refs(search(team.a, "LIVESTR"), "cases") == [world.ours.ref]
    # Two letters: the plain scan, same answer.
    assert refs(search(team.a, "sT"), "cases") == [world.ours.ref]
    assert search(team.a, "nothing-like-this")["cases"].rows == []


def test_references_in_whole_and_in_part(team, world):
    ref = world.ours.ref
    assert refs(search(team.a, ref), "cases") == [ref]
    assert refs(search(team.a, ref[-6:]), "cases") == [ref]
    assert refs(search(team.a, world.ours.clue.ref), "clues") == [world.ours.clue.ref]
    # Typed on a Chinese keyboard in full-width characters, it is the same reference.
    full_width = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in ref)
    assert refs(search(team.a, full_width), "cases") == [ref]


def test_identifiers(team, world):
    assert search(team.a, "example.cn")["subjects"].rows == [world.shop]
    assert search(team.a, "SHOP-EXAMPLE")["subjects"].rows == [world.shop]
    assert world.org in search(team.a, world.org.identifier[2:12])["subjects"].rows
    # A natural person's identity number only in full, never by a part of it.
    number = world.ours_party.identifier
    assert search(team.a, number)["subjects"].rows == [world.ours_party]
    assert search(team.a, number.lower())["subjects"].rows == [world.ours_party]
    assert search(team.a, number[:10])["subjects"].rows == []
    assert search(team.a, number[-8:])["subjects"].rows == []


def test_a_sibling_offices_records_never_appear(team, sibling, world):
    for q in ["直播平台", "直播", "LiveStream", "赌博信息", "宁波", world.theirs.ref, world.theirs.clue.ref, "李四"]:
        found = search(team.a, q)
        assert world.theirs.ref not in refs(found, "cases"), q
        assert world.theirs.clue.ref not in refs(found, "clues"), q
        assert world.theirs_party not in found["subjects"].rows, q
    assert search(team.a, world.theirs_party.identifier)["subjects"].rows == []
    # The sibling's own officer finds them: the search works, the scope hides them.
    found = search(sibling.a, "直播平台")
    assert refs(found, "cases") == [world.theirs.ref]
    assert search(sibling.a, "李四")["subjects"].rows == [world.theirs_party]
    assert search(sibling.a, world.theirs_party.identifier)["subjects"].rows == [world.theirs_party]


def test_the_province_sees_both_cities_and_the_statistician_nothing(tree, team, world):
    head = t.officer(tree.zj, Role.OFFICE_HEAD)
    assert set(refs(search(head, "LiveStream"), "cases")) == {world.ours.ref, world.theirs.ref}
    statistician = t.officer(tree.zj, Role.STATISTICIAN)
    found = search(statistician, "直播平台")
    assert all(not g.rows for g in found.groups)


def test_limit_and_more(team, world):
    for _ in range(3):
        case = t.drive(team, to=State.FILED)
        Case.objects.filter(pk=case.pk).update(title="直播平台 补充案")
    found = search(team.a, "直播平台", limit=2)
    assert len(found["cases"].rows) == 2 and found["cases"].more
    assert not search(team.a, "直播平台", limit=10)["cases"].more
    assert search(team.a, "   ")["cases"].rows == []


def test_the_index_agrees_with_a_plain_scan(team, world):
    """Whatever the term, the indexed answer is the plain ``icontains`` answer over the same rows."""
    cases = Case.objects.visible_to(team.a)
    for q in ["直播平台", "LiveStream", "livestream", world.ours.ref[3:], "违规案", "直播平台 Live"]:
        assert indexed(q)
        plain = set(cases.filter(title__icontains=q).values_list("ref", flat=True)) | set(
            cases.filter(ref__icontains=q).values_list("ref", flat=True)
        )
        assert set(refs(search(team.a, q), "cases")) == plain, q


def test_deleted_and_renamed_rows_leave_the_index(team, world):
    Case.objects.filter(pk=world.ours.pk).update(title="改名后的案件")
    assert search(team.a, "LiveStream")["cases"].rows == []
    assert refs(search(team.a, "改名后"), "cases") == [world.ours.ref]
    shop = world.shop
    shop.delete()
    assert search(team.a, "example.cn")["subjects"].rows == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 triggers")
def test_sqlite_triggers_lost_by_a_table_rebuild_are_made_again(team, world):
    with connection.cursor() as cursor:
        for trigger in indexes.CASES.triggers:
            cursor.execute(f"DROP TRIGGER {trigger}")
    Case.objects.filter(pk=world.ours.pk).update(title="重建之前改的标题")
    assert indexes.ensure_sqlite(connection) == [indexes.CASES.fts]
    assert refs(search(team.a, "重建之前"), "cases") == [world.ours.ref]
    assert indexes.ensure_sqlite(connection) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's trigram indexes")
def test_postgres_answers_from_the_trigram_indexes(team, world):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'search_%%_trgm'")
        names = {row[0] for row in cursor.fetchall()}
        rests = {indexes.reference_rest_index(s) for s in indexes.ALL if s.key in indexes.REFERENCED}
        assert names == {s.trigram_index(c) for s in indexes.ALL for c in s.columns} | rests
        # On a table this small the planner would scan it; forbidden to, it must find the index usable.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        qs = Case.objects.filter(title__icontains="直播平台")
        sql, params = qs.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert indexes.CASES.trigram_index("title") in plan, plan


# --- the page and the API ---------------------------------------------------------------------------------------


def test_the_page_lists_each_group_and_hides_the_sibling(client, team, world):
    t.verified_login(client, team.a)
    body = client.get("/search/", {"q": "直播"}).content.decode()
    assert world.ours.ref in body and world.ours.clue.ref in body
    assert world.theirs.ref not in body and world.theirs.clue.ref not in body
    assert 'data-group="cases"' in body and 'data-group="subjects"' in body
    body = client.get("/search/", {"q": "张三"}).content.decode()
    assert f"/subjects/{world.ours_party.pk}/" in body
    assert client.get("/search/").status_code == 200


def test_the_api_answers_grouped_and_scoped(team, world):
    client = api_as(team.a)
    body = client.get("/api/v1/search/", {"q": "LiveStream"}).json()
    assert [c["ref"] for c in body["cases"]["rows"]] == [world.ours.ref]
    assert body["cases"]["more"] is False and body["q"] == "LiveStream"
    body = client.get("/api/v1/search/", {"q": world.ours_party.identifier}).json()
    assert body["subjects"]["rows"][0]["identifier"] == world.ours_party.display_identifier
    assert client.get("/api/v1/search/", {"q": world.theirs.ref}).json()["cases"]["rows"] == []
    assert client.get("/api/v1/search/", {"q": ""}).status_code == 422
    assert client.get("/api/v1/search/", {"q": "x", "limit": "0"}).status_code == 422
    assert api_as().get("/api/v1/search/", {"q": "直播"}).status_code == 401
