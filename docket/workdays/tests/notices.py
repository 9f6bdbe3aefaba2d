"""A State Council notice for 2027 as a CSV file, and ways to spoil it."""

import datetime as dt

HEADER = "date,kind,name"


def _span(first: str, days: int, name: str) -> list[str]:
    start = dt.date.fromisoformat(first)
    return [f"{start + dt.timedelta(days=i)},holiday,{name}" for i in range(days)]


ROWS_2027 = [
    *_span("2027-01-01", 3, "元旦"),
    "2027-01-31,workday,春节",
    *_span("2027-02-05", 8, "春节"),
    "2027-02-20,workday,春节",
    *_span("2027-04-03", 3, "清明节"),
    "2027-04-25,workday,劳动节",
    *_span("2027-05-01", 5, "劳动节"),
    "2027-05-08,workday,劳动节",
    *_span("2027-06-09", 1, "端午节"),
    *_span("2027-09-15", 1, "中秋节"),
    "2027-09-26,workday,国庆节",
    *_span("2027-10-01", 7, "国庆节"),
    "2027-10-09,workday,国庆节",
]
HOLIDAYS_2027 = sum(1 for r in ROWS_2027 if ",holiday," in r)
WORKDAYS_2027 = sum(1 for r in ROWS_2027 if ",workday," in r)


def notice(rows: list[str] | None = None, header: str = HEADER) -> bytes:
    return ("\n".join([header, *(ROWS_2027 if rows is None else rows)]) + "\n").encode()


def row_of(date: str) -> int:
    """The row number (header = row 1) of the row of ``date`` in the 2027 notice."""
    return next(i for i, r in enumerate(ROWS_2027, start=2) if r.startswith(date))


def replaced(date: str, line: str) -> list[str]:
    return [line if r.startswith(date) else r for r in ROWS_2027]
