"""The officer's workspace: pages that read the core (steps registry, FilterSets, scoping, error mapping).

A page parses input, asks the registries and calls one service; gates, filters, counts and permissions are the
core's. An object outside the reader's jurisdiction answers the same 404 as an id never used.
"""

from __future__ import annotations

import datetime as dt
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
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from docket.audit.models import AuditEntry
from docket.audit.queries import trail_of
from docket.cases import services as cs
from docket.cases import steps as case_steps
from docket.cases.filtersets import CaseFilterSet
from docket.cases.models import Assignment, Case, CaseViolation, State
from docket.cases.queries import (
    OPEN_STATES,
    SOON_WORKING_DAYS,
    Queue,
    at_risk_queue,
    case_timeline,
    clock_label,
    clocks_of,
    head_queues,
    overdue_queue,
    oversight_given,
    oversight_received,
    review_queue,
    supervised_queue,
    supervising_queue,
)
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
from docket.officers.models import Officer, Role
from docket.offices.scoping import get_visible
from docket.reports.document import report_html
from docket.reports.queries import FIGURE_READERS, figures_office
from docket.reports.report import Period
from docket.subjects.identity import subject_identifier_reveal
from docket.subjects.models import Subject
from docket.web import lists
from docket.web.models import SavedQueue
from docket.web.services import queue_delete, queue_save
from docket.workdays.calendar import add_working_days

officer_required = login_required(login_url="/login/")

# Rows a dashboard panel shows; its number links to the whole list.
PANEL_ROWS = 20
# Cases one bulk reassignment takes at most (a page of the list, with room to spare).
BULK_MAX = 200


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


# --- saved queues and bulk reassignment -----------------------------------------------------------------------

QUEUE_LABELS = {"name": _lazy("Name"), "query": _lazy("Filter"), "list_name": _lazy("List"), "shared": _lazy("Share")}


def _refused(request: HttpRequest, exc: DocketError, labels: dict[str, Any] | None = None) -> HttpResponse:
    answer = answer_for(exc, labels={k: str(v) for k, v in (labels or {}).items()})
    return render(request, "web/refused.html", {"answer": answer}, status=answer.status)


@officer_required
@require_POST
def queue_save_page(request: HttpRequest) -> HttpResponse:
    """ "Save this filter as…": the list's query string under a name, through the service that validates it."""
    try:
        queue = queue_save(
            actor=request.user,  # type: ignore[arg-type]
            list_name=request.POST.get("list_name", ""),
            name=request.POST.get("name", ""),
            query=request.POST.get("query", ""),
            shared=bool(request.POST.get("shared")),
            now=timezone.now(),
        )
    except DocketError as exc:
        return _refused(request, exc, QUEUE_LABELS)
    messages.success(request, _("Saved queue: %(name)s.") % {"name": queue.name})
    return redirect(_saved_url(queue))


def _saved_url(queue: SavedQueue) -> str:
    base = reverse(f"web-{queue.list_name}")
    return f"{base}?{queue.query}" if queue.query else base


