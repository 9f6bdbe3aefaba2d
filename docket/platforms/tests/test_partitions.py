import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction

from docket import testing as t
from docket.platforms.models import ReportedItem
from docket.platforms.partitions import ensure_partition, existing_partitions, month_of, partition_name
from docket.platforms.services import order_items_report
from docket.platforms.tests.conftest import accounts, client_of, order

D = dt.date
DEC = D(2024, 12, 1)
JAN = dt.datetime(2025, 1, 2, 3, 0, tzinfo=dt.UTC)
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="partitioning is PostgreSQL's")
sqlite_only = pytest.mark.skipif(connection.vendor == "postgresql", reason="the plain table of SQLite")


def _items(*ns, outcome="disposed"):
    return [{"item_id": f"wb-{n}", "target": f"weibo{n}", "outcome": outcome, "on": "2024-12-04"} for n in ns]


def _count(table):
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - a partition's name made by the test
        return cursor.fetchone()[0]


def _row(platform, measure, subject, item_id="dup", outcome="disposed", reason="", month=DEC):
    return ReportedItem(
        platform=platform,
        measure=measure,
        subject=subject,
        item_id=item_id,
        outcome=outcome,
        reason=reason,
        on=D(2024, 12, 4),
        received_at=t.NOW,
        month=month,
    )


def test_the_month_is_the_utc_month_of_reception():
    # 00:30 in Beijing on 1 January is still December in UTC.
    assert month_of(dt.datetime(2024, 12, 31, 16, 30, tzinfo=dt.UTC)) == D(2024, 12, 1)
    assert month_of(JAN) == D(2025, 1, 1)
    assert partition_name(D(2025, 1, 1)) == "platforms_reporteditem_p202501"


@postgres_only
def test_the_table_is_partitioned_by_month_and_months_are_made_on_demand(team, weibo):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT partstrat FROM pg_partitioned_table WHERE partrelid = 'platforms_reporteditem'::regclass"
        )
        assert cursor.fetchone() == ("r",)
    o = order(team, weibo, accounts("weibo", 5))
    client = client_of(weibo)
    order_items_report(actor=client, measure=o, items=_items(0, 1), now=t.NOW)
    assert _count("platforms_reporteditem_p202412") == 2
    # January: a new partition; an item id stored in December is still found (a replay, not stored again).
    result = order_items_report(actor=client, measure=o, items=_items(0, 1, 2), now=JAN)
    assert (result.stored, result.already_stored) == (1, [0, 1])
    assert _count("platforms_reporteditem_p202501") == 1 and ReportedItem.objects.count() == 3
    names = [name for name, _bound in existing_partitions()]
    assert {"platforms_reporteditem_p202412", "platforms_reporteditem_p202501"} <= set(names)
    assert ensure_partition(D(2025, 1, 1)) is False


@postgres_only
def test_the_database_keeps_an_item_id_once_a_month_and_the_rows_as_received(team, weibo):
    o = order(team, weibo, accounts("weibo", 2))
    target = o.targets.first().subject
    ensure_partition(D(2024, 12, 1))
    ensure_partition(D(2025, 1, 1))
    _row(weibo, o, target).save(force_insert=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(weibo, o, target).save(force_insert=True)
    # The partition key is in every unique index: across months it is the service that finds the id (above).
    _row(weibo, o, target, month=D(2025, 1, 1)).save(force_insert=True)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ReportedItem.objects.filter(item_id="dup").update(reason="changed")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ReportedItem.objects.filter(item_id="dup").delete()
    with pytest.raises(IntegrityError, match="reported_item_refusal_has_reason"), transaction.atomic():
        _row(weibo, o, target, item_id="r", outcome="refused").save(force_insert=True)
    with pytest.raises(IntegrityError, match="reported_item_month_first_day"), transaction.atomic():
        _row(weibo, o, target, item_id="m", month=D(2024, 12, 2)).save(force_insert=True)
    with pytest.raises(IntegrityError, match="reported_item_outcome_known"), transaction.atomic():
        _row(weibo, o, target, item_id="o", outcome="lost").save(force_insert=True)
    assert ReportedItem.objects.count() == 2


@postgres_only
def test_the_command_adds_the_coming_months(db):
    out = io.StringIO()
    call_command("platform", "partitions", "--ahead", "3", stdout=out)
    made = [line for line in out.getvalue().splitlines() if line.startswith("added ")]
    assert len(made) == 4
    again = io.StringIO()
    call_command("platform", "partitions", "--ahead", "3", stdout=again)
    assert not [line for line in again.getvalue().splitlines() if line.startswith("added ")]
    assert len(existing_partitions()) >= 4


@sqlite_only
def test_sqlite_keeps_one_table_with_the_same_constraints(team, weibo):
    out = io.StringIO()
    call_command("platform", "partitions", "--ahead", "3", stdout=out)
    assert "nothing to add" in out.getvalue()
    o = order(team, weibo, accounts("weibo", 2))
    target = o.targets.first().subject
    _row(weibo, o, target).save(force_insert=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(weibo, o, target).save(force_insert=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(weibo, o, target, item_id="r", outcome="refused").save(force_insert=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(weibo, o, target, item_id="m", month=D(2024, 12, 2)).save(force_insert=True)
    client = client_of(weibo)
    result = order_items_report(actor=client, measure=o, items=_items(0, 1), now=JAN)
    assert result.stored == 2 and ReportedItem.objects.count() == 3


@postgres_only
def test_the_database_refuses_an_item_about_a_subject_the_order_does_not_aim_at(team, weibo):
    o = order(team, weibo, accounts("weibo", 2))
    other = order(team, weibo, accounts("weibo", 1, start=2))
    stranger = other.targets.get().subject
    ensure_partition(DEC)
    with pytest.raises(IntegrityError, match="reported_item_target_fk"), transaction.atomic():
        _row(weibo, o, stranger).save(force_insert=True)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    # A target of the order is taken; and a reported target cannot leave its order behind the service's back.
    _row(weibo, o, o.targets.first().subject).save(force_insert=True)
    with pytest.raises(IntegrityError, match="reported_item_target_fk"), transaction.atomic():
        o.targets.all().delete()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
