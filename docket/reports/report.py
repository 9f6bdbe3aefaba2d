"""One report: a period, an office's jurisdiction and a campaign, with its figures computed once.

Every format reads the same ``Report``: ``render`` (JSON, text, CSV, XLSX) and ``document`` (HTML, PDF) import
this module, never each other's figures, so a report's figures are counted once however many of its parts
(paragraph, cards, charts, tables) show them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db.models import Count
from django.db.models.functions import ExtractMonth
from django.utils.translation import gettext as _

from docket.core.vocabulary import Kind, MeasureType
from docket.offices.models import Level, Office
from docket.reports.models import Metric, MetricSet
from docket.reports.queries import Figures, _measures, data_of, figures, metric_set_for


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

    def short_label(self, lang: str) -> str:
        if self.is_year:
            return str(self.date_from.year)
        return f"{self.date_from.isoformat()}–{self.date_to.isoformat()}"


def who(office: Office, lang: str) -> str:
    if office.level == Level.NATIONAL:
        return "全国网信系统" if lang == "zh" else "the national cyberspace administration system"
    return office.name if lang == "zh" else (office.name_en or office.name)


def grouped(value: int | None) -> str:
    """A count as a reader reads it: thousands grouped (10,646); no value, a dash."""
    return "—" if value is None else f"{value:,}"


class Report:
    """The figures of one report, each computed on first use and then kept."""

    def __init__(self, office: Office, period: Period, campaign_id: int = 0) -> None:
        self.office = office
        self.period = period
        self.campaign_id = campaign_id

    @cached_property
    def figures(self) -> Figures:
        p = self.period
        return figures(office=self.office, date_from=p.date_from, date_to=p.date_to, campaign_id=self.campaign_id)

    @cached_property
    def before(self) -> Figures:
        p = self.period.year_before()
        return figures(office=self.office, date_from=p.date_from, date_to=p.date_to, campaign_id=self.campaign_id)

    @cached_property
    def metric_set(self) -> MetricSet | None:
        return metric_set_for(self.period.date_from)

    @cached_property
    def metrics(self) -> list[Metric]:
        return list(self.metric_set.metrics.all()) if self.metric_set else []

    @cached_property
    def data(self) -> dict[str, Any]:
        """The JSON report."""
        return data_of(self.figures, self.metrics)

    @cached_property
    def values(self) -> dict[str, int]:
        return dict(self.data["metrics"])

    @cached_property
    def before_metrics(self) -> dict[str, Metric]:
        """The figures the year before published, by key."""
        metric_set = metric_set_for(self.period.year_before().date_from)
        return {m.key: m for m in metric_set.metrics.all()} if metric_set else {}

    @cached_property
    def before_values(self) -> dict[str, int | None]:
        """Each figure a year before, as that year's set defined it; none (a dash and no bar, never a zero) when
        that year did not publish it, or when nothing at all was recorded then."""
        if not self.before.events():
            return {m.key: None for m in self.metrics}
        prior = self.before_metrics
        return {m.key: self.before.metric(prior[m.key]) if m.key in prior else None for m in self.metrics}

    @cached_property
    def measures(self) -> dict[str, dict[str, int]]:
        return dict(self.data["measures"])

    @cached_property
    def before_measures(self) -> dict[str, dict[str, int]] | None:
        return self.before.measures_table() if self.before.events() else None

    @cached_property
    def subjects_by_kind(self) -> list[tuple[str, int]]:
        return [(k.value, self.figures.subject_count([(t, k.value) for t in MeasureType.values])) for k in Kind]

    def _records(self) -> Any:
        p = self.period
        return _measures(self.office, p.date_from, p.date_to, self.campaign_id)

    @cached_property
    def by_office(self) -> list[tuple[str, str, int]]:
        """Measures per office directly below, each with its own subtree (code, name, measures), largest first;
        the office's own measures as one more row. They add up to the measures of the report."""
        children = {c.code: c for c in self.office.children.all()}
        depth = len(self.office.path.strip("/").split("/"))
        counts: dict[str, int] = {}
        for row in self._records().values("office__path").annotate(n=Count("id")):
            codes = row["office__path"].strip("/").split("/")
            code = codes[depth] if len(codes) > depth else self.office.code
            counts[code] = counts.get(code, 0) + row["n"]
        rows = []
        for code, n in counts.items():
            if code in children:
                name = children[code].name
                if children[code].level != Level.COUNTY:
                    name = _("%(office)s, with the offices below") % {"office": name}
            else:
                name = _("%(office)s itself") % {"office": self.office.name}
            rows.append((code, name, n))
        return sorted(rows, key=lambda r: (-r[2], r[0]))

    @cached_property
    def by_month(self) -> list[tuple[int, int]]:
        rows = dict(
            self._records()
            .annotate(m=ExtractMonth("taken_on"))
            .values("m")
            .annotate(n=Count("id"))
            .values_list("m", "n")
        )
        return [(m, rows.get(m, 0)) for m in range(1, 13)]

    @cached_property
    def top_offices(self) -> list[tuple[str, str, int]]:
        """The offices (at any level) that took the most measures themselves: (code, name, measures)."""
        rows = (
            self._records()
            .values("office__code", "office__name")
            .annotate(n=Count("id"))
            .order_by("-n", "office__code")[:10]
        )
        return [(r["office__code"], r["office__name"], r["n"]) for r in rows]
