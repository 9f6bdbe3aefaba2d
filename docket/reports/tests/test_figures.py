"""Every counting rule on small hand-made records, the subtree and campaign filters, and exactness."""

import datetime as dt
import io
import json
import re
from collections import defaultdict

import pytest
from django.core.management import CommandError, call_command

from docket import testing as t
from docket.campaigns.services import campaign_create
from docket.core.vocabulary import Kind
from docket.measures import services as ms
from docket.officers.models import Role
from docket.reports.aggregates import ANY, CELL_COLUMNS, cells_rebuild
from docket.reports.models import Cell, Counting, Metric, MetricSet
from docket.reports.queries import Tally, _add_raw, _measures, figures, report_data
from docket.reports.render import Period, report_csv, report_text
from docket.subjects.models import Subject

D = dt.date
NOW = dt.datetime(2024, 12, 31, 8, 0, tzinfo=dt.UTC)
YEAR = (D(2024, 1, 1), D(2024, 12, 31))


def _interview(officer, subject, on):
    return ms.measure_record(
        actor=officer,
        type="interview",
        taken_on=on,
        subjects=[subject],
        now=NOW,
        details={"reason": "r", "time": "t", "place": "p", "attendees": "a"},
    )


def _closure(officer, site, on):
    return ms.measure_record(actor=officer, type="website_closure", taken_on=on, subjects=[site], now=NOW)


def _raw(office, date_from, date_to, campaign_id=0):
    tallies = defaultdict(Tally)
    _add_raw(tallies, _measures(office, date_from, date_to, campaign_id))
    return {k: (v.events, len(v.raw), v.quantity) for k, v in tallies.items()}


def cell_rows():
    """Every cell, bitmap bytes included, as comparable rows."""
    return sorted((*row[:-2], bytes(row[-2]), row[-1]) for row in Cell.objects.values_list(*CELL_COLUMNS))


def _cells(office, date_from, date_to, campaign_id=0):
    f = figures(office=office, date_from=date_from, date_to=date_to, campaign_id=campaign_id)
    return {k: (v.events, f.subject_count([k]), v.quantity) for k, v in f.tallies.items() if v.events}


@pytest.fixture
def world(tree):
    hz = t.officer(tree.hz, Role.CASE_OFFICER)
    xh = t.officer(tree.xh, Role.CASE_OFFICER)
    nb = t.officer(tree.nb, Role.CASE_OFFICER)
    gd = t.officer(tree.gd, Role.CASE_OFFICER)
    org_a, org_b = t.organisation(), t.organisation()
    site = t.website("bad.example.cn")
    return type("W", (), {"tree": tree, "hz": hz, "xh": xh, "nb": nb, "gd": gd, "a": org_a, "b": org_b, "site": site})


def _metric(key, types, kinds, counting):
    metric_set = MetricSet.objects.create(key=f"t-{key}", name=key, valid_from=D(2099, 1, 1))
    return Metric.objects.create(
        metric_set=metric_set,
        key=key,
        label_zh=key,
        label_en=key,
        measure_types=types,
        subject_kinds=kinds,
        counting=counting,
    )


def test_events_count_measures_and_subjects_count_distinct_subjects(world):
    _interview(world.hz, world.a, D(2024, 3, 5))
    _interview(world.xh, world.a, D(2024, 7, 9))  # same company, another office and month
    _interview(world.nb, world.b, D(2024, 7, 10))
    f = figures(office=world.tree.national, date_from=YEAR[0], date_to=YEAR[1])
    events = _metric("e", ["interview"], ["organisation"], Counting.EVENTS)
    subjects = _metric("s", ["interview"], ["organisation"], Counting.SUBJECTS)
    assert f.metric(events) == 3 and f.metric(subjects) == 2
    zj = figures(office=world.tree.zj, date_from=YEAR[0], date_to=YEAR[1])
    assert zj.metric(events) == 3 and zj.metric(subjects) == 2
    hz = figures(office=world.tree.hz, date_from=YEAR[0], date_to=YEAR[1])
    assert hz.metric(events) == 2 and hz.metric(subjects) == 1  # Hangzhou and Xihu below it
    assert figures(office=world.tree.gd, date_from=YEAR[0], date_to=YEAR[1]).metric(events) == 0
    table = f.measures_table()
    assert table["interview"] == {"events": 3, "subjects": 2, "quantity": 0}
    assert set(table) == {m for m in table} and len(table) == 14


