"""The aggregate cells behind the published figures, as the measures' writers see them.

Every change to a measure changes its cells in the same transaction (``CONTRIBUTING``: the cells are kept exact).
The cells and the counting rule belong to reports, which sits above measures; so reports hands its keeper to
measures at start-up (``ReportsConfig.ready``) and measures never import reports. A write with no keeper
registered is refused rather than left uncounted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Keeper:
    # Add the contributions of measures just saved (with their targets and tags).
    add: Callable[[Iterable[int]], None]
    # Take away the contributions of measures about to change or go.
    remove: Callable[[Iterable[int]], None]
    # Bulk writers: add the measures of DuckDB queries (``measures``, ``targets``, ``campaigns``) in one pass.
    add_from_duckdb: Callable[..., Any]
    # Measures whose quantity alone changed: ``{measure id: new - old}`` added to their cells' quantities.
    requantify: Callable[[dict[int, int]], None]


_keeper: Keeper | None = None


def register(keeper: Keeper) -> None:
    global _keeper  # noqa: PLW0603 - one keeper per process, set once at start-up
    _keeper = keeper


def keeper() -> Keeper:
    if _keeper is None:
        raise RuntimeError("No keeper of the aggregate cells is registered: is docket.reports installed?")
    return _keeper


def cells_add(measure_ids: Iterable[int]) -> None:
    keeper().add(measure_ids)


def cells_remove(measure_ids: Iterable[int]) -> None:
    keeper().remove(measure_ids)


def cells_requantify(changes: dict[int, int]) -> None:
    keeper().requantify(changes)
