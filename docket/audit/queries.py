from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from docket.audit.models import AuditEntry, AuditHead
from docket.audit.services import GENESIS, hash_of


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    entry_id: int | None
    reason: str


@dataclass(frozen=True)
class ChainTip:
    """Where an intact walk ended: the last entry's sequence number and hash (0 and GENESIS when empty)."""

    seq: int
    hash: str


@contextmanager
def chain_snapshot() -> Iterator[None]:
    """One consistent view of entries and head: otherwise an entry appended during a long walk would show a
    head ahead of the chain, like a deleted tail."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def audit_chain_walk(*, batch: int = 5000) -> tuple[int, ChainTip, ChainBreak | None]:
    """Walk the chain in order. Returns (entries checked, tip reached, first break or None)."""
    with chain_snapshot():
        return _walk(batch)


def _walk(batch: int) -> tuple[int, ChainTip, ChainBreak | None]:
    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    last_id = 0
    while True:
        rows = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not rows:
            break
        for entry in rows:
            last_id = entry.id
            tip = ChainTip(expected_seq - 1, prev_hash)
            if entry.seq != expected_seq:
                reason = _("missing entries before it") if entry.seq > expected_seq else _("out of order")
                message = _("expected sequence %(seq)s: %(reason)s") % {"seq": expected_seq, "reason": reason}
                return checked, tip, ChainBreak(entry.seq, entry.id, message)
            if entry.prev_hash != prev_hash:
                return checked, tip, ChainBreak(entry.seq, entry.id, _("does not follow the entry before it"))
            if hash_of(entry) != entry.hash:
                return checked, tip, ChainBreak(entry.seq, entry.id, _("content was changed after it was written"))
            prev_hash = entry.hash
            expected_seq += 1
            checked += 1
    tip = ChainTip(expected_seq - 1, prev_hash)
    return checked, tip, _head_break(tip)


def _head_break(tip: ChainTip) -> ChainBreak | None:
    # `docket migrate` writes the head row, and every append updates it under lock: a trail without it,
    # even an empty one, has been wiped or had its head deleted.
    head = AuditHead.objects.filter(pk=1).first()
    if head is None:
        if tip.seq == 0:
            reason = _("the chain's head row is missing and the trail is empty: the trail was wiped")
        else:
            reason = _("the chain's head row is missing (the chain ends at #%(end)s): the head was deleted") % {
                "end": tip.seq
            }
        return ChainBreak(tip.seq + 1, None, reason)
    if head.seq > tip.seq:
        return ChainBreak(
            tip.seq + 1,
            None,
            _("the chain ends at #%(end)s but its head records #%(head)s: entries were deleted from the end")
            % {"end": tip.seq, "head": head.seq},
        )
    if head.seq < tip.seq:
        return ChainBreak(
            head.seq,
            None,
            _("the chain goes on to #%(end)s but its head records #%(head)s: the head was set back")
            % {"end": tip.seq, "head": head.seq},
        )
    if head.hash != tip.hash:
        return ChainBreak(
            head.seq,
            None,
            _("the head's hash %(head)s differs from the hash %(tip)s of the last entry: the head was changed")
            % {"head": head.hash[:16], "tip": tip.hash[:16]},
        )
    return None


def audit_chain_verify(*, batch: int = 5000) -> tuple[int, ChainBreak | None]:
    """Walk the chain in order. Returns (entries checked, first break or None)."""
    checked, _tip, broken = audit_chain_walk(batch=batch)
    return checked, broken


def trail_of(obj: Model) -> QuerySet[AuditEntry]:
    """The audit trail of one object, newest first. Callers fetch the object through the jurisdiction first
    (``get_visible``): an object the reader may see has a trail the reader may see."""
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("-seq")
