"""Any period, office and campaign: the figures from the cells equal a direct SQL count of the records."""

# ruff: noqa: S608 -- the SQL is the test's own, its values bound as parameters

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docket.reports.aggregates import ANY, cells_rebuild
from docket.reports.queries import figures, parts
from docket.reports.tests.records import build
from docket.reports.tests.test_figures import cell_rows

FIRST, LAST = dt.date(2022, 12, 1), dt.date(2025, 1, 31)


def sql_count(office, date_from, date_to, campaign_id):
    """The figures by hand: {(type, kind): (events, distinct subjects, quantity)}, "*" for any kind.

    Written without Docket's code: a measure counts at its targets, or at its addressee when it has none; each
    measure once per kind; "any kind" counts every measure, aimed at someone or not.
    """
    tagged = (
        "AND EXISTS (SELECT 1 FROM measures_measure_campaigns c WHERE c.measure_id = m.id AND c.campaign_id = %s)"
        if campaign_id
        else ""
    )
    where = f"m.taken_on BETWEEN %s AND %s AND o.path LIKE %s {tagged}"
    params = [date_from, date_to, office.path + "%"] + ([campaign_id] if campaign_id else [])
    aimed = f"""
        SELECT m.id, m.type, m.quantity, t.subject_id AS sid FROM measures_measure m
        JOIN offices_office o ON o.id = m.office_id JOIN measures_measuretarget t ON t.measure_id = m.id
        WHERE {where}
        UNION ALL
        SELECT m.id, m.type, m.quantity, m.addressee_id FROM measures_measure m
        JOIN offices_office o ON o.id = m.office_id
        WHERE {where} AND m.addressee_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM measures_measuretarget t WHERE t.measure_id = m.id)
    """
    out = {}
    with connection.cursor() as cur:
        cur.execute(
            f"""
            WITH k AS (SELECT a.*, s.kind FROM ({aimed}) a JOIN subjects_subject s ON s.id = a.sid)
            SELECT type, kind, count(DISTINCT id), count(DISTINCT sid),
                (SELECT coalesce(sum(q.quantity), 0) FROM (SELECT DISTINCT id, quantity FROM k k2
                 WHERE k2.type = k.type AND k2.kind = k.kind) q)
            FROM k GROUP BY type, kind
            """,
            params * 2,
        )
        for mtype, kind, events, subjects, quantity in cur.fetchall():
            out[(mtype, kind)] = (events, subjects, int(quantity))
        cur.execute(
            f"SELECT m.type, count(*), coalesce(sum(m.quantity), 0) FROM measures_measure m "
            f"JOIN offices_office o ON o.id = m.office_id WHERE {where} GROUP BY m.type",
            params,
        )
        anys = {mtype: (events, int(quantity)) for mtype, events, quantity in cur.fetchall()}
        cur.execute(
            f"WITH k AS ({aimed}) SELECT type, count(DISTINCT sid) FROM k GROUP BY type",
            params * 2,
        )
        subjects = dict(cur.fetchall())
    for mtype, (events, quantity) in anys.items():
        out[(mtype, ANY)] = (events, subjects.get(mtype, 0), quantity)
    return out


def docket_count(office, date_from, date_to, campaign_id):
    f = figures(office=office, date_from=date_from, date_to=date_to, campaign_id=campaign_id)
    return {k: (v.events, f.subject_count([k]), v.quantity) for k, v in f.tallies.items() if v.events}


@pytest.fixture
def record(tree):
    return build(tree)


days = st.integers(min_value=0, max_value=(LAST - FIRST).days)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=days, b=days, which=st.integers(0, 5), campaign=st.integers(0, 2))
def test_any_period_office_and_campaign_equals_a_direct_sql_count(record, a, b, which, campaign):
    lo, hi = sorted((FIRST + dt.timedelta(days=a), FIRST + dt.timedelta(days=b)))
    office = record["offices"][which]
    campaign_id = record["campaigns"][campaign - 1].pk if campaign else 0
    assert docket_count(office, lo, hi, campaign_id) == sql_count(office, lo, hi, campaign_id)


def test_the_periods_that_cut_months_and_years(record):
    """The edges hypothesis may miss: a day, a month less a day, a year less a day, across a new year."""
    d = dt.date
    periods = [
        (d(2023, 1, 2), d(2023, 12, 31)),
        (d(2023, 1, 1), d(2023, 12, 30)),
        (d(2023, 3, 31), d(2023, 3, 31)),
        (d(2023, 12, 15), d(2024, 1, 15)),
        (d(2023, 2, 1), d(2024, 2, 29)),
        (d(2023, 1, 1), d(2024, 12, 31)),
    ]
    for office in record["offices"]:
        for lo, hi in periods:
            for campaign_id in (0, record["campaigns"][0].pk):
                assert docket_count(office, lo, hi, campaign_id) == sql_count(office, lo, hi, campaign_id), (
                    office.code,
                    lo,
                    hi,
                    campaign_id,
                )


def test_the_bulk_rule_builds_the_same_cells_as_the_services(record):
    """``CELLS_SQL`` (imports, rebuild) and ``contributions`` (every service) are one rule: same cells, byte
    for byte, on records of every shape (several targets, two kinds, addressed orders, campaigns)."""
    incremental = cell_rows()
    assert incremental
    cells_rebuild()
    assert cell_rows() == incremental


def test_a_period_is_cut_into_cells_where_they_are_kept():
    d = dt.date
    cut = parts(d(2023, 1, 2), d(2024, 12, 31), ("D", "M", "Y"))
    assert cut.years == [d(2024, 1, 1)]
    assert cut.months == [d(2023, m, 1) for m in range(2, 13)]
    assert cut.days == [(d(2023, 1, 2), d(2023, 1, 31))] and cut.raw == []
    city = parts(d(2023, 1, 2), d(2024, 12, 31), ("M", "Y"))
    assert city.raw == [(d(2023, 1, 2), d(2023, 1, 31))] and city.days == []
    county = parts(d(2023, 1, 2), d(2024, 12, 31), ())
    assert county.raw == [(d(2023, 1, 2), d(2024, 12, 31))]


def test_a_bulk_writer_adds_its_measures_by_the_same_rule(tree, monkeypatch):
    from docket.reports import aggregates

    monkeypatch.setattr(aggregates, "BULK", 5)  # the DuckDB pass, as for a demo or a large transfer
    other = build(tree, seed=11, n=40)
    added = cell_rows()
    cells_rebuild()
    assert cell_rows() == added
    lo, hi = dt.date(2023, 2, 3), dt.date(2024, 11, 29)
    assert docket_count(other["offices"][1], lo, hi, 0) == sql_count(other["offices"][1], lo, hi, 0)
