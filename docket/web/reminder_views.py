"""The signed-in officer's reminders (``/reminders/``), made by ``docket remind``; marking one read is the
``reminder_read`` service. Another officer's reminder answers 404, like an id never used."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from docket.core.errors import NotFound
from docket.reminders.models import Reminder
from docket.reminders.queries import reminders_of
from docket.reminders.services import reminder_read

officer_required = login_required(login_url="/login/")

PER_PAGE = 50


@officer_required
def reminder_list(request: HttpRequest) -> HttpResponse:
    rows = reminders_of(request.user).select_related("case", "clue", "measure", "measure__case")
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "web/reminders.html", {"page": page, "rows": page.object_list})


@officer_required
@require_POST
def reminder_mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    reminder = Reminder.objects.visible_to(user).filter(pk=pk).first()
    if reminder is None:
        raise Http404
    try:
        reminder_read(actor=user, reminder=reminder, now=timezone.now())
    except NotFound:
        raise Http404 from None
    return redirect("web-reminders")