def test_quantity_sums_what_platforms_closed(world):
    platform = t.organisation(name="平台")
    accounts = [
        Subject.objects.create(kind=Kind.ACCOUNT, name=f"u{i}", identifier=f"u{i}", platform="douyin") for i in range(5)
    ]
    order = ms.measure_record(
        actor=world.hz,
        type="account_closure_order",
        taken_on=D(2024, 5, 6),
        subjects=accounts,
        addressee=platform,
        now=NOW,
    )
    client = t.officer(None, Role.PLATFORM, platform=platform)
    quantity = _metric("q", ["account_closure_order"], [], Counting.QUANTITY)
    assert figures(office=world.tree.national, date_from=YEAR[0], date_to=YEAR[1]).metric(quantity) == 0
    ms.account_closures_report(
        actor=client, measure=order, closed=["u0", "u1", "u2"], refused={}, on=D(2024, 5, 7), now=NOW
    )
    assert figures(office=world.tree.national, date_from=YEAR[0], date_to=YEAR[1]).metric(quantity) == 3
    ms.account_closures_report(actor=client, measure=order, closed=["u3"], refused={}, on=D(2024, 5, 8), now=NOW)
    assert figures(office=world.tree.hz, date_from=YEAR[0], date_to=YEAR[1]).metric(quantity) == 4


def test_campaign_filter(world):
    head = t.officer(world.tree.zj, Role.OFFICE_HEAD)
    campaign = campaign_create(
        actor=head,
        slug="qinglang",
        name="清朗",
        starts_on=D(2024, 1, 1),
        ends_on=D(2024, 12, 31),
        focus_areas=[],
        offices=[world.tree.hz],
        now=NOW,
    )
    ms.measure_record(
        actor=world.hz,
        type="website_closure",
        taken_on=D(2024, 4, 1),
        subjects=[world.site],
        campaigns=[campaign],
        now=NOW,
    )
    _closure(world.hz, t.website("other.example.cn"), D(2024, 4, 2))
    closed = _metric("c", ["website_closure", "licence_cancellation"], ["website"], Counting.SUBJECTS)
    national = world.tree.national
    assert figures(office=national, date_from=YEAR[0], date_to=YEAR[1]).metric(closed) == 2
    assert figures(office=national, date_from=YEAR[0], date_to=YEAR[1], campaign_id=campaign.pk).metric(closed) == 1


def test_edits_and_deletions_change_the_figures_at_once_and_exactly(world):
    first = _closure(world.hz, world.site, D(2024, 6, 3))
    second = _closure(world.xh, world.site, D(2024, 6, 20))  # same site again, same month, office below
    closed = _metric("c", ["website_closure"], ["website"], Counting.SUBJECTS)
    events = _metric("ce", ["website_closure"], [], Counting.EVENTS)
    head_hz = t.officer(world.tree.hz, Role.OFFICE_HEAD)
    head_xh = t.officer(world.tree.xh, Role.OFFICE_HEAD)

    def now_counts(office=world.tree.zj):
        f = figures(office=office, date_from=YEAR[0], date_to=YEAR[1])
        return f.metric(closed), f.metric(events)

    assert now_counts() == (1, 2)
    ms.measure_delete(actor=head_hz, measure=first, reason="重复录入", now=NOW)
    assert now_counts() == (1, 1)  # the site is still closed by Xihu's measure
    ms.measure_correct(actor=head_xh, measure=second, reason="日期录错", taken_on=D(2023, 12, 30), now=NOW)
    assert now_counts() == (0, 0)
    assert figures(office=world.tree.zj, date_from=D(2023, 1, 1), date_to=D(2023, 12, 31)).metric(closed) == 1
    other = t.website("x.example.cn")
    ms.measure_correct(
        actor=head_xh, measure=second, reason="对象录错", subjects=[other], taken_on=D(2024, 6, 20), now=NOW
    )
    assert now_counts() == (1, 1)
    assert _cells(world.tree.national, *YEAR) == _raw(world.tree.national, *YEAR)


