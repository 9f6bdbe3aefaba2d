"""The workspace's lists: one description per list (its FilterSet, its scoped rows, its columns), one way to
page, sort and export them. Filtering and scoping belong to the FilterSets and ``visible_to``; nothing here
decides what a reader may see."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import django_filters
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from docket.cases.filtersets import CaseFilterSet
from docket.cases.models import Case
from docket.cases.queries import clock_label
from docket.clues.filtersets import ClueFilterSet
from docket.clues.models import Clue
from docket.core.spreadsheet import neutralise, neutralise_row
from docket.measures.filtersets import MeasureFilterSet
from docket.measures.models import Measure
from docket.subjects.filtersets import SubjectFilterSet
from docket.subjects.models import Subject
from docket.web.templatetags.workspace import Money

PER_PAGE = 50
# Counting every row of a national list means reading a million index entries on each request; beyond this many
# the page says "more than" and its pages stop there (a narrower filter, or the export, reaches the rest).
COUNT_CAP = 100_000


class CappedPaginator(Paginator):  # type: ignore[type-arg]  # pages of any list's rows
    """A paginator whose count stops at COUNT_CAP + 1 rows (one bounded subquery), so no list costs more to count
    than that many index entries, however large the jurisdiction."""

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP

    @cached_property
    def count(self) -> int:
        # Without its order: a LIMIT under an ORDER BY makes PostgreSQL walk the whole table in that order.
        rows: QuerySet[Any] = self.object_list  # type: ignore[assignment]  # the lists page querysets only
        return int(rows.order_by()[: COUNT_CAP + 1].count())

    @cached_property
    def num_pages(self) -> int:
        return max(1, -(-min(self.count, COUNT_CAP) // self.per_page))


@dataclass(frozen=True)
class Column:
    label: Any
    value: Callable[[Any], Any]
    # The page of the row, when this column links to it.
    link: Callable[[Any], str] | None = None


@dataclass(frozen=True)
class ListSpec:
    name: str
    title: Any
    filterset: type[django_filters.FilterSet]
    rows: Callable[[Any], QuerySet[Any]]
    columns: tuple[Column, ...]


def _date(value: Any) -> str:
    return value.isoformat() if value else ""


def _case_url(case: Case) -> str:
    return reverse("web-case", args=[case.ref])


def _clue_url(clue: Clue) -> str:
    return reverse("web-clue", args=[clue.pk])


def _subject_url(subject: Subject) -> str:
    return reverse("web-subject", args=[subject.pk])


CASES = ListSpec(
    "cases",
    _("Cases"),
    CaseFilterSet,
    lambda actor: Case.objects.visible_to(actor).select_related("office").order_by("-id"),
    (
        Column(_("Reference"), lambda c: c.ref, _case_url),
        Column(_("Title"), lambda c: c.title),
        Column(_("State"), lambda c: c.get_state_display()),
        Column(_("Office"), lambda c: c.office.name),
        Column(_("Filed on"), lambda c: _date(c.filed_on)),
        Column(_("Next due date"), lambda c: _date(c.due_on)),
        Column(_("Clock due next"), lambda c: clock_label(c.due_clock) if c.due_clock else ""),
    ),
)

CLUES = ListSpec(
    "clues",
    _("Clues"),
    ClueFilterSet,
    lambda actor: Clue.objects.visible_to(actor).select_related("office").order_by("-id"),
    (
        Column(_("Reference"), lambda c: c.ref, _clue_url),
        Column(_("Received on"), lambda c: _date(c.received_on)),
        Column(_("Source"), lambda c: c.get_source_display()),
        Column(_("Status"), lambda c: c.get_status_display()),
        Column(_("Office"), lambda c: c.office.name),
        Column(_("Summary"), lambda c: c.summary[:120]),
        Column(_("Check due on"), lambda c: _date(c.due_on)),
    ),
)

MEASURES = ListSpec(
    "measures",
    _("Measures"),
    MeasureFilterSet,
    lambda actor: Measure.objects.visible_to(actor).select_related("office", "case", "addressee").order_by("-id"),
    (
        Column(_("Number"), lambda m: m.pk, lambda m: reverse("web-measure", args=[m.pk])),
        Column(_("Type"), lambda m: m.get_type_display()),
        Column(_("Taken on"), lambda m: _date(m.taken_on)),
        Column(_("Office"), lambda m: m.office.name),
        Column(_("Case"), lambda m: m.case.ref if m.case else "", lambda m: _case_url(m.case) if m.case else ""),
        Column(_("Addressed to"), lambda m: m.addressee.name if m.addressee else ""),
        # The figure in the exports, shown as money on the page.
        Column(_("Amount (CNY)"), lambda m: "" if m.amount is None else Money(m.amount)),
        Column(_("Due on"), lambda m: _date(m.due_on)),
    ),
)

SUBJECTS = ListSpec(
    "subjects",
    _("Subjects"),
    SubjectFilterSet,
    lambda actor: Subject.objects.visible_to(actor).order_by("name", "id"),
    (
        Column(_("Name"), lambda s: s.name, _subject_url),
        Column(_("Kind"), lambda s: s.get_kind_display()),
        # A natural person's identity number is masked here as on every page.
        Column(_("Identifier"), lambda s: s.display_identifier),
        Column(_("Platform"), lambda s: s.platform),
    ),
)


def filtered(spec: ListSpec, actor: Any, params: Any) -> tuple[django_filters.FilterSet, QuerySet[Any]]:
    """The list as the FilterSet reads it, within the reader's jurisdiction (an invalid filter: no rows)."""
    fs = spec.filterset(params, queryset=spec.rows(actor))
    return fs, (fs.qs if fs.is_valid() else fs.queryset.none())


def _cells(spec: ListSpec, obj: Any) -> list[Any]:
    return [col.value(obj) for col in spec.columns]


def export(spec: ListSpec, qs: QuerySet[Any], fmt: str) -> HttpResponse:
    headers = [str(c.label) for c in spec.columns]
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet(spec.name)
        sheet.append(neutralise_row(headers))
        for obj in qs.iterator(chunk_size=2000):
            sheet.append([neutralise(v) for v in _cells(spec, obj)])
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(
            out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(neutralise_row(headers))
        for obj in qs.iterator(chunk_size=2000):
            writer.writerow(neutralise_row(_cells(spec, obj)))
        # A byte-order mark so spreadsheet programs read the Chinese text as UTF-8.
        response = HttpResponse("\ufeff" + text.getvalue(), content_type="text/csv; charset=utf-8")
        fmt = "csv"
    response["Content-Disposition"] = f'attachment; filename="{spec.name}.{fmt}"'
    return response


def list_page(request: HttpRequest, spec: ListSpec) -> HttpResponse:
    fs, qs = filtered(spec, request.user, request.GET)
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        return export(spec, qs, fmt)
    page = CappedPaginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    rows = [[(col.value(obj), col.link(obj) if col.link else "") for col in spec.columns] for obj in page.object_list]
    params = request.GET.copy()
    for key in ("page", "export"):
        params.pop(key, None)
    return render(
        request,
        "web/list.html",
        {
            "spec": spec,
            "filter": fs,
            "headers": [c.label for c in spec.columns],
            "rows": rows,
            "page": page,
            "query": params.urlencode(),
            "count_cap": f"{COUNT_CAP:,}",
        },
    )
