"""``cells_requantify``: a change of a measure's quantity moves every cell it counts in, by one locked statement."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from docket.measures.models import Measure
from docket.platforms.tests.conftest import accounts, order, platform
from docket.reports.aggregates import cells_rebuild, cells_requantify
from docket.reports.models import Cell

KEY = ("scope_id", "grain", "period_start", "campaign_id", "measure_type", "subject_kind")


def _cells():
    return {tuple(row[:-1]): row[-1] for row in Cell.objects.values_list(*KEY, "quantity")}


@pytest.fixture
def counted(team):
    weibo = platform("微博", "weibo")
    o = order(team, weibo, accounts("weibo", 4))
    Measure.objects.filter(pk=o.pk).update(quantity=0)
    cells_rebuild()
    return o


def test_every_cell_of_the_measure_moves_by_the_difference_as_a_rebuild_counts(counted):
    before = _cells()
    Measure.objects.filter(pk=counted.pk).update(quantity=3)
    cells_requantify({counted.pk: 3})
    after = _cells()
    moved = {key: after[key] - before[key] for key in before if after[key] != before[key]}
    # The order counts in a cell of each grain and office level above it, for its type and its kind and "any kind".
    assert len(moved) > 4 and set(moved.values()) == {3}
    cells_rebuild()
    assert _cells() == after


def test_a_missing_cell_is_an_error_and_nothing_moves(counted):
    kept = Cell.objects.filter(quantity=0).exclude(events=0).order_by("id").first()
    assert kept is not None
    kept.delete()
    before = _cells()
    with pytest.raises(RuntimeError, match="is missing"), transaction.atomic():
        cells_requantify({counted.pk: 2})
    assert _cells() == before


def test_one_statement_locks_and_one_moves_whatever_the_cells(counted):
    with CaptureQueriesContext(connection) as run:
        cells_requantify({counted.pk: 1})
    writes = [q["sql"] for q in run.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    assert len(writes) == 1, writes
    with CaptureQueriesContext(connection) as none:
        cells_requantify({counted.pk: 0})
    assert none.captured_queries == []


def test_reading_one_target_of_each_kind_gives_the_cells_events_and_quantities_of_all(team):
    from docket.reports.aggregates import deltas, facts
    from docket.subjects.models import Kind, Subject

    weibo = platform("微博", "weibo")
    rooms = [
        Subject.objects.create(kind=Kind.LIVE_ROOM, name=f"直播间{i}", identifier=f"room{i}", platform="weibo")
        for i in range(3)
    ]
    mixed = order(team, weibo, [*accounts("weibo", 30), *rooms])
    plain = order(team, weibo, accounts("weibo", 5, start=100))
    Measure.objects.filter(pk__in=[mixed.pk, plain.pk]).update(quantity=7)
    light = facts([mixed.pk, plain.pk], kinds_only=True)
    assert sorted(len(f.subjects) for f in light) == [1, 2]  # one stands for each kind
    full = deltas(facts([mixed.pk, plain.pk]))
    assert {k: (d.events, d.quantity) for k, d in deltas(light).items()} == {
        k: (d.events, d.quantity) for k, d in full.items()
    }
