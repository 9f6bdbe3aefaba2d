"""The measure pages: one measure with its deadline, execution, targets, trail and next steps; its steps; and
recording a measure outside a penalty case, on its own or from a clue.

As everywhere in the workspace, the page asks the steps registry (``measures.steps``) what may be done and calls
the one service of the step; an object outside the reader's jurisdiction answers the same 404 as an unused id.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.db.models import Count, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from docket.clues.models import Clue
from docket.core.answers import answer_for
from docket.core.errors import CalendarMissing, DocketError, NotFound
from docket.core.steps import REFUSALS
from docket.documents.context import MEASURE_KINDS
from docket.documents.models import Language, RenderedDocument
from docket.measures import steps as measure_steps
from docket.measures.forms import DETAIL_LABELS, STANDALONE, STANDALONE_TYPES, RecordForm
from docket.measures.models import FinePayment, Measure, MeasureTarget, TargetStatus
from docket.measures.services import fine_balance
from docket.measures.types import PLATFORM_ORDER_TYPES, SPECS, MeasureType
from docket.offices.scoping import get_visible
from docket.platforms.queries import order_reconciliation
from docket.web.views import Urgency, _step_page, _timeline, _today, officer_required
from docket.workdays.calendar import working_days_between

# Targets listed on the page; an order to a platform may list thousands, counted by status above the list.
TARGET_ROWS = 100


def _visible_measure(request: HttpRequest, pk: int) -> Measure:
    try:
        return get_visible(
            Measure.objects.select_related("office", "case", "case__profile", "clue", "addressee", "to_office"),
            request.user,
            pk=pk,
        )
    except NotFound:
        raise Http404 from None


def _working_days_left(today: dt.date, due: dt.date | None) -> int | None:
    """Working days from today to the due date (negative once it has passed); None without the year's holidays."""
    if due is None:
        return None
    try:
        if due >= today:
            return working_days_between(today, due)
        return -working_days_between(due, today)
    except CalendarMissing:
        return None


