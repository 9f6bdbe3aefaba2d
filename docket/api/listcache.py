"""The answers of the officers' lists, kept in this process under the audit chain's head.

Every change of Docket's records appends to the audit chain in its own transaction, and every append moves the
chain's head (one row, locked by each append, so the head's hash names one committed state of the records). A list
answer is a function of that state and of who asks what: kept under (the head's hash, the reader and their office
and roles, the view, the full path, host, scheme, language and media type), it is the answer the list would compute
again, until the next change anywhere moves the head and every kept answer falls out of use.

The head is read with the token, in the request's first query, before the list is read: an answer computed after
that read holds at least every change the head names (READ COMMITTED may show a later change too, which is newer,
never older). Everything else of the request still runs each time: the token is looked up and checked (a revoked
token or a deactivated officer is refused at once), the rate limits count, the parameters are read. Only answers
that need nothing but the records are kept: a list whose rows depended on the clock could not be (see
CONTRIBUTING.md). A change written outside Docket's services (SQL by hand) moves no head: the lists show it after
the next audited change or restart (a deploy's data migration comes with a restart, which keeps nothing). A process
keeps at most ``DOCKET_API_LIST_CACHE_MB`` megabytes of answers (0: none), least recently used first out
(docket.core.memory, as the report cells' bitmaps).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.utils import translation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from docket.core.memory import SizedLRU

# An answer larger than this is computed each time: a few pages of 100 rows fit, an export does not.
LARGEST = 256 * 1024


def _budget() -> int:
    return int(settings.DOCKET_API_LIST_CACHE_MB) * 1024 * 1024


# (body, content type) by key.
kept: SizedLRU[tuple[Any, ...], tuple[bytes, str]] = SizedLRU(_budget)


def _key(view: Any, request: Request) -> tuple[Any, ...] | None:
    token = request.auth
    head = getattr(token, "audit_head", None)
    if head is None or not isinstance(request.accepted_renderer, JSONRenderer):
        # No chain yet (a database loaded without one), or an HTML rendering that depends on more than the rows.
        return None
    officer: Any = request.user
    return (
        head,
        type(view).__qualname__,
        officer.pk,
        officer.office_id,
        officer.role_set,
        request.get_full_path(),
        request.get_host(),
        request.scheme,
        translation.get_language(),
        request.accepted_media_type,
    )


class KeptListMixin:
    """For a list view whose answer depends on the records, the reader and the request alone."""

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        key = _key(self, request) if _budget() > 0 else None
        if key is not None:
            answer = kept.get(key)
            if answer is not None:
                return HttpResponse(answer[0], content_type=answer[1])
        response = super().get(request, *args, **kwargs)  # type: ignore[misc]
        if key is not None and response.status_code == 200:
            # Rendered here as it would be on the way out, so the bytes can be kept.
            response.accepted_renderer = request.accepted_renderer
            response.accepted_media_type = request.accepted_media_type
            response.renderer_context = self.get_renderer_context()  # type: ignore[attr-defined]
            response.render()
            if len(response.content) <= LARGEST:
                kept.put(key, (response.content, response["Content-Type"]), len(response.content))
        return response
