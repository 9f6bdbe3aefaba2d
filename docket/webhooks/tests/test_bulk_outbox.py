"""Every writer of an order addressed to a platform writes its push: the measures import in bulk (one INSERT of
pushes per batch), a correction and a deletion of an order one by one."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from docket.measures import outbox as port
from docket.measures.imports import measures_import
from docket.measures.models import Measure
from docket.measures.services import measure_correct, measure_delete
from docket.officers.actors import SYSTEM
from docket.webhooks import outbox
from docket.webhooks.models import Event, OutboxMessage
from docket.webhooks.services import webhook_endpoint_disable, webhook_endpoint_set
from docket.webhooks.tests.conftest import platform
from docket.webhooks.tests.test_webhooks import NOW, order

IMPORTED = dt.datetime(2024, 12, 31, 8, 0, tzinfo=dt.UTC)
HEADER = "office_code,date,measure,subject_kind,subject_identifier,subject_name,subject_platform,quantity\n"


def _csv(rows):
    return (HEADER + "".join(r + "\n" for r in rows)).encode()


def _orders(org, n, office="330100"):
    return [
        f"{office},2024-{1 + i % 12:02d}-{1 + i % 28:02d},account_closure_order,organisation,{org.identifier},,,{i + 1}"
        for i in range(n)
    ]


def test_the_port_and_the_outbox_know_the_same_events():
    assert set(port.EVENTS) == set(Event.values)


def test_an_import_of_orders_writes_their_pushes_in_one_insert_per_batch(tree, monkeypatch):
    weibo, douyin, quiet = platform("weibo"), platform("douyin"), platform("kuaishou")
    webhook_endpoint_set(actor=SYSTEM, platform=weibo, url="https://weibo.example/in", now=NOW)
    webhook_endpoint_set(actor=SYSTEM, platform=douyin, url="https://douyin.example/in", now=NOW)
    monkeypatch.setattr(outbox, "BATCH", 4)
    rows = _orders(weibo, 6) + _orders(douyin, 3) + _orders(quiet, 2)
    # A measure not addressed to anyone is not an order to push.
    rows.append("330100,2024-03-01,website_closure,website,known.example.cn,,,")
    with CaptureQueriesContext(connection) as queries:
        measures_import(actor=None, system=True, data=_csv(rows), now=IMPORTED)
    inserts = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "webhooks_outboxmessage"')
    ]
    # Nine orders to platforms with an endpoint, in batches of four: three INSERTs (PostgreSQL takes each whole;
    # SQLite's bound on parameters is far above four rows).
    assert len(inserts) == 3
    pushed = OutboxMessage.objects.select_related("endpoint").order_by("id")
    assert sorted(m.endpoint.platform_id for m in pushed) == sorted([weibo.pk] * 6 + [douyin.pk] * 3)
    assert {m.event for m in pushed} == {"order.created"}
    assert {m.created_at for m in pushed} == {IMPORTED} and {m.next_attempt_at for m in pushed} == {IMPORTED}
    by_order = {m.payload["order"]["id"]: m.payload["order"] for m in pushed}
    imported = Measure.objects.filter(addressee__in=[weibo, douyin])
    assert set(by_order) == set(imported.values_list("pk", flat=True))
    first = imported.filter(addressee=weibo).order_by("quantity").first()
    assert by_order[first.pk] == {
        "id": first.pk,
        "type": "account_closure_order",
        "taken_on": first.taken_on.isoformat(),
        "due_on": None,
        "office": "330100",
        "addressee": weibo.pk,
        "legal_basis": "",
        "items_count": 0,
        "items_complete": True,
        "items": [],
    }


def test_an_import_with_no_endpoint_costs_one_query_and_writes_nothing(tree):
    weibo = platform("weibo")
    with CaptureQueriesContext(connection) as queries:
        measures_import(actor=None, system=True, data=_csv(_orders(weibo, 5)), now=IMPORTED)
    assert Measure.objects.filter(addressee=weibo).count() == 5 and not OutboxMessage.objects.exists()
    asked = [q["sql"] for q in queries.captured_queries if "webhooks_" in q["sql"]]
    assert len(asked) == 1, asked


def test_a_disabled_endpoint_gets_no_push(team):
    org = platform()
    webhook_endpoint_set(actor=SYSTEM, platform=org, url="https://weibo.example/in", now=NOW)
    webhook_endpoint_disable(actor=SYSTEM, platform=org, now=NOW)
    order(team, org)
    assert not OutboxMessage.objects.exists()


def test_a_correction_and_a_deletion_of_an_order_are_pushed(team):
    org = platform()
    webhook_endpoint_set(actor=SYSTEM, platform=org, url="https://weibo.example/in", now=NOW)
    measure = order(team, org, n=3)
    later = NOW + dt.timedelta(hours=1)
    kept = list(measure.subjects.order_by("id")[:2])
    measure_correct(actor=team.head, measure=measure, reason="录入有误", subjects=kept, now=later)
    changed = OutboxMessage.objects.get(event="order.changed")
    assert changed.created_at == later and changed.payload["order"]["items_count"] == 2
    assert [i["identifier"] for i in changed.payload["order"]["items"]] == ["weibo-u0", "weibo-u1"]
    gone = NOW + dt.timedelta(hours=2)
    pk = measure.pk
    measure_delete(actor=team.head, measure=measure, reason="重复录入", now=gone)
    withdrawn = OutboxMessage.objects.get(event="order.withdrawn")
    assert withdrawn.created_at == gone and withdrawn.payload["order"]["id"] == pk
    assert not Measure.objects.filter(pk=pk).exists()
    assert list(OutboxMessage.objects.order_by("id").values_list("event", flat=True)) == [
        "order.created",
        "order.changed",
        "order.withdrawn",
    ]


def test_a_correction_of_a_measure_with_no_addressee_pushes_nothing(team):
    org = platform()
    webhook_endpoint_set(actor=SYSTEM, platform=org, url="https://weibo.example/in", now=NOW)
    from docket.measures.services import measure_record

    interview = measure_record(
        actor=team.head,
        type="interview",
        taken_on=NOW.date(),
        subjects=[org],
        now=NOW,
        details={"reason": "r", "time": "t", "place": "p", "attendees": "a"},
    )
    measure_correct(actor=team.head, measure=interview, reason="日期", taken_on=NOW.date(), now=NOW)
    assert not OutboxMessage.objects.exists()


def test_a_large_order_pushes_its_first_items_and_says_how_many(team, monkeypatch):
    monkeypatch.setattr(outbox, "PUSHED_ITEMS", 3)
    org = platform()
    webhook_endpoint_set(actor=SYSTEM, platform=org, url="https://weibo.example/in", now=NOW)
    big, small = order(team, org, n=5), order(team, org, n=2)
    payloads = outbox.payloads([big.pk, small.pk])
    assert payloads[big.pk]["order"]["items_count"] == 5 and not payloads[big.pk]["order"]["items_complete"]
    assert len(payloads[big.pk]["order"]["items"]) == 3
    assert payloads[small.pk]["order"]["items_count"] == 2 and payloads[small.pk]["order"]["items_complete"]


def test_an_unknown_event_is_refused_by_the_port(db):
    with pytest.raises(ValueError, match="unknown order event"):
        port.orders_addressed([(1, 2)], event="order.lost", now=NOW)
    assert port.orders_addressed([], now=NOW) == 0
