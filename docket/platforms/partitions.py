"""The months of the reported items' table on PostgreSQL: one partition a month, made ahead or on demand.

The partition of a month is ``platforms_reporteditem_pYYYYMM`` holding the rows received from its first day
(UTC) to the next month's. There is no default partition: a row for a month that has none would be refused, so
the reporting service adds the month it writes to when it is missing (``ensure_partition``), and
``docket platform partitions --ahead N`` adds the coming months beforehand, so the service's check is the only
cost in the normal case. Adding a partition takes a brief exclusive lock on the table; done ahead, that happens
when nobody is reporting. On SQLite the table is not partitioned and all of this is a no-op.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction

from docket.core.dates import next_month
from docket.platforms.models import ReportedItem

# Serialises the making of partitions (two first reports of a new month at once would both try).
PARTITION_TURN = 0x446F636B_50617274

# Months known to exist in this process: set only after the transaction that saw or made them commits, so a
# rolled-back partition is looked for again.
_known: set[dt.date] = set()


def month_of(moment: dt.datetime) -> dt.date:
    """The partition month of a reception time: its month in UTC."""
    return moment.astimezone(dt.UTC).date().replace(day=1)


def partition_name(month: dt.date) -> str:
    return f"{ReportedItem._meta.db_table}_p{month:%Y%m}"


def partitioned() -> bool:
    return connection.vendor == "postgresql"


def existing_partitions() -> list[tuple[str, str]]:
    """The partitions attached now, with their bounds as PostgreSQL states them."""
    if not partitioned():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass ORDER BY c.relname",
            [ReportedItem._meta.db_table],
        )
        return [(str(name), str(bound)) for name, bound in cursor.fetchall()]


def _exists(cursor: object, name: str) -> bool:
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])  # type: ignore[attr-defined]
    return bool(cursor.fetchone()[0])  # type: ignore[attr-defined]


def ensure_partition(month: dt.date) -> bool:
    """Make the partition of ``month`` if it is missing; True when it was made. Call inside a transaction."""
    month = month.replace(day=1)
    if not partitioned() or month in _known:
        return False
    name = partition_name(month)
    made = False
    with connection.cursor() as cursor:
        if not _exists(cursor, name):
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PARTITION_TURN])
            if not _exists(cursor, name):
                # Through the owner's function (migration 0003): the application role may create no table.
                cursor.execute("SELECT platforms_reported_item_partition(%s)", [month])
                made = bool(cursor.fetchone()[0])
    transaction.on_commit(lambda: _known.add(month))
    return made


def ensure_ahead(start: dt.date, months: int) -> list[dt.date]:
    """Make the partitions of ``start``'s month and the ``months`` after it; the months made."""
    made = []
    month = start.replace(day=1)
    with transaction.atomic():
        for _i in range(months + 1):
            if ensure_partition(month):
                made.append(month)
            month = next_month(month)
    return made


def forget_known() -> None:
    """Look again for every month (after partitions were detached or dropped by hand)."""
    _known.clear()
