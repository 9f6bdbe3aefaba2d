"""The case page's Evidence and Documents sections and the clue page's Material, as inclusion tags.

Each section reads its rows through the scoping path, a fixed number of queries whatever the rows: the page's
own (``evidence``, ``documents``, ``measures``: the case's or clue's, already scoped) when the page has them,
else its own query. Whether evidence may be added now is the steps registry's answer, the page's ``steps``
when it has them.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django import template
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from docket.cases import steps as case_steps
from docket.cases.models import Case, Document
from docket.clues.models import Clue
from docket.core.dates import local_date
from docket.core.steps import REFUSALS
from docket.documents.context import MEASURE_KINDS, document_kind
from docket.documents.models import Kind, Language, RenderedDocument
from docket.documents.queries import documents_of_case
from docket.evidence.models import EvidenceItem
from docket.measures.models import Measure

register = template.Library()

EVIDENCE_STEP = "evidence_add"


def _given(context: template.Context, name: str, model: type[Any]) -> QuerySet[Any] | None:
    """The page's own rows of ``model`` under ``name``, when it has them (read once for the page, not again)."""
    rows = context.get(name)
    return rows if isinstance(rows, QuerySet) and rows.model is model else None


def _user(context: template.Context) -> Any:
    request = context.get("request")
    return getattr(request, "user", None)


def _today(context: template.Context, office: Any) -> Any:
    return context.get("today") or local_date(timezone.now(), getattr(office, "time_zone", None))


def _evidence_upload(context: template.Context, case: Case, user: Any) -> tuple[Any, str]:
    """The upload form when the evidence step is open to this officer now, else the gate's reason."""
    step = case_steps.STEPS[EVIDENCE_STEP]
    today = _today(context, case.office)
    listed = [a for a in context.get("steps") or [] if a.step.name == EVIDENCE_STEP]
    if listed:
        allowed, reason = listed[0].allowed, listed[0].reason
    elif step.states is not None and case.state not in step.states:
        return None, ""
    else:
        try:
            step.check(obj=case, actor=user, on=today)
            allowed, reason = True, ""
        except REFUSALS as exc:
            allowed, reason = False, str(exc)
    if not allowed:
        return None, reason
    form = step.make_form(obj=case, actor=user, on=today)
    form.fields["collected_on"].initial = today
    return form, ""


@register.inclusion_tag("web/_evidence.html", takes_context=True)
def case_evidence(context: template.Context, case: Case) -> dict[str, Any]:
    user = _user(context)
    form, reason = _evidence_upload(context, case, user)
    items = _given(context, "evidence", EvidenceItem)
    if items is None:
        items = EvidenceItem.objects.visible_to(user).filter(case=case).order_by("collected_on", "id")
    return {
        "heading": _("Evidence"),
        "hid": "evidence-h",
        "items": list(items),
        "form": form,
        "reason": reason,
        "upload_url": reverse("web-case-evidence", args=[case.ref]),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("web/_evidence.html", takes_context=True)
def clue_material(context: template.Context, clue: Clue) -> dict[str, Any]:
    user = _user(context)
    items = _given(context, "evidence", EvidenceItem)
    if items is None:
        items = EvidenceItem.objects.visible_to(user).filter(clue=clue).order_by("collected_on", "id")
    return {
        "heading": _("Material"),
        "hid": "evidence-h",
        "items": list(items),
        "form": None,
        "reason": "",
    }


def _renderings(rows: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "language": r.get_language_display(),
            "version": r.template_version,
            "sha256": r.sha256,
            "size": r.size,
            "url": reverse("web-document-pdf", args=[r.pk]),
        }
        for r in rows
    ]


def _missing(rows: list[Any]) -> list[tuple[str, str]]:
    done = {r.language for r in rows}
    return [(code, str(label)) for code, label in Language.choices if code not in done]


@register.inclusion_tag("web/_documents.html", takes_context=True)
def case_documents(context: template.Context, case: Case) -> dict[str, Any]:
    """Every document of the case with its PDFs, and a button per language not rendered yet."""
    user = _user(context)
    by_document: dict[int, list[Any]] = defaultdict(list)
    by_measure: dict[int, list[Any]] = defaultdict(list)
    renderings = _given(context, "documents", RenderedDocument)
    if renderings is None:
        renderings = documents_of_case(user, case)
    for row in renderings:
        if row.document_id is not None:
            by_document[row.document_id].append(row)
        elif row.measure_id is not None:
            by_measure[row.measure_id].append(row)
    entries: list[dict[str, Any]] = []
    documents = Document.objects.visible_to(user).filter(case=case).order_by("issued_on", "id")
    for doc in documents:
        kind = document_kind(doc)
        rows = by_document.get(doc.pk, [])
        entries.append(
            {
                "title": kind.label if kind is not None else doc.get_kind_display(),
                "number": doc.number,
                "issued_on": doc.issued_on,
                "renderings": _renderings(rows),
                "render_url": reverse("web-document-render", args=[case.ref, doc.pk]) if kind is not None else "",
                "missing": _missing(rows) if kind is not None else [],
                "no_template": kind is None,
            }
        )
    measures = _given(context, "measures", Measure)
    if measures is None:
        measures = Measure.objects.visible_to(user).filter(case=case).order_by("taken_on", "id")
    for measure in [m for m in measures if m.type in MEASURE_KINDS]:
        rows = by_measure.get(measure.pk, [])
        kind = Kind(MEASURE_KINDS[measure.type])  # type: ignore[index]
        entries.append(
            {
                "title": kind.label,
                "number": rows[0].number if rows else "",
                "issued_on": measure.taken_on,
                "renderings": _renderings(rows),
                "render_url": reverse("web-measure-notice", args=[measure.pk]),
                "missing": _missing(rows),
                "no_template": False,
            }
        )
    return {"entries": entries, "csrf_token": context.get("csrf_token")}
