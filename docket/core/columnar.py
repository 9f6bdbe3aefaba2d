"""CSV files read into DuckDB for set-based validation of large imports.

A file of a million rows is parsed, checked and joined in DuckDB's columnar engine in well under a second,
where a Python loop over the rows takes many. Every row keeps its number in the file (``n``, the header being
row 1) so that each error still names its row.

An upload is hostile until proven otherwise: it is first copied, as a stream and under hard limits, into a
private folder (``workspace``) that is removed on every path out, and refused at the first byte that cannot
belong to a UTF-8 CSV text. Only then is it parsed.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import re
import shutil
import socket
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

import duckdb
import numpy as np
from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from docket.core.bulk import bulk_insert
from docket.core.errors import FieldError, InvalidInput

CHUNK = 1 << 20
WORKSPACE_PREFIX = "docket-import-"

# Never in a CSV text: NUL and the C0 controls but tab, line feed and carriage return; DEL; the C1 controls
# (U+0080–U+009F); the line and paragraph separators and the bidirectional overrides and isolates, which make
# a value display as something else. Matched on the UTF-8 bytes, so the scan runs at C speed.
_FORBIDDEN = re.compile(
    rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xa8-\xae]|\xe2\x81[\xa6-\xa9]",
)

# Every byte but those the expression above starts with.
_INNOCENT = bytes(set(range(256)) - {*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0xC2, 0xE2})


def gettext_noop(message: str) -> str:
    """Marks a message for translation where it is defined (translated where it is shown); unlike Django's,
    usable before settings are loaded."""
    return message


# What a file that is not text usually is, by its first bytes: named in the refusal.
_MAGIC = (
    (b"\x89PNG", gettext_noop("a PNG image")),
    (b"\xff\xd8\xff", gettext_noop("a JPEG image")),
    (b"GIF8", gettext_noop("a GIF image")),
    (b"%PDF", gettext_noop("a PDF document")),
    (b"\x1f\x8b", gettext_noop("a gzip archive")),
    (b"PK\x03\x04", gettext_noop("a ZIP archive or an Excel workbook")),
    (b"\xd0\xcf\x11\xe0", gettext_noop("an old Office document")),
    (b"BZh", gettext_noop("a bzip2 archive")),
    (b"\xfd7zXZ", gettext_noop("an xz archive")),
    (b"7z\xbc\xaf", gettext_noop("a 7-Zip archive")),
    (b"\x7fELF", gettext_noop("a program")),
)


@dataclass(frozen=True)
class Limits:
    """What an import accepts at most (settings ``DOCKET_IMPORT_MAX_*``)."""

    file_bytes: int
    line_bytes: int
    field_bytes: int
    columns: int


def limits() -> Limits:
    return Limits(
        file_bytes=settings.DOCKET_IMPORT_MAX_FILE_BYTES,
        line_bytes=settings.DOCKET_IMPORT_MAX_LINE_BYTES,
        field_bytes=settings.DOCKET_IMPORT_MAX_FIELD_BYTES,
        columns=settings.DOCKET_IMPORT_MAX_COLUMNS,
    )


@dataclass(frozen=True)
class Upload:
    """An upload copied into a workspace and found to be UTF-8 text within the limits."""

    path: str
    sha256: str
    size: int
    # Lines as DuckDB counts records when each is one line: a last line without its line feed counts too.
    lines: int
    limits: Limits
    # What the checks of whole columns may skip: no field can be longer than the longest line, and a control
    # character absent from the file is absent from every field.
    longest_line: int = 0
    controls: frozenset[str] = frozenset()


@contextmanager
def workspace() -> Iterator[str]:
    """A private folder for one import's temporary files (the upload's copy, DuckDB's spill files, COPY
    files), removed however the import ends: success, refusal, error or interrupt."""
    _sweep()
    path = tempfile.mkdtemp(prefix=f"{WORKSPACE_PREFIX}{os.getpid()}@{socket.gethostname()}.")
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _sweep() -> None:
    """Remove the workspaces of processes that died without cleaning up (SIGKILL, power loss)."""
    root = tempfile.gettempdir()
    try:
        entries = [e for e in os.scandir(root) if e.name.startswith(WORKSPACE_PREFIX) and e.is_dir()]
    except OSError:
        return
    for entry in entries:
        # docket-import-PID@HOST.RANDOM: only this machine's processes are ours to judge.
        pid, _at, rest = entry.name[len(WORKSPACE_PREFIX) :].partition("@")
        if not pid.isdigit() or int(pid) == os.getpid() or rest.rpartition(".")[0] != socket.gethostname():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(entry.path, ignore_errors=True)
        except OSError:
            continue  # alive, under another account


@contextmanager
def duck(directory: str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB, closed afterwards, with its spill files in ``directory`` (else the system's
    temporary folder)."""
    con = duckdb.connect(":memory:", config={"temp_directory": directory or tempfile.gettempdir()})
    try:
        yield con
    finally:
        con.close()


