import hashlib
import os

import pytest
from django.conf import settings

from docket import testing as t
from docket.audit.models import AuditEntry, Outcome
from docket.cases.models import State
from docket.clues.models import Source
from docket.clues.services import clue_register
from docket.core.errors import InvalidInput
from docket.evidence import storage
from docket.evidence.services import EvidenceCorrupted, clue_material_add, evidence_add, evidence_read

NOW = t.NOW


def _add(team, case, content=b"page capture", **kw):
    args = {
        "name": "capture.html",
        "content_type": "text/html",
        "collected_on": case.filed_on,
        "collectors": [team.a, team.b],
        "method": "远程勘验",
        "description": "首页截图",
    }
    args.update(kw)
    return evidence_add(actor=team.a, case=case, content=content, now=NOW, **args)


def test_hash_taken_at_intake_and_checked_on_every_read(team):
    case = t.drive(team, to=State.INVESTIGATING)
    item = _add(team, case)
    assert item.sha256 == hashlib.sha256(b"page capture").hexdigest() and item.size == 12
    assert evidence_read(actor=team.a, item=item, now=NOW) == b"page capture"
    path = storage._path(item.sha256)
    os.chmod(path, 0o640)
    path.write_bytes(b"page capture, altered")
    with pytest.raises(EvidenceCorrupted, match=item.sha256):
        evidence_read(actor=team.a, item=item, now=NOW)
    reads = AuditEntry.objects.filter(action="evidence.read").order_by("seq")
    assert [r.outcome for r in reads] == [Outcome.OK, Outcome.FAILED]


def test_missing_file_is_reported(team):
    case = t.drive(team, to=State.INVESTIGATING)
    item = _add(team, case)
    storage._path(item.sha256).unlink()
    with pytest.raises(EvidenceCorrupted):
        evidence_read(actor=team.a, item=item, now=NOW)


def test_same_bytes_stored_once(team):
    case = t.drive(team, to=State.INVESTIGATING)
    a, b = _add(team, case), _add(team, case, name="copy.html")
    assert a.sha256 == b.sha256
    files = [p for p in settings.DOCKET_EVIDENCE_DIR.rglob("*") if p.is_file()]
    assert len(files) == 1


def test_limits_and_input(team, settings):
    case = t.drive(team, to=State.INVESTIGATING)
    settings.DOCKET_EVIDENCE_MAX_BYTES = 10
    with pytest.raises(InvalidInput) as exc:
        _add(team, case, content=b"x" * 11, content_type="application/x-msdownload", name="../evil.exe", method=" ")
    fields = {e.field for e in exc.value.errors}
    assert fields == {"file", "content_type", "name"}
    with pytest.raises(InvalidInput, match="empty"):
        _add(team, case, content=b"")


def test_clue_material(team):
    clue = clue_register(
        actor=team.a, source=Source.PUBLIC_REPORT, received_on=t.NOW.date(), summary="举报", subjects=[], now=NOW
    )
    item = clue_material_add(
        actor=team.a,
        clue=clue,
        content=b"%PDF-1.4 report",
        name="report.pdf",
        content_type="application/pdf",
        received_on=clue.received_on,
        description="举报材料",
        now=NOW,
    )
    assert item.clue == clue and item.office == clue.office
    assert evidence_read(actor=team.a, item=item, now=NOW).startswith(b"%PDF")
