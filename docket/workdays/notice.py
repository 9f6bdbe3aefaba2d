"""A State Council holiday notice as a CSV file, read and checked before anything of it is stored.

The file is small (one year: a few dozen rows), so it is read row by row; what makes it hostile is size,
bytes and shape, and every one of those is refused with ``row N, field: reason`` (the header is row 1).

Format (UTF-8, a header naming the three columns in any order)::

    date,kind,name
    2027-01-01,holiday,元旦
    2027-02-07,workday,春节

``kind`` is ``holiday`` (a day off) or ``workday`` (a Saturday or Sunday worked in exchange, 调休).
``name`` is the festival the day belongs to; a holiday needs one, in Chinese or English, several joined
by 、 or "and" when the notice joins them (``中秋节、国庆节``).

A year is complete when every statutory festival of the National Holidays Regulation (全国年节及纪念日放假办法,
art. 2) has at least its statutory number of days off: New Year 1, Spring Festival 4 (3 before 2025),
Qingming 1, Labour Day 2 (1 before 2025), Dragon Boat 1, Mid-Autumn 1, National Day 3. A partial file,
one festival forgotten, or a notice typed into the wrong year is refused. A holiday with another name (a
one-off day the State Council declares) is accepted beside them.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from docket.core.errors import FieldError, InvalidInput
from docket.workdays.models import DayKind

MAX_BYTES = 64 * 1024  # a year's notice is under 3 KiB
MAX_ROWS = 366
MAX_ERRORS = 50
COLUMNS = ("date", "kind", "name")
NAME_LENGTH = 100  # CalendarDay.name
FIRST_YEAR, LAST_YEAR = 2008, 2200  # the seven festivals are those of the 2007 regulation, in force from 2008

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SPLIT = re.compile(r"\s*(?:[、,，/&+;；]|\band\b|和|及)\s*")
# Unicode categories no field of a notice may hold: control and format characters (NUL, bidi overrides,
# zero-width joiners), surrogates, private use and unassigned code points.
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}


@dataclass(frozen=True)
class Festival:
    key: str
    label: Any  # lazily translated
    names: frozenset[str]

    def min_days(self, year: int) -> int:
        # The regulation as amended in November 2024 (in force 2025) added a day to each of these two.
        if self.key == "spring_festival":
            return 4 if year >= 2025 else 3
        if self.key == "labour_day":
            return 2 if year >= 2025 else 1
        if self.key == "national_day":
            return 3
        return 1


FESTIVALS = (
    Festival("new_year", gettext_lazy("New Year's Day (元旦)"), frozenset({"元旦", "new year's day", "new year"})),
    Festival(
        "spring_festival",
        gettext_lazy("Spring Festival (春节)"),
        frozenset({"春节", "spring festival", "chinese new year", "lunar new year"}),
    ),
    Festival(
        "qingming",
        gettext_lazy("Qingming Festival (清明节)"),
        frozenset({"清明节", "清明", "qingming", "qingming festival", "tomb-sweeping day", "tomb sweeping day"}),
    ),
    Festival(
        "labour_day",
        gettext_lazy("Labour Day (劳动节)"),
        frozenset({"劳动节", "五一", "五一劳动节", "国际劳动节", "labour day", "labor day", "may day"}),
    ),
    Festival(
        "dragon_boat",
        gettext_lazy("Dragon Boat Festival (端午节)"),
        frozenset({"端午节", "端午", "dragon boat festival", "dragon boat", "duanwu"}),
    ),
    Festival(
        "mid_autumn",
        gettext_lazy("Mid-Autumn Festival (中秋节)"),
        frozenset({"中秋节", "中秋", "mid-autumn festival", "mid autumn festival", "mid-autumn"}),
    ),
    Festival("national_day", gettext_lazy("National Day (国庆节)"), frozenset({"国庆节", "国庆", "national day"})),
)


def festivals_named(name: str) -> set[str]:
    """The keys of the statutory festivals a day's name names (none for another holiday)."""
    parts = _SPLIT.split(name.casefold().replace("\u2019", "'"))
    return {f.key for f in FESTIVALS for part in parts if part.strip() in f.names}


@dataclass(frozen=True)
class NoticeDay:
    row: int
    date: dt.date
    kind: str
    name: str


@dataclass(frozen=True)
class Notice:
    year: int
    days: list[NoticeDay]
    sha256: str

    @property
    def holidays(self) -> int:
        return sum(1 for d in self.days if d.kind == DayKind.HOLIDAY)

    @property
    def workdays(self) -> int:
        return sum(1 for d in self.days if d.kind == DayKind.WORKDAY)


class _Errors:
    def __init__(self) -> None:
        self.items: list[FieldError] = []
        self.more = 0

    def add(self, field: str, message: str, row: int | None = None) -> None:
        if len(self.items) < MAX_ERRORS:
            self.items.append(FieldError(field, message, row))
        else:
            self.more += 1

    def raise_if_any(self) -> None:
        if self.items:
            if self.more:
                self.items.append(FieldError("file", _("and %(count)s more errors") % {"count": self.more}))
            raise InvalidInput(self.items)