def size_text(n: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    return f"{n:,} bytes"


def spool(source: bytes | IO[bytes], directory: str, lim: Limits | None = None) -> Upload:
    """Copy ``source`` into ``directory`` as a stream, hashing it, and refuse it at the first sign that it is
    not a UTF-8 CSV text within the limits: binary data, another encoding, a forbidden character, a line or
    a file too long. Memory stays within a chunk and a line whatever the source (``/dev/zero`` included)."""
    lim = lim or limits()
    stream: IO[bytes] = io.BytesIO(source) if isinstance(source, bytes | bytearray | memoryview) else source
    path = os.path.join(directory, "upload.csv")
    digest = hashlib.sha256()
    size = 0
    lines = 0
    longest = 0
    controls: set[str] = set()
    carry = b""
    with open(path, "wb") as out:

        def refuse(offset: int, message: str) -> InvalidInput:
            out.flush()
            row, column = _locate(path, offset)
            return InvalidInput(FieldError(column_name(column, _first_line(path) if row > 1 else None), message, row))

        while chunk := stream.read(CHUNK):
            if size == 0:
                _sniff(chunk, refuse)
            if size + len(chunk) > lim.file_bytes:
                # Named by the row reached rather than located exactly: that would mean reading it all again.
                message = _("the file is larger than %(limit)s") % {"limit": size_text(lim.file_bytes)}
                row = lines + (carry + chunk[: lim.file_bytes - size]).count(b"\n") + 1
                raise InvalidInput(FieldError("file", message, row))
            out.write(chunk)
            digest.update(chunk)
            base = size - len(carry)  # where buf starts in the file
            buf = carry + chunk
            size += len(chunk)
            # The regular expression only where a byte it looks for occurs: most files never need it.
            if buf.translate(None, _INNOCENT) and (found := _FORBIDDEN.search(buf)):
                raise refuse(base + found.start(), _forbidden(found.group()))
            cut = buf.rfind(b"\n") + 1
            complete, carry = buf[:cut], buf[cut:]
            if complete:
                feeds, widest = _check_text(complete, base, lim, refuse)
                lines += feeds
                longest = max(longest, widest)
            controls.update(c for c in "\t\r" if c.encode() in chunk)
            if len(carry) > lim.line_bytes:
                raise refuse(base + cut + lim.line_bytes, _too_long(lim))
        if carry:
            longest = max(longest, _check_text(carry, size - len(carry), lim, refuse)[1])
    lines += 1 if carry or size == 0 else 0
    return Upload(path, digest.hexdigest(), size, lines, lim, longest, frozenset(controls))


def _sniff(chunk: bytes, refuse: Any) -> None:
    if chunk.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise refuse(0, _("UTF-16 text: save the file as UTF-8 CSV"))
    for magic, what in _MAGIC:
        if chunk.startswith(magic):
            raise refuse(0, _("not a CSV text file: it looks like %(what)s") % {"what": _(what)})


def _check_text(block: bytes, base: int, lim: Limits, refuse: Any) -> tuple[int, int]:
    """Complete lines (or the last line): UTF-8, none longer than the limit. Returns the line feeds and the
    longest line."""
    try:
        block.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise refuse(base + exc.start, _("not UTF-8 text (byte 0x%(byte)02X)") % {"byte": block[exc.start]}) from None
    ends = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == ord("\n"))
    starts = np.concatenate(([0], ends + 1))
    lengths = np.concatenate((ends, [len(block)])) - starts
    if lengths.max() > lim.line_bytes:
        first = int(np.argmax(lengths > lim.line_bytes))
        raise refuse(base + int(starts[first]) + lim.line_bytes, _too_long(lim))
    return len(ends), int(lengths.max())


def _too_long(lim: Limits) -> str:
    return _("a line longer than %(limit)s") % {"limit": size_text(lim.line_bytes)}


def _forbidden(found: bytes) -> str:
    if found == b"\x00":
        return _("a NUL byte: binary data, not text")
    char = found.decode("utf-8")
    return _("control character U+%(code)04X is not allowed") % {"code": ord(char)}


def _first_line(path: str) -> list[str]:
    """The header's names, as far as they can be read: only to name a column in a refusal."""
    with open(path, "rb") as f:
        line = f.readline(1 << 20).split(b"\n", 1)[0]
    return _names(line.decode("utf-8", "replace").encode())


