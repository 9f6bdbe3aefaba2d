"""What a reader of the 2023 report saw, each corrected: year before, legend, digits, headers, offices, audiences,
formulas in exports, drill-down counts, figures counted once, statistics after a bulk load."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from docket import testing as t
from docket.campaigns.models import Campaign
from docket.core.vocabulary import Kind
from docket.measures.models import Measure, MeasureTarget
from docket.officers.models import Role
from docket.reports import report as report_module
from docket.reports.aggregates import cells_add, cells_rebuild
from docket.reports.charts import PALETTE
from docket.reports.document import context, metric_link, report_html
from docket.reports.models import Cell, Counting, Metric, MetricSet
from docket.reports.render import report_csv, report_xlsx
from docket.reports.report import Period, Report
from docket.subjects.models import Subject

D = dt.date
YEAR = Period(D(2023, 1, 1), D(2023, 12, 31))


def _measure(office, mtype, on, subjects=(), addressee=None, quantity=None, campaigns=()):
    m = Measure.objects.create(
        office=office,
        type=mtype,
        taken_on=on,
        addressee=addressee,
        quantity=quantity,
        authority="other" if mtype == "transfer" else "",
        created_at=timezone.now(),
    )
    for s in subjects:
        MeasureTarget.objects.create(measure=m, subject=s)
    for c in campaigns:
        m.campaigns.add(c)
    cells_add([m.pk])
    return m


@pytest.fixture
def record(tree):
    sites = [t.website(f"s{i}.example.cn") for i in range(4)]
    org = t.organisation(name="某网络科技有限公司")
    _measure(tree.hz, "website_closure", D(2022, 5, 1), [sites[0]])
    _measure(tree.hz, "website_closure", D(2023, 3, 1), [sites[1]])
    _measure(tree.xh, "website_closure", D(2023, 4, 1), [sites[2], sites[3]])
    _measure(tree.gd, "interview", D(2023, 5, 1), [org])
    _measure(tree.zj, "account_closure_order", D(2023, 6, 1), addressee=org, quantity=12345)
    return type("R", (), {"tree": tree, "sites": sites, "org": org})


def _svg(html, title):
    """A chart by its title (the headline chart is the first)."""
    found = re.search(rf'<svg[^>]*aria-label="{re.escape(title)}".*?</svg>', html, re.S)
    return (found or re.search(r"<svg.*?</svg>", html, re.S)).group(0)


def _bars(chart, colour):
    return re.findall(rf'<rect [^>]*fill="{colour}" opacity', chart)


def test_the_year_before_is_the_same_number_on_the_cards_and_the_chart(record):
    html = report_html(record.tree.national, YEAR, "en")
    assert "2022: 1 (+200.0%)" in html  # websites closed, published both years: 1 in 2022, 3 in 2023
    assert "2022: 0" in html  # apps removed, published both years: none in 2022, a real zero
    # Companies interviewed: 2022 published websites interviewed instead — a dash and no bar, never a 0 bar.
    assert "2022: — (not published that year)" in html
    chart = _svg(html, "Published figures")
    both = set(MetricSet.objects.get(key="2023").metrics.values_list("key", flat=True)) & set(
        MetricSet.objects.get(key="2022").metrics.values_list("key", flat=True)
    )
    assert len(_bars(chart, PALETTE[1])) == len(both) == 2
    # The legend names the two years, not the chart's title.
    assert ">2023</text>" in chart and ">2022</text>" in chart
    assert chart.count(">Published figures</text>") == 1  # the title only


def test_no_bar_and_a_dash_when_nothing_was_recorded_the_year_before(record):
    html = report_html(record.tree.gd, YEAR, "en")
    assert "2022: —" in html and "2022: 0" not in html
    assert _bars(_svg(html, "Published figures"), PALETTE[1]) == []


def test_numbers_are_grouped_by_thousands(record):
    html = report_html(record.tree.national, YEAR, "zh")
    assert '<div class="value">12,345</div>' in html
    assert '<td class="n">12,345</td>' in html  # the measures table
    assert ">12,345</text>" in _svg(html, "Published figures")


def test_by_office_and_top_offices_agree(record):
    r = Report(record.tree.national, YEAR)
    total = r.figures.events()
    assert total == 4 == sum(n for _c, _name, n in r.by_office)
    assert sum(n for _c, _name, n in r.top_offices) == total
    hz = Report(record.tree.hz, YEAR)
    by_office = {code: n for code, _name, n in hz.by_office}
    top = {code: n for code, _name, n in hz.top_offices}
    assert by_office == top == {"330100": 1, "330106": 1}  # a county has no office below: the same number
    names = dict((code, name) for code, name, _n in r.by_office)
    assert "浙江省网信办" in names["330000"] and names["330000"] != "浙江省网信办"  # says it holds those below


def test_the_public_appendix_shows_no_ids_identifiers_or_record_links(record):
    public = report_html(record.tree.national, YEAR, "zh", appendix=True)
    internal = report_html(record.tree.national, YEAR, "zh", appendix=True, audience="internal")
    code = record.org.identifier
    assert code not in public and "/measures/?" not in public and "<th>#</th>" not in public
    assert "某网络科技有限公司" in public  # names stay
    assert code in internal and "/measures/?" in internal and "<th>#</th>" in internal
    assert "xlsx" not in internal  # the note no longer says the workbook lists every record
    pks = [str(m.pk) for m in Measure.objects.all()]
    assert any(f"<td>{pk}</td>" in internal for pk in pks) and not any(f"<td>{pk}</td>" in public for pk in pks)
    with pytest.raises(ValueError):
        report_html(record.tree.national, YEAR, "zh", audience="everyone")


def test_the_report_command_defaults_to_the_public_audience(record, tmp_path):
    from django.core.management import call_command

    call_command("report", "--year", "2023", "--format", "html", "--output", str(tmp_path / "p.html"))
    call_command(
        "report", "--year", "2023", "--format", "html", "--audience", "internal", "--output", str(tmp_path / "i.html")
    )
    assert "/measures/?" not in (tmp_path / "p.html").read_text(encoding="utf-8")
    assert "/measures/?" in (tmp_path / "i.html").read_text(encoding="utf-8")


def test_a_reports_figures_are_counted_once(record):
    calls = []
    real = report_module.figures

    def counting(**kw):
        calls.append(kw["date_from"])
        return real(**kw)

    with mock.patch.object(report_module, "figures", counting):
        report_html(record.tree.national, YEAR, "zh", appendix=True, audience="internal")
    assert calls.count(YEAR.date_from) == 1 and calls.count(D(2022, 1, 1)) == 1 and len(calls) == 2


FORMULAS = ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


@pytest.fixture
def hostile(tree):
    metric_set = MetricSet.objects.create(key="hostile", name="h", valid_from=D(2023, 1, 1) + dt.timedelta(days=1))
    for i, label in enumerate(FORMULAS):
        Metric.objects.create(
            metric_set=metric_set,
            key=f"m{i}",
            label_zh=label,
            label_en=label,
            measure_types=["website_closure"],
            subject_kinds=["website"],
            counting=Counting.SUBJECTS,
        )
    bad = t.office("330108", FORMULAS[0], tree.hz, "county")
    _measure(bad, "website_closure", D(2023, 3, 1), [t.website("x.example.cn")])
    return tree


def test_formula_characters_are_neutralised_in_csv_and_xlsx(hostile):
    period = Period(D(2023, 1, 2), D(2023, 12, 31))
    rows = list(csv.reader(io.StringIO(report_csv(hostile.national, period))))
    labels = [r[2] for r in rows if r[0] == "metric"]
    assert labels == ["'" + f for f in FORMULAS]
    for row in rows:
        for value in row:
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), row
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(report_xlsx(hostile.hz, period)))
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), cell.value
    assert "'" + FORMULAS[0] in texts  # the office's name, in by_office and top_offices
    assert "'" + FORMULAS[3] in texts  # a metric's label


@pytest.fixture
def drill(tree):
    sites = [t.website(f"d{i}.example.cn") for i in range(3)]
    org = t.organisation()
    app = Subject.objects.create(kind=Kind.APP, name="a", identifier="cn.example.drill")
    campaign = Campaign.objects.create(
        slug="drill", name="d", starts_on=D(2023, 1, 1), ends_on=D(2023, 12, 31), lead_office=tree.zj
    )
    _measure(tree.hz, "website_closure", D(2023, 7, 3), sites[:2], campaigns=[campaign])  # two of the kind
    _measure(tree.xh, "website_closure", D(2023, 8, 3), [sites[2], org])  # two kinds
    _measure(tree.nb, "website_closure", D(2023, 9, 3), [sites[0]], campaigns=[campaign])
    _measure(tree.gd, "suspension", D(2023, 9, 4), [org, app])
    _measure(tree.zj, "account_closure_order", D(2023, 10, 1), addressee=org, quantity=7, campaigns=[campaign])
    _measure(tree.zj, "account_closure_order", D(2023, 10, 2), [t.website("acc.example.cn")], quantity=3)
    _measure(tree.hz, "website_closure", D(2023, 6, 30), [sites[1]])  # the day before the period
    metric_set = MetricSet.objects.create(key="drill", name="d", valid_from=D(2023, 6, 1))
    specs = [
        ("closures", ["website_closure"], ["website"]),
        ("closures_any", ["website_closure"], []),
        ("org_or_site", ["website_closure", "suspension"], ["organisation", "website"]),
        ("orders_to_orgs", ["account_closure_order"], ["organisation"]),
        ("orders", ["account_closure_order"], []),
    ]
    for key, types, kinds in specs:
        Metric.objects.create(
            metric_set=metric_set,
            key=key,
            label_zh=key,
            label_en=key,
            measure_types=types,
            subject_kinds=kinds,
            counting=Counting.EVENTS,
        )
    for key, counting in (("sites_closed", Counting.SUBJECTS), ("accounts", Counting.QUANTITY)):
        types = ["website_closure"] if counting == Counting.SUBJECTS else ["account_closure_order"]
        Metric.objects.create(
            metric_set=metric_set,
            key=key,
            label_zh=key,
            label_en=key,
            measure_types=types,
            subject_kinds=["website"] if counting == Counting.SUBJECTS else [],
            counting=counting,
        )
    return type("Drill", (), {"tree": tree, "campaign": campaign, "metric_set": metric_set})


def test_the_list_behind_a_figure_has_as_many_measures_as_the_figure(drill, client):
    client.force_login(t.officer(drill.tree.national, Role.INSPECTOR))
    period = Period(D(2023, 7, 1), D(2023, 12, 31))
    checked = 0
    for office in (drill.tree.national, drill.tree.zj, drill.tree.hz):
        for campaign_id in (0, drill.campaign.pk):
            r = Report(office, period, campaign_id)
            with translation.override("en"):
                cards = context(r, "en", audience="internal")["headline"]
            for metric, card in zip(r.metrics, cards, strict=True):
                assert card["link"] == metric_link(metric, office, period, campaign_id)
                page = client.get(card["link"])
                assert page.status_code == 200
                # An events figure is the list's count; a figure of subjects or quantity says how many measures.
                shown = card["shown"] if metric.counting == Counting.EVENTS else card["measures_listed"]
                listed = page.context["page"].paginator.count
                assert f"{listed:,}" == shown, (office.code, campaign_id, metric.key)
                checked += listed
    assert checked > 10
    national = Report(drill.tree.national, period).values
    # Three closures (one of two sites, one of a site and a company), a suspension of a company and an app.
    assert national == {
        "closures": 3,
        "closures_any": 3,
        "org_or_site": 4,
        "orders_to_orgs": 1,
        "orders": 2,
        "sites_closed": 3,
        "accounts": 10,
    }


def test_the_measure_list_counts_once_and_without_distinct(drill, client):
    client.force_login(t.officer(drill.tree.national, Role.INSPECTOR))
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/measures/?kind=website,organisation&type=website_closure")
    assert page.status_code == 200 and page.context["page"].paginator.count == 4
    measure_sql = [q["sql"] for q in queries.captured_queries if '"measures_measure"' in q["sql"]]
    assert not any("DISTINCT" in sql for sql in measure_sql)
    # The list's own queries filter on the type (the page's reminder count only looks measures up by id).
    listing = [sql for sql in measure_sql if '"measures_measure"."type"' in sql]
    assert sum(1 for sql in listing if "COUNT(" in sql.upper()) == 1


def test_an_unknown_type_or_kind_in_a_link_lists_nothing(drill, client):
    client.force_login(t.officer(drill.tree.national, Role.INSPECTOR))
    for query in ("type=everything", "kind=website,nothing", "office=999999"):
        page = client.get(f"/measures/?{query}")
        assert page.status_code == 200 and page.context["page"].paginator.count == 0, query
    # Every measure of the drill is listed without them: the empty lists are the unknown values' doing.
    assert client.get("/measures/").context["page"].paginator.count > 0


def test_a_rebuild_ends_with_fresh_statistics(record):
    with CaptureQueriesContext(connection) as queries:
        cells_rebuild()
    statements = [q["sql"] for q in queries.captured_queries]
    analyzed = [q for q in statements if q.upper().startswith(("ANALYZE", "SELECT DOCKET_ANALYZE("))]
    if connection.vendor == "postgresql":
        # Through docket_analyze, so that it takes effect as the application role (which owns no table) too.
        assert len(analyzed) == 1 and analyzed[0].startswith("SELECT docket_analyze(") and "reports_cell" in analyzed[0]
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'reports_cell'::regclass")
            assert cursor.fetchone()[0] == Cell.objects.count() > 0
    else:
        assert analyzed == []
