"""Content-addressed file store: a file's path is its SHA-256, so the same bytes are stored once."""

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings


def _path(sha256: str) -> Path:
    return Path(settings.DOCKET_EVIDENCE_DIR) / sha256[:2] / sha256[2:4] / sha256


def store(content: bytes) -> str:
    digest = hashlib.sha256(content).hexdigest()
    path = _path(digest)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a crash never leaves a truncated file under a valid name.
        fd, tmp = tempfile.mkstemp(dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        path.chmod(0o440)
    return digest


def load(sha256: str) -> bytes | None:
    try:
        return _path(sha256).read_bytes()
    except FileNotFoundError:
        return None