def _names(line: bytes) -> list[str]:
    text = line.decode("utf-8-sig").rstrip("\r")
    return [h.strip() for h in next(csv.reader([text]), [])]


def column_name(index: int, header: list[str] | None) -> str:
    """A column by its header name, or by its number where there is no name (the header row itself)."""
    if header is not None and 0 <= index < len(header) and header[index]:
        return header[index]
    return _("column %(n)d") % {"n": index + 1}


def _locate(path: str, offset: int) -> tuple[int, int]:
    """The row (the header being 1) and the column index that byte ``offset`` of the file falls in.

    Only called to word a refusal; Python's csv module reads the text before the offset, and a sentinel
    character stands for the offending one so that it lands in the field it belongs to.
    """
    with open(path, "rb") as f, _csv_field_limit(1 << 62):
        rows = 0
        fields = 0
        for record in csv.reader(_prefix_lines(f, offset)):
            rows += 1
            fields = len(record)
        return max(rows, 1), max(fields - 1, 0)


def _prefix_lines(f: IO[bytes], offset: int) -> Iterator[str]:
    remaining = offset
    previous: str | None = None
    first = True
    while remaining > 0 and (line := f.readline(remaining)):
        remaining -= len(line)
        if previous is not None:
            yield previous
        previous = line.decode("utf-8-sig" if first else "utf-8", "replace")
        first = False
    if previous is None:
        yield "x"
    elif previous.endswith(("\n", "\r")):
        yield previous
        yield "x"
    else:
        yield previous + "x"


@contextmanager
def _csv_field_limit(limit: int) -> Iterator[None]:
    # The csv module's limit is process-wide: set for one read, then put back.
    before = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(before)


def read_header(upload: Upload, required: tuple[str, ...], optional: tuple[str, ...]) -> list[str]:
    """The column names of a CSV import, checked in one pass: not too many, every required column, no unknown
    or repeated one."""
    with open(upload.path, "rb") as f:
        header = _names(f.readline(upload.limits.line_bytes + 2).split(b"\n", 1)[0])
    if len(header) > upload.limits.columns:
        raise InvalidInput(
            FieldError(
                column_name(upload.limits.columns, None),
                _("%(n)s columns; at most %(limit)s") % {"n": f"{len(header):,}", "limit": upload.limits.columns},
                1,
            )
        )
    known = set(required + optional)
    counts = Counter(header)
    missing = [c for c in required if c not in counts]
    unknown = [c for c in counts if c not in known]
    repeated = sorted(c for c, k in counts.items() if k > 1)
    if missing or unknown or repeated:
        raise InvalidInput(
            [FieldError(c, _("required column missing"), 1) for c in missing]
            + [FieldError(c or column_name(header.index(c), None), _("unknown column"), 1) for c in unknown]
            + [FieldError(c, _("column given twice"), 1) for c in repeated]
        )
    return header


def register(con: duckdb.DuckDBPyConnection, name: str, types: dict[str, str], rows: list[tuple[Any, ...]]) -> None:
    """Create table ``name`` (columns and DuckDB types in ``types``) holding Python ``rows``."""
    if not rows:
        con.execute(f"CREATE TABLE {name} ({', '.join(f'{c} {t}' for c, t in types.items())})")
        return
    columns = {c: np.array([r[i] for r in rows], dtype=object) for i, c in enumerate(types)}
    con.register(f"{name}_arrays", columns)
    con.execute(
        f"CREATE TABLE {name} AS SELECT {', '.join(f'CAST({c} AS {t}) AS {c}' for c, t in types.items())} "
        f"FROM {name}_arrays"
    )
    con.unregister(f"{name}_arrays")


def copy_to_table(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: tuple[str, ...],
    select: str,
    params: list[Any] | None = None,
    directory: str | None = None,
) -> None:
    """Write the rows of a DuckDB query into a table of Docket's database: COPY on PostgreSQL (DuckDB writes
    the CSV into ``directory``, nothing passes through Python), ``bulk_insert`` elsewhere."""
    if connection.vendor != "postgresql":
        bulk_insert(table, columns, con.execute(select, params or []).fetchall())
        return
    quote = connection.ops.quote_name
    # Beside DuckDB's own spill files: an import's workspace, removed with it.
    directory = directory or str(con.execute("SELECT current_setting('temp_directory')").fetchall()[0][0])
    fd, path = tempfile.mkstemp(suffix=".csv", dir=directory)
    os.close(fd)
    try:
        con.execute(
            f"COPY ({select}) TO '{_s(path)}' (FORMAT csv, HEADER false, NULLSTR '\\N', FORCE_QUOTE *)", params or []
        )
        names = ", ".join(quote(c) for c in columns)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN (FORMAT csv, NULL '\\N')") as copy,
            open(path, "rb") as f,
        ):
            while chunk := f.read(CHUNK):
                copy.write(chunk)
    finally:
        os.unlink(path)


