import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from docket import testing as t
from docket.api.tests.conftest import api_as
from docket.audit.models import AuditEntry
from docket.core.errors import Denied, InvalidInput
from docket.core.tests.races import assert_absent, fresh, me, tally
from docket.measures import services as ms
from docket.measures.models import Measure, MeasureTarget, TargetStatus
from docket.platforms.models import ReportedItem
from docket.platforms.queries import order_reconciliation
from docket.platforms.services import ReportItem, order_items_report
from docket.platforms.tests.conftest import TAKEN, accounts, client_of, order
from docket.reports.aggregates import cells_rebuild
from docket.reports.models import Cell

D = dt.date
PROBLEM = "application/problem+json"


def _cells():
    return set(
        Cell.objects.exclude(events=0, quantity=0).values_list(
            "scope_id", "grain", "period_start", "campaign_id", "measure_type", "subject_kind", "events", "quantity"
        )
    )


def assert_cells_exact():
    kept = _cells()
    cells_rebuild()
    assert kept == _cells()


def item(n, target, outcome="disposed", on="2024-12-04", reason=""):
    out = {"item_id": f"wb-{n}", "target": target, "outcome": outcome, "on": on}
    if reason:
        out["reason"] = reason
    return out


@pytest.fixture
def setup(team, weibo):
    targets = accounts("weibo", 10)
    o = order(team, weibo, targets)
    return o, client_of(weibo)


def _post(client, o, items, **kw):
    return api_as(client).post(f"/api/v1/orders/{o.pk}/reports/", {"items": items}, format="json", **kw)


def test_a_batch_is_stored_and_the_figures_follow(setup):
    o, client = setup
    items = [item(i, f"weibo{i}") for i in range(6)]
    items += [item(6, "weibo6", "refused", reason="账号已由法院冻结"), item(7, "weibo7", "not_found", reason="已注销")]
    answer = _post(client, o, items)
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["stored"] == 8 and body["already_stored"] == []
    assert (body["disposed"], body["refused"], body["not_found"], body["quantity"]) == (6, 1, 1, 6)
    assert Measure.objects.get(pk=o.pk).quantity == 6
    statuses = dict(MeasureTarget.objects.filter(measure=o).values_list("subject__identifier", "status"))
    assert [statuses[f"weibo{i}"] for i in range(10)] == ["done"] * 6 + ["refused", "not_found", "ordered", "ordered"]
    t6 = MeasureTarget.objects.get(measure=o, subject__identifier="weibo6")
    assert t6.note == "账号已由法院冻结" and t6.done_on == D(2024, 12, 4)
    assert ReportedItem.objects.filter(measure=o).count() == 8
    rec = order_reconciliation(Measure.objects.get(pk=o.pk), on=D(2024, 12, 31))
    assert (rec.ordered, rec.disposed, rec.refused, rec.not_found, rec.outstanding) == (10, 6, 1, 1, 2)
    assert rec.deadline == D(2024, 12, 5) and rec.overdue
    assert AuditEntry.objects.filter(action="measure.platform_items", object_id=str(o.pk)).count() == 1
    assert_cells_exact()
    # The rest: the order is answered in full and no longer overdue.
    answer = _post(client, o, [item(8, "weibo8"), item(9, "weibo9", "not_found")])
    assert answer.status_code == 201 and answer.json()["quantity"] == 7
    rec = order_reconciliation(Measure.objects.get(pk=o.pk), on=D(2024, 12, 31))
    assert (rec.disposed, rec.refused, rec.not_found, rec.outstanding, rec.overdue) == (7, 1, 2, 0, False)
    assert_cells_exact()


def test_a_refused_item_may_be_disposed_later_but_a_disposal_is_final(setup):
    o, client = setup
    assert _post(client, o, [item(1, "weibo1", "refused", reason="需核实"), item(2, "weibo2")]).status_code == 201
    later = _post(client, o, [item(3, "weibo1", on="2024-12-06")])
    assert later.status_code == 201 and later.json()["quantity"] == 2
    again = _post(client, o, [item(4, "weibo2", "refused", reason="反悔")])
    assert again.status_code == 422
    assert again.json()["errors"][0]["index"] == 0 and "final" in again.json()["errors"][0]["message"]
    rec = order_reconciliation(o, on=D(2024, 12, 31))
    assert (rec.disposed, rec.refused, rec.not_found) == (2, 0, 0)
    assert_cells_exact()


