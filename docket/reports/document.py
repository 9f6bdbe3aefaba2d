"""The whole report as a document: headline figures, charts, offices, and the records behind each figure.

Two audiences: ``public`` (the default for files) shows figures, names and dates only; ``internal`` adds what
only officers may see — the record ids, the subjects' identifiers, and links to the workspace's list behind each
figure (which filters through ``MeasureFilterSet``, the same rule the figure counts by, so the list's count
is the figure).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from docket.core.vocabulary import Kind, MeasureType
from docket.measures.models import MeasureTarget
from docket.offices.models import Office
from docket.reports.charts import bar_chart, column_chart
from docket.reports.models import Counting, Metric
from docket.reports.queries import counted_measures
from docket.reports.render import report_text
from docket.reports.report import Period, Report, grouped, who

APPENDIX_ROWS = 50
AUDIENCES = ("public", "internal")


def metric_records(metric: Metric, office: Office, period: Period, campaign_id: int = 0) -> Any:
    """The measures a metric counts, each once (a subject metric counts their distinct subjects)."""
    return counted_measures(
        office=office,
        date_from=period.date_from,
        date_to=period.date_to,
        campaign_id=campaign_id,
        types=list(metric.measure_types),
        kinds=list(metric.subject_kinds),
    )


def _listing(records: Any, *, internal: bool) -> list[dict[str, Any]]:
    """The first records of a figure, each with (at most three of) the subjects it was aimed at."""
    measures = list(records.select_related("office", "addressee").order_by("taken_on", "id")[:APPENDIX_ROWS])
    names: dict[int, list[str]] = {}
    counts: dict[int, int] = {}
    for mid, name, ident, kind in MeasureTarget.objects.filter(measure_id__in=[m.pk for m in measures]).values_list(
        "measure_id", "subject__name", "subject__identifier", "subject__kind"
    ):
        counts[mid] = counts.get(mid, 0) + 1
        if len(names.setdefault(mid, [])) < 3:
            if not internal:
                names[mid].append(name)
            else:
                shown = ident if kind != Kind.RESPONSIBLE_PERSON else ident[:4] + "…"
                names[mid].append(f"{name} ({shown})")
    out = []
    for m in measures:
        subjects = "; ".join(names.get(m.pk, [])) or (m.addressee.name if m.addressee else "—")
        if counts.get(m.pk, 0) > 3:
            subjects += _(" … and %(n)d more") % {"n": counts[m.pk] - 3}
        out.append(
            {
                "pk": m.pk if internal else None,
                "date": m.taken_on,
                "office": m.office.name,
                "subjects": subjects,
                "quantity": grouped(m.quantity) if m.quantity is not None else "",
            }
        )
    return out


def metric_link(metric: Metric, office: Office, period: Period, campaign_id: int = 0) -> str:
    """The workspace's measure list of the records behind a figure (the same FilterSet's parameters; scoped to the
    reader's jurisdiction as always)."""
    params = {
        "office": office.code,
        "taken_from": period.date_from.isoformat(),
        "taken_to": period.date_to.isoformat(),
        "type": ",".join(metric.measure_types),
    }
    if metric.subject_kinds:
        params["kind"] = ",".join(metric.subject_kinds)
    if campaign_id:
        params["campaign"] = str(campaign_id)
    return reverse("web-measures") + "?" + urlencode(params)


def _month(m: int) -> str:
    return f"{m}月" if translation.get_language() == "zh-hans" else dt.date(2000, m, 1).strftime("%b")


def context(report: Report, lang: str, *, appendix: bool = False, audience: str = "public") -> dict[str, Any]:
    if audience not in AUDIENCES:
        raise ValueError(f"audience is one of {AUDIENCES}, not {audience!r}")
    internal = audience == "internal"
    office, period, campaign_id = report.office, report.period, report.campaign_id
    now_label = period.short_label(lang)
    before_label = period.year_before().short_label(lang)
    headline: list[dict[str, Any]] = []
    for m in report.metrics:
        value, before = report.values[m.key], report.before_values[m.key]
        records = metric_records(m, office, period, campaign_id) if appendix or internal else None
        # The link lists measures: for an events figure their number is the figure; for a figure of subjects
        # or of a quantity the card says how many measures the list holds, so the two numbers still agree.
        listed = records.count() if records is not None else None
        headline.append(
            {
                "key": m.key,
                "label": m.label_zh if lang == "zh" else m.label_en,
                "value": value,
                "shown": grouped(value),
                "before": before,
                "before_shown": grouped(before),
                "not_published": m.key not in report.before_metrics,
                "change": f"{(value - before) / before:+.1%}" if before else "",
                "link": metric_link(m, office, period, campaign_id) if internal else "",
                "records": _listing(records, internal=internal) if appendix and records is not None else [],
                "record_count": grouped(listed),
                "measures_listed": grouped(listed) if internal and m.counting != Counting.EVENTS else "",
            }
        )
    label = {t.value: str(t.label) for t in MeasureType}
    before_table = report.before_measures
    measures = [
        (
            label[t],
            report.measures[t]["events"],
            report.measures[t]["subjects"],
            report.measures[t]["quantity"],
            before_table[t]["events"] if before_table is not None else None,
        )
        for t in MeasureType.values
    ]
    kind_label = {k.value: str(k.label) for k in Kind}
    kinds = [(kind_label[k], n) for k, n in report.subjects_by_kind if n]
    charts = {
        "headline": bar_chart(
            [(h["label"], h["value"]) for h in headline],
            title=_("Published figures"),
            name=now_label,
            series=[(before_label, [h["before"] for h in headline])],
        ),
        "by_measure": bar_chart(
            [(m[0], m[1]) for m in measures],
            title=_("Measures taken, by type"),
            name=now_label,
            series=[(before_label, [m[4] for m in measures])],
        ),
        "by_office": bar_chart(
            [(name, n) for _code, name, n in report.by_office[:15]], title=_("Measures, by office below")
        ),
        "by_month": column_chart([(_month(m), n) for m, n in report.by_month], title=_("Measures, by month")),
        "by_kind": bar_chart(kinds, title=_("Distinct subjects, by kind")),
    }
    return {
        "lang": lang,
        "title": _("Online law enforcement report"),
        "who": who(office, lang),
        "period": period.label(lang),
        "before_label": before_label,
        "paragraph": report_text(office, period, lang, campaign_id, report=report),
        "headline": headline,
        "charts": charts,
        "top_offices": [(code, name, grouped(n)) for code, name, n in report.top_offices],
        "measures": [tuple(grouped(v) if not isinstance(v, str) else v for v in m) for m in measures],
        "appendix": appendix,
        "appendix_rows": APPENDIX_ROWS,
        "internal": internal,
        "office": office,
    }


def report_html(
    office: Office,
    period: Period,
    lang: str = "zh",
    campaign_id: int = 0,
    *,
    appendix: bool = False,
    audience: str = "public",
    report: Report | None = None,
) -> str:
    report = report if report is not None else Report(office, period, campaign_id)
    with translation.override("zh-hans" if lang == "zh" else "en"):
        return render_to_string("reports/report.html", context(report, lang, appendix=appendix, audience=audience))


def report_pdf(
    office: Office, period: Period, lang: str = "zh", campaign_id: int = 0, audience: str = "public"
) -> bytes:
    from weasyprint import HTML

    html = report_html(office, period, lang, campaign_id, appendix=True, audience=audience)
    return bytes(HTML(string=html).write_pdf())
