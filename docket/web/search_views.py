"""The search page (``/search/?q=``): the one search box, read through ``docket.search.queries.search``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from docket.search import queries

officer_required = login_required(login_url="/login/")

ROWS = 20

# Each group: its heading, the list that shows all of it (filtered by the lists' own ``q``), and a row's link,
# name and detail.
SHOW: dict[str, tuple[Callable[[], str], str, Callable[[Any], tuple[str, str, str]]]] = {
    "cases": (
        lambda: _("Cases"),
        "web-cases",
        lambda c: (reverse("web-case", args=[c.ref]), c.ref, c.title),
    ),
    "clues": (
        lambda: _("Clues"),
        "web-clues",
        lambda c: (reverse("web-clue", args=[c.pk]), c.ref, c.summary[:120]),
    ),
    "subjects": (
        lambda: _("Subjects"),
        "web-subjects",
        lambda s: (reverse("web-subject", args=[s.pk]), s.name, s.display_identifier),
    ),
}


@officer_required
def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[: queries.MAX_QUERY * 2]
    found = queries.search(request.user, q, limit=ROWS)
    results: list[dict[str, Any]] = []
    if found.q and not found.too_short:
        for group in found.groups:
            title, list_name, show = SHOW[group.kind]
            results.append(
                {
                    "kind": group.kind,
                    "title": title(),
                    "url": f"{reverse(list_name)}?{urlencode({'q': found.q})}",
                    "rows": [show(row) for row in group.rows],
                    "more": group.more,
                }
            )
    context = {"q": found.q, "results": results, "max_query": queries.MAX_QUERY}
    return render(request, "web/search.html", {**context, "refusal": queries.TOO_SHORT if found.too_short else ""})
