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
keeps at most ``DOCKET_API_LIST_CACHE_MB`` megabytes of answers (0: none), least
recently used first out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.utils import translation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

# An answer larger than this is computed each time: a few pages of 100 rows fit, an export does not.
LARGEST = 256 * 1024


class _Kept:
    """Answers by key, least recently used first out, within a number of bytes; safe for a server's threads."""

    def __init__(self) -> None:
        self._answers: OrderedDict[tuple[Any, ...], tuple[bytes, str]] = OrderedDict()
        self._lock = threading.Lock()
        self.size = 0

    def get(self, key: tuple[Any, ...]) -> tuple[bytes, str] | None:
        with self._lock:
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
            return answer

    def put(self, key: tuple[Any, ...], answer: tuple[bytes, str], room: int) -> None:
        """Keep ``answer``, then let the least recently used go until the answers fit in ``room`` bytes."""
        with self._lock:
            before = self._answers.pop(key, None)
            if before is not None:
                self.size -= len(before[0])
            self._answers[key] = answer
            self.size += len(answer[0])
            while self.size > room:
                _key, gone = self._answers.popitem(last=False)
                self.size -= len(gone[0])

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()
            self.size = 0

    def __len__(self) -> int:
        return len(self._answers)


kept = _Kept()


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
        room = settings.DOCKET_API_LIST_CACHE_MB * 1024 * 1024
        key = _key(self, request) if room > 0 else None
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
            if len(response.content) <= min(LARGEST, room):
                kept.put(key, (response.content, response["Content-Type"]), room)
        return response