def count(con: duckdb.DuckDBPyConnection, query: str) -> int:
    """The single number a ``SELECT count(*) …`` returns."""
    # fetchall, not fetchone: DuckDB keeps an unfinished result open and refuses the next register().
    return int(con.execute(query).fetchall()[0][0])


def load_csv(
    con: duckdb.DuckDBPyConnection, upload: Upload, header: list[str], free_text: Iterable[str] = ()
) -> list[FieldError]:
    """Load the data rows of a CSV file into table ``raw`` (``n`` and one VARCHAR column per header name,
    values stripped, empty as ''). Returns the rows that cannot be taken as they are: the wrong number of
    fields, a field over the size limit, a tab or line break outside the ``free_text`` columns.

    DuckDB reads the file directly when each record is one line (the usual export); otherwise — quoted line
    breaks, blank lines, rows of the wrong width — Python's csv module reads it, so row numbers stay exact.
    """
    directory = os.path.dirname(upload.path)
    columns = "{" + ", ".join(f"'{_s(h)}': 'VARCHAR'" for h in header) + "}"
    max_line = upload.limits.line_bytes + 16
    try:
        con.execute(
            f"CREATE TABLE src AS SELECT * FROM read_csv('{_s(upload.path)}', header = true, auto_detect = false, "
            f"columns = {columns}, delim = ',', quote = '\"', escape = '\"', strict_mode = true, "
            f"store_rejects = true, all_varchar = true, max_line_size = {max_line})"
        )
        direct = (
            count(con, "SELECT count(*) FROM reject_errors") == 0
            and count(con, "SELECT count(*) FROM src") == upload.lines - 1
        )
    except duckdb.Error:
        direct = False
    if direct:
        # One record per line and none rejected: the n-th record is line n + 1.
        con.execute("CREATE TABLE recs AS SELECT CAST(rowid + 2 AS INTEGER) AS n, * FROM src")
        con.execute("DROP TABLE src")
        errors: list[FieldError] = []
        # One record per line: no field holds a line feed, none is longer than the longest line.
        sizes = upload.longest_line > upload.limits.field_bytes
        controls = upload.controls
    else:
        con.execute("DROP TABLE IF EXISTS src")
        clean_path = os.path.join(directory, "clean.csv")
        errors = []  # filled by _records
        with open(clean_path, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            _records(upload, header, errors, lambda record: writer.writerow([record[0], *record[1]]))
        types = "{'n': 'INTEGER', " + ", ".join(f"'{_s(h)}': 'VARCHAR'" for h in header) + "}"
        con.execute(
            f"CREATE TABLE recs AS SELECT * FROM read_csv('{_s(clean_path)}', header = false, "
            f"auto_detect = false, columns = {types}, delim = ',', quote = '\"', escape = '\"', new_line = '\\n', "
            f"max_line_size = {max_line + 4 * upload.limits.field_bytes * len(header)})"
        )
        os.unlink(clean_path)
        sizes, controls = True, upload.controls | {"\n"}
    checked = _field_checks(con, header, upload.limits, frozenset(free_text), sizes=sizes, controls=controls)
    cols = ", ".join(f"trim(coalesce({_q(h)}, '')) AS {_q(h)}" for h in header)
    con.execute(f"CREATE TABLE raw AS SELECT n, {cols} FROM recs")
    con.execute("DROP TABLE recs")
    if checked:
        # A row refused here is not checked further: one reason per bad field, not a cascade of them.
        con.execute(
            "DELETE FROM raw WHERE n IN (SELECT unnest(?))", [sorted({e.row for e in checked if e.row is not None})]
        )
    return errors + checked


def _field_checks(
    con: duckdb.DuckDBPyConnection,
    header: list[str],
    lim: Limits,
    free_text: frozenset[str],
    *,
    sizes: bool,
    controls: frozenset[str],
) -> list[FieldError]:
    """Fields over the size limit (if ``sizes``), and tabs or line breaks (those in ``controls``) where no free
    text is expected: one pass over the records, in DuckDB; the few found are then told apart in Python."""
    conditions = []
    for h in header:
        if sizes:
            conditions.append(f"strlen({_q(h)}) > {int(lim.field_bytes)}")
        if h not in free_text:
            conditions += [f"contains({_q(h)}, chr({ord(c)}))" for c in sorted(controls)]
    if not conditions:
        return []
    columns = ", ".join(_q(h) for h in header)
    found = con.execute(f"SELECT n, {columns} FROM recs WHERE {' OR '.join(conditions)} ORDER BY n").fetchall()
    errors: list[FieldError] = []
    for n, *values in found:
        errors += _value_errors(n, values, header, lim, free_text, controls)
    return errors


def _value_errors(
    n: int, values: list[str | None], header: list[str], lim: Limits, free_text: frozenset[str], controls: Iterable[str]
) -> list[FieldError]:
    errors = []
    for i, (h, value) in enumerate(zip(header, values, strict=True)):
        if not value:
            continue
        # A character takes one to four bytes: only a value in between needs encoding to be measured.
        size = len(value) if len(value) > lim.field_bytes or 4 * len(value) <= lim.field_bytes else len(value.encode())
        if size > lim.field_bytes:
            message = _("a field of %(size)s; at most %(limit)s") % {
                "size": size_text(len(value.encode())),
                "limit": size_text(lim.field_bytes),
            }
            errors.append(FieldError(column_name(i, header), message, n))
        elif h not in free_text and (bad := next((c for c in controls if c in value), None)):
            message = _("control character U+%(code)04X is allowed in free text only") % {"code": ord(bad)}
            errors.append(FieldError(column_name(i, header), message, n))
    return errors


def read_records(
    upload: Upload, header: list[str], free_text: Iterable[str] = ()
) -> tuple[list[tuple[int, list[str]]], list[FieldError]]:
    """The data rows as Python lists of values (as in the file: not stripped), each with its row number, for an
    import that goes on row by row; the rows ``load_csv`` would refuse are left out and reported, for the same
    reasons."""
    rows: list[tuple[int, list[str]]] = []
    errors: list[FieldError] = []
    spanned = _records(upload, header, errors, rows.append)
    lim = upload.limits
    # Most files cannot hold a bad field (see Upload): then no value is looked at twice.
    controls = upload.controls | ({"\n"} if spanned else set())
    if controls or spanned or upload.longest_line > lim.field_bytes:
        free = frozenset(free_text)
        bad: set[int] = set()
        for n, values in rows:
            if found := _value_errors(n, list(values), header, lim, free, controls):
                errors += found
                bad.add(n)
        rows = [(n, values) for n, values in rows if n not in bad]
        errors.sort(key=lambda e: e.row or 0)
    return rows, errors


def _records(upload: Upload, header: list[str], errors: list[FieldError], take: Any) -> bool:
    """Hand each record of the right width to ``take`` as (row number, values); report the others. Returns
    whether any record spans lines (a quoted line break)."""
    width = len(header)
    number = 1
    # Within a line a field is bounded by the line limit; one spanning lines is read up to four times the
    # field limit (to be reported with the others), and beyond that stops the reading.
    limit = max(4 * upload.limits.field_bytes, upload.limits.line_bytes)
    with open(upload.path, encoding="utf-8-sig", newline="") as f, _csv_field_limit(limit):
        reader = csv.reader(f)
        try:
            next(reader, None)
            for number, row in enumerate(reader, start=2):  # noqa: B007 - the number names the row of an error
                if len(row) == width:
                    take((number, row))
                elif len(row) > width:
                    errors.append(
                        FieldError(
                            column_name(width, None),
                            _("%(n)s fields where the header has %(w)d") % {"n": f"{len(row):,}", "w": width},
                            number,
                        )
                    )
                elif any(v.strip() for v in row):
                    errors.append(
                        FieldError(
                            column_name(len(row), header),
                            _("%(n)d fields where the header has %(w)d") % {"n": len(row), "w": width},
                            number,
                        )
                    )
        except csv.Error:
            # A field too long for the csv module's limit: name its column.
            errors.append(_oversized(upload, number + 1, header))
            return True
        return reader.line_num > number


def _oversized(upload: Upload, row: int, header: list[str]) -> FieldError:
    lim = upload.limits.field_bytes
    with open(upload.path, encoding="utf-8-sig", newline="") as f, _csv_field_limit(upload.limits.file_bytes):
        for number, fields in enumerate(csv.reader(f), start=1):
            if number == row:
                for i, value in enumerate(fields):
                    if len(value.encode()) > lim:
                        size = {"size": size_text(len(value.encode())), "limit": size_text(lim)}
                        return FieldError(
                            column_name(i, header), _("a field of %(size)s; at most %(limit)s") % size, row
                        )
    return FieldError("file", _("a field longer than %(limit)s") % {"limit": size_text(lim)}, row)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _s(text: str) -> str:
    return text.replace("'", "''")
