"""Files are stored by hash, verified when written, and a corrupt one is replaced, never pointed at."""

import hashlib
import os

import pytest

from docket import testing as t
from docket.audit.models import AuditEntry, Outcome
from docket.cases.models import State
from docket.evidence import storage
from docket.evidence.services import EvidenceCorrupted, evidence_add, evidence_read

NOW = t.NOW
CONTENT = "页面截图 2024-03-05".encode()


def _add(team, case, name="shot.txt"):
    return evidence_add(
        actor=team.a,
        case=case,
        content=CONTENT,
        name=name,
        content_type="text/plain",
        collected_on=case.filed_on,
        collectors=[team.a, team.b],
        method="远程勘验",
        description="",
        now=NOW,
    )


def _corrupt(path, content=b"altered"):
    os.chmod(path, 0o640)
    path.write_bytes(content)


def _files(settings):
    return sorted(p.name for p in settings.DOCKET_EVIDENCE_DIR.rglob("*") if p.is_file())


def test_stored_read_only_under_its_hash_with_no_temporary_left(settings):
    digest = storage.store(CONTENT)
    path = storage._path(digest)
    assert digest == hashlib.sha256(CONTENT).hexdigest() and path.read_bytes() == CONTENT
    assert path.stat().st_mode & 0o777 == 0o440
    assert _files(settings) == [digest]


@pytest.mark.parametrize("damage", ["altered", "truncated", "missing"])
def test_re_adding_replaces_a_corrupt_or_missing_file(team, settings, damage):
    case = t.drive(team, to=State.INVESTIGATING)
    first = _add(team, case)
    path = storage._path(first.sha256)
    if damage == "missing":
        path.unlink()
    else:
        _corrupt(path, b"forged" if damage == "altered" else CONTENT[:5])
    with pytest.raises(EvidenceCorrupted):
        evidence_read(actor=team.a, item=first, now=NOW)
    second = _add(team, case, name="again.txt")
    assert second.sha256 == first.sha256 and path.read_bytes() == CONTENT
    # The earlier item, pointing at the same hash, reads again: the bytes under its name are its own.
    assert evidence_read(actor=team.a, item=first, now=NOW) == CONTENT
    assert _files(settings) == [first.sha256]
    outcomes = list(AuditEntry.objects.filter(action="evidence.read").values_list("outcome", flat=True))
    assert outcomes == [Outcome.FAILED, Outcome.OK]


def test_an_intact_file_is_not_rewritten(settings):
    digest = storage.store(CONTENT)
    before = storage._path(digest).stat()
    storage.store(CONTENT)
    after = storage._path(digest).stat()
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)


def test_bytes_that_read_back_wrong_are_not_stored(settings, monkeypatch):
    original = storage._hash_file

    def failing_disk(path):
        return "0" * 64 if path.name.startswith(".incoming-") else original(path)

    monkeypatch.setattr(storage, "_hash_file", failing_disk)
    with pytest.raises(storage.StoreFailed):
        storage.store(CONTENT)
    assert _files(settings) == []
    assert not storage._path(hashlib.sha256(CONTENT).hexdigest()).exists()


def test_a_failed_verification_leaves_the_corrupt_item_refused_and_nothing_added(team, settings, monkeypatch):
    case = t.drive(team, to=State.INVESTIGATING)
    first = _add(team, case)
    _corrupt(storage._path(first.sha256))
    monkeypatch.setattr(storage, "_hash_file", lambda path: "0" * 64)
    with pytest.raises(storage.StoreFailed):
        _add(team, case, name="again.txt")
    assert case.evidence.count() == 1
    assert [p for p in settings.DOCKET_EVIDENCE_DIR.rglob(".incoming-*")] == []
