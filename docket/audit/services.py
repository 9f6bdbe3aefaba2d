"""Writing the audit trail, and the ``@service`` wrapper every business service uses."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar, overload

from django.db import models, transaction
from django.utils import timezone

from docket.audit.models import AuditEntry, AuditHead, Outcome
from docket.core.errors import Denied, NotFound

GENESIS = "0" * 64

logger = logging.getLogger(__name__)

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


@dataclass
class _Lasting:
    level: int  # where the caller's outermost transaction starts in the stack of atomic blocks
    depth: int  # how many blocks deep the entry was written (its rollback is any of theirs)
    hash: str
    record: dict[str, Any]


_lasting = threading.local()


def _outermost_level(connection: Any) -> int | None:
    """Where the caller's outermost transaction starts in the stack of atomic blocks, or None outside one.

    A test case's own blocks (``_from_testcase``, as Django marks them for ``durable``) are not the caller's:
    the entry is checked when the test's code leaves its transaction, inside the test's, so tests stay isolated.
    """
    for level, block in enumerate(connection.atomic_blocks):
        if not getattr(block, "_from_testcase", False):
            return level
    return None


def audit_record_lasting(
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
    """Append an entry that survives a rollback of the caller's transaction (a read, failed or refused).

    The entry is written at once in the current transaction, so it commits with the caller's work. Each time
    an atomic block around it ends, an entry its rollback took away is appended again in the block around
    that one, and after the caller's outermost block, outside any. Writing it through a second connection
    instead would wait for the chain's head row that this transaction may already hold (a deadlock on
    PostgreSQL), and on SQLite for the write lock a transaction holds from BEGIN IMMEDIATE: the end of a
    block is the one moment both allow.
    """
    record = {
        "actor": actor,
        "action": action,
        "object_type": object_type or (obj._meta.label_lower if obj is not None else ""),
        "object_id": object_id or (obj.pk if obj is not None and obj.pk is not None else ""),
        "outcome": outcome,
        "detail": detail,
        "now": now or timezone.now(),
    }
    entry = audit_record(**record)
    connection = transaction.get_connection()
    level = _outermost_level(connection)
    if level is not None:
        pending = getattr(_lasting, "pending", None)
        if pending is None:
            _lasting.pending = pending = []
        pending.append(_Lasting(level, len(connection.atomic_blocks), entry.hash, record))
    return entry


def _rewrite_lost(block: transaction.Atomic) -> None:
    """After an atomic block ends: append again the lasting entries its rollback took away."""
    pending: list[_Lasting] = getattr(_lasting, "pending", None) or []
    if not pending or (block.using or "default") != "default":
        return
    depth = len(transaction.get_connection().atomic_blocks)
    if all(item.depth <= depth for item in pending):
        return
    # Cleared first: the writes below end atomic blocks of their own, which pass here again.
    _lasting.pending = []
    keep = []
    for item in pending:
        if item.depth > depth:
            if AuditEntry.objects.filter(hash=item.hash).exists():
                item.depth = depth
            else:
                record = {**item.record, "detail": {**(item.record["detail"] or {}), "after_rollback": True}}
                item = _Lasting(item.level, depth, audit_record(**record).hash, record)
        if depth > item.level:
            keep.append(item)
    _lasting.pending = keep + getattr(_lasting, "pending", [])


def _install_rollback_hook() -> None:
    # Django calls nothing when a transaction rolls back (on_commit hooks are dropped), so the end of every
    # atomic block passes here; it costs one attribute lookup unless a lasting entry is waiting.
    if getattr(transaction.Atomic.__exit__, "_docket_lasting", False):
        return
    original = transaction.Atomic.__exit__

    @functools.wraps(original)
    def __exit__(self: transaction.Atomic, exc_type: Any, exc_value: Any, traceback: Any) -> Any:
        try:
            return original(self, exc_type, exc_value, traceback)
        finally:
            waiting = getattr(_lasting, "pending", None)
            if waiting:
                try:
                    _rewrite_lost(self)
                except Exception:
                    if exc_type is None:
                        raise
                    # The caller's own error goes on; the log keeps what the trail could not.
                    logger.critical("lasting audit entries not rewritten: %r", waiting, exc_info=True)

    __exit__._docket_lasting = True  # type: ignore[attr-defined]
    transaction.Atomic.__exit__ = __exit__  # type: ignore[method-assign]


_install_rollback_hook()


def audit_denial(*, actor: Any, action: str, detail: dict[str, Any] | None = None, reason: str = "") -> None:
    """Record a refused access. Inside a service it is written after the service's rollback."""
    info: dict[str, Any] = {"action": action, "detail": {**(detail or {}), **({"reason": reason} if reason else {})}}
    if getattr(_state, "depth", 0) > 0:
        pending = getattr(_state, "pending", None)
        if pending is None:
            _state.pending = pending = []
        pending.append((actor, info))
        return
    audit_record_lasting(actor=actor, action=info["action"], outcome=Outcome.DENIED, detail=info["detail"])


@dataclass(frozen=True)
class ServiceInfo:
    """What the test suite needs to know of every service: where it is and whether it changes state."""

    name: str
    module: str
    fn: Callable[..., Any]
    writes: bool


# Every @service, by name: the race and jurisdiction tests are collected from it, so a new service
# without its race test or its jurisdiction test fails the suite.
SERVICES: dict[str, ServiceInfo] = {}


@overload
def service(fn: Callable[P, R], /) -> Callable[P, R]: ...
@overload
def service(*, writes: bool = True) -> Callable[[Callable[P, R]], Callable[P, R]]: ...
def service(fn: Callable[P, R] | None = None, /, *, writes: bool = True) -> Any:
    """Run a service in one transaction; refusals are audited once, after the rollback.

    ``writes=False`` marks a service that changes no state but its audit entry (a read that must be audited).
    """
    if fn is None:
        return functools.partial(_wrap, writes=writes)
    return _wrap(fn, writes=writes)


def _wrap(fn: Callable[P, R], *, writes: bool) -> Callable[P, R]:
    if fn.__name__ in SERVICES and SERVICES[fn.__name__].module != fn.__module__:
        raise RuntimeError(f"two services are named {fn.__name__}")
    SERVICES[fn.__name__] = ServiceInfo(fn.__name__, fn.__module__, fn, writes)

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
                    # A refusal stays on record even when the caller then rolls its own transaction back.
                    audit_record_lasting(
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
