"""The subject bitmaps of report cells, read once per server process and kept by their content's digest.

A report over a period that does not line up with months unions a few dozen cells per figure; on PostgreSQL most
of its time is spent moving those bitmaps (megabytes for a national office) from the database. Cells record
the BLAKE2b digest of their bitmap, so a process that has already read a bitmap of that content uses its copy:
a cell that changed has another digest, so a copy is never stale and no invalidation is needed. The copies are
frozen (nobody can change one by accident) and bounded by ``DOCKET_REPORT_CACHE_MB``, least recently used first.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import connection
from pyroaring import BitMap, FrozenBitMap

from docket.core.memory import SizedLRU
from docket.reports.models import Cell

EMPTY = FrozenBitMap()


def _budget() -> int:
    return int(getattr(settings, "DOCKET_REPORT_CACHE_MB", 0)) * 1024 * 1024


CACHE: SizedLRU[bytes, FrozenBitMap] = SizedLRU(_budget)


def bitmaps(cells: dict[int, bytes]) -> dict[int, FrozenBitMap]:
    """The bitmaps of the cells ``{pk: digest}``: from the cache where held, the rest fetched in one query."""
    out: dict[int, FrozenBitMap] = {}
    missing: list[int] = []
    # Cells of the same content (a kind's cell holding every subject of its type) are fetched once.
    same: dict[bytes, list[int]] = {}
    for pk, digest in cells.items():
        held = CACHE.get(bytes(digest)) if digest else None  # a cell without a digest is read each time
        if held is not None:
            out[pk] = held
        elif not digest:
            missing.append(pk)
        elif digest in same:
            same[digest].append(pk)
        else:
            same[digest] = []
            missing.append(pk)
    step = 5000 if connection.vendor == "postgresql" else 900
    for start in range(0, len(missing), step):
        for pk, data, digest in _rows(missing[start : start + step]):
            raw = bytes(data) if data else b""
            bitmap = FrozenBitMap.deserialize(raw) if raw else EMPTY
            out[pk] = bitmap
            for twin in same.get(bytes(digest or b""), ()):
                out[twin] = bitmap
            if digest:
                CACHE.put(bytes(digest), bitmap, len(raw))
    return out


def held(digest: bytes, raw: bytes) -> None:
    """Keep a bitmap read along with its cell (``raw``, serialised), unless the cache holds its content already."""
    if digest and CACHE.get(digest) is None:
        CACHE.put(digest, FrozenBitMap.deserialize(raw) if raw else EMPTY, len(raw))


def _rows(pks: Iterable[int]) -> list[tuple[Any, ...]]:
    """(pk, bitmap bytes, digest): on PostgreSQL in binary, a quarter of the time of the hex text form."""
    if connection.vendor != "postgresql":
        return list(Cell.objects.filter(pk__in=list(pks)).values_list("pk", "subjects", "digest"))
    import psycopg

    # The ids as one array parameter: a thousand placeholders cost more to compile and parse than to answer.
    table = connection.ops.quote_name(Cell._meta.db_table)
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(f"SELECT id, subjects, digest FROM {table} WHERE id = ANY(%s)", [list(pks)], binary=True)  # noqa: S608
        return cursor.fetchall()


def union(parts: list[BitMap | FrozenBitMap]) -> BitMap:
    if not parts:
        return BitMap()
    if len(parts) == 1:
        return BitMap(parts[0])
    # The type of a union is its first operand's: an empty BitMap first makes the result a (mutable) BitMap.
    return BitMap.union(BitMap(), *parts)