def test_cells_equal_a_rebuild_and_the_raw_records(world):
    for i, (officer, month) in enumerate([(world.hz, 1), (world.xh, 2), (world.nb, 2), (world.gd, 11)]):
        _interview(officer, world.a if i % 2 else world.b, D(2024, month, 10))
        _closure(officer, t.website(f"s{i}.example.cn"), D(2024, month, 11))
    before = cell_rows()
    cells_rebuild()
    after = cell_rows()
    assert before == after
    for office in (world.tree.national, world.tree.zj, world.tree.hz, world.tree.gd):
        assert _cells(office, *YEAR) == _raw(office, *YEAR)
        # A period that cuts months: the partial days are counted from the records.
        assert _cells(office, D(2024, 2, 11), D(2024, 11, 10)) == _raw(office, D(2024, 2, 11), D(2024, 11, 10))


def test_cells_are_kept_where_counting_would_be_slow(world):
    _closure(world.xh, world.site, D(2024, 3, 5))
    _interview(world.hz, world.a, D(2024, 3, 6))
    grains = {(c.scope_id, c.grain) for c in Cell.objects.all()}
    tree = world.tree
    assert {g for s, g in grains if s == tree.national.pk} == {"D", "M", "Q", "H", "Y"}
    assert {g for s, g in grains if s == tree.zj.pk} == {"D", "M", "Q", "H", "Y"}
    assert {g for s, g in grains if s == tree.hz.pk} == {"M", "Q", "H", "Y"}  # a city: no days
    assert {g for s, g in grains if s == tree.xh.pk} == {"M", "Q", "H", "Y"}  # a county likewise
    march = (D(2024, 3, 1), D(2024, 3, 31))
    for office in (tree.national, tree.zj, tree.hz, tree.xh):
        for period in (YEAR, march, (D(2024, 2, 1), D(2024, 4, 30))):
            assert _cells(office, *period) == _raw(office, *period)
    assert _cells(tree.xh, *YEAR) == {("website_closure", "website"): (1, 1, 0), ("website_closure", ANY): (1, 1, 0)}
    assert figures(office=tree.hz, date_from=YEAR[0], date_to=YEAR[1]).tallies[("interview", ANY)].cells


def test_events_over_several_kinds_count_a_measure_once(world):
    app = Subject.objects.create(kind=Kind.APP, name="app", identifier="com.example.a")
    ms.measure_record(
        actor=world.hz,
        type="suspension",
        taken_on=D(2024, 3, 1),
        starts_on=D(2024, 3, 1),
        subjects=[world.a, app],
        now=NOW,
    )
    both = _metric("b", ["suspension"], ["organisation", "app"], Counting.EVENTS)
    f = figures(office=world.tree.national, date_from=YEAR[0], date_to=YEAR[1])
    assert f.metric(both) == 1
    assert f.tallies[("suspension", ANY)].events == 1


def test_published_metric_sets_ship_with_docket(db):
    from docket.demo.tests.test_demo import PUBLISHED

    keys = json.loads(PUBLISHED.read_text(encoding="utf-8"))["years"]
    for year in ("2022", "2023"):
        shipped = set(MetricSet.objects.get(key=year).metrics.values_list("key", flat=True))
        assert shipped == set(keys[year]) - {"source"}


def test_text_report_numbers_equal_the_json(world):
    _closure(world.hz, world.site, D(2023, 6, 3))
    ms.measure_record(
        actor=world.hz,
        type="app_removal",
        taken_on=D(2023, 7, 1),
        subjects=[Subject.objects.create(kind=Kind.APP, name="a", identifier="com.example.b")],
        now=NOW,
    )
    period = Period(D(2023, 1, 1), D(2023, 12, 31))
    data = report_data(office=world.tree.national, date_from=period.date_from, date_to=period.date_to)
    for lang in ("zh", "en"):
        text = report_text(world.tree.national, period, lang)
        numbers = [int(n.replace(",", "")) for n in re.findall(r"\d+(?:,\d{3})*", text) if n != "2023"]
        assert numbers == list(data["metrics"].values()), lang
    assert report_text(world.tree.national, period, "zh").startswith("2023年，全国网信系统依法约谈网站平台0家")


