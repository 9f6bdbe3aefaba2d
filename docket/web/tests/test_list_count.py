"""A list counts at most COUNT_CAP + 1 rows: beyond that it says "more than" instead of counting a million."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from docket import testing as t
from docket.cases.models import State
from docket.subjects.models import Kind, Subject
from docket.web import lists

pytestmark = pytest.mark.django_db


def test_the_count_stops_one_past_the_cap(monkeypatch):
    for n in range(5):
        Subject.objects.create(kind=Kind.ORGANISATION, name=f"机构{n}", identifier=t.valid_uscc(n + 1))
    monkeypatch.setattr(lists, "COUNT_CAP", 3)
    paginator = lists.CappedPaginator(Subject.objects.order_by("id"), 2)
    with CaptureQueriesContext(connection) as ctx:
        assert paginator.count == 4
    assert "LIMIT 4" in ctx.captured_queries[0]["sql"]
    assert paginator.capped and paginator.num_pages == 2
    assert [s.name for s in paginator.page(2).object_list] == ["机构2", "机构3"]


def test_under_the_cap_the_count_is_exact(monkeypatch):
    for n in range(3):
        Subject.objects.create(kind=Kind.ORGANISATION, name=f"机构{n}", identifier=t.valid_uscc(n + 1))
    paginator = lists.CappedPaginator(Subject.objects.order_by("id"), 2)
    assert paginator.count == 3 and not paginator.capped and paginator.num_pages == 2


def test_a_capped_list_says_more_than(client, team, monkeypatch):
    t.drive(team, to=State.FILED)
    t.verified_login(client, team.head)
    assert "1 row" in client.get("/cases/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    monkeypatch.setattr(lists, "COUNT_CAP", 0)
    page = client.get("/cases/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "more than 0 rows" in page