@officer_required
@require_POST
def queue_delete_page(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        queue = get_visible(SavedQueue.objects.all(), request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    try:
        queue_delete(actor=request.user, queue=queue, now=timezone.now())  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None
    except DocketError as exc:
        return _refused(request, exc, QUEUE_LABELS)
    messages.success(request, _("Deleted the saved queue %(name)s.") % {"name": queue.name})
    return redirect(reverse(f"web-{queue.list_name}"))


def _ids(values: list[str]) -> list[int]:
    seen: dict[int, None] = {}
    for v in values:
        if v.strip().isdigit():
            seen.setdefault(int(v), None)
    return list(seen)


# How the bulk page assigns: the chosen officers become the investigators of each case (a reassignment, the
# default: what "reassign the selected cases to …" means), or join those already assigned.
REASSIGN_MODES = ("replace", "add")


@officer_required
@require_POST
def case_reassign(request: HttpRequest) -> HttpResponse:
    """Reassign the selected cases to the chosen officers (or add them): the assignment service once per case,
    each call audited and judged by the service itself; the refusals are listed with their reasons."""
    user: Any = request.user
    ids = _ids(request.POST.getlist("cases"))
    chosen = _ids(request.POST.getlist("officer"))
    found_officers = {o.pk: o for o in Officer.objects.visible_to(user).filter(pk__in=chosen, is_active=True)}
    # An officer the head cannot see is no choice at all; the order is the one the head chose.
    officers = [found_officers[pk] for pk in chosen if pk in found_officers]
    mode = request.POST.get("mode", "replace")
    back = reverse("web-cases") + (f"?{request.POST['query']}" if request.POST.get("query") else "")
    problems = []
    if not ids:
        problems.append(_("Select at least one case."))
    elif len(ids) > BULK_MAX:
        problems.append(_("At most %(n)d cases at a time.") % {"n": BULK_MAX})
    if not officers or len(officers) != len(chosen):
        problems.append(_("Choose the officer to assign."))
    if mode not in REASSIGN_MODES:
        problems.append(_("Choose whether the officers replace the current investigators or join them."))
    if problems:
        return render(request, "web/reassign.html", {"problems": problems, "back": back}, status=422)
    found = {c.pk: c for c in Case.objects.visible_to(user).select_related("office").filter(pk__in=ids)}
    done: list[Case] = []
    refused: list[dict[str, Any]] = []
    statuses: list[int] = []
    labels = {"officers": str(_lazy("Officer"))}
    for pk in ids:
        case = found.get(pk)
        if case is None:
            # Outside the jurisdiction, as for an id never used: the page says no more than that.
            refused.append({"case": None, "ref": str(pk), "reasons": [_("Not found")]})
            statuses.append(404)
            continue
        try:
            cs.case_assign(
                actor=user,
                case=case,
                officers=officers,
                on=_today(case.office),
                now=timezone.now(),
                replace=mode == "replace",
            )
        except DocketError as exc:
            answer = answer_for(exc, labels=labels)
            refused.append({"case": case, "ref": case.ref, "reasons": answer.messages()})
            statuses.append(answer.status)
        else:
            done.append(case)
    # Partly done is done: the page lists what was refused. Nothing done answers as the first refusal did.
    status = 200 if done or not statuses else statuses[0]
    context = {
        "officers": ", ".join(str(o) for o in officers),
        "replace": mode == "replace",
        "done": done,
        "refused": refused,
        "back": back,
        "problems": [],
    }
    return render(request, "web/reassign.html", context, status=status)


# --- dashboard --------------------------------------------------------------------------------------------------

# The lists a dashboard queue may link to.
QUEUE_LISTS: dict[str, lists.ListSpec] = {"cases": lists.CASES, "clues": lists.CLUES}


def _queue_url(queue: Queue) -> str:
    return _list_url(f"web-{queue.list_name}", **queue.params)


def _panel(queue: Queue, qs: Any, urgency: Urgency | None) -> dict[str, Any]:
    """A queue with its first rows; its number is the count of the list it links to (the same FilterSet)."""
    filterset = QUEUE_LISTS[queue.list_name].filterset
    filtered = filterset(queue.params, queryset=qs).qs
    rows = list(filtered[:PANEL_ROWS])
    for row in rows:
        row.urgency = urgency(row.due_on) if urgency else ""
        row.clock_label = clock_label(row.due_clock) if queue.list_name == "cases" and row.due_clock else ""
    kind = "case" if queue.list_name == "cases" else "clue"
    return {
        "key": queue.key,
        "title": queue.label,
        "url": _queue_url(queue),
        "count": filtered.count(),
        "rows": rows,
        "kind": kind,
    }


def _number(queue: Queue, qs: Any) -> dict[str, Any]:
    filterset = QUEUE_LISTS[queue.list_name].filterset
    return {
        "key": queue.key,
        "label": queue.label,
        "url": _queue_url(queue),
        "count": filterset(queue.params, queryset=qs).qs.count(),
    }


def _office_counts(office: Any, cases: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The office's open cases by state and by investigator: one GROUP BY each over the FilterSet of the lists
    they link to, so each number equals its list."""
    # The office's own cases: the offices below are run by their own heads.
    base = {"office": office.code, "below": "false"}
    open_params = {**base, "state": ",".join(OPEN_STATES)}
    counted = CaseFilterSet(open_params, queryset=cases).qs.order_by().values("state").annotate(n=Count("id"))
    numbers = {row["state"]: row["n"] for row in counted}
    by_state = [
        {"label": State(s).label, "count": numbers[s], "url": _list_url("web-cases", **base, state=s)}
        for s in OPEN_STATES
        if numbers.get(s)
    ]
    # By investigator: the same FilterSet, grouped on the active assignment its "investigator" filter joins.
    per_officer = (
        CaseFilterSet(open_params, queryset=cases)
        .qs.order_by()
        .filter(assignments__active=True)
        .values("assignments__officer_id", "assignments__officer__username")
        .annotate(n=Count("id"))
        .order_by("assignments__officer__username")
    )
    by_officer = [
        {
            "label": row["assignments__officer__username"],
            "count": row["n"],
            "url": _list_url("web-cases", **open_params, investigator=row["assignments__officer_id"]),
        }
        for row in per_officer
    ]
    return by_state, by_officer


@officer_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """One page per role: what waits on the reader, each number linking to the list that holds exactly it."""
    user: Any = request.user
    office = getattr(user, "office", None)
    today = _today(office)
    urgency = Urgency(today)
    panels: list[dict[str, Any]] = []
    approvals: list[dict[str, Any]] = []
    by_state: list[dict[str, Any]] = []
    by_officer: list[dict[str, Any]] = []
    oversight: dict[str, Any] | None = None
    figures_year = 0
    cases = lists.CASES.rows(user).select_related(None).only("id", "ref", "title", "state", "due_on", "due_clock")
    clues = lists.CLUES.rows(user).select_related(None).only("id", "ref", "summary", "status", "due_on")
    sets = {"cases": cases, "clues": clues}
    if user.has_role(Role.CASE_OFFICER):
        mine = Queue(
            "mine",
            _("My cases"),
            "cases",
            {"investigator": str(user.pk), "state": ",".join(OPEN_STATES), "order": "due"},
        )
        panels.append(_panel(mine, cases, urgency))
    # An office head finds the same clues among the approvals ("awaiting a filing decision").
    if office is not None and user.has_role(Role.CASE_OFFICER):
        open_clues = Queue(
            "clues",
            _("Open clues of my office"),
            "clues",
            {"office": office.code, "below": "false", "status": ClueStatus.OPEN, "order": "due"},
        )
        panels.append(_panel(open_clues, clues, urgency))
    if user.has_role(Role.LEGAL_REVIEWER):
        panels.append(_panel(review_queue(), cases, urgency))
    if office is not None and user.has_role(Role.OFFICE_HEAD):
        approvals = [_number(q, sets[q.list_name]) for q in head_queues(office, today=today, soon=urgency.soon)]
        by_state, by_officer = _office_counts(office, cases)
        if urgency.soon is not None:
            panels.append(_panel(at_risk_queue(office, soon=urgency.soon), cases, urgency))
        received = oversight_received(user, office)
        oversight = {
            "title": _("Supervision and instructions from higher offices"),
            "given": False,
            "number": _number(supervised_queue(office), cases),
            "rows": list(received[:PANEL_ROWS]),
        }
    if user.has_role(Role.INSPECTOR):
        panels.insert(0, _panel(overdue_queue(today=today), cases, urgency))
        if office is not None and oversight is None:
            given = oversight_given(user, office)
            oversight = {
                "title": _("Cases my office supervises or instructed"),
                "given": True,
                "number": _number(supervising_queue(office), cases),
                "rows": list(given[:PANEL_ROWS]),
            }
    if user.has_role(*FIGURE_READERS):
        figures_year = today.year
    return render(
        request,
        "web/dashboard.html",
        {
            "panels": panels,
            "approvals": approvals,
            "by_state": by_state,
            "by_officer": by_officer,
            "oversight": oversight,
            "figures_year": figures_year,
            "calendar_missing": urgency.missing,
            "today": today,
        },
    )


# --- case page and its steps --------------------------------------------------------------------------------


def _visible_case(request: HttpRequest, ref: str) -> Case:
    try:
        return get_visible(Case.objects.select_related("office", "clue", "profile"), request.user, ref=ref)
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
    evidence = EvidenceItem.objects.visible_to(user).filter(case=case).order_by("collected_on", "id")
    measures = Measure.objects.visible_to(user).filter(case=case).order_by("taken_on", "id")
    documents = documents_of_case(user, case)
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
        # Every clock with its dates and working days left, and on an ended case how each ended.
        "clocks": clocks_of(case, on=today),
        "due_clock_label": clock_label(case.due_clock) if case.due_clock else "",
        "evidence": evidence,
        "measures": measures,
        "documents": documents,
        # The case's entries and those of the records above, in one query (it reads the rows the page shows).
        "timeline": case_timeline(case, evidence=evidence, measures=measures, renderings=documents),
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
    offer = getattr(form, "offer", None)
    if callable(offer):
        # A form whose fields follow a choice made first (a draft's measures, by type) takes it from the query.
        offer(request.GET)
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
@require_POST
@never_cache
def subject_identifier(request: HttpRequest, pk: int) -> HttpResponse:
    """A natural person's identity number in full: asked for by a POST (no prefetch or crawler opens one), shown
    once on this answer (never cached), and every view audited by the service, which checks the role."""
    subject = Subject.objects.visible_to(request.user).filter(pk=pk).first()
    if subject is None:
        raise Http404
    try:
        shown = subject_identifier_reveal(actor=request.user, subject=subject, now=timezone.now())  # type: ignore[arg-type]
    except DocketError as exc:
        return _refused(request, exc)
    return render(request, "web/identifier.html", {"subject": subject, "shown": shown})


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