@officer_required
def measure_page(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    measure = _visible_measure(request, pk)
    spec = SPECS[measure.type]
    today = _today(measure.office)
    urgency = Urgency(today)
    balance = None
    payments: list[FinePayment] = []
    if spec.amount:
        # Read once: the balance and the list of payments below share them.
        prefetch_related_objects([measure], "payments")
        payments = sorted(measure.payments.all(), key=lambda p: (p.paid_on, p.pk))
        balance = fine_balance(measure, today)
    # What the measure asks of its addressee is done once it is verified, paid or confirmed: its deadline is
    # then shown as history, not as urgency.
    settled = bool(measure.verification) or (balance is not None and balance.outstanding <= 0)
    days_left = None if settled else _working_days_left(today, measure.due_on)
    notices = (
        list(
            RenderedDocument.objects.visible_to(user).filter(measure=measure).order_by("language", "-template_version")
        )
        if measure.type in MEASURE_KINDS
        else []
    )
    targets = MeasureTarget.objects.visible_to(user).filter(measure=measure)
    by_status = {row["status"]: row["n"] for row in targets.order_by().values("status").annotate(n=Count("id"))}
    # Beside the number ordered: how many were done, refused, ... (whatever the statuses are), and what is left.
    counts = [
        (label, by_status.get(value, 0)) for value, label in TargetStatus.choices if value != TargetStatus.ORDERED
    ]
    total = sum(by_status.values())
    context = {
        "measure": measure,
        "spec": spec,
        "today": today,
        "urgency": "" if settled else urgency(measure.due_on),
        "days_left": days_left,
        "days_overdue": -days_left if days_left is not None and days_left < 0 else 0,
        "calendar_missing": urgency.missing,
        "settled": settled,
        "balance": balance,
        "payments": payments,
        "details": [(DETAIL_LABELS.get(k, k), v) for k, v in (measure.details or {}).items() if v not in ("", None)],
        "campaigns": list(measure.campaigns.all()),
        "targets": list(targets.select_related("subject").order_by("id")[:TARGET_ROWS]),
        "target_counts": counts,
        "target_total": total,
        "targets_more": max(0, total - TARGET_ROWS),
        "is_order": measure.type == MeasureType.ACCOUNT_CLOSURE_ORDER,
        "outstanding": by_status.get(TargetStatus.ORDERED, 0),
        # An order to a platform: what the platform reported back, item by item, against what was ordered.
        "reconciliation": order_reconciliation(measure, on=today)
        if measure.addressee_id is not None and measure.type in PLATFORM_ORDER_TYPES
        else None,
        # The notice an interview or a rectification order carries: its renderings, and a button per language
        # not rendered yet.
        "has_notice": measure.type in MEASURE_KINDS,
        "notices": notices,
        "notice_languages": [
            (code, label) for code, label in Language.choices if code not in {n.language for n in notices}
        ],
        "timeline": _timeline(measure),
        "steps": measure_steps.available_steps(measure, user, on=today),
        "step_url": "web-measure-step",
        "step_key": measure.pk,
    }
    return render(request, "web/measure.html", context)


@officer_required
def measure_step(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    measure = _visible_measure(request, pk)
    return _step_page(
        request,
        obj=measure,
        steps=measure_steps.STEPS,
        state="",
        action=action,
        back=reverse("web-measure", args=[measure.pk]),
        title=f"{measure.get_type_display()} · {measure.taken_on:%Y-%m-%d}",
    )


# --- recording a measure outside a penalty case -----------------------------------------------------------------


def _source_clue(request: HttpRequest) -> Clue | None:
    raw = request.GET.get("clue", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    try:
        return get_visible(Clue.objects.select_related("office"), request.user, pk=int(raw))
    except NotFound:
        raise Http404 from None


@officer_required
def measure_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    step = measure_steps.RECORD
    clue = _source_clue(request)
    office = getattr(user, "office", None)
    today = _today(office)
    back = reverse("web-clue", args=[clue.pk]) if clue else reverse("web-measures")
    context: dict[str, Any] = {
        "step": step,
        "clue": clue,
        "back": back,
        "types": STANDALONE,
        "problems": [],
        "form": None,
        "chosen": "",
    }
    # The step's own gate (officers and heads of an office) says whether this officer may record at all.
    try:
        step.check(obj=None, actor=user, on=today)
    except REFUSALS as exc:
        answer = answer_for(exc)
        context.update(problems=answer.messages(), answer=answer)
        return render(request, "web/measure_new.html", context, status=answer.status)
    if request.method == "POST":
        form = step.make_form(obj=None, actor=user, on=today, data=request.POST)
        context.update(form=form, chosen=getattr(form, "type_chosen", ""))
        if not form.is_valid():
            context["problems"] = [_("Please correct the fields marked below.")]
            return render(request, "web/measure_new.html", context, status=422)
        try:
            measure = step.run(obj=None, actor=user, form=form, now=timezone.now())
        except DocketError as exc:
            answer = answer_for(exc, labels=form.labels())
            # Each refusal also beside the field it concerns, when the form shows that field.
            for problem in answer.errors:
                if problem.field in form.fields:
                    form.add_error(problem.field, problem.message)
            context.update(problems=answer.messages(), answer=answer)
            return render(request, "web/measure_new.html", context, status=answer.status)
        messages.success(request, _("Done: %(step)s.") % {"step": step.label})
        return redirect("web-measure", measure.pk)
    chosen = request.GET.get("type", "")
    if chosen in STANDALONE_TYPES:
        initial: dict[str, Any] = {"type": chosen, "taken_on": today}
        if clue is not None:
            # The clue's subjects are what a measure from it is most often aimed at; the officer may change them.
            initial["subjects"] = list(clue.subjects.visible_to(user).order_by("name", "id"))
            initial["clue"] = clue
        context.update(form=RecordForm(initial=initial, obj=None, actor=user, on=today), chosen=chosen)
    keep: dict[str, str] = {"clue": str(clue.pk)} if clue else {}
    context["type_links"] = [(value, label, "?" + urlencode({**keep, "type": value})) for value, label in STANDALONE]
    return render(request, "web/measure_new.html", context)


# Mounted by ``docket.web.urls``.
urlpatterns = [
    path("measures/new/", measure_new, name="web-measure-new"),
    path("measures/<int:pk>/", measure_page, name="web-measure"),
    path("measures/<int:pk>/steps/<str:action>/", measure_step, name="web-measure-step"),
]
