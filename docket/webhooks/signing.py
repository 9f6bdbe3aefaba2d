"""The signature of a push: ``Docket-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">``.

The timestamp is signed with the body, so a captured push cannot be replayed later (the receiver refuses an
old ``t``) and its body cannot be altered. ``docs/webhooks.md`` gives the same check for a platform to copy.
"""

from __future__ import annotations

import hashlib
import hmac

HEADER = "Docket-Signature"
# How far a receiver should accept a timestamp from its own clock.
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, *, now: int, tolerance: int = TOLERANCE_SECONDS) -> bool:
    """What a receiver does: the header's timestamp is recent and one of its ``v1`` values is the HMAC."""
    parts = [p.partition("=") for p in header.split(",")]
    stamps = [v for k, _sep, v in parts if k.strip() == "t"]
    given = [v.strip() for k, _sep, v in parts if k.strip() == "v1"]
    if len(stamps) != 1 or not stamps[0].strip().isdigit() or not given:
        return False
    timestamp = int(stamps[0])
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body).rpartition("v1=")[2]
    return any(hmac.compare_digest(expected, g) for g in given)
