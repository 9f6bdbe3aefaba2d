"""Hostile files, for both imports: each refused whole, quickly, naming its row and column, with nothing stored
and no temporary file left behind."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from docket import testing as t
from docket.core.errors import FieldError, InvalidInput
from docket.core.models import ImportRecord, ImportState
from docket.measures.imports import measures_import
from docket.measures.models import Measure
from docket.subjects.models import Subject
from docket.subjects.services import subjects_import

NOW = dt.datetime(2024, 12, 31, 8, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Kind:
    name: str
    run: Callable[..., dict[str, int]]
    header: str
    row: Callable[[int], str]
    free: str  # a free-text column
    ident: str  # a column that is not free text
    width: int


SUBJECTS = Kind(
    "subjects",
    subjects_import,
    "kind,name,identifier,legal_representative",
    lambda i: f"organisation,公司{i},{t.valid_uscc(7100 + i)},张三",
    "name",
    "identifier",
    4,
)
MEASURES = Kind(
    "measures",
    measures_import,
    "office_code,date,measure,subject_kind,subject_identifier,subject_name,legal_basis",
    lambda i: f"330100,2023-03-{i % 28 + 1:02d},website_closure,website,s{i}.example.cn,站{i},第十条",
    "legal_basis",
    "subject_identifier",
    7,
)
KINDS = [pytest.param(SUBJECTS, id="subjects"), pytest.param(MEASURES, id="measures")]


@pytest.fixture
def tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh temporary folder for everything the import writes there."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _file(kind: Kind, *rows: str) -> bytes:
    return (kind.header + "\n" + "".join(r + "\n" for r in rows)).encode()


def _cells(kind: Kind, i: int, column: str, value: str) -> str:
    """Row ``i`` of ``kind`` with ``column`` set to ``value`` (quoted)."""
    names = kind.header.split(",")
    values = kind.row(i).split(",")
    values[names.index(column)] = '"' + value.replace('"', '""') + '"'
    return ",".join(values)


def _refused(kind: Kind, data: Any, tmp: Path) -> list[FieldError]:
    with pytest.raises(InvalidInput) as exc:
        kind.run(actor=None, system=True, data=data, now=NOW, name="hostile.csv")
    assert Subject.objects.count() == 0 and Measure.objects.count() == 0
    assert list(tmp.iterdir()) == []
    return exc.value.errors


def _where(errors: list[FieldError]) -> list[tuple[int | None, str]]:
    return [(e.row, e.field) for e in errors]


@pytest.mark.parametrize("kind", KINDS)
def test_a_field_over_the_limit(tree, tmp, kind):
    data = _file(kind, kind.row(1), _cells(kind, 2, kind.free, "x" * 200_000), kind.row(3))
    errors = _refused(kind, data, tmp)
    assert _where(errors) == [(3, kind.free)]
    assert "at most 64 KiB" in errors[0].message and "200,000 bytes" in errors[0].message


@pytest.mark.parametrize("lines", [2000, 3000])  # under and over what the reader reads before it stops
@pytest.mark.parametrize("kind", KINDS)
def test_a_field_over_the_limit_across_lines(tree, tmp, kind, lines):
    # Short lines, one huge quoted field: the line limit does not see it, the field limit does.
    value = "\n".join(["y" * 99] * lines)
    errors = _refused(kind, _file(kind, kind.row(1), kind.row(2), _cells(kind, 3, kind.free, value)), tmp)
    assert _where(errors) == [(4, kind.free)]
    assert "at most 64 KiB" in errors[0].message


@pytest.mark.parametrize("kind", KINDS)
def test_the_field_limit_is_a_setting(tree, tmp, kind, settings):
    settings.DOCKET_IMPORT_MAX_FIELD_BYTES = 20
    errors = _refused(kind, _file(kind, _cells(kind, 1, kind.free, "名" * 7)), tmp)
    assert _where(errors) == [(2, kind.free)]
    assert "21 bytes; at most 20 bytes" in errors[0].message


@pytest.mark.parametrize("kind", KINDS)
def test_a_header_of_a_million_columns_is_refused_fast(tree, tmp, kind, settings):
    header = ",".join(["c"] * 1_000_000).encode()
    start = time.perf_counter()
    errors = _refused(kind, header + b"\n", tmp)
    assert time.perf_counter() - start < 3
    assert errors[0].row == 1 and errors[0].field.startswith("column ")
    assert "a line longer than 1 MiB" in errors[0].message
    # With lines allowed that long, the number of columns refuses it, as fast.
    settings.DOCKET_IMPORT_MAX_LINE_BYTES = 4 << 20
    start = time.perf_counter()
    errors = _refused(kind, header + b"\n", tmp)
    assert time.perf_counter() - start < 3
    assert _where(errors) == [(1, "column 65")]
    assert "1,000,000 columns; at most 64" in errors[0].message


@pytest.mark.parametrize("kind", KINDS)
def test_a_nul_byte(tree, tmp, kind):
    errors = _refused(kind, _file(kind, kind.row(1), _cells(kind, 2, kind.ident, "91\x0011")), tmp)
    assert _where(errors) == [(3, kind.ident)]
    assert "NUL" in errors[0].message


@pytest.mark.parametrize(
    ("char", "code"),
    [("\x07", "U+0007"), ("\x1b", "U+001B"), ("\x7f", "U+007F"), ("\u0085", "U+0085"), ("\u202e", "U+202E")],
)
@pytest.mark.parametrize("kind", KINDS)
def test_control_characters(tree, tmp, kind, char, code):
    errors = _refused(kind, _file(kind, kind.row(1), _cells(kind, 2, kind.free, f"a{char}b")), tmp)
    assert _where(errors) == [(3, kind.free)]
    assert code in errors[0].message


@pytest.mark.parametrize("char", ["\t", "\n", "\r"])
@pytest.mark.parametrize("kind", KINDS)
def test_tabs_and_line_breaks_only_in_free_text(tree, tmp, kind, char):
    errors = _refused(kind, _file(kind, kind.row(1), _cells(kind, 2, kind.ident, f"a{char}b.example.cn")), tmp)
    assert _where(errors) == [(3, kind.ident)]
    assert "free text only" in errors[0].message
    # The same characters in free text are kept.
    kind.run(actor=None, system=True, data=_file(kind, _cells(kind, 1, kind.free, f"第一款{char}第二款")), now=NOW)
    assert list(tmp.iterdir()) == []
    stored = Subject.objects.get().name if kind is SUBJECTS else Measure.objects.get().legal_basis
    assert stored == f"第一款{char}第二款"


class Endless(io.RawIOBase):
    """``/dev/zero``, or any stream that never ends."""

    def __init__(self, byte: bytes):
        self.byte = byte

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        buffer[:] = self.byte * len(buffer)
        return len(buffer)


@pytest.mark.parametrize(("byte", "message"), [(b"\x00", "NUL"), (b"a", "a line longer than 1 MiB")])
@pytest.mark.parametrize("kind", KINDS)
def test_an_endless_stream_is_refused_fast_in_bounded_memory(tree, tmp, kind, byte, message):
    tracemalloc.start()
    start = time.perf_counter()
    try:
        errors = _refused(kind, Endless(byte), tmp)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - start < 3
    assert peak < 32 << 20
    assert _where(errors) == [(1, "column 1")]
    assert message in errors[0].message


@pytest.mark.parametrize("kind", KINDS)
def test_an_overlong_line(tree, tmp, kind):
    errors = _refused(kind, _file(kind, kind.row(1), kind.row(2), _cells(kind, 3, kind.free, "z" * (2 << 20))), tmp)
    assert _where(errors) == [(4, kind.free)]
    assert "a line longer than 1 MiB" in errors[0].message


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
        (gzip.compress(b"kind,name,identifier\n"), "a gzip archive"),
        (b"PK\x03\x04\x14\x00\x06\x00", "a ZIP archive or an Excel workbook"),
    ],
)
@pytest.mark.parametrize("kind", KINDS)
def test_binary_files(tree, tmp, kind, content, what):
    errors = _refused(kind, content, tmp)
    assert _where(errors) == [(1, "column 1")]
    assert f"not a CSV text file: it looks like {what}" in errors[0].message


@pytest.mark.parametrize("kind", KINDS)
def test_wrong_encodings(tree, tmp, kind):
    gbk = (kind.header + "\n" + kind.row(1) + "\n" + _cells(kind, 2, kind.free, "某公司") + "\n").encode("gbk")
    errors = _refused(kind, gbk, tmp)
    assert _where(errors) == [(2, kind.free)]
    assert "not UTF-8 text" in errors[0].message
    utf16 = _file(kind, kind.row(1)).decode().encode("utf-16")
    errors = _refused(kind, utf16, tmp)
    assert _where(errors) == [(1, "column 1")]
    assert "UTF-16" in errors[0].message


@pytest.mark.parametrize("kind", KINDS)
def test_too_many_columns(tree, tmp, kind):
    errors = _refused(kind, _file(kind, kind.row(1), kind.row(2) + ",x" * 100), tmp)
    assert _where(errors) == [(3, f"column {kind.width + 1}")]
    assert f"{kind.width + 100} fields where the header has {kind.width}" in errors[0].message
    header = ",".join([kind.header, *(f"extra{i}" for i in range(70))])
    errors = _refused(kind, (header + "\n").encode(), tmp)
    assert _where(errors) == [(1, "column 65")]


@pytest.mark.parametrize("kind", KINDS)
def test_a_file_over_the_size_limit(tree, tmp, kind, settings):
    settings.DOCKET_IMPORT_MAX_FILE_BYTES = 300
    errors = _refused(kind, _file(kind, *(kind.row(i) for i in range(1, 20))), tmp)
    assert errors[0].field == "file" and errors[0].row is not None and errors[0].row > 1
    assert "larger than 300 bytes" in errors[0].message


@pytest.mark.parametrize("kind", KINDS)
def test_values_that_look_like_formulas_are_imported_as_they_are(tree, tmp, kind):
    # Exports neutralise them (issue 9, another part); an import keeps what the file says.
    value = '=HYPERLINK("http://x","y")+cmd|\' /C calc\'!A0'
    kind.run(actor=None, system=True, data=_file(kind, _cells(kind, 1, kind.free, value)), now=NOW)
    stored = Subject.objects.get().name if kind is SUBJECTS else Measure.objects.get().legal_basis
    assert stored == value
    assert list(tmp.iterdir()) == []


@pytest.mark.parametrize("kind", KINDS)
def test_temporary_files_are_removed_when_interrupted(tree, tmp, kind, monkeypatch):
    from docket.measures import imports
    from docket.subjects import services

    def interrupt(*args: Any, **kwargs: Any) -> None:
        # The file is copied into the workspace by now.
        assert [p.name for folder in tmp.iterdir() for p in folder.iterdir()] == ["upload.csv"]
        raise KeyboardInterrupt

    monkeypatch.setattr(imports if kind is MEASURES else services, "read_header", interrupt)
    with pytest.raises(KeyboardInterrupt):
        kind.run(actor=None, system=True, data=_file(kind, kind.row(1)), now=NOW)
    assert list(tmp.iterdir()) == []
    assert ImportRecord.objects.get().state == ImportState.INTERRUPTED


@pytest.mark.parametrize(
    ("path", "message"),
    [("/dev/zero", "row 1, column 1: a NUL byte"), ("png", "row 1, column 1: not a CSV text file")],
)
def test_the_command_words_a_hostile_file_in_one_line(tree, tmp, tmp_path, path, message):
    if path == "png":
        png = tmp_path / "photo.csv"
        png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
        path = str(png)
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 error"):
        call_command("import", "measures", path, stderr=err)
    assert err.getvalue().strip().startswith(message)
    assert "Traceback" not in err.getvalue()
    assert list(tmp.iterdir()) == []
