"""The report in its data formats: JSON, the press-release paragraph, CSV and Excel tables.

Every function takes the ``Report`` it renders (or builds one), so the figures are counted once per report.
Text cells of CSV and XLSX pass through ``neutralise``: a name or label that looks like a formula stays text.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from docket.core.spreadsheet import neutralise_row
from docket.core.vocabulary import Kind, MeasureType
from docket.offices.models import Office
from docket.reports.report import Period, Report, who

__all__ = ["Period", "Report", "report_csv", "report_json", "report_text", "report_xlsx", "tables", "who"]


def _report(office: Office, period: Period, campaign_id: int, report: Report | None) -> Report:
    return report if report is not None else Report(office, period, campaign_id)


def report_json(office: Office, period: Period, campaign_id: int = 0, report: Report | None = None) -> str:
    return json.dumps(_report(office, period, campaign_id, report).data, ensure_ascii=False, indent=2)


def _number(value: int, lang: str) -> str:
    return f"{value:,}" if lang == "en" else str(value)


def report_text(
    office: Office, period: Period, lang: str = "zh", campaign_id: int = 0, report: Report | None = None
) -> str:
    """The paragraph the published report opens with, filled with the figures from the records."""
    r = _report(office, period, campaign_id, report)
    if r.metric_set is None:
        return ""
    template = r.metric_set.text_zh if lang == "zh" else r.metric_set.text_en
    values = {k: _number(v, lang) for k, v in r.values.items()}
    text = template.format(period=period.label(lang), who=who(office, lang), **values)
    return text[0].upper() + text[1:] if lang == "en" and text else text


def tables(office: Office, period: Period, campaign_id: int = 0, report: Report | None = None) -> dict[str, Any]:
    """The tables behind the report, each with a header row of machine names; the year before beside them."""
    r = _report(office, period, campaign_id, report)
    metrics: list[list[Any]] = [["key", "label_zh", "label_en", "value", "year_before"]]
    for m in r.metrics:
        metrics.append([m.key, m.label_zh, m.label_en, r.values[m.key], r.before_values[m.key]])
    before = r.before_measures
    measures: list[list[Any]] = [["measure", "label", "events", "subjects", "quantity", "events_year_before"]]
    with translation.override("zh-hans"):
        for mtype in MeasureType:
            row = r.measures[mtype.value]
            measures.append(
                [
                    mtype.value,
                    str(mtype.label),
                    row["events"],
                    row["subjects"],
                    row["quantity"],
                    before[mtype.value]["events"] if before is not None else None,
                ]
            )
    return {"metrics": metrics, "measures": measures}


def report_csv(office: Office, period: Period, campaign_id: int = 0, report: Report | None = None) -> str:
    """One tidy table: every figure of the report as a row (table, key, count, value, year before)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["table", "key", "label", "count", "value", "year_before"])
    t = tables(office, period, campaign_id, _report(office, period, campaign_id, report))
    for key, label_zh, _label_en, value, before in t["metrics"][1:]:
        writer.writerow(neutralise_row(["metric", key, label_zh, "", value, before]))
    for mtype, label, events, subjects, quantity, events_before in t["measures"][1:]:
        writer.writerow(neutralise_row(["measure", mtype, label, "events", events, events_before]))
        writer.writerow(neutralise_row(["measure", mtype, label, "subjects", subjects, ""]))
        writer.writerow(neutralise_row(["measure", mtype, label, "quantity", quantity, ""]))
    return out.getvalue()


def sheets(r: Report, lang: str) -> dict[str, list[list[Any]]]:
    """The workbook: one sheet per table, headers in the reader's language (machine keys kept as a column)."""
    label = "label_zh" if lang == "zh" else "label_en"
    before = r.before_measures
    kinds = dict(r.subjects_by_kind)
    return {
        "metrics": [
            [_("Key"), _("Figure"), _("Value"), _("Year before (same definition)")],
            *[[m.key, getattr(m, label), r.values[m.key], r.before_values[m.key]] for m in r.metrics],
        ],
        "measures": [
            [_("Type"), _("Measure"), _("Events"), _("Distinct subjects"), _("Quantity"), _("Events, year before")],
            *[
                [
                    t.value,
                    str(t.label),
                    r.measures[t.value]["events"],
                    r.measures[t.value]["subjects"],
                    r.measures[t.value]["quantity"],
                    before[t.value]["events"] if before is not None else None,
                ]
                for t in MeasureType
            ],
        ],
        "by_office": [
            [_("Division code"), _("Office"), _("Measures taken")],
            *[list(row) for row in r.by_office],
        ],
        "by_month": [[_("Month"), _("Measures taken")], *[list(row) for row in r.by_month]],
        "by_kind": [
            [_("Subject kind"), _("Kind"), _("Distinct subjects")],
            *[[k.value, str(k.label), kinds[k.value]] for k in Kind],
        ],
        "top_offices": [
            [_("Division code"), _("Office"), _("Measures taken by the office itself")],
            *[list(row) for row in r.top_offices],
        ],
    }


def report_xlsx(
    office: Office, period: Period, campaign_id: int = 0, report: Report | None = None, lang: str = "zh"
) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    r = _report(office, period, campaign_id, report)
    book = Workbook()
    first = True
    with translation.override("zh-hans" if lang == "zh" else "en"):
        content = sheets(r, lang)
    for name, rows in content.items():
        sheet = book.active if first else book.create_sheet()
        first = False
        sheet.title = name
        for row in rows:
            sheet.append(neutralise_row(row))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, int):
                    cell.number_format = "#,##0"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
