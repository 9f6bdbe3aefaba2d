"""A file's type is what its bytes say, and its name a plain label."""

import unicodedata

import pytest

from docket import testing as t
from docket.audit.models import AuditEntry
from docket.cases.models import State
from docket.core.errors import InvalidInput
from docket.evidence import storage
from docket.evidence.content import check_content, normalise_name
from docket.evidence.models import EvidenceItem
from docket.evidence.services import evidence_add
from docket.evidence.tests import samples

NOW = t.NOW
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.parametrize(
    ("content", "declared"),
    [
        (samples.png(), "image/png"),
        (samples.jpeg(), "image/jpeg"),
        (samples.pdf(), "application/pdf"),
        (samples.mp4(), "video/mp4"),
        (samples.docx(), DOCX),
        (samples.xlsx(), XLSX),
        (samples.zip_of("a.txt"), "application/zip"),
        (samples.docx(), "application/zip"),  # an Office file is a ZIP archive too
        ("截图：首页违法信息".encode(), "text/plain"),
        (b"a,b\n1,2\n", "text/csv"),
        (b"<!DOCTYPE html><html><body>x</body></html>", "text/html"),
        (b'{"a": 1}', "application/json"),
        (b"From: a@example.cn\r\nSubject: x\r\n\r\nbody", "message/rfc822"),
    ],
)
def test_bytes_that_match_the_declared_type_are_accepted(content, declared):
    assert check_content(content, declared) == (declared, [])


@pytest.mark.parametrize(
    ("content", "declared", "found"),
    [
        (samples.exe(), "image/png", "portable-executable"),
        (samples.pdf(), "image/png", "application/pdf"),
        (samples.png(), "text/plain", "image/png"),
        (samples.pdf(), "text/plain", "application/pdf"),  # ASCII, yet a PDF
        (samples.exe(), "text/plain", "portable-executable"),
        (samples.zip_of("a.txt"), DOCX, "application/zip"),
        (samples.xlsx(), DOCX, XLSX),
        (samples.png(), "image/jpeg", "image/png"),
        (b"just some words", "application/pdf", "text"),
        ("naïve".encode("latin-1"), "text/plain", "not a recognised format"),
        (b"text\x00with a NUL", "text/csv", "not a recognised format"),
    ],
)
def test_a_mislabelled_file_is_refused_by_its_bytes(content, declared, found):
    declared_back, errors = check_content(content, declared)
    assert declared_back == declared
    assert [e.field for e in errors] == ["content_type"]
    assert declared in errors[0].message and found in errors[0].message


def test_the_declared_type_is_normalised_and_checked_against_the_allow_list(settings):
    assert check_content(samples.png(), " Image/PNG; name=x.png") == ("image/png", [])
    gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
    assert check_content(gif, "image/gif")[1][0].message == "image/gif files are not accepted"
    settings.DOCKET_EVIDENCE_TYPES = ["image/gif"]
    assert check_content(gif, "image/gif") == ("image/gif", [])
    assert check_content(samples.png(), "image/png")[1][0].message == "image/png files are not accepted"


def test_a_mislabelled_file_is_refused_by_the_service_and_nothing_is_written(team):
    case = t.drive(team, to=State.INVESTIGATING)
    entries = AuditEntry.objects.count()
    with pytest.raises(InvalidInput) as exc:
        evidence_add(
            actor=team.a,
            case=case,
            content=samples.exe(),
            name="截图.png",
            content_type="image/png",
            collected_on=case.filed_on,
            collectors=[team.a, team.b],
            method="远程勘验",
            description="",
            now=NOW,
        )
    assert [e.field for e in exc.value.errors] == ["content_type"]
    assert "declared as image/png" in str(exc.value)
    assert not EvidenceItem.objects.exists() and AuditEntry.objects.count() == entries
    assert not storage._path(storage.hashlib.sha256(samples.exe()).hexdigest()).exists()


# ---------------------------------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("  report.pdf \t", "report.pdf"),
        ("e\u0301vidence.png", "\u00e9vidence.png"),  # NFD from a Mac becomes NFC
        ("网页截图 2024-03-05.png", "网页截图 2024-03-05.png"),
        (".hidden", ".hidden"),
    ],
)
def test_names_are_trimmed_and_nfc_normalised(given, stored):
    assert normalise_name(given) == (stored, [])


@pytest.mark.parametrize(
    "given",
    [
        "",
        "   ",
        ".",
        "..",
        "../evil.exe",
        "dir/file.txt",
        "C:\\Users\\x\\file.txt",
        "a\nb.txt",
        "a\x00.txt",
        "a\x7f.txt",
        "a\x85.txt",
        "photo\u202egnp.exe",
        "x\u2066y.pdf",
    ],
)
def test_paths_control_and_direction_characters_are_refused(given):
    name, errors = normalise_name(given)
    assert name == "" and [e.field for e in errors] == ["name"]


def test_over_long_names_are_shortened_keeping_the_extension(settings):
    long_name = "关于某平台未履行信息内容管理义务的调查材料" * 10 + ".pdf"  # 204 characters, 604 bytes
    name, errors = normalise_name(long_name)
    assert errors == [] and name.endswith("材.pdf") or name.endswith(".pdf")
    assert len(name.encode("utf-8")) <= 255 and len(name.encode("utf-8")) > 250
    assert long_name.startswith(name[:-4]) and unicodedata.is_normalized("NFC", name)
    settings.DOCKET_EVIDENCE_NAME_MAX_BYTES = 12
    assert normalise_name("abcdefghijkl.png") == ("abcdefgh.png", [])
    # No dot, or an "extension" too long to be one: the name is cut at the end.
    assert normalise_name("abcdefghijklmnop") == ("abcdefghijkl", [])
    assert normalise_name("a." + "x" * 20) == ("a." + "x" * 10, [])


def test_the_service_stores_the_normalised_name(team):
    case = t.drive(team, to=State.INVESTIGATING)
    item = evidence_add(
        actor=team.a,
        case=case,
        content=samples.png(),
        name="  e\u0301cran.png ",
        content_type="image/PNG",
        collected_on=case.filed_on,
        collectors=[team.a, team.b],
        method="远程勘验",
        description="",
        now=NOW,
    )
    item.refresh_from_db()
    assert (item.name, item.content_type) == ("\u00e9cran.png", "image/png")
