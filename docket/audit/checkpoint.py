"""Signed checkpoints of the audit trail, kept away from the database.

The hash chain shows an edit to anyone who holds an older copy of its tip; a checkpoint is that copy, signed
with an Ed25519 key that lives in a file outside the database. Someone who can rewrite the tables can
recompute every hash and the head, or wipe the trail, but cannot make the trail agree with a checkpoint
taken before, nor sign a new one without the key.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.utils.translation import gettext as _

from docket.audit.models import AuditEntry
from docket.audit.queries import ChainBreak, audit_chain_walk, chain_snapshot

FORMAT = "docket-audit-checkpoint/1"


class CheckpointError(Exception):
    """A checkpoint that cannot be written, read or trusted; the message says why."""


@dataclass(frozen=True)
class Checkpoint:
    entries: int
    head_seq: int
    head_hash: str
    at: dt.datetime
    key_id: str

    def payload(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "entries": self.entries,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "at": self.label(),
            "key_id": self.key_id,
        }

    def label(self) -> str:
        return self.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _canonical(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def key_file() -> Path:
    return Path(settings.DOCKET_AUDIT_KEY_FILE)


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def key_create(path: Path) -> Ed25519PrivateKey:
    """Write a new signing key readable by its owner only, and its public half next to it (``.pub``)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    try:
        # O_EXCL: two first uses at once must not overwrite each other's key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise CheckpointError(_("a signing key already exists at %(path)s") % {"path": path}) from None
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    path.with_name(path.name + ".pub").write_bytes(public_pem)
    return private


def key_load(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise CheckpointError(
            _("cannot read the signing key %(path)s: %(error)s") % {"path": path, "error": exc}
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError(_("the signing key %(path)s is not an Ed25519 key") % {"path": path})
    return key


def key_load_or_create(path: Path) -> tuple[Ed25519PrivateKey, bool]:
    if path.exists():
        return key_load(path), False
    try:
        return key_create(path), True
    except CheckpointError:
        return key_load(path), False


def public_key_load(path: Path | None = None) -> Ed25519PublicKey:
    """The public key given, else the one of the signing key in settings."""
    if path is None:
        private_path = key_file()
        if not private_path.exists():
            raise CheckpointError(
                _("no signing key at %(path)s: give the checkpoint's public key with --public-key")
                % {"path": private_path}
            )
        return key_load(private_path).public_key()
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise CheckpointError(
            _("cannot read the public key %(path)s: %(error)s") % {"path": path, "error": exc}
        ) from exc
    if not isinstance(key, Ed25519PublicKey):
        raise CheckpointError(_("the public key %(path)s is not an Ed25519 key") % {"path": path})
    return key


def checkpoint_take(*, private: Ed25519PrivateKey, now: dt.datetime) -> tuple[Checkpoint, str]:
    """Checkpoint the trail as it is now; refused when the chain is already broken (it would bless it)."""
    checked, tip, broken = audit_chain_walk()
    if broken is not None:
        raise CheckpointError(
            _("the audit chain is broken at #%(seq)s (%(reason)s): no checkpoint written")
            % {"seq": broken.seq, "reason": broken.reason}
        )
    cp = Checkpoint(entries=checked, head_seq=tip.seq, head_hash=tip.hash, at=now, key_id=key_id(private.public_key()))
    payload = cp.payload()
    signature = base64.b64encode(private.sign(_canonical(payload))).decode("ascii")
    return cp, json.dumps({**payload, "signature": signature}, indent=2) + "\n"


def checkpoint_read(text: str, *, public: Ed25519PublicKey) -> Checkpoint:
    """Parse a checkpoint and check its signature; any edit to the file, or another key, is refused."""
    try:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("format")
        signature = base64.b64decode(data.pop("signature"), validate=True)
        payload = {k: data[k] for k in ("format", "entries", "head_seq", "head_hash", "at", "key_id")}
        if set(data) != set(payload):
            raise ValueError("fields")
        cp = Checkpoint(
            entries=int(payload["entries"]),
            head_seq=int(payload["head_seq"]),
            head_hash=str(payload["head_hash"]),
            at=dt.datetime.strptime(payload["at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC),
            key_id=str(payload["key_id"]),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        raise CheckpointError(_("the file is not a Docket audit checkpoint")) from None
    if payload["key_id"] != key_id(public):
        raise CheckpointError(
            _("the checkpoint was signed by key %(theirs)s, not by this key %(ours)s: it is not trusted")
            % {"theirs": payload["key_id"], "ours": key_id(public)}
        )
    try:
        public.verify(signature, _canonical(payload))
    except InvalidSignature:
        raise CheckpointError(_("the checkpoint's signature does not match its content: the file was edited")) from None
    return cp


def checkpoint_mismatches(cp: Checkpoint) -> list[str]:
    """What in the trail contradicts the checkpoint. Entries after it are allowed: the chain walk covers them."""
    if cp.head_seq == 0:
        return []
    entry = AuditEntry.objects.filter(seq=cp.head_seq).first()
    recorded = {
        "at": cp.label(),
        "count": cp.entries,
        "seq": cp.head_seq,
        "hash": cp.head_hash[:16],
    }
    if entry is None:
        count = AuditEntry.objects.count()
        last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        return [
            _(
                "the checkpoint of %(at)s records %(count)s entries up to #%(seq)s (hash %(hash)s), "
                "but the trail now has %(now)s entries ending at #%(last)s: entries were deleted"
            )
            % {**recorded, "now": count, "last": last}
        ]
    if entry.hash != cp.head_hash:
        return [
            _(
                "entry #%(seq)s has hash %(actual)s but the checkpoint of %(at)s recorded %(hash)s: "
                "the trail up to it was rewritten"
            )
            % {**recorded, "actual": entry.hash[:16]}
        ]
    return []


def audit_verify_against(cp: Checkpoint) -> tuple[int, ChainBreak | None, list[str]]:
    """The chain walk and the checkpoint comparison together: (entries intact, chain break, mismatches)."""
    with chain_snapshot():
        checked, _tip, broken = audit_chain_walk()
        return checked, broken, checkpoint_mismatches(cp)
