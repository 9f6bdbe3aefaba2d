"""The whole report in HTML and PDF: charts, links to the records behind each figure, Chinese that renders."""

import datetime as dt
import re
import zlib

import pytest

from docket import testing as t
from docket.measures import services as ms
from docket.officers.models import Role
from docket.reports.document import report_html, report_pdf
from docket.reports.queries import report_data
from docket.reports.render import Period

NOW = dt.datetime(2024, 12, 31, 8, 0, tzinfo=dt.UTC)
YEAR = Period(dt.date(2023, 1, 1), dt.date(2023, 12, 31))


@pytest.fixture
def record(tree):
    officer = t.officer(tree.hz, Role.CASE_OFFICER)
    for i in range(3):
        ms.measure_record(
            actor=officer,
            type="website_closure",
            taken_on=dt.date(2023, 3 + i, 1),
            subjects=[t.website(f"s{i}.example.cn")],
            now=NOW,
        )
    ms.measure_record(
        actor=t.officer(tree.gd, Role.CASE_OFFICER),
        type="website_closure",
        taken_on=dt.date(2022, 5, 1),
        subjects=[t.website("old.example.cn")],
        now=NOW,
    )
    return tree


def _fonts(pdf: bytes) -> set[bytes]:
    found = set()
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            found |= set(re.findall(rb"/BaseFont\s*/[A-Z]{6}\+([A-Za-z0-9\-]+)", zlib.decompress(m.group(1))))
        except zlib.error:
            continue
    return found


def test_html_report_has_the_figures_charts_and_links(record):
    html = report_html(record.national, YEAR, "zh", audience="internal")
    data = report_data(office=record.national, date_from=YEAR.date_from, date_to=YEAR.date_to)
    assert "2023年，全国网信系统" in html and "网络执法统计报告" in html
    assert html.count("<svg") == 5
    assert '<div class="value">3</div>' in html  # closed websites
    assert data["metrics"]["closed_websites"] == 3
    assert "2022: 1 (+200.0%)" in html  # the same figure a year before
    link = re.search(r'id="figure-closed_websites">\s*<a href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert link.startswith("/measures/?") and "type=licence_cancellation%2Cwebsite_closure" in link
    english = report_html(record.national, YEAR, "en")
    assert "Online law enforcement report" in english and "In 2023, the national" in english


def test_figure_links_list_the_records_in_the_workspace(record, client):
    inspector = t.officer(record.national, Role.INSPECTOR)
    client.force_login(inspector)
    html = report_html(record.national, YEAR, "zh", audience="internal")
    link = re.search(r'id="figure-closed_websites">\s*<a href="([^"]+)"', html).group(1).replace("&amp;", "&")
    page = client.get(link)
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 3
    sibling = t.officer(record.nb, Role.INSPECTOR)
    client.force_login(sibling)
    assert client.get(link).context["page"].paginator.count == 0  # the link never widens a jurisdiction


def test_pdf_report_embeds_a_chinese_font_and_lists_the_records(record):
    pdf = report_pdf(record.national, YEAR, "zh")
    assert pdf.startswith(b"%PDF")
    fonts = _fonts(pdf)
    assert any(b"CJK" in f for f in fonts), fonts
    html = report_html(record.national, YEAR, "zh", appendix=True)
    assert "附录：各项数据所统计的记录" in html and "s0.example.cn" in html


def test_report_command_writes_html_and_pdf(record, tmp_path):
    from django.core.management import call_command

    call_command("report", "--year", "2023", "--format", "html", "--output", str(tmp_path / "r.html"))
    assert "<svg" in (tmp_path / "r.html").read_text(encoding="utf-8")
    call_command("report", "--year", "2023", "--format", "pdf", "--lang", "en", "--output", str(tmp_path / "r.pdf"))
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
