"""Bulk writes for imports and aggregates: COPY on PostgreSQL, one executemany elsewhere.

The ORM's per-object work costs several times the insert itself at hundreds of thousands of rows.
"""

from collections.abc import Iterable
from typing import Any

from django.db import connection


def bulk_insert(table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        # One prepared statement run for every row: SQLite's fastest way in (faster than multi-row VALUES).
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", rows)  # noqa: S608


def bulk_update(table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """UPDATE table SET columns… WHERE id = last value of each row."""
    if not rows:
        return
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(c)} = %s" for c in columns)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {quote(table)} SET {sets} WHERE id = %s", rows)  # noqa: S608


def lock_tables(models: Iterable[Any]) -> None:
    """Hold off other writers of these tables until the transaction ends; readers go on.

    Bulk writers take their ids in a block (``reserve_ids``) and match existing rows before inserting;
    nobody may insert in between. SQLite's write transaction already excludes every other writer.
    """
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {', '.join(quote(m._meta.db_table) for m in models)} IN EXCLUSIVE MODE")


def reserve_ids(model: Any, count: int) -> int:
    """The first of ``count`` consecutive unused primary keys of ``model``'s table (call under lock_tables).

    The sequence is moved past them, so ids handed out afterwards never collide.
    """
    table = model._meta.db_table
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {quote(table)}")  # noqa: S608
        first = int(cursor.fetchone()[0]) + 1
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
            first = max(first, int(cursor.fetchone()[0]))
            if count > 1:
                cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, first + count - 1])
        else:
            # AUTOINCREMENT never reuses the id of a deleted row: neither do we.
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            first = max(first, int(row[0]) + 1 if row else 1)
    return first


def analyze(*models: Any) -> None:
    """After a bulk load on PostgreSQL: fresh planner statistics for the tables just filled (autovacuum would
    take its time, and plans made meanwhile would take the new rows for absent).

    Through ``docket_analyze`` (migration ``core.0002``), which runs as the tables' owner: Docket connects as an
    application role that owns no table, and PostgreSQL answers a plain ANALYZE from it with a warning and nothing
    done. Before that migration (an older migration's own load, run by the owner) a plain ANALYZE."""
    if connection.vendor != "postgresql" or not models:
        return
    tables = [connection.ops.quote_name(m._meta.db_table) for m in models]
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regprocedure('docket_analyze(regclass[])') IS NOT NULL")
        if cursor.fetchone()[0]:
            cursor.execute("SELECT docket_analyze(%s::regclass[])", [tables])
        else:
            cursor.execute(f"ANALYZE {', '.join(tables)}")