def test_report_command_formats_and_errors(world, tmp_path):
    _closure(world.hz, world.site, D(2023, 6, 3))
    out = io.StringIO()
    call_command("report", "--year", "2023", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["period"] == {"from": "2023-01-01", "to": "2023-12-31"} and data["office"] == "000000"
    assert data["metrics"]["closed_websites"] == 1 and data["measures"]["website_closure"]["events"] == 1
    out = io.StringIO()
    call_command("report", "--from", "2023-06-01", "--to", "2023-06-30", "--office", "440000", stdout=out)
    assert json.loads(out.getvalue())["metrics"]["closed_websites"] == 0
    out = io.StringIO()
    call_command("report", "--year", "2023", "--format", "csv", stdout=out)
    assert "metric,closed_websites" in out.getvalue()
    target = tmp_path / "r.xlsx"
    call_command("report", "--year", "2023", "--format", "xlsx", "--output", str(target))
    from openpyxl import load_workbook

    book = load_workbook(target)
    assert book.sheetnames == ["metrics", "measures", "by_office", "by_month", "by_kind", "top_offices"]
    assert [r for r in book["top_offices"].iter_rows(values_only=True)][1] == ("330100", "杭州市网信办", 1)
    assert [r for r in book["by_month"].iter_rows(values_only=True)][6] == (6, 1)
    assert [r for r in book["metrics"].iter_rows(values_only=True) if r[0] == "closed_websites"][0][2] == 1
    from django.utils import translation
    from django.utils.translation import gettext as _

    with translation.override("zh-hans"):
        header = (_("Key"), _("Figure"), _("Value"), _("Year before (same definition)"))
    assert next(book["metrics"].iter_rows(values_only=True)) == header  # words, not machine names
    for args, message in [
        (["--format", "json"], "--year"),
        (["--year", "2023", "--from", "2023-01-01"], "not both"),
        (["--from", "2023-02-01", "--to", "2023-01-01"], "before"),
        (["--from", "2023-02-30", "--to", "2023-03-01"], "ISO date"),
        (["--year", "2023", "--office", "999999"], "no office"),
        (["--year", "2023", "--campaign", "nope"], "no campaign"),
    ]:
        with pytest.raises(CommandError, match=message):
            call_command("report", *args)


def test_csv_has_year_over_year(world):
    _closure(world.hz, world.site, D(2022, 6, 3))
    _closure(world.hz, t.website("y.example.cn"), D(2023, 6, 3))
    _closure(world.hz, t.website("z.example.cn"), D(2023, 7, 3))
    text = report_csv(world.tree.national, Period(D(2023, 1, 1), D(2023, 12, 31)))
    row = [line for line in text.splitlines() if line.startswith("metric,closed_websites")][0]
    assert row.endswith(",2,1")


def test_administrator_defines_next_years_metric_set_in_the_admin(tree, client):
    admin = t.officer(tree.national, Role.ADMINISTRATOR)
    t.verified_login(client, admin)
    form = {
        "key": "2024",
        "name": "2024 年度",
        "valid_from": "2024-01-01",
        "text_zh": "{period}，{who}关停小程序{mp}款。",
        "text_en": "",
        "metrics-TOTAL_FORMS": "1",
        "metrics-INITIAL_FORMS": "0",
        "metrics-MIN_NUM_FORMS": "0",
        "metrics-MAX_NUM_FORMS": "1000",
        "metrics-0-key": "mp",
        "metrics-0-label_zh": "关停小程序",
        "metrics-0-label_en": "Mini programs shut down",
        "metrics-0-measure_types": '["mini_program_shutdown"]',
        "metrics-0-subject_kinds": '["mini_program"]',
        "metrics-0-counting": "subjects",
        "metrics-0-order": "0",
    }
    bad = {**form, "metrics-0-measure_types": '["shutdown_everything"]'}
    client.post("/admin/reports/metricset/add/", bad)
    assert not MetricSet.objects.filter(key="2024").exists()
    client.post("/admin/reports/metricset/add/", form)
    metric_set = MetricSet.objects.get(key="2024")
    assert list(metric_set.metrics.values_list("key", flat=True)) == ["mp"]
    from docket.reports.queries import metric_set_for

    assert metric_set_for(D(2024, 1, 1)) == metric_set
    assert report_text(tree.national, Period(D(2024, 1, 1), D(2024, 12, 31))) == "2024年，全国网信系统关停小程序0款。"
