"""The whole report as a document: headline figures, charts, top offices, and the records behind each figure."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.db.models.functions import ExtractMonth
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from docket.measures.models import MeasureTarget
from docket.measures.types import MeasureType
from docket.offices.models import Office
from docket.reports.charts import bar_chart, column_chart
from docket.reports.models import Metric
from docket.reports.queries import _measures, figures, metric_set_for
from docket.reports.render import Period, report_text, tables, who
from docket.subjects.models import Kind

APPENDIX_ROWS = 50


def metric_records(metric: Metric, office: Office, period: Period, campaign_id: int = 0) -> Any:
    """The measures a metric counts (a subject metric counts their distinct subjects)."""
    qs = _measures(office, period.date_from, period.date_to, campaign_id).filter(type__in=metric.measure_types)
    if metric.subject_kinds:
        qs = qs.filter(
            Q(targets__subject__kind__in=metric.subject_kinds)
            | Q(targets__isnull=True, addressee__kind__in=metric.subject_kinds)
        ).distinct()
    return qs


def _listing(records: Any) -> list[dict[str, Any]]:
    """The first records of a figure, each with (at most three of) the subjects it was aimed at."""
    measures = list(records.select_related("office", "addressee").order_by("taken_on", "id")[:APPENDIX_ROWS])
    names: dict[int, list[str]] = {}
    counts: dict[int, int] = {}
    for mid, name, ident, kind in MeasureTarget.objects.filter(measure_id__in=[m.pk for m in measures]).values_list(
        "measure_id", "subject__name", "subject__identifier", "subject__kind"
    ):
        counts[mid] = counts.get(mid, 0) + 1
        if len(names.setdefault(mid, [])) < 3:
            shown = ident if kind != Kind.RESPONSIBLE_PERSON else ident[:4] + "…"
            names[mid].append(f"{name} ({shown})")
    out = []
    for m in measures:
        subjects = "; ".join(names.get(m.pk, [])) or (m.addressee.name if m.addressee else "—")
        if counts.get(m.pk, 0) > 3:
            subjects += _(" … and %(n)d more") % {"n": counts[m.pk] - 3}
        out.append(
            {"pk": m.pk, "date": m.taken_on, "office": m.office.name, "subjects": subjects, "quantity": m.quantity}
        )
    return out


def metric_link(metric: Metric, office: Office, period: Period, campaign_id: int = 0) -> str:
    """The admin list of the records behind a figure (scoped to the reader's jurisdiction as always)."""
    params = {
        "type__in": ",".join(metric.measure_types),
        "taken_on__gte": period.date_from.isoformat(),
        "taken_on__lte": period.date_to.isoformat(),
        "office__path__startswith": office.path,
    }
    if metric.subject_kinds:
        params["targets__subject__kind__in"] = ",".join(metric.subject_kinds)
    if campaign_id:
        params["campaigns__id__exact"] = str(campaign_id)
    return "/admin/measures/measure/?" + urlencode(params)


def _by_child_office(office: Office, period: Period, campaign_id: int) -> list[tuple[str, float]]:
    """Measures per office directly below ``office`` (its subtree included), largest first."""
    children = {c.code: c for c in office.children.all()}
    depth = len(office.path.strip("/").split("/"))
    counts: dict[str, int] = {}
    rows = (
        _measures(office, period.date_from, period.date_to, campaign_id).values("office__path").annotate(n=Count("id"))
    )
    for row in rows:
        codes = row["office__path"].strip("/").split("/")
        code = codes[depth] if len(codes) > depth else office.code
        counts[code] = counts.get(code, 0) + row["n"]
    named: list[tuple[str, float]] = [
        ((children[c].name if c in children else _("%(office)s itself") % {"office": office.name}), float(n))
        for c, n in counts.items()
    ]
    return sorted(named, key=lambda x: -x[1])[:15]


def _by_month(office: Office, period: Period, campaign_id: int) -> list[tuple[str, float]]:
    rows = dict(
        _measures(office, period.date_from, period.date_to, campaign_id)
        .annotate(m=ExtractMonth("taken_on"))
        .values("m")
        .annotate(n=Count("id"))
        .values_list("m", "n")
    )
    return [
        (f"{m}月" if translation.get_language() == "zh-hans" else dt.date(2000, m, 1).strftime("%b"), rows.get(m, 0))
        for m in range(1, 13)
    ]


def _top_offices(office: Office, period: Period, campaign_id: int) -> list[tuple[str, str, int]]:
    rows = (
        _measures(office, period.date_from, period.date_to, campaign_id)
        .values("office__code", "office__name")
        .annotate(n=Count("id"))
        .order_by("-n", "office__code")[:10]
    )
    return [(r["office__code"], r["office__name"], r["n"]) for r in rows]


def breakdowns(office: Office, period: Period, campaign_id: int = 0) -> dict[str, list[list[Any]]]:
    """The tables behind the charts: by office below, by month, by subject kind, and the top offices."""
    figs = figures(office=office, date_from=period.date_from, date_to=period.date_to, campaign_id=campaign_id)
    with translation.override("zh-hans"):
        return {
            "by_office": [
                ["office", "measures"],
                *[[n, int(v)] for n, v in _by_child_office(office, period, campaign_id)],
            ],
            "by_month": [
                ["month", "measures"],
                *[[m, int(v)] for m, (_l, v) in enumerate(_by_month(office, period, campaign_id), 1)],
            ],
            "by_kind": [
                ["subject_kind", "distinct_subjects"],
                *[[k.value, figs.subject_count([(t, k.value) for t in MeasureType.values])] for k in Kind],
            ],
            "top_offices": [
                ["code", "office", "measures"],
                *[list(r) for r in _top_offices(office, period, campaign_id)],
            ],
        }


def context(office: Office, period: Period, lang: str, campaign_id: int = 0, appendix: bool = False) -> dict[str, Any]:
    metric_set = metric_set_for(period.date_from)
    metrics = list(metric_set.metrics.all()) if metric_set else []
    table = tables(office, period, campaign_id)
    values = {row[0]: (row[3], row[4]) for row in table["metrics"][1:]}
    headline = []
    for m in metrics:
        value, before = values[m.key]
        change = f"{(value - before) / before:+.1%}" if before else "—"
        before = "—" if before is None else before
        records = metric_records(m, office, period, campaign_id)
        headline.append(
            {
                "key": m.key,
                "label": m.label_zh if lang == "zh" else m.label_en,
                "value": value,
                "before": before,
                "change": change,
                "link": metric_link(m, office, period, campaign_id),
                "records": _listing(records) if appendix else [],
                "record_count": records.count() if appendix else 0,
            }
        )
    measures = table["measures"][1:]
    label = {t.value: str(t.label) for t in MeasureType}
    figs = figures(office=office, date_from=period.date_from, date_to=period.date_to, campaign_id=campaign_id)
    kinds = [(str(kind.label), figs.subject_count([(t, kind.value) for t in MeasureType.values])) for kind in Kind]
    year = period.date_from.year
    charts = {
        "headline": bar_chart(
            [(h["label"], h["value"]) for h in headline],
            title=_("Published figures"),
            series=[(str(year - 1), [h["before"] if isinstance(h["before"], int) else 0 for h in headline])],
        ),
        "by_measure": bar_chart(
            [(label[m[0]], m[2]) for m in measures],
            title=_("Measures taken, by type"),
            series=[(str(year - 1), [m[5] for m in measures])],
        ),
        "by_office": bar_chart(_by_child_office(office, period, campaign_id), title=_("Measures, by office below")),
        "by_month": column_chart(_by_month(office, period, campaign_id), title=_("Measures, by month")),
        "by_kind": bar_chart([k for k in kinds if k[1]], title=_("Distinct subjects, by kind")),
    }
    return {
        "lang": lang,
        "title": _("Online law enforcement report"),
        "who": who(office, lang),
        "period": period.label(lang),
        "paragraph": report_text(office, period, lang, campaign_id),
        "headline": headline,
        "charts": charts,
        "top_offices": _top_offices(office, period, campaign_id),
        "measures": [(label[m[0]], m[2], m[3], m[4], m[5]) for m in measures],
        "appendix": appendix,
        "appendix_rows": APPENDIX_ROWS,
        "office": office,
    }


def report_html(office: Office, period: Period, lang: str = "zh", campaign_id: int = 0, appendix: bool = False) -> str:
    with translation.override("zh-hans" if lang == "zh" else "en"):
        return render_to_string("reports/report.html", context(office, period, lang, campaign_id, appendix))


def report_pdf(office: Office, period: Period, lang: str = "zh", campaign_id: int = 0) -> bytes:
    from weasyprint import HTML

    html = report_html(office, period, lang, campaign_id, appendix=True)
    return bytes(HTML(string=html).write_pdf())
