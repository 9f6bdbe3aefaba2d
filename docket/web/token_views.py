"""The officer's API tokens in the workspace (``/tokens/``): listed, made (the secret shown this once) and revoked,
through the token services every other door uses."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from docket.api.models import ApiToken
from docket.api.services import MAX_DAYS, token_create, token_revoke
from docket.core.answers import answer_for
from docket.core.errors import DocketError, NotFound
from docket.web.views import officer_required


class TokenForm(forms.Form):
    name = forms.CharField(label=_l("Name"), max_length=100, help_text=_l("Where the token is used, e.g. laptop."))
    days = forms.IntegerField(label=_l("Valid for (days)"), min_value=1, max_value=MAX_DAYS, initial=90)


def _page(
    request: HttpRequest, form: TokenForm, *, new: Any = None, problems: list[str] | None = None, status: int = 200
) -> HttpResponse:
    user: Any = request.user
    tokens = ApiToken.objects.filter(officer_id=user.pk).order_by("-created_at", "-id")
    context = {"tokens": tokens, "form": form, "new": new, "problems": problems or [], "now": timezone.now()}
    response = render(request, "web/tokens.html", context, status=status)
    # The page may hold a secret shown once: no cache keeps a copy of it.
    response["Cache-Control"] = "no-store"
    return response


@officer_required
def tokens(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, TokenForm())
    if "revoke" in request.POST:
        return _revoke(request)
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, problems=[_("Please correct the fields marked below.")], status=422)
    user: Any = request.user
    try:
        new = token_create(
            actor=user, officer=user, name=form.cleaned_data["name"], days=form.cleaned_data["days"], now=timezone.now()
        )
    except DocketError as exc:
        answer = answer_for(exc, labels={n: f.label for n, f in form.fields.items()})
        return _page(request, form, problems=answer.messages(), status=answer.status)
    # Rendered, not redirected: the secret must not wait in a session or a message store for the next page.
    return _page(request, TokenForm(), new=new, status=201)


def _revoke(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    pk = request.POST.get("revoke", "")
    token = ApiToken.objects.filter(pk=int(pk), officer_id=user.pk).first() if pk.isdigit() else None
    if token is None:
        # Another officer's token is not on this page: absent, as every object outside one's reach.
        raise Http404
    try:
        token_revoke(actor=user, token=token, now=timezone.now())
    except NotFound:
        raise Http404 from None
    except DocketError as exc:
        answer = answer_for(exc)
        return _page(request, TokenForm(), problems=answer.messages(), status=answer.status)
    messages.success(request, _("Token %(prefix)s… (%(name)s) revoked.") % {"prefix": token.prefix, "name": token.name})
    return redirect("web-tokens")
