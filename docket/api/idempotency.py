"""``Idempotency-Key`` on POST: a retry of the same request gets the first answer, not a second step.

The key is claimed before the step runs (a unique row per token and key, committed at once), so two copies of
one request racing each other cannot both act: the second finds the claim and is told the first is still in
flight (409), or, once it is answered, gets that answer again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from docket.api.models import ApiToken, IdempotentRequest

HEADER = "Idempotency-Key"
MAX_KEY = 200
# Answers are kept this long; a retry after that is a new request.
KEPT = dt.timedelta(hours=24)
REPLAYED_HEADERS = ("ETag",)
# Where the first answer's media type is kept among its replayed headers (not sent as a header itself).
CONTENT_TYPE = "_content_type"


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was used for another request."
    default_code = "idempotency-key-reused"


class KeyInFlight(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "A request with this Idempotency-Key is still being answered; retry later."
    default_code = "idempotency-key-in-flight"


class Replay(Exception):
    def __init__(self, response: Response):
        self.response = response


def _request_hash(request: Request) -> str:
    body = request.data if not hasattr(request.data, "lists") else dict(request.data.lists())
    # An uploaded file counts by its bytes, not its name: the same key with other bytes is another request.
    files = {
        name: [_file_digest(f) for f in request.FILES.getlist(name)] for name in sorted(getattr(request, "FILES", {}))
    }
    text = json.dumps([request.method, request.path, body, files], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _file_digest(upload: Any) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return f"{upload.name}:{digest.hexdigest()}"


def claim(request: Request) -> IdempotentRequest | None:
    """The claim on this request's key, or None without a key; raises Replay, KeyReused or KeyInFlight."""
    key = request.headers.get(HEADER, "").strip()
    token = request.auth
    if not key or request.method != "POST" or not isinstance(token, ApiToken):
        return None
    if len(key) > MAX_KEY:
        raise exceptions.ValidationError({HEADER: [_("At most %(n)d characters.") % {"n": MAX_KEY}]})
    digest = _request_hash(request)
    now = timezone.now()
    IdempotentRequest.objects.filter(token=token, key=key, created_at__lt=now - KEPT).delete()
    try:
        with transaction.atomic():
            return IdempotentRequest.objects.create(token=token, key=key, request_hash=digest, created_at=now)
    except IntegrityError:
        pass
    first = IdempotentRequest.objects.filter(token=token, key=key).first()
    if first is None:
        raise KeyInFlight(_("A request with this Idempotency-Key is still being answered; retry later."))
    if first.request_hash != digest:
        raise KeyReused(_("This Idempotency-Key was used for another request."))
    if first.status is None:
        raise KeyInFlight(_("A request with this Idempotency-Key is still being answered; retry later."))
    headers = dict(first.headers)
    # The first answer's own media type (a DSA statement's 422 is plain JSON, Docket's refusals problem+json).
    kind = headers.pop(CONTENT_TYPE, None)
    response = Response(first.answer, status=first.status, headers={**headers, "Idempotent-Replayed": "true"})
    if kind:
        response.content_type = kind
    elif kind is None and first.status >= 400:
        response.content_type = "application/problem+json"  # kept before the media type was
    raise Replay(response)


def settle(record: IdempotentRequest, response: Response) -> None:
    """Keep the answer for replays; a server error frees the key, so a retry runs the request again."""
    if response.status_code >= 500:
        IdempotentRequest.objects.filter(pk=record.pk).delete()
        return
    headers: dict[str, Any] = {h: response[h] for h in REPLAYED_HEADERS if h in response}
    headers[CONTENT_TYPE] = getattr(response, "content_type", None) or ""
    IdempotentRequest.objects.filter(pk=record.pk).update(
        status=response.status_code, answer=response.data, headers=headers
    )