def test_every_bad_item_is_named_and_nothing_is_stored(setup):
    o, client = setup
    assert _post(client, o, [item(0, "weibo0")]).status_code == 201
    before = (ReportedItem.objects.count(), list(MeasureTarget.objects.order_by("id").values_list("status", flat=True)))
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    items = [
        item(1, "weibo1"),  # 0: good
        "not an object",  # 1
        {**item(2, "weibo2"), "colour": "red"},  # 2: unknown field
        {"target": "weibo3", "outcome": "disposed", "on": "2024-12-04"},  # 3: no item id
        item(4, "weibo4", outcome="deleted"),  # 4: unknown outcome
        item(5, "weibo5", outcome="refused"),  # 5: refused without a reason
        item(6, "weibo6", on="04/12/2024"),  # 6: not a date
        item(7, "weibo7", on="2024-11-30"),  # 7: before the order
        item(8, "weibo8", on=future),  # 8: in the future
        item(9, "nobody"),  # 9: not a target of the order
        item(1, "weibo9"),  # 10: the item id of item 0
        item(11, "weibo1"),  # 11: the target of item 0
        item(0, "weibo0", "refused", reason="x"),  # 12: an id stored before, with other content
        item(13, "weibo0"),  # 13: a target disposed of before
        {**item(14, "weibo2"), "reason": 5},  # 14: a reason that is not text
    ]
    answer = _post(client, o, items)
    assert answer.status_code == 422 and answer["Content-Type"].startswith(PROBLEM)
    body = answer.json()
    got = {(e["index"], e["item_field"]) for e in body["errors"]}
    assert got == {
        (1, ""),
        (2, "colour"),
        (3, "item_id"),
        (4, "outcome"),
        (5, "reason"),
        (6, "on"),
        (7, "on"),
        (8, "on"),
        (9, "target"),
        (10, "item_id"),
        (11, "target"),
        (12, "item_id"),
        (13, "target"),
        (14, "reason"),
    }
    by_index = {e["index"]: e["message"] for e in body["errors"]}
    assert "Duplicate item id" in by_index[10] and "item 0" in by_index[10]
    assert "twice in this batch" in by_index[11]
    assert "Already stored" in by_index[12]
    assert "14 of the 15 items" in body["detail"]
    assert [e["index"] for e in body["errors"]] == sorted(e["index"] for e in body["errors"])
    after = (ReportedItem.objects.count(), list(MeasureTarget.objects.order_by("id").values_list("status", flat=True)))
    assert after == before


@pytest.mark.parametrize("body", [{"items": []}, {"items": {"a": 1}}, {}, [1, 2]])
def test_a_batch_is_1_to_1000_items(setup, body):
    o, client = setup
    answer = api_as(client).post(f"/api/v1/orders/{o.pk}/reports/", body, format="json")
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "items"


def test_more_than_1000_items_are_refused(setup):
    o, client = setup
    answer = _post(client, o, [item(i, "weibo1") for i in range(1001)])
    assert answer.status_code == 422 and answer.json()["errors"] == [
        {"field": "items", "label": "Items", "message": "Send 1 to 1000 items."}
    ]


def test_a_batch_sent_again_is_stored_once(setup):
    o, client = setup
    items = [item(i, f"weibo{i}") for i in range(3)]
    first = _post(client, o, items)
    assert first.status_code == 201 and first.json()["stored"] == 3
    again = _post(client, o, items)
    assert again.status_code == 200, again.content
    assert again.json()["stored"] == 0
    assert again.json()["already_stored"] == [{"index": i, "item_id": f"wb-{i}"} for i in range(3)]
    # Replays beside new items: the new ones are stored, the replays named.
    mixed = _post(client, o, [*items, item(3, "weibo3")])
    assert mixed.status_code == 201 and mixed.json()["stored"] == 1 and len(mixed.json()["already_stored"]) == 3
    assert ReportedItem.objects.count() == 4 and Measure.objects.get(pk=o.pk).quantity == 4
    assert AuditEntry.objects.filter(action="measure.platform_items").count() == 2
    assert_cells_exact()


