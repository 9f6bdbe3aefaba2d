"""An item a platform reports not found has its own status (``not_found``): not a refusal, counted apart in the
order's reconciliation, its list of items and the measure page's counts by status."""

import datetime as dt
import importlib

import pytest
from django.db import connection

from docket import testing as t
from docket.api.tests.conftest import api_as
from docket.measures.models import Measure, MeasureTarget, TargetStatus
from docket.platforms.queries import open_orders, order_items, order_reconciliation
from docket.platforms.services import order_items_report
from docket.platforms.tests.conftest import _fresh_limits, accounts, client_of, order, platform  # noqa: F401 - autouse

D = dt.date
REPORTED = dt.datetime(2024, 12, 10, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def weibo(db):
    return platform("微博", "weibo")


def _item(n, target, outcome, reason=""):
    return {"item_id": f"nf-{n}", "target": target, "outcome": outcome, "on": "2024-12-04", "reason": reason}


def _reported(team, weibo):
    o = order(team, weibo, accounts("weibo", 5))
    items = [_item(0, "weibo0", "disposed"), _item(1, "weibo1", "refused", "法院冻结"), _item(2, "weibo2", "not_found")]
    order_items_report(actor=client_of(weibo), measure=o, items=items, now=REPORTED)
    return Measure.objects.get(pk=o.pk)


def test_an_item_not_found_takes_its_own_status_and_is_counted_apart(team, weibo):
    o = _reported(team, weibo)
    statuses = dict(MeasureTarget.objects.filter(measure=o).values_list("subject__identifier", "status"))
    assert [statuses[f"weibo{i}"] for i in range(5)] == ["done", "refused", "not_found", "ordered", "ordered"]
    rec = order_reconciliation(o, on=D(2024, 12, 31))
    assert (rec.ordered, rec.disposed, rec.refused, rec.not_found, rec.outstanding) == (5, 1, 1, 1, 2)
    assert [t.subject.identifier for t in order_items(o, status=TargetStatus.NOT_FOUND)] == ["weibo2"]
    assert o.quantity == 1
    # The platform filters its order's items by the new status too.
    api = api_as(client_of(weibo))
    found = api.get(f"/api/v1/orders/{o.pk}/items/?status=not_found")
    assert found.status_code == 200 and [i["target"] for i in found.json()["results"]] == ["weibo2"]
    assert found.json()["results"][0]["status"] == "not_found"
    detail = api.get(f"/api/v1/orders/{o.pk}/").json()["reconciliation"]
    assert (detail["refused"], detail["not_found"], detail["outstanding"]) == (1, 1, 2)


def test_an_order_answered_with_not_found_is_no_longer_open(team, weibo):
    o = order(team, weibo, accounts("weibo", 2))
    items = [_item(0, "weibo0", "not_found"), _item(1, "weibo1", "not_found")]
    order_items_report(actor=client_of(weibo), measure=o, items=items, now=REPORTED)
    assert not open_orders(Measure.objects.filter(pk=o.pk)).exists()
    rec = order_reconciliation(Measure.objects.get(pk=o.pk), on=D(2024, 12, 31))
    assert (rec.not_found, rec.outstanding, rec.overdue) == (2, 0, False)


def test_an_item_not_found_and_found_later_is_disposed(team, weibo):
    o = _reported(team, weibo)
    later = [{"item_id": "nf-later", "target": "weibo2", "outcome": "disposed", "on": "2024-12-09"}]
    order_items_report(actor=client_of(weibo), measure=o, items=later, now=REPORTED)
    rec = order_reconciliation(Measure.objects.get(pk=o.pk), on=D(2024, 12, 31))
    assert (rec.disposed, rec.not_found) == (2, 0) and Measure.objects.get(pk=o.pk).quantity == 2


def test_the_measure_page_counts_the_items_not_found(client, team, weibo):
    o = _reported(team, weibo)
    t.verified_login(client, team.a)
    response = client.get(f"/measures/{o.pk}/")
    assert response.status_code == 200
    counts = {str(label): n for label, n in response.context["target_counts"]}
    assert counts[str(TargetStatus.NOT_FOUND.label)] == 1 and counts[str(TargetStatus.REFUSED.label)] == 1
    html = response.content.decode()
    assert 'data-count="not_found">1<' in html and 'data-count="refused">1<' in html
    assert html.count('class="status-not_found"') == 1


def test_the_migration_tells_the_targets_not_found_from_those_refused(team, weibo):
    """Targets stored before the status existed were left ``refused``: the migration reads the platform's word."""
    o = _reported(team, weibo)
    MeasureTarget.objects.filter(measure=o, status=TargetStatus.NOT_FOUND).update(status=TargetStatus.REFUSED)
    migration = importlib.import_module("docket.measures.migrations.0005_target_not_found")
    with connection.cursor() as cursor:
        cursor.execute(migration.FORWARD)
    statuses = dict(MeasureTarget.objects.filter(measure=o).values_list("subject__identifier", "status"))
    assert (statuses["weibo1"], statuses["weibo2"]) == ("refused", "not_found")
    with connection.cursor() as cursor:
        cursor.execute(migration.BACKWARD)
    assert MeasureTarget.objects.filter(measure=o, status="refused").count() == 2
