"""Reading CSV files into DuckDB: row numbers stay exact whichever way the file is read."""

import hashlib
import io
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from docket.core.columnar import CHUNK, Limits, duck, load_csv, read_records, spool, workspace
from docket.core.errors import InvalidInput

HEADER = ["a", "b"]


def _load(
    data: bytes, free_text: tuple[str, ...] = ()
) -> tuple[list[tuple[int, str, str]], list[tuple[int | None, str]]]:
    with workspace() as tmp, duck(tmp) as con:
        errors = load_csv(con, spool(data, tmp), HEADER, free_text=free_text)
        rows = con.execute("SELECT n, a, b FROM raw ORDER BY n").fetchall()
    return rows, [(e.row, e.message) for e in errors]


def test_one_record_per_line_numbers_rows_from_two():
    rows, errors = _load(b"a,b\n1, x \n2,\n3,z")
    assert rows == [(2, "1", "x"), (3, "2", ""), (4, "3", "z")]
    assert errors == []


def test_bom_and_crlf():
    rows, errors = _load("\ufeffa,b\r\n1,甲\r\n2,乙\r\n".encode())
    assert rows == [(2, "1", "甲"), (3, "2", "乙")]
    assert errors == []


def test_quoted_commas_and_line_breaks_keep_record_numbers():
    rows, errors = _load(b'a,b\n1,"x, y"\n2,"two\nlines"\n3,"say ""hi"""\n', free_text=("b",))
    assert rows == [(2, "1", "x, y"), (3, "2", "two\nlines"), (4, "3", 'say "hi"')]
    assert errors == []


def test_blank_lines_are_skipped_but_counted():
    rows, errors = _load(b"a,b\n1,x\n\n3,z\n\n")
    assert rows == [(2, "1", "x"), (4, "3", "z")]
    assert errors == []


def test_rows_of_the_wrong_width_are_reported_with_their_number():
    rows, errors = _load(b"a,b\n1,x\n2\n3,y,extra\n4,z\n")
    assert rows == [(2, "1", "x"), (5, "4", "z")]
    assert errors == [(3, "1 fields where the header has 2"), (4, "3 fields where the header has 2")]


def test_header_only():
    rows, errors = _load(b"a,b\n")
    assert rows == [] and errors == []


LIMITS = Limits(file_bytes=1 << 30, line_bytes=10, field_bytes=8, columns=3)


def _refusal(data: bytes, lim: Limits = LIMITS) -> tuple[int | None, str, str]:
    with workspace() as tmp, pytest.raises(InvalidInput) as exc:
        spool(data, tmp, lim)
    (error,) = exc.value.errors
    return error.row, error.field, error.message


def test_a_line_at_the_limit_passes_one_byte_more_does_not():
    with workspace() as tmp:
        upload = spool(b"a,b\n123456,89\n", tmp, LIMITS)
        assert (upload.size, upload.lines) == (14, 2)
    assert _refusal(b"a,b\n12345678,89\nx,y\n") == (2, "b", "a line longer than 10 bytes")


def test_a_character_split_between_two_chunks_is_still_seen():
    # U+202E (right-to-left override) is three bytes: the first two end one chunk, the last starts the next.
    head = b"a,b\n" + b"x,y\n" * ((CHUNK - 6) // 4)
    pad = CHUNK - 2 - len(head)
    data = head + b"z" * pad + "\u202e".encode() + b",w\n"
    assert data.index("\u202e".encode()) == CHUNK - 2
    row, field, message = _refusal(data, Limits(1 << 30, 1 << 20, 1 << 16, 3))
    assert (row, field) == (2 + (CHUNK - 6) // 4, "a") and "U+202E" in message


def test_a_utf8_byte_order_mark_is_fine():
    rows, errors = _load("\ufeffa,b\n1,x\n".encode())
    assert rows == [(2, "1", "x")] and errors == []


def test_the_sha256_is_that_of_the_bytes():
    data = b"a,b\n1,x\n"
    with workspace() as tmp:
        assert spool(io.BytesIO(data), tmp).sha256 == hashlib.sha256(data).hexdigest()


def test_workspaces_of_dead_processes_are_swept(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True)
    host = socket.gethostname()
    dead = tmp_path / f"docket-import-{int(done.stdout)}@{host}.abc123"
    alive = tmp_path / f"docket-import-{os.getppid()}@{host}.def456"
    elsewhere = tmp_path / f"docket-import-{int(done.stdout)}@another-host.ghi789"
    for folder in (dead, alive, elsewhere):
        folder.mkdir()
        (folder / "upload.csv").write_bytes(b"a,b\n")
    with workspace() as mine:
        assert Path(mine).parent == tmp_path
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([alive.name, elsewhere.name])


@pytest.mark.parametrize(
    "data",
    [
        b"a,b\n1, x \n2,\n3,z",
        b'a,b\n1,"two\nlines"\n2,y\n',
        b'a,b\n1,"tab\there"\n"x\ty",b\n3,z\n',
        b"a,b\n1,x\n2\n3,y,extra\n\n4,z\n",
        b"a,b\r\n1,x\r\n" + b"2," + b"w" * 40 + b"\r\n3,z\r\n",
        b'a,b\n1,"' + b"long\n" * 10 + b'"\n2,y\n',
    ],
)
def test_read_records_refuses_what_load_csv_refuses(data):
    lim = Limits(file_bytes=1 << 20, line_bytes=1 << 10, field_bytes=32, columns=3)
    with workspace() as tmp:
        upload = spool(data, tmp, lim)
        records, errors = read_records(upload, HEADER, free_text=("b",))
        with duck(tmp) as con:
            expected = load_csv(con, upload, HEADER, free_text=("b",))
            rows = con.execute("SELECT n, a, b FROM raw ORDER BY n").fetchall()
    assert [(n, *(v.strip() for v in values)) for n, values in records] == rows
    assert sorted(map(str, errors)) == sorted(map(str, expected))
