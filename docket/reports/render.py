"""The annual report in its formats: JSON, the press-release paragraph, CSV and Excel tables."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import Any

from django.utils import translation

from docket.measures.types import MeasureType
from docket.offices.models import Level, Office
from docket.reports.models import MetricSet
from docket.reports.queries import figures, metric_set_for, report_data


@dataclass(frozen=True)
class Period:
    date_from: dt.date
    date_to: dt.date

    @property
    def is_year(self) -> bool:
        return self.date_from == dt.date(self.date_from.year, 1, 1) and self.date_to == dt.date(
            self.date_from.year, 12, 31
        )

    def year_before(self) -> Period:
        def back(d: dt.date) -> dt.date:
            return (
                d.replace(year=d.year - 1) if not (d.month == 2 and d.day == 29) else d.replace(year=d.year - 1, day=28)
            )

        return Period(back(self.date_from), back(self.date_to))

    def label(self, lang: str) -> str:
        if self.is_year:
            return f"{self.date_from.year}年" if lang == "zh" else str(self.date_from.year)
        if lang == "zh":
            return f"{self.date_from:%Y年%-m月%-d日}至{self.date_to:%Y年%-m月%-d日}"
        return f"the period {self.date_from.isoformat()} to {self.date_to.isoformat()}"


def who(office: Office, lang: str) -> str:
    if office.level == Level.NATIONAL:
        return "全国网信系统" if lang == "zh" else "the national cyberspace administration system"
    return office.name if lang == "zh" else (office.name_en or office.name)


def report_json(office: Office, period: Period, campaign_id: int = 0) -> str:
    data = report_data(office=office, date_from=period.date_from, date_to=period.date_to, campaign_id=campaign_id)
    return json.dumps(data, ensure_ascii=False, indent=2)


def _number(value: int, lang: str) -> str:
    return f"{value:,}" if lang == "en" else str(value)


def report_text(office: Office, period: Period, lang: str = "zh", campaign_id: int = 0) -> str:
    """The paragraph the published report opens with, filled with the figures from the records."""
    data = report_data(office=office, date_from=period.date_from, date_to=period.date_to, campaign_id=campaign_id)
    metric_set = metric_set_for(period.date_from)
    if metric_set is None:
        return ""
    template = metric_set.text_zh if lang == "zh" else metric_set.text_en
    values = {k: _number(v, lang) for k, v in data["metrics"].items()}
    text = template.format(period=period.label(lang), who=who(office, lang), **values)
    return text[0].upper() + text[1:] if lang == "en" else text


def tables(office: Office, period: Period, campaign_id: int = 0) -> dict[str, list[list[Any]]]:
    """The tables behind the report, each with a header row; the same figures a year before beside them."""
    now = report_data(office=office, date_from=period.date_from, date_to=period.date_to, campaign_id=campaign_id)
    before_period = period.year_before()
    metric_set: MetricSet | None = metric_set_for(period.date_from)
    before_figs = figures(
        office=office, date_from=before_period.date_from, date_to=before_period.date_to, campaign_id=campaign_id
    )
    metrics: list[list[Any]] = [["key", "label_zh", "label_en", "value", "year_before"]]
    # The same figure a year before exists only where that year's metric set published it too.
    before_set = metric_set_for(before_period.date_from)
    before_metrics = {m.key: m for m in before_set.metrics.all()} if before_set else {}
    if metric_set is not None:
        for m in metric_set.metrics.all():
            prior = before_metrics.get(m.key)
            metrics.append(
                [
                    m.key,
                    m.label_zh,
                    m.label_en,
                    now["metrics"][m.key],
                    before_figs.metric(prior) if prior is not None else None,
                ]
            )
    before_table = before_figs.measures_table()
    measures: list[list[Any]] = [["measure", "label", "events", "subjects", "quantity", "events_year_before"]]
    with translation.override("zh-hans"):
        for mtype in MeasureType:
            row = now["measures"][mtype.value]
            measures.append(
                [
                    mtype.value,
                    str(mtype.label),
                    row["events"],
                    row["subjects"],
                    row["quantity"],
                    before_table[mtype.value]["events"],
                ]
            )
    return {"metrics": metrics, "measures": measures}


def report_csv(office: Office, period: Period, campaign_id: int = 0) -> str:
    """One tidy table: every figure of the report as a row (table, key, count, value, year before)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["table", "key", "label", "count", "value", "year_before"])
    t = tables(office, period, campaign_id)
    for key, label_zh, _label_en, value, before in t["metrics"][1:]:
        writer.writerow(["metric", key, label_zh, "", value, before])
    for mtype, label, events, subjects, quantity, events_before in t["measures"][1:]:
        writer.writerow(["measure", mtype, label, "events", events, events_before])
        writer.writerow(["measure", mtype, label, "subjects", subjects, ""])
        writer.writerow(["measure", mtype, label, "quantity", quantity, ""])
    return out.getvalue()


def report_xlsx(office: Office, period: Period, campaign_id: int = 0) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from docket.reports.document import breakdowns

    book = Workbook()
    first = True
    sheets = {**tables(office, period, campaign_id), **breakdowns(office, period, campaign_id)}
    for name, rows in sheets.items():
        sheet = book.active if first else book.create_sheet()
        first = False
        sheet.title = name
        for row in rows:
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
