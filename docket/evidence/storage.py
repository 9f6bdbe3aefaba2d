"""Content-addressed file store: a file's path is its SHA-256, so the same bytes are stored once.

Every write is verified: the bytes go to a temporary file in the target's own folder, are read back and
hashed, and only then renamed over the final name (a rename within one folder is atomic), so a name never
points at bytes other than those its hash names, not even after a crash half-way.
"""

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings

CHUNK = 1024 * 1024


class StoreFailed(OSError):
    """The bytes read back after writing are not those written (a failing disk): nothing was stored."""


def _path(sha256: str) -> Path:
    return Path(settings.DOCKET_EVIDENCE_DIR) / sha256[:2] / sha256[2:4] / sha256


def _hash_file(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            while block := fh.read(CHUNK):
                digest.update(block)
    except FileNotFoundError:
        return None
    return digest.hexdigest()


def store(content: bytes) -> str:
    """Store ``content`` under its SHA-256 and return it. A stored file that no longer has that hash
    (altered, truncated) is replaced, so a new item never points at a corrupt file."""
    digest = hashlib.sha256(content).hexdigest()
    path = _path(digest)
    if _hash_file(path) == digest:
        return digest
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        if _hash_file(tmp) != digest:
            raise StoreFailed(f"evidence {digest}: the bytes read back differ from those written")
        tmp.chmod(0o440)
        # Replaces a corrupt file of the same name in one step; readers see the old or the new, never half.
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_dir(path.parent)
    return digest


def _sync_dir(folder: Path) -> None:
    # The rename is durable once the folder's entry is on disk.
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def load(sha256: str) -> bytes | None:
    try:
        return _path(sha256).read_bytes()
    except FileNotFoundError:
        return None
