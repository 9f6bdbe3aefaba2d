"""The workspace's own writes: saved queues. Each is a service like any other (one transaction, audited)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import QueryDict
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from docket.audit.services import audit_record, service
from docket.core.errors import Denied, FieldError, GateRefused, InvalidInput
from docket.core.filters import CommaChoices
from docket.officers.actors import Actor
from docket.officers.models import Officer
from docket.offices.scoping import get_visible
from docket.web import lists
from docket.web.models import SavedQueue

LISTS: dict[str, lists.ListSpec] = {s.name: s for s in (lists.CASES, lists.CLUES, lists.MEASURES, lists.SUBJECTS)}
# A queue is a way of working, not an archive: a short list of them per officer keeps the lists' menus readable.
MAX_QUEUES = 50
MAX_QUERY = 2000


def queue_query(list_name: str, query: str) -> str:
    """The filter of ``query`` as the list's FilterSet reads it, in its own order, without paging or export
    (InvalidInput naming the filter otherwise). An unknown parameter is dropped: the list ignores it too."""
    spec = LISTS[list_name]
    data = QueryDict(query)
    kept = {name: data.get(name, "").strip() for name in spec.filterset.base_filters if data.get(name, "").strip()}
    # Validation reads the form alone: no rows are fetched.
    filterset = spec.filterset(kept)
    errors = [
        FieldError("query", f"{filterset.filters[name].label}: {' '.join(messages)}")
        for name, messages in filterset.errors.items()
    ]
    if not errors:
        for name, value in filterset.form.cleaned_data.items():
            f = filterset.filters[name]
            if isinstance(f, CommaChoices) and value and not set(value) <= f.allowed:
                unknown = ", ".join(sorted(set(value) - f.allowed))
                message = _("unknown %(v)s") % {"v": unknown}
                errors.append(FieldError("query", f"{f.label}: {message}"))
    if errors:
        raise InvalidInput(errors)
    text = urlencode(kept)
    if len(text) > MAX_QUERY:
        raise InvalidInput(FieldError("query", _("The filter is too long to keep.")))
    return text


def _officer(actor: Actor, doing: str) -> Officer:
    if not isinstance(actor, Officer) or actor.office_id is None:
        raise Denied(_("%(doing)s is for officers of an office.") % {"doing": doing})
    return actor


@service
def queue_save(*, actor: Actor, list_name: str, name: str, query: str, shared: bool, now: dt.datetime) -> SavedQueue:
    """Keep a list's filter under a name (replacing the officer's queue of that name), shared with the officer's
    office or not."""
    officer = _officer(actor, _("Saving a queue"))
    name = (name or "").strip()
    errors = []
    if list_name not in LISTS:
        errors.append(FieldError("list_name", _("one of %(v)s") % {"v": ", ".join(LISTS)}))
    if not name:
        errors.append(FieldError("name", _("Give the queue a name.")))
    elif len(name) > 100:
        errors.append(FieldError("name", _("At most 100 characters.")))
    if errors:
        raise InvalidInput(errors)
    text = queue_query(list_name, query or "")
    # The officer's row is the queue of their saves: two saves under one name never make two queues, and the
    # limit holds however many arrive at once.
    Officer.objects.select_for_update().filter(pk=officer.pk).values_list("pk", flat=True).first()
    existing = SavedQueue.objects.filter(owner_id=officer.pk, list_name=list_name, name=name).first()
    before: dict[str, Any] | None = None
    if existing is None:
        if SavedQueue.objects.filter(owner_id=officer.pk).count() >= MAX_QUEUES:
            raise GateRefused(
                _("You keep %(n)d saved queues already; delete one before saving another.") % {"n": MAX_QUEUES}
            )
        queue = SavedQueue(owner=officer, list_name=list_name, name=name, created_at=now)
    else:
        before = {"query": existing.query, "shared": existing.office_id is not None}
        queue = existing
    queue.query = text
    queue.office_id = officer.office_id if shared else None
    queue.updated_at = now
    queue.save()
    audit_record(
        actor=actor,
        action="saved_queue.save",
        obj=queue,
        now=now,
        detail={"list": list_name, "name": name, "query": text, "shared": shared, "before": before},
    )
    return queue


@service
def queue_delete(*, actor: Actor, queue: SavedQueue, now: dt.datetime) -> None:
    """Delete a saved queue: its owner only. A queue the actor cannot see (another office's) is NotFound."""
    officer = _officer(actor, _("Deleting a queue"))
    found = get_visible(SavedQueue.objects.select_for_update(), officer, pk=queue.pk)
    if found.owner_id != officer.pk:
        raise Denied(_("Only the officer who saved a queue deletes it."))
    detail = {"list": found.list_name, "name": found.name, "query": found.query}
    pk = found.pk
    found.delete()
    audit_record(
        actor=actor, action="saved_queue.delete", object_type="web.savedqueue", object_id=pk, now=now, detail=detail
    )
