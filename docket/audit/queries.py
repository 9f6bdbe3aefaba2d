from dataclasses import dataclass

from docket.audit.models import AuditEntry, AuditHead
from docket.audit.services import GENESIS, hash_of


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    entry_id: int | None
    reason: str


def audit_chain_verify(*, batch: int = 5000) -> tuple[int, ChainBreak | None]:
    """Walk the chain in order. Returns (entries checked, first break or None)."""
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
            if entry.seq != expected_seq:
                reason = "missing entries before it" if entry.seq > expected_seq else "out of order"
                return checked, ChainBreak(entry.seq, entry.id, f"expected sequence {expected_seq}: {reason}")
            if entry.prev_hash != prev_hash:
                return checked, ChainBreak(entry.seq, entry.id, "does not follow the entry before it")
            if hash_of(entry) != entry.hash:
                return checked, ChainBreak(entry.seq, entry.id, "content was changed after it was written")
            prev_hash = entry.hash
            expected_seq += 1
            checked += 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != expected_seq - 1 or head.hash != prev_hash):
        return checked, ChainBreak(
            expected_seq,
            None,
            f"the chain ends at {expected_seq - 1} but its head records {head.seq}: entries were deleted from the end",
        )
    return checked, None
