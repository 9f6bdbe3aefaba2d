"""Bulk writes for imports and aggregates: COPY on PostgreSQL, multi-row INSERT elsewhere.

The ORM's per-object work costs several times the insert itself at hundreds of thousands of rows.
"""

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
        # SQLite allows 32,766 parameters a statement.
        per = max(1, 30000 // len(columns))
        one = "(" + ", ".join(["%s"] * len(columns)) + ")"
        for i in range(0, len(rows), per):
            batch = rows[i : i + per]
            sql = f"INSERT INTO {quote(table)} ({names}) VALUES {', '.join([one] * len(batch))}"  # noqa: S608
            cursor.execute(sql, [v for r in batch for v in r])


def bulk_update(table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """UPDATE table SET columns… WHERE id = last value of each row."""
    if not rows:
        return
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(c)} = %s" for c in columns)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {quote(table)} SET {sets} WHERE id = %s", rows)  # noqa: S608
