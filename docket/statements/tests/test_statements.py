"""Statements as Docket's own records: stored once under races, read only where they belong, searched by the
regulator, and counted toward the order whose item they name."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from docket import testing as t
from docket.api.tests.conftest import api_as
from docket.audit.models import AuditEntry
from docket.measures import services as ms
from docket.measures.models import Measure, MeasureTarget, TargetStatus
from docket.officers.models import Officer, Role
from docket.statements.models import Statement
from docket.statements.services import StatementsRefused, item_id_of, statement_store, statements_store
from docket.statements.tests.conftest import platform_client, required
from docket.subjects.models import Kind, Subject

ONE = "/api/v1/statement"
MANY = "/api/v1/statements"
TAKEN = dt.date(2024, 12, 2)


def accounts(key, n):
    return Subject.objects.bulk_create(
        [Subject(kind=Kind.ACCOUNT, name=f"{key}{i}", identifier=f"{key}{i}", platform=key) for i in range(n)]
    )


def order_to(team, client, subjects):
    return ms.measure_record(
        actor=team.a,
        type="account_closure_order",
        taken_on=TAKEN,
        subjects=subjects,
        addressee=client.platform,
        now=t.NOW,
        details={"grounds": "发布违法信息"},
    )


# --- races (PostgreSQL) ------------------------------------------------------------------------------------------


@pytest.mark.race("statement_store")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_race_twenty_copies_of_one_statement_store_one(tree):
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL")
    pk = platform_client().pk
    results = t.race(
        lambda i: statement_store(actor=Officer.objects.get(pk=pk), data=required(puid="same"), now=timezone.now())
    )
    wins = [r for r in results if isinstance(r, Statement)]
    assert len(wins) == 1, results
    losers = [r for r in results if not isinstance(r, Statement)]
    assert len(losers) == t.RACERS - 1
    assert all(isinstance(r, StatementsRefused) and r.extra == {"existing": {"puid": "same"}} for r in losers), losers
    assert Statement.objects.filter(puid="same").count() == 1
    assert AuditEntry.objects.filter(action="statement.store").count() == 1


@pytest.mark.race("statements_store")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_race_twenty_overlapping_batches_store_each_puid_once(tree):
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL")
    pk = platform_client().pk
    # Every batch shares "shared" and has one puid of its own: all or nothing means exactly one batch wins.
    results = t.race(
        lambda i: statements_store(
            actor=Officer.objects.get(pk=pk),
            data={"statements": [required(puid="shared"), required(puid=f"own-{i}")]},
            now=timezone.now(),
        )
    )
    wins = [r for r in results if isinstance(r, list)]
    assert len(wins) == 1, results
    assert all(
        isinstance(r, StatementsRefused) and r.by_field["existing_puids"] == ["shared"]
        for r in results
        if not isinstance(r, list)
    ), results
    assert Statement.objects.count() == 2
    assert AuditEntry.objects.filter(action="statements.store").count() == 1


# --- who reads what --------------------------------------------------------------------------------------------


@pytest.mark.jurisdiction("statement_store")
@pytest.mark.jurisdiction("statements_store")
def test_a_platform_reads_only_its_own_statements(db):
    weibo, douyin = platform_client("weibo"), platform_client("douyin")
    mine = api_as(weibo).post(ONE, required(puid="p1"), format="json").json()
    theirs = api_as(douyin)
    assert theirs.get(f"{ONE}/{mine['uuid']}").status_code == 404
    assert theirs.get(f"{ONE}/existing-puid/p1").status_code == 404
    assert theirs.get(f"{MANY}/").json()["results"] == []
    # The same puid is another platform's own: both are stored.
    assert theirs.post(ONE, required(puid="p1"), format="json").status_code == 201
    assert api_as(weibo).get(f"{ONE}/{mine['uuid']}").status_code == 200
    assert [s["uuid"] for s in api_as(weibo).get(f"{MANY}/").json()["results"]] == [mine["uuid"]]


def test_the_regulator_reads_the_statements_of_the_platforms_it_gave_orders_to(tree, team):
    weibo, douyin = platform_client("weibo"), platform_client("douyin")
    order_to(team, weibo, accounts("weibo", 1))
    mine = api_as(weibo).post(ONE, required(puid="w1"), format="json").json()
    api_as(douyin).post(ONE, required(puid="d1"), format="json")

    hz = api_as(team.head)  # the office that gave the order
    assert [s["puid"] for s in hz.get(f"{MANY}/").json()["results"]] == ["w1"]
    assert hz.get(f"{ONE}/{mine['uuid']}").status_code == 200
    national = api_as(t.officer(tree.national, Role.INSPECTOR))
    assert [s["puid"] for s in national.get(f"{MANY}/").json()["results"]] == ["w1"]
    sibling = api_as(t.officer(tree.nb, Role.OFFICE_HEAD, Role.CASE_OFFICER))
    assert sibling.get(f"{MANY}/").json()["results"] == []
    assert sibling.get(f"{ONE}/{mine['uuid']}").status_code == 404
    statistician = api_as(t.officer(tree.hz, Role.STATISTICIAN))
    assert statistician.get(f"{MANY}/").json()["results"] == []


def test_the_regulator_s_list_filters(tree, team):
    weibo = platform_client("weibo")
    order_to(team, weibo, accounts("weibo", 1))
    client = api_as(weibo)
    client.post(ONE, required(puid="a", category="STATEMENT_CATEGORY_VIOLENCE"), format="json")
    client.post(ONE, required(puid="b", application_date="2024-01-05"), format="json")
    hz = api_as(team.head)
    assert [s["puid"] for s in hz.get(f"{MANY}/?category=STATEMENT_CATEGORY_VIOLENCE").json()["results"]] == ["a"]
    assert [s["puid"] for s in hz.get(f"{MANY}/?applied_from=2024-01-01").json()["results"]] == ["b"]
    assert [s["puid"] for s in hz.get(f"{MANY}/?puid=b").json()["results"]] == ["b"]
    assert hz.get(f"{MANY}/?category=NOPE").json()["results"] == []
    assert [s["puid"] for s in hz.get(f"{MANY}/").json()["results"]] == ["b", "a"]  # newest first


# --- statements that report on an order ------------------------------------------------------------------------


def test_a_statement_naming_an_order_s_item_counts_toward_the_order(tree, team):
    weibo = platform_client("weibo")
    targets = accounts("weibo", 3)
    order = order_to(team, weibo, targets)
    client = api_as(weibo)
    body = client.post(
        ONE,
        required(puid="sor-1", docket_order=order.pk, docket_target="weibo1", application_date="2024-12-03"),
        format="json",
    ).json()
    assert body["docket_order"] == order.pk and body["docket_target"] == "weibo1"
    assert MeasureTarget.objects.get(measure=order, subject=targets[1]).status == TargetStatus.DONE
    assert Measure.objects.get(pk=order.pk).quantity == 1
    from docket.platforms.models import ReportedItem

    assert ReportedItem.objects.get(measure=order).item_id == "sor-1"

    batch = [
        required(puid="sor-2", docket_order=order.pk, docket_target="weibo0", application_date="2024-12-03"),
        required(puid="sor-3", docket_order=str(order.pk), docket_target="weibo2", application_date="2024-12-04"),
        required(puid="sor-4"),
    ]
    assert client.post(MANY, {"statements": batch}, format="json").status_code == 201
    assert Measure.objects.get(pk=order.pk).quantity == 3


def test_a_statement_naming_a_wrong_order_or_item_is_refused_whole(tree, team):
    weibo, douyin = platform_client("weibo"), platform_client("douyin")
    order = order_to(team, weibo, accounts("weibo", 2))
    other = order_to(team, douyin, accounts("douyin", 1))
    client = api_as(weibo)

    body = client.post(ONE, required(docket_order=other.pk, docket_target="douyin0"), format="json").json()
    assert body["errors"] == {"docket_order": [f"No order {other.pk} is addressed to your platform."]}
    body = client.post(ONE, required(docket_order=order.pk), format="json").json()
    assert body["errors"] == {"docket_target": ["The docket target field is required when docket order is present."]}
    body = client.post(
        ONE, required(docket_order=order.pk, docket_target="nobody", application_date="2024-12-03"), format="json"
    ).json()
    assert body["errors"] == {"docket_target": ["Not a target of this order."]}
    body = client.post(
        ONE, required(docket_order=order.pk, docket_target="weibo0", application_date="2024-11-01"), format="json"
    ).json()
    assert list(body["errors"]) == ["application_date"]

    batch = [
        required(puid="ok", docket_order=order.pk, docket_target="weibo0", application_date="2024-12-03"),
        required(puid="bad", docket_order=order.pk, docket_target="nobody", application_date="2024-12-03"),
    ]
    body = client.post(MANY, {"statements": batch}, format="json").json()
    assert body == {"errors": {"statement_1": {"docket_target": ["Not a target of this order."]}}}
    assert Statement.objects.count() == 0
    assert Measure.objects.get(pk=order.pk).quantity in (None, 0)


def test_a_long_puid_is_one_item_id_of_the_channel_s_length():
    assert item_id_of("short") == "short"
    long = "x" * 400
    assert item_id_of(long) == item_id_of(long) != item_id_of("y" * 400)
    assert len(item_id_of(long)) <= 100


def test_one_audit_entry_per_call_naming_every_puid(api):
    api.post(MANY, {"statements": [required(puid=f"p{i}") for i in range(3)]}, format="json")
    entry = AuditEntry.objects.get(action="statements.store")
    assert entry.detail == {"count": 3, "puids": ["p0", "p1", "p2"]}
