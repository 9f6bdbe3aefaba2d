"""The officer's workspace: pages that read the core (steps registry, FilterSets, scoping, error mapping).

A page parses input, asks the registries and calls one service; gates, filters, counts and permissions are the
core's. An object outside the reader's jurisdiction answers the same 404 as an id never used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from docket.audit.models import AuditEntry
from docket.audit.queries import trail_of
from docket.cases import steps as case_steps
from docket.cases.filtersets import CaseFilterSet
from docket.cases.models import Assignment, Case, CaseViolation, ClockSuspension, State
from docket.clues import steps as clue_steps
from docket.clues.filtersets import ClueFilterSet
from docket.clues.models import Clue, ClueStatus
from docket.core.answers import answer_for
from docket.core.dates import local_date
from docket.core.errors import CalendarMissing, DocketError, GateRefused, NotFound
from docket.core.steps import REFUSALS, Step
from docket.documents.queries import documents_of_case
from docket.evidence.models import EvidenceItem
from docket.measures.models import Measure
from docket.officers.models import Role
from docket.offices.scoping import get_visible
from docket.reports.document import report_html
from docket.reports.queries import FIGURE_READERS, figures_office
from docket.reports.report import Period
from docket.subjects.filtersets import SubjectFilterSet
from docket.subjects.models import Subject
from docket.web import lists
from docket.workdays.calendar import add_working_days

officer_required = login_required(login_url="/login/")

# Cases still being worked on: what a dashboard counts as open.
OPEN_STATES = [s for s in State.values if s not in {State.CLOSED, State.ARCHIVED, State.DISMISSED, State.TRANSFERRED}]
# Rows a dashboard panel shows; its number links to the whole list.
PANEL_ROWS = 20
SOON_WORKING_DAYS = 3


def _today(office: Any) -> dt.date:
    return local_date(timezone.now(), getattr(office, "time_zone", None))


def _list_url(name: str, **params: Any) -> str:
    return f"{reverse(name)}?{urlencode(params)}" if params else reverse(name)


class Urgency:
    """Overdue (red) and due within a few working days (amber), from the stored due dates. Without the year's
    holidays the working days cannot be counted: the dates are shown unmarked, with a warning."""

    def __init__(self, today: dt.date):
        self.today = today
        self.missing = ""
        self.soon: dt.date | None
        try:
            self.soon = add_working_days(today, SOON_WORKING_DAYS)
        except CalendarMissing as exc:
            self.soon = None
            self.missing = str(exc)

    def __call__(self, due: dt.date | None) -> str:
        if due is None or self.soon is None:
            return ""
        if due < self.today:
            return "overdue"
        return "soon" if due <= self.soon else ""


# --- lists ------------------------------------------------------------------------------------------------------


@officer_required
def case_list(request: HttpRequest) -> HttpResponse:
    return lists.list_page(request, lists.CASES)


@officer_required
def clue_list(request: HttpRequest) -> HttpResponse:
    return lists.list_page(request, lists.CLUES)


@officer_required
def measure_list(request: HttpRequest) -> HttpResponse:
    return lists.list_page(request, lists.MEASURES)


@officer_required
def subject_list(request: HttpRequest) -> HttpResponse:
    return lists.list_page(request, lists.SUBJECTS)


# --- dashboard --------------------------------------------------------------------------------------------------


def _panel(title: str, url: str, qs: Any, urgency: Urgency | None, kind: str) -> dict[str, Any]:
    rows = list(qs[:PANEL_ROWS])
    for row in rows:
        row.urgency = urgency(row.due_on) if urgency else ""
    return {"title": title, "url": url, "count": qs.count(), "rows": rows, "kind": kind}


@officer_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    office = getattr(user, "office", None)
    today = _today(office)
    urgency = Urgency(today)
    panels: list[dict[str, Any]] = []
    by_state: list[dict[str, Any]] = []
    by_officer: list[dict[str, Any]] = []
    figures_year = 0
    cases = lists.CASES.rows(user).select_related(None).only("id", "ref", "title", "state", "due_on", "due_clock")
    clues = lists.CLUES.rows(user).select_related(None).only("id", "ref", "summary", "status", "due_on")
    if user.has_role(Role.CASE_OFFICER):
        params: dict[str, Any] = {"investigator": user.pk, "state": ",".join(OPEN_STATES), "order": "due"}
        panels.append(
            _panel(
                _("My cases"),
                _list_url("web-cases", **params),
                CaseFilterSet(params, queryset=cases).qs,
                urgency,
                "case",
            )
        )
    if office is not None and user.has_role(Role.CASE_OFFICER, Role.OFFICE_HEAD):
        params = {"office": office.code, "status": ClueStatus.OPEN, "order": "due"}
        panels.append(
            _panel(
                _("Open clues of my office"),
                _list_url("web-clues", **params),
                ClueFilterSet(params, queryset=clues).qs,
                urgency,
                "clue",
            )
        )
    if user.has_role(Role.LEGAL_REVIEWER):
        params = {"state": State.PROPOSED, "order": "due"}
        panels.append(
            _panel(
                _("Drafts awaiting legal review"),
                _list_url("web-cases", **params),
                CaseFilterSet(params, queryset=cases).qs,
                urgency,
                "case",
            )
        )
    if office is not None and user.has_role(Role.OFFICE_HEAD):
        # One GROUP BY over the same FilterSet the linked list uses, so each number equals its list.
        base = {"office": office.code}
        counted = (
            CaseFilterSet({**base, "state": ",".join(OPEN_STATES)}, queryset=cases)
            .qs.order_by()
            .values("state")
            .annotate(n=Count("id"))
        )
        numbers = {row["state"]: row["n"] for row in counted}
        by_state = [
            {"label": State(s).label, "count": numbers[s], "url": _list_url("web-cases", **base, state=s)}
            for s in OPEN_STATES
            if numbers.get(s)
        ]
        # By investigator: the same FilterSet, grouped on the active assignment its "investigator" filter joins.
        open_cases = CaseFilterSet({**base, "state": ",".join(OPEN_STATES)}, queryset=cases).qs.order_by()
        per_officer = (
            open_cases.filter(assignments__active=True)
            .values("assignments__officer_id", "assignments__officer__username")
            .annotate(n=Count("id"))
            .order_by("assignments__officer__username")
        )
        by_officer = [
            {
                "label": row["assignments__officer__username"],
                "count": row["n"],
                "url": _list_url(
                    "web-cases", **base, state=",".join(OPEN_STATES), investigator=row["assignments__officer_id"]
                ),
            }
            for row in per_officer
        ]
    if user.has_role(Role.INSPECTOR, Role.OFFICE_HEAD):
        params = {"state": ",".join(OPEN_STATES), "due_before": (today - dt.timedelta(days=1)).isoformat()}
        params["order"] = "due"
        panels.append(
            _panel(
                _("Overdue cases in my jurisdiction"),
                _list_url("web-cases", **params),
                CaseFilterSet(params, queryset=cases).qs,
                urgency,
                "case",
            )
        )
    if user.has_role(*FIGURE_READERS):
        figures_year = today.year
    return render(
        request,
        "web/dashboard.html",
        {
            "panels": panels,
            "by_state": by_state,
            "by_officer": by_officer,
            "figures_year": figures_year,
            "calendar_missing": urgency.missing,
            "today": today,
        },
    )


# --- case page and its steps --------------------------------------------------------------------------------


def _visible_case(request: HttpRequest, ref: str) -> Case:
    try:
        return get_visible(Case.objects.select_related("office", "clue"), request.user, ref=ref)
    except NotFound:
        raise Http404 from None


def _timeline(obj: Any) -> list[AuditEntry]:
    return list(trail_of(obj).only("seq", "at", "actor_name", "action", "outcome")[:200])


@officer_required
def case_page(request: HttpRequest, ref: str) -> HttpResponse:
    user: Any = request.user
    case = _visible_case(request, ref)
    today = _today(case.office)
    urgency = Urgency(today)
    context = {
        "case": case,
        "today": today,
        "urgency": urgency(case.due_on),
        "calendar_missing": urgency.missing,
        "officers": Assignment.objects.visible_to(user)
        .filter(case=case, active=True)
        .select_related("officer")
        .order_by("id"),
        "parties": case.parties.order_by("name", "id"),
        "violations": CaseViolation.objects.visible_to(user)
        .filter(case=case)
        .select_related("category")
        .prefetch_related("provisions")
        .order_by("id"),
        "suspensions": ClockSuspension.objects.visible_to(user).filter(case=case).order_by("starts_on", "id"),
        "evidence": EvidenceItem.objects.visible_to(user).filter(case=case).order_by("collected_on", "id"),
        "measures": Measure.objects.visible_to(user).filter(case=case).order_by("taken_on", "id"),
        "documents": documents_of_case(user, case),
        "timeline": _timeline(case),
        "steps": case_steps.available_steps(case, user, on=today),
        "step_url": "web-case-step",
        "step_key": case.ref,
    }
    return render(request, "web/case.html", context)


def _step_page(
    request: HttpRequest,
    *,
    obj: Any,
    steps: dict[str, Step],
    state: str,
    action: str,
    back: str,
    title: str,
) -> HttpResponse:
    step = steps.get(action)
    if step is None:
        raise Http404
    user: Any = request.user
    today = _today(obj.office)
    context: dict[str, Any] = {"step": step, "obj": obj, "title": title, "back": back, "problems": [], "form": None}
    # The step's own gate says whether it may be taken now; the page only shows its answer.
    try:
        if step.states is not None and state not in step.states:
            raise GateRefused(_("This step is not possible in the current state."))
        step.check(obj=obj, actor=user, on=today)
    except REFUSALS as exc:
        answer = answer_for(exc)
        context.update(problems=answer.messages(), answer=answer)
        return render(request, "web/step.html", context, status=answer.status)
    if request.method == "POST":
        form = step.make_form(obj=obj, actor=user, on=today, data=request.POST, files=request.FILES)
        if not form.is_valid():
            context.update(form=form, problems=[_("Please correct the fields marked below.")])
            return render(request, "web/step.html", context, status=422)
        try:
            step.run(obj=obj, actor=user, form=form, now=timezone.now())
        except DocketError as exc:
            answer = answer_for(exc, labels=form.labels())
            context.update(form=form, problems=answer.messages(), answer=answer)
            return render(request, "web/step.html", context, status=answer.status)
        messages.success(request, _("Done: %(step)s.") % {"step": step.label})
        return redirect(back)
    form = step.make_form(obj=obj, actor=user, on=today)
    if "on" in form.fields and form.fields["on"].initial is None:
        # Most steps happen the day they are recorded: offer today, in the office's zone.
        form.fields["on"].initial = today
    context["form"] = form
    return render(request, "web/step.html", context)


@officer_required
def case_step(request: HttpRequest, ref: str, action: str) -> HttpResponse:
    case = _visible_case(request, ref)
    return _step_page(
        request,
        obj=case,
        steps=case_steps.STEPS,
        state=case.state,
        action=action,
        back=reverse("web-case", args=[case.ref]),
        title=f"{case.ref} {case.title}",
    )


# --- clue page --------------------------------------------------------------------------------------------------


def _visible_clue(request: HttpRequest, pk: int) -> Clue:
    try:
        return get_visible(Clue.objects.select_related("office"), request.user, pk=pk)
    except NotFound:
        raise Http404 from None


@officer_required
def clue_page(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    clue = _visible_clue(request, pk)
    today = _today(clue.office)
    urgency = Urgency(today)
    context = {
        "clue": clue,
        "today": today,
        "urgency": urgency(clue.due_on) if clue.status == ClueStatus.OPEN else "",
        "calendar_missing": urgency.missing,
        "subjects": clue.subjects.order_by("name", "id"),
        "cases": Case.objects.visible_to(user).filter(clue=clue).order_by("id"),
        "measures": Measure.objects.visible_to(user).filter(clue=clue).order_by("taken_on", "id"),
        "evidence": EvidenceItem.objects.visible_to(user).filter(clue=clue).order_by("collected_on", "id"),
        "timeline": _timeline(clue),
        "steps": clue_steps.available_steps(clue, user, on=today),
        "step_url": "web-clue-step",
        "step_key": clue.pk,
    }
    return render(request, "web/clue.html", context)


@officer_required
def clue_step(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    clue = _visible_clue(request, pk)
    return _step_page(
        request,
        obj=clue,
        steps=clue_steps.STEPS,
        state=clue.status,
        action=action,
        back=reverse("web-clue", args=[clue.pk]),
        title=clue.ref,
    )


# --- subjects and search ---------------------------------------------------------------------------------------


@officer_required
def subject_page(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    subject = Subject.objects.visible_to(user).select_related("operator").filter(pk=pk).first()
    if subject is None:
        raise Http404
    cases = CaseFilterSet({"party": pk, "order": "-filed"}, queryset=lists.CASES.rows(user)).qs
    clues = ClueFilterSet({"subject": pk, "order": "-received"}, queryset=lists.CLUES.rows(user)).qs
    measures = (
        lists.MEASURES.rows(user)
        .filter(Q(targets__subject_id=pk) | Q(addressee_id=pk))
        .distinct()
        .order_by("-taken_on", "-id")
    )
    context = {
        "subject": subject,
        "operator": subject.operator if subject.operator_id else None,
        "hosted": Subject.objects.visible_to(user).filter(operator_id=pk).order_by("name", "id")[:PANEL_ROWS],
        "cases": cases[:PANEL_ROWS],
        "cases_url": _list_url("web-cases", party=pk),
        "clues": clues[:PANEL_ROWS],
        "clues_url": _list_url("web-clues", subject=pk),
        "measures": measures[:PANEL_ROWS],
    }
    return render(request, "web/subject.html", context)


@officer_required
def search(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    q = request.GET.get("q", "").strip()[:200]
    results: list[dict[str, Any]] = []
    if q:
        sections: list[tuple[str, str, Any, Callable[[Any], tuple[str, str, str]]]] = [
            (
                _("Cases"),
                _list_url("web-cases", q=q),
                CaseFilterSet({"q": q}, queryset=lists.CASES.rows(user)).qs,
                lambda c: (reverse("web-case", args=[c.ref]), c.ref, c.title),
            ),
            (
                _("Clues"),
                _list_url("web-clues", q=q),
                ClueFilterSet({"q": q}, queryset=lists.CLUES.rows(user)).qs,
                lambda c: (reverse("web-clue", args=[c.pk]), c.ref, c.summary[:120]),
            ),
            (
                _("Subjects"),
                "",
                SubjectFilterSet({"q": q}, queryset=lists.SUBJECTS.rows(user)).qs,
                lambda s: (reverse("web-subject", args=[s.pk]), s.name, s.display_identifier),
            ),
        ]
        for title, url, qs, show in sections:
            results.append({"title": title, "url": url, "rows": [show(o) for o in qs[:PANEL_ROWS]]})
    return render(request, "web/search.html", {"q": q, "results": results})


# --- figures ---------------------------------------------------------------------------------------------------


@officer_required
def report_page(request: HttpRequest, year: int) -> HttpResponse:
    user: Any = request.user
    try:
        office = figures_office(actor=user)
    except DocketError as exc:
        answer = answer_for(exc)
        return render(request, "web/refused.html", {"answer": answer}, status=answer.status)
    today = _today(office)
    if year > today.year or year < 2000:
        raise Http404
    # The year so far, or the whole of a past year.
    period = Period(dt.date(year, 1, 1), min(today, dt.date(year, 12, 31)))
    lang = "zh" if (request.LANGUAGE_CODE or "").startswith("zh") else "en"
    return HttpResponse(report_html(office, period, lang, audience="public"))
