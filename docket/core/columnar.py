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
from django.utils.translation import gettext as _

from docket.core.errors import FieldError


@contextmanager
def duck() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB, closed afterwards, with its spill files in the system's temporary folder."""
    con = duckdb.connect(":memory:", config={"temp_directory": tempfile.gettempdir()})
    try:
        yield con
    finally:
        con.close()


def register(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, list[Any]], types: dict[str, str]) -> None:
    """Create table ``name`` from Python lists (one per column)."""
    arrays = {c: np.array(values, dtype=object) for c, values in columns.items()}  # noqa: F841 (read by DuckDB)
    select = ", ".join(f"CAST({c} AS {types[c]}) AS {c}" for c in columns)
    if not next(iter(columns.values()), []):
        con.execute(f"CREATE TABLE {name} ({', '.join(f'{c} {types[c]}' for c in columns)})")
        return
    con.execute(f"CREATE TABLE {name} AS SELECT {select} FROM arrays")


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
            read = con.execute("SELECT count(*) FROM src").fetchone()
            rejected = con.execute("SELECT count(*) FROM reject_errors").fetchone()
            direct = read is not None and rejected is not None and rejected[0] == 0 and read[0] == lines - 1
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
