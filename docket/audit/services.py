"""Writing the audit trail, and the ``@service`` wrapper every business service uses."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import threading
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from django.db import models, transaction
from django.utils import timezone

from docket.audit.models import AuditEntry, AuditHead, Outcome
from docket.core.errors import Denied, NotFound

GENESIS = "0" * 64

P = ParamSpec("P")
R = TypeVar("R")

_state = threading.local()


def _canonical(value: Any) -> Any:
    """JSON as stored: dates, decimals and ids become strings so the hash is stable after a round trip."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False, sort_keys=True))


def entry_hash(
    *,
    seq: int,
    at: dt.datetime,
    actor_id: int | None,
    actor_name: str,
    office_code: str,
    action: str,
    object_type: str,
    object_id: str,
    outcome: str,
    detail: Any,
    prev_hash: str,
) -> str:
    payload = [
        seq,
        at.astimezone(dt.UTC).isoformat(),
        actor_id,
        actor_name,
        office_code,
        action,
        object_type,
        object_id,
        outcome,
        detail,
        prev_hash,
    ]
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def hash_of(entry: AuditEntry) -> str:
    return entry_hash(
        seq=entry.seq,
        at=entry.at,
        actor_id=entry.actor_id,
        actor_name=entry.actor_name,
        office_code=entry.office_code,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        outcome=entry.outcome,
        detail=entry.detail,
        prev_hash=entry.prev_hash,
    )


def _actor_fields(actor: Any) -> tuple[int | None, str, str]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, "", ""
    office = getattr(actor, "office", None)
    return actor.pk, actor.get_username(), office.code if office is not None else ""


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    outcome: str = Outcome.OK,
    detail: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> AuditEntry:
    """Append one entry. Call it inside the transaction of the change it records."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk or ""
    actor_id, actor_name, office_code = _actor_fields(actor)
    at = now or timezone.now()
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            # Only a database flushed by a test run lacks the head; a chain with entries never does.
            if AuditEntry.objects.exists():
                raise RuntimeError("audit chain head is missing: run `docket audit verify`")
            head, _created = AuditHead.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})
        entry = AuditEntry(
            seq=head.seq + 1,
            at=at,
            actor_id=actor_id,
            actor_name=actor_name,
            office_code=office_code,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            outcome=outcome,
            detail=_canonical(detail or {}),
            prev_hash=head.hash,
        )
        entry.hash = hash_of(entry)
        entry.save(force_insert=True)
        AuditHead.objects.filter(pk=1).update(seq=entry.seq, hash=entry.hash)
    return entry


def audit_denial(*, actor: Any, action: str, detail: dict[str, Any] | None = None, reason: str = "") -> None:
    """Record a refused access. Inside a service it is written after the service's rollback."""
    info: dict[str, Any] = {"action": action, "detail": {**(detail or {}), **({"reason": reason} if reason else {})}}
    if getattr(_state, "depth", 0) > 0:
        pending = getattr(_state, "pending", None)
        if pending is None:
            _state.pending = pending = []
        pending.append((actor, info))
        return
    audit_record(actor=actor, action=info["action"], outcome=Outcome.DENIED, detail=info["detail"])


def service(fn: Callable[P, R]) -> Callable[P, R]:
    """Run a service in one transaction; refusals are audited once, after the rollback."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        depth = getattr(_state, "depth", 0)
        _state.depth = depth + 1
        try:
            with transaction.atomic():
                return fn(*args, **kwargs)
        except (Denied, NotFound) as exc:
            if depth == 0:
                pending = getattr(_state, "pending", None) or []
                _state.pending = []
                _state.depth = 0
                if not pending:
                    pending = [(kwargs.get("actor"), {"action": fn.__name__, "detail": {"reason": str(exc)}})]
                for actor, info in pending:
                    audit_record(
                        actor=actor,
                        action=info["action"],
                        outcome=Outcome.DENIED,
                        detail=info["detail"],
                    )
            raise
        finally:
            _state.depth = depth
            if depth == 0:
                _state.pending = []

    return wrapper
