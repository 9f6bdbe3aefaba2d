"""Docket's sign-in pages: password, second factor, enrolment, sign-out. Each calls one service."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from docket.accounts.forms import CodeForm, ConfirmForm, SignInForm
from docket.accounts.services import (
    address_refused,
    has_second_factor,
    is_verified,
    recovery_codes_issue,
    requires_second_factor,
    second_factor_verify,
    sign_in_failure_record,
    totp_confirm,
    totp_device,
    totp_device_start,
)
from docket.accounts.signals import client_address
from docket.core.errors import Conflict, GateRefused, InvalidInput


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return settings.LOGIN_REDIRECT_URL


def _with_next(url: str, target: str) -> str:
    return url if target == settings.LOGIN_REDIRECT_URL else f"{url}?{urlencode({'next': target})}"


def _after_password(request: HttpRequest, target: str) -> HttpResponseRedirect:
    user = request.user
    if has_second_factor(user):
        return HttpResponseRedirect(_with_next("/login/verify/", target))
    if requires_second_factor(user):
        # The enrolment page itself says why the officer is there.
        return HttpResponseRedirect(_with_next("/account/two-factor/", target))
    return HttpResponseRedirect(target)


def _sign_in_page(request: HttpRequest, form: SignInForm, error: str = "", status: int = 200) -> HttpResponse:
    context = {"form": form, "error": error, "next": _next(request)}
    return render(request, "accounts/login.html", context, status=status)


def locked_out_page(request: HttpRequest) -> HttpResponse:
    minutes = settings.DOCKET_LOCKOUT_MINUTES
    error = _(
        "Too many failed sign-ins for this username. Try again in %(minutes)s minutes, or ask an administrator "
        "to unlock the account."
    ) % {"minutes": minutes}
    return _sign_in_page(request, SignInForm(initial={"username": request.POST.get("username", "")}), error, 429)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    target = _next(request)
    if request.user.is_authenticated:
        return HttpResponseRedirect(target) if is_verified(request.user) else _after_password(request, target)
    if request.method != "POST":
        return _sign_in_page(request, SignInForm())
    form = SignInForm(request.POST)
    if not form.is_valid():
        return _sign_in_page(request, form)
    now = timezone.now()
    address = client_address(request)
    if address_refused(address=address, now=now):
        sign_in_failure_record(username=form.cleaned_data["username"], address=address, refused=True, now=now)
        error = _("Too many failed sign-ins from your network address. Try again in an hour.")
        return _sign_in_page(request, SignInForm(initial={"username": form.cleaned_data["username"]}), error, 429)
    user = authenticate(request, username=form.cleaned_data["username"], password=form.cleaned_data["password"])
    if user is None:
        if getattr(request, "axes_locked_out", False):
            return locked_out_page(request)
        # One sentence for a wrong password, an unknown username and an inactive account: nothing to enumerate.
        form = SignInForm(initial={"username": form.cleaned_data["username"]})
        return _sign_in_page(request, form, _("The username or password is not correct."))
    login(request, user)
    return _after_password(request, target)


@sensitive_post_parameters("token")
@csrf_protect
@never_cache
def verify(request: HttpRequest) -> HttpResponse:
    target = _next(request)
    user = request.user
    if not user.is_authenticated:
        return HttpResponseRedirect(_with_next(settings.LOGIN_URL, target))
    if is_verified(user) or not has_second_factor(user):
        return HttpResponseRedirect(target)
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            actor: Any = user
            device = second_factor_verify(actor=actor, token=form.cleaned_data["token"], now=timezone.now())
        except (Conflict, GateRefused) as exc:
            error = str(exc)
        else:
            if device is not None:
                otp_login(request, device)
                return HttpResponseRedirect(target)
            error = _("The code is not valid. After several wrong codes, wait a little before trying again.")
        form = CodeForm()
    return render(request, "accounts/verify.html", {"form": form, "error": error, "next": target})


@require_POST
@csrf_protect
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, _("You have signed out."))
    return HttpResponseRedirect(settings.LOGIN_URL)


def admin_login(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(_with_next(settings.LOGIN_URL, _next(request) if "next" in request.GET else "/admin/"))


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    text = str(image.to_string(encoding="unicode"))
    return text[text.index("<svg") :] if "<svg" in text else text


def _codes_page(request: HttpRequest, codes: list[str], target: str) -> HttpResponse:
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": target})


@sensitive_post_parameters("token")
@csrf_protect
@never_cache
def two_factor(request: HttpRequest) -> HttpResponse:
    target = _next(request)
    user = request.user
    if not user.is_authenticated:
        return HttpResponseRedirect(_with_next(settings.LOGIN_URL, "/account/two-factor/"))
    now = timezone.now()
    actor: Any = user
    if has_second_factor(user):
        # Enabled: the page offers a new set of recovery codes (the middleware has checked the second factor).
        if request.method == "POST" and request.POST.get("action") == "codes":
            return _codes_page(request, recovery_codes_issue(actor=actor, now=now), target)
        return render(request, "accounts/two_factor_enabled.html", {"next": target})
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = totp_confirm(actor=actor, token=form.cleaned_data["token"], now=now)
        except InvalidInput as exc:
            for error in exc.errors:
                form.add_error("token" if error.field == "token" else None, error.message)
        except Conflict as exc:
            messages.error(request, str(exc))
        else:
            otp_login(request, device)
            messages.success(request, _("Two-step sign-in is enabled."))
            return _codes_page(request, codes, target)
    device = totp_device(user, confirmed=False) or totp_device_start(actor=actor, now=now)
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    context = {
        "form": form,
        "secret": " ".join(key[i : i + 4] for i in range(0, len(key), 4)),
        "qr": mark_safe(_qr_svg(device.config_url)),  # noqa: S308 - drawn here from the device's own URL
        "required": requires_second_factor(user),
        "next": target,
    }
    return render(request, "accounts/two_factor.html", context)