def bad_character(text: str) -> str | None:
    for ch in text:
        if unicodedata.category(ch) in _REFUSED_CATEGORIES:
            return f"U+{ord(ch):04X}"
    return None


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise InvalidInput(
            FieldError("file", _("larger than %(limit)s bytes: not a holiday notice") % {"limit": MAX_BYTES})
        )
    if not data.strip():
        raise InvalidInput(FieldError("file", _("the file is empty")))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data.count(b"\n", 0, exc.start) + 1
        raise InvalidInput(
            FieldError("file", _("not UTF-8 text (byte %(start)s)") % {"start": exc.start}, row)
        ) from None


def parse_notice(data: bytes) -> Notice:
    """Read and check a notice file; InvalidInput lists every problem, by row and field."""
    text = _decode(data)
    errors = _Errors()
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    try:
        for number, record in enumerate(reader, start=1):
            if record or number == 1:
                records.append((number, record))
            if len(records) > MAX_ROWS + 1:
                raise InvalidInput(
                    FieldError("file", _("more than %(limit)s rows: not a holiday notice") % {"limit": MAX_ROWS})
                )
    except csv.Error as exc:
        raise InvalidInput(
            FieldError("file", _("not a CSV file: %(reason)s") % {"reason": exc}, reader.line_num)
        ) from None

    header = [h.strip() for h in records[0][1]]
    at: dict[str, int] = {}
    for i, column in enumerate(header):
        bad = bad_character(column)
        if bad:
            errors.add(_("column %(n)s") % {"n": i + 1}, _("control character %(char)s") % {"char": bad}, 1)
        elif column not in COLUMNS:
            errors.add(column[:40], _("unknown column"), 1)
        elif column in at:
            errors.add(column, _("column given twice"), 1)
        else:
            at[column] = i
    for column in COLUMNS:
        if column not in at:
            errors.add(column, _("required column missing"), 1)
    errors.raise_if_any()
    if len(records) == 1:
        raise InvalidInput(FieldError("file", _("no days: the file holds only its header")))

    days: list[NoticeDay] = []
    seen: dict[dt.date, NoticeDay] = {}
    year: int | None = None
    year_row = 0
    for number, record in records[1:]:
        if len(record) != len(header):
            errors.add(
                _("columns"),
                _("%(found)s fields where the header has %(expected)s")
                % {"found": len(record), "expected": len(header)},
                number,
            )
            continue
        values = {c: record[at[c]].strip() for c in COLUMNS}
        row_ok = True
        for column, value in values.items():
            bad = bad_character(value)
            if bad:
                errors.add(column, _("control character %(char)s") % {"char": bad}, number)
                row_ok = False
        if not row_ok:
            continue
        raw_date, kind, name = values["date"], values["kind"], values["name"]
        date = None
        if not _DATE.fullmatch(raw_date):
            errors.add("date", _("%(value)r is not a date written YYYY-MM-DD") % {"value": raw_date[:40]}, number)
        else:
            try:
                date = dt.date.fromisoformat(raw_date)
            except ValueError:
                errors.add("date", _("%(value)s is not a day of the calendar") % {"value": raw_date}, number)
        if kind not in DayKind.values:
            errors.add("kind", _("%(value)r is not holiday or workday") % {"value": kind[:40]}, number)
        if len(name) > NAME_LENGTH:
            errors.add("name", _("longer than %(limit)s characters") % {"limit": NAME_LENGTH}, number)
        elif kind == DayKind.HOLIDAY and not name:
            errors.add("name", _("a holiday names its festival (e.g. 春节)"), number)
        if date is None or kind not in DayKind.values:
            continue
        if year is None:
            year, year_row = date.year, number
            if not FIRST_YEAR <= year <= LAST_YEAR:
                errors.add(
                    "date",
                    _("%(year)s is outside the years a notice can be loaded for (%(first)s–%(last)s)")
                    % {"year": year, "first": FIRST_YEAR, "last": LAST_YEAR},
                    number,
                )
        elif date.year != year:
            errors.add(
                "date",
                _("%(date)s is not in %(year)s, the year of row %(row)s: a file holds one year's notice")
                % {"date": date, "year": year, "row": year_row},
                number,
            )
            continue
        if kind == DayKind.WORKDAY and date.weekday() < 5:
            errors.add(
                "date",
                _("%(date)s is a weekday: a make-up working day falls on a Saturday or Sunday") % {"date": date},
                number,
            )
        earlier = seen.get(date)
        if earlier is not None:
            if earlier.kind == kind:
                errors.add(
                    "date", _("%(date)s is given twice (row %(row)s)") % {"date": date, "row": earlier.row}, number
                )
            else:
                errors.add(
                    "kind",
                    _("%(date)s is both a holiday and a make-up working day (row %(row)s)")
                    % {"date": date, "row": earlier.row},
                    number,
                )
            continue
        day = NoticeDay(number, date, kind, name)
        seen[date] = day
        days.append(day)
    errors.raise_if_any()
    assert year is not None  # a row passed, so a year was taken from it

    for festival in FESTIVALS:
        count = sum(1 for d in days if d.kind == DayKind.HOLIDAY and festival.key in festivals_named(d.name))
        need = festival.min_days(year)
        if count < need:
            errors.add(
                "name",
                _(
                    "the notice of %(year)s is incomplete: %(festival)s has %(count)s days off, the law gives "
                    "at least %(need)s"
                )
                % {"year": year, "festival": festival.label, "count": count, "need": need},
            )
    errors.raise_if_any()
    return Notice(year=year, days=days, sha256=hashlib.sha256(data).hexdigest())