def test_idempotency_key_replays_the_answer(setup):
    o, client = setup
    api = api_as(client)
    body = {"items": [item(1, "weibo1")]}
    first = api.post(f"/api/v1/orders/{o.pk}/reports/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    second = api.post(f"/api/v1/orders/{o.pk}/reports/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == second.status_code == 201 and second["Idempotent-Replayed"] == "true"
    assert first.json() == second.json() and ReportedItem.objects.count() == 1


def test_the_service_takes_items_as_objects_and_other_order_types(team, weibo):
    app = accounts("weibo", 1)[0]
    o = order(team, weibo, [app])
    client = client_of(weibo)
    result = order_items_report(
        actor=client,
        measure=o,
        items=[ReportItem(item_id="x1", target="account:weibo0", outcome="disposed", on=TAKEN)],
        now=t.NOW,
    )
    assert result.stored == 1 and result.quantity == 1
    with pytest.raises(Denied):
        order_items_report(actor=team.a, measure=o, items=[], now=t.NOW)
    # A rectification order addressed to a platform: statuses follow, its quantity (not counted) does not.
    rect = ms.measure_record(
        actor=team.a, type="rectification_order", taken_on=TAKEN, subjects=[weibo], due_on=D(2024, 12, 20), now=t.NOW
    )
    Measure.objects.filter(pk=rect.pk).update(addressee=weibo)
    rect = Measure.objects.get(pk=rect.pk)
    result = order_items_report(
        actor=client,
        measure=rect,
        items=[{"item_id": "r1", "target": weibo.identifier, "outcome": "disposed", "on": "2024-12-10"}],
        now=t.NOW,
    )
    assert result.stored == 1 and Measure.objects.get(pk=rect.pk).quantity is None
    rec = order_reconciliation(rect, on=D(2024, 12, 31))
    assert (rec.ordered, rec.disposed, rec.outstanding, rec.deadline, rec.overdue) == (1, 1, 0, D(2024, 12, 20), False)
    assert_cells_exact()


def test_the_same_identifier_twice_in_an_order_is_named_by_kind(team, weibo):
    from docket.subjects.models import Subject

    acc = Subject.objects.create(kind="account", name="a", identifier="same", platform="weibo")
    room = Subject.objects.create(kind="live_room", name="r", identifier="same", platform="weibo")
    o = order(team, weibo, [acc, room])
    client = client_of(weibo)
    with pytest.raises(InvalidInput, match="kind:identifier"):
        order_items_report(actor=client, measure=o, items=[item(1, "same")], now=t.NOW)
    order_items_report(actor=client, measure=o, items=[item(1, "live_room:same")], now=t.NOW)
    assert MeasureTarget.objects.get(measure=o, subject=room).status == TargetStatus.DONE
    assert MeasureTarget.objects.get(measure=o, subject=acc).status == TargetStatus.ORDERED


@pytest.mark.jurisdiction("order_items_report")
def test_another_platforms_order_does_not_exist(team, weibo, douyin):
    o = order(team, weibo, accounts("weibo", 2))
    assert_absent(
        lambda: order_items_report(actor=client_of(douyin), measure=o, items=[item(1, "weibo1")], now=t.NOW), o
    )
    sibling = t.officer(team.office.parent.children.exclude(pk=team.office.pk).first() or team.office, "case_officer")
    with pytest.raises(Denied):
        order_items_report(actor=sibling, measure=o, items=[item(1, "weibo1")], now=t.NOW)
    assert not ReportedItem.objects.exists()


@pytest.mark.race("order_items_report")
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_batch_sent_twenty_times_at_once_is_stored_once(tree):
    from docket.platforms.tests.conftest import platform

    team = t.Team(tree.hz)
    org = platform("微博", "weibo")
    o = order(team, org, accounts("weibo", 50))
    client = client_of(org)
    items = [item(i, f"weibo{i}") for i in range(40)] + [item(40, "weibo40", "refused", reason="冻结")]
    results = t.race(lambda i: order_items_report(actor=me(client), measure=fresh(o), items=items, now=t.NOW))
    ok, refused = tally(results)
    assert len(ok) == t.RACERS and not refused
    assert sorted(r.stored for r in ok) == [0] * (t.RACERS - 1) + [41]
    assert all(len(r.already_stored) == 41 for r in ok if r.stored == 0)
    assert ReportedItem.objects.filter(measure=o).count() == 41
    assert Measure.objects.get(pk=o.pk).quantity == 40
    assert AuditEntry.objects.filter(action="measure.platform_items").count() == 1
    assert_cells_exact()


def test_an_order_reported_on_cannot_be_deleted(setup, team):
    o, client = setup
    assert _post(client, o, [item(0, "weibo0")]).status_code == 201
    from docket.core.errors import GateRefused

    with pytest.raises(GateRefused, match="reported"):
        ms.measure_delete(actor=team.head, measure=Measure.objects.get(pk=o.pk), reason="entered twice", now=t.NOW)
    assert Measure.objects.filter(pk=o.pk).exists() and ReportedItem.objects.filter(measure=o).count() == 1


@pytest.mark.race("order_items_report")
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_platforms_reporting_at_once_on_orders_of_the_same_cells_all_count(tree):
    """Orders of one office, day and type move the same cells: twenty platforms' batches at once each lock them
    (in key order) and move them, none lost, none deadlocked."""
    from docket.platforms.tests.conftest import platform

    team = t.Team(tree.hz)
    orgs = [platform(f"平台{i}", f"p{i}") for i in range(t.RACERS)]
    orders = [order(team, org, accounts(f"p{i}", 3)) for i, org in enumerate(orgs)]
    clients = [client_of(org) for org in orgs]
    results = t.race(
        lambda i: order_items_report(
            actor=me(clients[i]),
            measure=fresh(orders[i]),
            items=[item(i, f"p{i}0"), item(100 + i, f"p{i}1")],
            now=t.NOW,
        )
    )
    ok, refused = tally(results)
    assert len(ok) == t.RACERS and not refused
    assert (
        sorted(Measure.objects.filter(pk__in=[o.pk for o in orders]).values_list("quantity", flat=True))
        == [2] * t.RACERS
    )
    assert_cells_exact()


def test_a_correction_keeps_every_target_the_platform_reported_on(team, setup):
    o, client = setup
    order_items_report(actor=client, measure=o, items=[item(0, "weibo0"), item(1, "weibo1", "not_found")], now=t.NOW)
    subjects = [m.subject for m in MeasureTarget.objects.filter(measure=o).select_related("subject")]
    unreported = [s for s in subjects if s.identifier not in ("weibo0", "weibo1")]
    with pytest.raises(InvalidInput) as refused:
        ms.measure_correct(actor=team.head, measure=o, reason="名单有误", subjects=unreported, now=t.NOW)
    assert [e.field for e in refused.value.errors] == ["subjects"]
    assert "weibo0, weibo1" in refused.value.errors[0].message
    assert MeasureTarget.objects.filter(measure=o).count() == 10
    # Targets nobody reported on may go; the reported ones stay with their reports.
    kept = [s for s in subjects if s.identifier in ("weibo0", "weibo1", "weibo2")]
    ms.measure_correct(actor=team.head, measure=o, reason="名单有误", subjects=kept, now=t.NOW)
    assert sorted(MeasureTarget.objects.filter(measure=o).values_list("subject__identifier", flat=True)) == [
        "weibo0",
        "weibo1",
        "weibo2",
    ]
    assert ReportedItem.objects.filter(measure=o).count() == 2


@pytest.mark.race("measure_correct")
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reports_and_corrections_of_one_target_at_once_leave_no_report_without_its_target(tree):
    """Ten reports on a target and ten corrections taking it off the order, all at once: they queue on the order's
    row, so either the target went first (every later report refused: not a target) or a report came first (every
    later correction refused, naming it) — never a report about a target that is gone, never a database error."""
    from docket.platforms.tests.conftest import platform

    team = t.Team(tree.hz)
    weibo = platform("微博", "weibo")
    o = order(team, weibo, accounts("weibo", 3))
    client = client_of(weibo)
    others = [m.subject for m in MeasureTarget.objects.filter(measure=o).exclude(subject__identifier="weibo0")]

    def act(i):
        if i % 2:
            return ms.measure_correct(
                actor=me(team.head), measure=fresh(o), reason="名单有误", subjects=others, now=t.NOW
            )
        return order_items_report(
            actor=me(client), measure=fresh(o), items=[item(i, "weibo0", "refused", reason="司法冻结")], now=t.NOW
        )

    results = t.race(act)
    broken = [r for r in results if isinstance(r, BaseException) and not isinstance(r, InvalidInput)]
    assert not broken, broken
    reports = [r for i, r in enumerate(results) if not i % 2 and not isinstance(r, BaseException)]
    corrections_refused = [r for i, r in enumerate(results) if i % 2 and isinstance(r, InvalidInput)]
    reports_refused = [r for i, r in enumerate(results) if not i % 2 and isinstance(r, InvalidInput)]
    still_aimed = MeasureTarget.objects.filter(measure=o, subject__identifier="weibo0").exists()
    stored = ReportedItem.objects.filter(measure=o).count()
    assert stored == len(reports)
    if still_aimed:
        # A report came first: every correction was refused, naming the target.
        assert reports and len(corrections_refused) == t.RACERS // 2
        assert all("weibo0" in str(r.errors[0].message) for r in corrections_refused)
    else:
        # A correction came first: no report was stored, each was told the target is not the order's.
        assert stored == 0 and len(reports_refused) == t.RACERS // 2
        assert all(r.errors[0].field == "items.0.target" for r in reports_refused)
