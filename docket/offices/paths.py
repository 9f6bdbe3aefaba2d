"""``path__subtree``: an office's subtree as a range of paths, the condition of every scoping query.

A subtree is every path that starts with the office's. Written as ``LIKE '/…/%'`` it is exact, but PostgreSQL
estimates a LIKE by running the pattern over every entry of the column's histogram, and the paths keep a histogram
of every path (``cases`` migration 0004, so that the subtree's size is known): planning a scoped query took longer
than running it (0.6 ms for one of the offices alone). The same subtree as a byte-wise range — from the path up to
the path with its last character raised — is estimated by a binary search of the same histogram (a third of the
time, the same plans) and read from the same ``varchar_pattern_ops`` index: on PostgreSQL with that operator
class's own comparisons (``~>=~``, ``~<~``), byte-wise whatever the database's collation; on SQLite the default
collation is byte-wise already.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Lookup


def bounds(path: str) -> tuple[str, str]:
    """The range ``[low, high)`` holding exactly the paths that start with ``path`` (not empty)."""
    return path, path[:-1] + chr(ord(path[-1]) + 1)


def condition(column: str, vendor: str) -> str:
    """SQL for "``column`` lies in the subtree", with two parameters: ``bounds(path)``."""
    if vendor == "postgresql":
        return f"({column} ~>=~ %s AND {column} ~<~ %s)"
    return f"({column} >= %s AND {column} < %s)"


class Subtree(Lookup[str]):
    """``path__subtree=office.path``: the paths of that office and every office below it."""

    lookup_name = "subtree"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if not isinstance(self.rhs, str) or not self.rhs:
            raise ValueError("path__subtree takes an office's path")
        low, high = bounds(self.rhs)
        return condition(lhs, connection.vendor), (*lhs_params, low, *lhs_params, high)
