"""Text cells made safe for spreadsheets: a value a spreadsheet would run as a formula is written as text.

Every export (CSV, XLSX, report files) passes its text cells through ``neutralise``: an office name or a metric
label such as ``=HYPERLINK(...)`` must reach the reader as the text it is, never as a formula.
"""

from __future__ import annotations

from typing import Any

# What makes Excel, LibreOffice or Google Sheets read a cell as a formula (or split it into one).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A text starting like a formula, prefixed with an apostrophe (shown as text); anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def neutralise_row(row: list[Any] | tuple[Any, ...]) -> list[Any]:
    return [neutralise(v) for v in row]
