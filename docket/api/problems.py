"""Every refusal of the API as RFC 9457 problem details (``application/problem+json``).

Docket's own refusals go through the one mapping (``core.answers.answer_for``); Django REST framework's (bad
token, throttled, malformed request) are put in the same shape, so a client reads one kind of error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from docket.core.answers import Answer, FieldProblem, answer_for
from docket.core.errors import DocketError

PROBLEM_TYPE = "application/problem+json"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The object changed since the version named in If-Match; fetch it again."
    default_code = "precondition-failed"


class StaleVersion(DocketError):
    """The version in the request body is not the object's current version."""


def problem_response(answer: Answer, headers: Mapping[str, str] | None = None) -> Response:
    return Response(answer.problem(), status=answer.status, headers=headers, content_type=PROBLEM_TYPE)


def _flatten(detail: Any, prefix: str = "") -> list[FieldProblem]:
    """DRF's nested validation errors as a flat list of field problems (``penalties.0.amount``)."""
    out: list[FieldProblem] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = key if key != "non_field_errors" else ""
            out += _flatten(value, f"{prefix}.{name}" if prefix and name else (name or prefix))
    elif isinstance(detail, list):
        for i, value in enumerate(detail):
            if isinstance(value, (dict, list)):
                out += _flatten(value, f"{prefix}.{i}" if prefix else str(i))
            else:
                out += _flatten(value, prefix)
    else:
        field = prefix
        out.append(FieldProblem(field, field.replace("_", " ").capitalize() or _("Request"), str(detail)))
    return out


_KINDS = {
    400: ("bad-request", _l("Bad request")),
    401: ("not-authenticated", _l("Authentication required")),
    403: ("denied", _l("Not allowed")),
    404: ("not-found", _l("Not found")),
    405: ("method-not-allowed", _l("Method not allowed")),
    406: ("not-acceptable", _l("Not acceptable")),
    409: ("conflict", _l("Changed meanwhile")),
    412: ("precondition-failed", _l("Changed meanwhile")),
    415: ("unsupported-media-type", _l("Unsupported media type")),
    422: ("invalid-input", _l("Please correct the input")),
    429: ("throttled", _l("Too many requests")),
}


def _answer(code: int, detail: str, errors: list[FieldProblem] | None = None) -> Answer:
    kind, title = _KINDS.get(code, ("error", _("Error")))
    return Answer(code, kind, str(title), detail, errors or [])


def problem_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's exception handler for the API: problem details for every refusal; anything else is a 500 with no
    detail (Django logs it; the client never sees a traceback or a model's name)."""
    if isinstance(exc, DocketError):
        return problem_response(answer_for(exc, labels=context.get("labels")))
    if isinstance(exc, Http404):
        return problem_response(_answer(404, str(_("Not found."))))
    if isinstance(exc, PermissionDenied):
        return problem_response(_answer(403, str(_("You may not do this."))))
    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    code = response.status_code
    errors: list[FieldProblem] = []
    if isinstance(exc, exceptions.ValidationError):
        # Input that parsed but does not fit is Unprocessable Content, as a service's InvalidInput is.
        code = 422
        errors = _flatten(exc.detail)
        detail = "; ".join(str(e) for e in errors) or str(_("Invalid input."))
    elif isinstance(exc, exceptions.NotFound):
        detail = str(_("Not found."))
    else:
        detail = str(exc.detail) if not isinstance(exc.detail, (dict, list)) else str(_("Refused."))
    headers = {k: v for k, v in response.headers.items() if k in ("WWW-Authenticate", "Retry-After", "Allow")}
    return problem_response(_answer(code, detail, errors), headers)
