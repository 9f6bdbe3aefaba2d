import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from docket import testing as t
from docket.api.tests.conftest import api_as
from docket.audit.models import AuditEntry, Outcome
from docket.cases.models import State
from docket.measures import services as ms
from docket.measures.models import Measure
from docket.officers.models import Role
from docket.platforms.tests.conftest import TAKEN, accounts, client_of, order

D = dt.date
PROBLEM = "application/problem+json"


@pytest.fixture
def orders(team, weibo, douyin):
    """Three orders to Weibo (the last one answered in full) and one to Douyin."""
    wb = [
        order(team, weibo, accounts("weibo", 3, start=10 * i), taken_on=TAKEN + dt.timedelta(days=i)) for i in range(3)
    ]
    dy = order(team, douyin, accounts("douyin", 2))
    client = client_of(weibo)
    answer = api_as(client).post(
        f"/api/v1/orders/{wb[2].pk}/reports/",
        {
            "items": [
                {"item_id": f"x{i}", "target": f"weibo{20 + i}", "outcome": "disposed", "on": "2024-12-05"}
                for i in range(3)
            ]
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content
    return type("Orders", (), {"weibo": wb, "douyin": dy, "client": client})


def _absent(response):
    assert response.status_code == 404, response.content
    assert response["Content-Type"].startswith(PROBLEM)


def test_open_orders_newest_first_with_a_cursor(orders):
    api = api_as(orders.client)
    page = api.get("/api/v1/orders/?page_size=1")
    assert page.status_code == 200
    first = page.json()
    assert [o["id"] for o in first["results"]] == [orders.weibo[1].pk]
    row = first["results"][0]
    assert (row["ordered"], row["outstanding"], row["type"], row["office"]["code"]) == (
        3,
        3,
        "account_closure_order",
        "330100",
    )
    # The clock: three working days from Tuesday 3 December.
    assert row["deadline"] == "2024-12-06"
    second = api.get(first["next"]).json()
    assert [o["id"] for o in second["results"]] == [orders.weibo[0].pk] and second["next"] is None
    every = api.get("/api/v1/orders/?state=all").json()["results"]
    assert [o["id"] for o in every] == [o.pk for o in reversed(orders.weibo)]


def test_an_order_with_its_reconciliation(orders):
    api = api_as(orders.client)
    done = api.get(f"/api/v1/orders/{orders.weibo[2].pk}/").json()
    assert done["reconciliation"] == {
        "ordered": 3,
        "disposed": 3,
        "refused": 0,
        "not_found": 0,
        "outstanding": 0,
        "deadline": "2024-12-09",
        "overdue": False,
    }
    waiting = api.get(f"/api/v1/orders/{orders.weibo[0].pk}/").json()["reconciliation"]
    assert waiting["outstanding"] == 3 and waiting["deadline"] == "2024-12-05" and waiting["overdue"] is True
    items = api.get(f"/api/v1/orders/{orders.weibo[0].pk}/items/?status=ordered").json()["results"]
    assert [i["target"] for i in items] == ["weibo0", "weibo1", "weibo2"]
    reported = api.get(f"/api/v1/orders/{orders.weibo[2].pk}/reports/").json()["results"]
    assert [(r["item_id"], r["target"], r["outcome"]) for r in reported] == [
        ("x0", "weibo20", "disposed"),
        ("x1", "weibo21", "disposed"),
        ("x2", "weibo22", "disposed"),
    ]


def test_another_platform_and_an_officer_find_no_order(orders, team, douyin):
    other = api_as(client_of(douyin))
    officer = api_as(team.head)
    target = orders.weibo[0]
    for api in (other, officer):
        for path in ["", "items/", "reports/"]:
            _absent(api.get(f"/api/v1/orders/{target.pk}/{path}"))
        _absent(
            api.post(
                f"/api/v1/orders/{target.pk}/reports/",
                {"items": [{"item_id": "z", "target": "weibo0", "outcome": "disposed", "on": "2024-12-04"}]},
                format="json",
            )
        )
    _absent(officer.get("/api/v1/orders/"))
    assert [o["id"] for o in other.get("/api/v1/orders/").json()["results"]] == [orders.douyin.pk]
    _absent(other.get("/api/v1/orders/999999/"))
    assert Measure.objects.get(pk=target.pk).targets.filter(status="ordered").count() == 3
    # A platform's refused look at another's order is on record.
    assert AuditEntry.objects.filter(outcome=Outcome.DENIED, action="measures.measure.read").exists()


def test_a_platform_finds_nothing_of_the_officers_api(orders, team):
    case = t.drive(team, to=State.FILED)
    measure = orders.weibo[0]
    api = api_as(orders.client)
    paths = [
        "offices/",
        "cases/",
        f"cases/{case.ref}/",
        "clues/",
        f"clues/{case.clue.ref}/",
        "subjects/",
        f"subjects/{measure.addressee_id}/",
        "measures/",
        f"measures/{measure.pk}/",
        "figures/?year=2024",
        f"audit/measure/{measure.pk}/",
    ]
    for path in paths:
        _absent(api.get(f"/api/v1/{path}"))
    _absent(api.post(f"/api/v1/cases/{case.ref}/steps/assign/", {}, format="json"))
    # The same paths are there for an officer.
    assert api_as(team.head).get(f"/api/v1/cases/{case.ref}/").status_code == 200


def test_a_platform_client_without_its_role_or_binding_is_refused(orders, weibo):
    unbound = t.officer(None, Role.PLATFORM, certified=False)
    _absent(api_as(unbound).get("/api/v1/orders/"))
    _absent(api_as(unbound).get("/api/v1/cases/"))


def test_query_counts_hold(orders, team, weibo):
    for i in range(5):
        order(team, weibo, accounts("weibo", 2, start=100 + 10 * i))
    api = api_as(orders.client)
    api.get("/api/v1/orders/")  # the token's last use is written once a minute: not in the counts below
    counts = {}
    for path in ["orders/", f"orders/{orders.weibo[0].pk}/", f"orders/{orders.weibo[0].pk}/items/"]:
        with CaptureQueriesContext(connection) as queries:
            assert api.get(f"/api/v1/{path}").status_code == 200
        counts[path.split("/")[-2] if path.count("/") > 2 else path] = len(queries)
    assert counts == {"orders/": 6, f"orders/{orders.weibo[0].pk}/": 7, "items": 3}, counts


def test_a_rectification_order_addressed_to_the_platform_is_listed(team, weibo):
    rect = ms.measure_record(
        actor=team.a, type="rectification_order", taken_on=TAKEN, subjects=[weibo], due_on=D(2024, 12, 20), now=t.NOW
    )
    Measure.objects.filter(pk=rect.pk).update(addressee=weibo)
    client = client_of(weibo)
    rows = api_as(client).get("/api/v1/orders/").json()["results"]
    assert [(r["id"], r["deadline"]) for r in rows] == [(rect.pk, "2024-12-20")]
