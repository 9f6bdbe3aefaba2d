"""CSV files read into DuckDB for set-based validation of large imports.

A file of a million rows is parsed, checked and joined in DuckDB's columnar engine in well under a second,
where a Python loop over the rows takes many. Every row keeps its number in the file (``n``, the header being
row 1) so that each error still names its row.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb
import numpy as np
from django.db import connection
from django.utils.translation import gettext as _

from docket.core.bulk import bulk_insert
from docket.core.errors import FieldError, InvalidInput


@contextmanager
def duck() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB, closed afterwards, with its spill files in the system's temporary folder."""
    con = duckdb.connect(":memory:", config={"temp_directory": tempfile.gettempdir()})
    try:
        yield con
    finally:
        con.close()


def read_header(data: bytes, required: tuple[str, ...], optional: tuple[str, ...]) -> list[str]:
    """The column names of a CSV import, checked: UTF-8, every required column, no unknown or repeated one."""
    try:
        first_line = data.split(b"\n", 1)[0].decode("utf-8-sig")
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(FieldError("file", _("not UTF-8 text (byte %(start)s)") % {"start": exc.start})) from None
    header = [h.strip() for h in next(csv.reader([first_line.rstrip("\r")]), [])]
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in required + optional]
    repeated = sorted({c for c in header if header.count(c) > 1})
    if missing or unknown or repeated:
        raise InvalidInput(
            [FieldError(c, _("required column missing"), 1) for c in missing]
            + [FieldError(c, _("unknown column"), 1) for c in unknown]
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
    con: duckdb.DuckDBPyConnection, table: str, columns: tuple[str, ...], select: str, params: list[Any] | None = None
) -> None:
    """Write the rows of a DuckDB query into a table of Docket's database: COPY on PostgreSQL (DuckDB writes
    the CSV, nothing passes through Python), ``bulk_insert`` elsewhere."""
    if connection.vendor != "postgresql":
        bulk_insert(table, columns, con.execute(select, params or []).fetchall())
        return
    quote = connection.ops.quote_name
    fd, path = tempfile.mkstemp(suffix=".csv")
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
            while chunk := f.read(1 << 20):
                copy.write(chunk)
    finally:
        os.unlink(path)


def count(con: duckdb.DuckDBPyConnection, query: str) -> int:
    """The single number a ``SELECT count(*) …`` returns."""
    # fetchall, not fetchone: DuckDB keeps an unfinished result open and refuses the next register().
    return int(con.execute(query).fetchall()[0][0])


def load_csv(con: duckdb.DuckDBPyConnection, data: bytes, header: list[str]) -> list[FieldError]:
    """Load the data rows of a CSV file into table ``raw`` (``n`` and one VARCHAR column per header name,
    values stripped, empty as ''). Returns the rows that could not be read (wrong number of fields).

    DuckDB reads the file directly when each record is one line (the usual export); otherwise — quoted line
    breaks, blank lines, rows of the wrong width — Python's csv module reads it, so row numbers stay exact.
    """
    cols = ", ".join(f"trim(coalesce({_q(h)}, '')) AS {_q(h)}" for h in header)
    with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as f:
        f.write(data)
        path = f.name
    try:
        lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
        columns = "{" + ", ".join(f"'{_s(h)}': 'VARCHAR'" for h in header) + "}"
        try:
            con.execute(
                f"CREATE TABLE src AS SELECT * FROM read_csv('{_s(path)}', header = true, auto_detect = false, "
                f"columns = {columns}, delim = ',', quote = '\"', escape = '\"', strict_mode = true, "
                "store_rejects = true, all_varchar = true)"
            )
            direct = (
                count(con, "SELECT count(*) FROM reject_errors") == 0
                and count(con, "SELECT count(*) FROM src") == lines - 1
            )
        except duckdb.Error:
            direct = False
        if direct:
            # One record per line and none rejected: the n-th record is line n + 1.
            con.execute(f"CREATE TABLE raw AS SELECT CAST(rowid + 2 AS INTEGER) AS n, {cols} FROM src")
            return []
        con.execute("DROP TABLE IF EXISTS src")
        errors, clean = _python_read(data, len(header))
        with open(path, "w", encoding="utf-8", newline="") as out:
            csv.writer(out).writerows(clean)
        types = "{'n': 'INTEGER', " + ", ".join(f"'{_s(h)}': 'VARCHAR'" for h in header) + "}"
        con.execute(
            f"CREATE TABLE raw AS SELECT n, {cols} FROM read_csv('{_s(path)}', header = false, "
            f"auto_detect = false, columns = {types}, delim = ',', quote = '\"', escape = '\"')"
        )
        return errors
    finally:
        os.unlink(path)


def _python_read(data: bytes, width: int) -> tuple[list[FieldError], list[list[Any]]]:
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    next(reader, None)
    errors: list[FieldError] = []
    clean: list[list[Any]] = []
    for number, row in enumerate(reader, start=2):
        if len(row) == width:
            clean.append([number, *row])
        elif any(v.strip() for v in row):
            errors.append(
                FieldError("row", _("%(n)d fields where the header has %(w)d") % {"n": len(row), "w": width}, number)
            )
    return errors, clean


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _s(text: str) -> str:
    return text.replace("'", "''")
