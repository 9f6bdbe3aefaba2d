"""How a report reads: one statement (cells, the records of partial months, the metric set in force), the
metric set read afresh with every report, and the bitmaps of the cells read once per process."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from docket.reports import queries
from docket.reports.aggregates import CELL_GRAINS
from docket.reports.bitmaps import CACHE
from docket.reports.models import Counting, Metric, MetricSet
from docket.reports.queries import figures, report_data
from docket.reports.tests.records import build
from docket.reports.tests.test_periods import docket_count, sql_count

D = dt.date


@pytest.fixture
def record(tree):
    return build(tree)


def _queries(fn):
    with CaptureQueriesContext(connection) as captured:
        out = fn()
    return out, len(captured.captured_queries)


@pytest.mark.parametrize("which", [0, 1, 2, 3])
def test_a_report_is_one_statement_once_its_bitmaps_are_held(record, which):
    office = record["offices"][which]  # national, province, city, county
    lo, hi = D(2023, 3, 15), D(2024, 9, 20)
    CACHE.clear()
    first, n_first = _queries(lambda: report_data(office=office, date_from=lo, date_to=hi))
    again, n_again = _queries(lambda: report_data(office=office, date_from=lo, date_to=hi))
    assert first == again
    # The statement, and the bitmaps not held yet — except a county's, which come with its cells.
    assert n_first == 1 if office.level == "county" else n_first <= 2
    assert n_again == 1
    CACHE.clear()
    assert _queries(lambda: report_data(office=office, date_from=lo, date_to=hi))[0] == first


def test_a_changed_metric_set_is_read_with_the_next_report(record):
    """Nothing about the metric set outlives a report: an edit, a new metric, a deletion and a newer set in
    force each show in the very next report."""
    office = record["offices"][0]
    lo, hi = D(2024, 2, 3), D(2024, 11, 29)
    metric_set = MetricSet.objects.create(key="t2024", name="t", valid_from=D(2024, 1, 1))
    metric = Metric.objects.create(
        metric_set=metric_set,
        key="warned",
        label_zh="w",
        label_en="w",
        measure_types=["warning"],
        subject_kinds=[],
        counting=Counting.EVENTS,
    )
    events = report_data(office=office, date_from=lo, date_to=hi)["measures"]["warning"]
    assert report_data(office=office, date_from=lo, date_to=hi)["metrics"] == {"warned": events["events"]}

    metric.counting = Counting.SUBJECTS
    metric.save()
    assert report_data(office=office, date_from=lo, date_to=hi)["metrics"] == {"warned": events["subjects"]}

    Metric.objects.create(
        metric_set=metric_set,
        key="closed_accounts",
        label_zh="c",
        label_en="c",
        measure_types=["account_closure_order"],
        subject_kinds=[],
        counting=Counting.QUANTITY,
        order=1,
    )
    data = report_data(office=office, date_from=lo, date_to=hi)
    assert list(data["metrics"]) == ["warned", "closed_accounts"]
    assert data["metrics"]["closed_accounts"] == data["measures"]["account_closure_order"]["quantity"]

    metric.delete()
    assert list(report_data(office=office, date_from=lo, date_to=hi)["metrics"]) == ["closed_accounts"]

    later = MetricSet.objects.create(key="t2024b", name="t", valid_from=D(2024, 2, 1))
    Metric.objects.create(
        metric_set=later,
        key="sites",
        label_zh="s",
        label_en="s",
        measure_types=["website_closure"],
        subject_kinds=["website"],
        counting=Counting.SUBJECTS,
    )
    data = report_data(office=office, date_from=lo, date_to=hi)
    assert list(data["metrics"]) == ["sites"]
    f = figures(office=office, date_from=lo, date_to=hi)
    assert data["metrics"]["sites"] == f.subject_count([("website_closure", "website")])
    # The set in force on the first day: a period starting before the later set still reads the first one.
    assert list(report_data(office=office, date_from=D(2024, 1, 20), date_to=hi)["metrics"]) == ["closed_accounts"]
    # No set in force: no metric.
    assert report_data(office=office, date_from=D(2000, 1, 1), date_to=D(2000, 1, 31))["metrics"] == {}


def test_the_metrics_of_one_statement_equal_the_metric_sets_own(record):
    metric_set = MetricSet.objects.get(key="2023")
    _figs, metrics = queries._read(record["offices"][2], D(2023, 1, 1), D(2023, 6, 30), 0, metrics_on=D(2023, 1, 1))
    fields = ("pk", "key", "measure_types", "subject_kinds", "counting", "order")
    own = [tuple(getattr(m, f) for f in fields) for m in metric_set.metrics.all()]
    assert [tuple(getattr(m, f) for f in fields) for m in metrics] == own


@pytest.mark.parametrize("campaign", [0, 1])
def test_every_office_counted_from_its_records_equals_a_direct_sql_count(record, monkeypatch, campaign):
    """The records' branch for the root (no path to match) and every other level, with and without a
    campaign: as if no office kept a cell."""
    monkeypatch.setattr(queries, "CELL_GRAINS", {level: () for level in CELL_GRAINS})
    campaign_id = record["campaigns"][0].pk if campaign else 0
    for office in record["offices"]:
        for lo, hi in ((D(2023, 1, 2), D(2023, 12, 31)), (D(2023, 3, 15), D(2024, 9, 20)), (D(2024, 2, 29),) * 2):
            got = docket_count(office, lo, hi, campaign_id)
            assert got == sql_count(office, lo, hi, campaign_id), (office.code, lo, hi)


def test_a_period_ending_before_it_starts_has_no_figures(record):
    data = report_data(office=record["offices"][3], date_from=D(2023, 5, 2), date_to=D(2023, 5, 1))
    assert all(v == {"events": 0, "subjects": 0, "quantity": 0} for v in data["measures"].values())


def test_whole_months_are_read_as_the_fewest_kept_blocks():
    kept = ("D", "M", "Q", "H", "Y")
    cut = queries.parts(D(2023, 1, 2), D(2023, 12, 31), kept)
    assert cut.days == [(D(2023, 1, 2), D(2023, 1, 31))]
    assert cut.months == [D(2023, 2, 1), D(2023, 3, 1)] and cut.years == []
    assert cut.quarters == [D(2023, 4, 1)] and cut.halves == [D(2023, 7, 1)]
    cut = queries.parts(D(2023, 3, 15), D(2024, 11, 20), kept)
    assert cut.days == [(D(2023, 3, 15), D(2023, 3, 31)), (D(2024, 11, 1), D(2024, 11, 20))]
    assert cut.quarters == [D(2023, 4, 1), D(2024, 7, 1)] and cut.halves == [D(2023, 7, 1), D(2024, 1, 1)]
    assert cut.months == [D(2024, 10, 1)] and cut.years == []
    # A quarter or half-year is used only where the office keeps it, and only whole.
    assert queries.parts(D(2023, 4, 1), D(2023, 6, 29), kept).quarters == []
    assert queries.parts(D(2023, 4, 1), D(2023, 6, 30), ("M", "Y")).months == [D(2023, m, 1) for m in (4, 5, 6)]


def test_quarters_and_half_years_made_from_the_months_equal_a_rebuild(record):
    """The migration that brings quarters and half-years to a database that has months makes them exactly as
    the rule would (compared with ``cells_rebuild``, byte for byte)."""
    import importlib

    from django.apps import apps

    from docket.reports.aggregates import cells_rebuild
    from docket.reports.models import Cell
    from docket.reports.tests.test_figures import cell_rows

    migration = importlib.import_module("docket.reports.migrations.0006_quarter_half_cells")
    cells_rebuild()
    rebuilt = cell_rows()
    assert {row[1] for row in rebuilt} >= {"Q", "H"}
    Cell.objects.filter(grain__in=("Q", "H")).delete()
    migration.quarters_and_halves(apps, None)
    assert cell_rows() == rebuilt
