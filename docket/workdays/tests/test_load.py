"""`docket workdays load`: a State Council notice entered whole or not at all."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from docket import testing as t
from docket.audit.models import AuditEntry
from docket.core.errors import Conflict, Denied, InvalidInput
from docket.officers.actors import SYSTEM
from docket.officers.models import Role
from docket.workdays.calendar import add_working_days
from docket.workdays.models import CalendarDay, CalendarYear, DayKind
from docket.workdays.notice import MAX_BYTES, festivals_named, parse_notice
from docket.workdays.services import calendar_year_load
from docket.workdays.tests.notices import HOLIDAYS_2027, ROWS_2027, WORKDAYS_2027, notice, replaced, row_of

D = dt.date
SOURCE = "国务院办公厅关于2027年部分节假日安排的通知"


@pytest.fixture
def no_2027(db):
    CalendarYear.objects.filter(year__gte=2027).delete()
    CalendarDay.objects.filter(date__gte=D(2027, 1, 1)).delete()


def days_2027() -> list[tuple[dt.date, str]]:
    return list(CalendarDay.objects.filter(date__year=2027).order_by("date").values_list("date", "kind"))


def load(data: bytes, **kw):
    return calendar_year_load(actor=SYSTEM, data=data, source=kw.pop("source", SOURCE), now=t.NOW, **kw)


def refused(data: bytes) -> list[str]:
    """The errors of a refused load, as `row N, field: reason`, after checking nothing was stored."""
    entries = AuditEntry.objects.count()
    with pytest.raises(InvalidInput) as err:
        load(data)
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert days_2027() == []
    assert AuditEntry.objects.count() == entries
    return [str(e) for e in err.value.errors]


def test_a_good_notice_is_loaded_and_audited(no_2027):
    loaded = load(notice())
    assert (loaded.year.year, loaded.holidays, loaded.workdays, loaded.replaced) == (
        2027,
        HOLIDAYS_2027,
        WORKDAYS_2027,
        None,
    )
    assert CalendarYear.objects.get(year=2027).source == SOURCE
    days = dict(days_2027())
    assert len(days) == HOLIDAYS_2027 + WORKDAYS_2027
    assert days[D(2027, 2, 8)] == DayKind.HOLIDAY and days[D(2027, 2, 20)] == DayKind.WORKDAY
    # Deadlines in 2027 are computed now, across its Spring Festival and its make-up Saturday.
    assert add_working_days(D(2027, 2, 4), 1) == D(2027, 2, 15)
    assert add_working_days(D(2027, 2, 19), 1) == D(2027, 2, 20)
    entry = AuditEntry.objects.get(action="calendar.year_load")
    assert entry.actor_name == "system:system" and entry.object_id == str(loaded.year.pk)
    assert entry.detail["replaced"] is False and entry.detail["year"] == 2027
    assert entry.detail["after"] == {"source": SOURCE, "holidays": HOLIDAYS_2027, "workdays": WORKDAYS_2027}
    assert len(entry.detail["sha256"]) == 64


def test_the_command_loads_and_lists(no_2027, tmp_path):
    path = tmp_path / "2027.csv"
    path.write_bytes(notice())
    out = io.StringIO()
    call_command("workdays", "load", str(path), "--source", SOURCE, stdout=out, stderr=io.StringIO())
    assert f"2027: {HOLIDAYS_2027} holidays and {WORKDAYS_2027} make-up working days loaded" in out.getvalue()
    years = io.StringIO()
    call_command("workdays", "years", stdout=years)
    assert f"2027\t{SOURCE}" in years.getvalue().splitlines()
    assert "2026\tchinese-calendar" in years.getvalue()


def test_a_loaded_year_is_replaced_only_with_replace(no_2027, tmp_path):
    load(notice())
    # The Mid-Autumn Festival moved by a day in a corrected notice.
    corrected = replaced("2027-09-15", "2027-09-16,holiday,中秋节")
    with pytest.raises(Conflict, match="--replace"):
        load(notice(corrected), source="corrected")
    assert dict(days_2027())[D(2027, 9, 15)] == DayKind.HOLIDAY
    path = tmp_path / "2027.csv"
    path.write_bytes(notice(corrected))
    with pytest.raises(CommandError, match="--replace"):
        call_command("workdays", "load", str(path))
    out = io.StringIO()
    call_command("workdays", "load", str(path), "--replace", "--source", "corrected", stdout=out, stderr=io.StringIO())
    assert "replacing" in out.getvalue()
    days = dict(days_2027())
    assert D(2027, 9, 15) not in days and days[D(2027, 9, 16)] == DayKind.HOLIDAY
    assert CalendarYear.objects.get(year=2027).source == "corrected"
    entry = AuditEntry.objects.filter(action="calendar.year_load").latest("seq")
    assert entry.detail["replaced"] is True
    assert entry.detail["before"] == {"source": SOURCE, "holidays": HOLIDAYS_2027, "workdays": WORKDAYS_2027}
    assert entry.detail["after"]["source"] == "corrected"


def test_days_entered_one_by_one_give_way_to_the_notice(tree, no_2027):
    from docket.workdays.services import calendar_day_set

    admin = t.officer(tree.national, Role.ADMINISTRATOR)
    calendar_day_set(actor=admin, date=D(2027, 3, 3), kind="holiday", name="guess", now=t.NOW)
    loaded = calendar_year_load(actor=admin, data=notice(), source=SOURCE, now=t.NOW)
    assert D(2027, 3, 3) not in dict(days_2027())
    assert AuditEntry.objects.get(action="calendar.year_load").detail["before"]["holidays"] == 1
    assert loaded.replaced is None


def test_only_administrators_and_the_system_load(tree, no_2027):
    with pytest.raises(Denied):
        calendar_year_load(actor=t.officer(tree.hz, Role.OFFICE_HEAD), data=notice(), source=SOURCE, now=t.NOW)
    assert not CalendarYear.objects.filter(year=2027).exists()


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (replaced("2027-06-09", "2027-06-9,holiday,端午节"), f"row {row_of('2027-06-09')}, date: "),
        (replaced("2027-06-09", "2027-02-30,holiday,端午节"), f"row {row_of('2027-06-09')}, date: "),
        (replaced("2027-06-09", "2027-06-09,festival,端午节"), f"row {row_of('2027-06-09')}, kind: "),
        (replaced("2027-06-09", "2027-06-09,holiday,"), f"row {row_of('2027-06-09')}, name: "),
        (replaced("2027-06-09", "2027-06-09,holiday," + "端" * 101), f"row {row_of('2027-06-09')}, name: longer"),
        # A make-up working day on a Wednesday.
        (replaced("2027-09-26", "2027-09-22,workday,国庆节"), f"row {row_of('2027-09-26')}, date: 2027-09-22 is a"),
        # The same date twice, and a date both off and worked.
        ([*ROWS_2027, "2027-10-01,holiday,国庆节"], f"row {len(ROWS_2027) + 2}, date: 2027-10-01 is given twice"),
        ([*ROWS_2027, "2027-10-09,holiday,国庆节"], f"row {len(ROWS_2027) + 2}, kind: 2027-10-09 is both"),
        # A row of another year.
        ([*ROWS_2027, "2028-01-01,holiday,元旦"], f"row {len(ROWS_2027) + 2}, date: 2028-01-01 is not in 2027"),
        # Wrong width, both ways.
        (replaced("2027-06-09", "2027-06-09,holiday,端午节,extra"), f"row {row_of('2027-06-09')}, columns: 4 fields"),
        (replaced("2027-06-09", "2027-06-09,holiday"), f"row {row_of('2027-06-09')}, columns: 2 fields"),
        # NUL, escape and a bidi override in a field.
        (
            replaced("2027-06-09", "2027-06-09,holiday,端午\x00节"),
            f"row {row_of('2027-06-09')}, name: control character U+0000",
        ),
        (
            replaced("2027-06-09", "2027-06-09,holiday,\x1b[31m端午节"),
            f"row {row_of('2027-06-09')}, name: control character U+001B",
        ),
        (
            replaced("2027-06-09", "2027-06-09\u202e,holiday,端午节"),
            f"row {row_of('2027-06-09')}, date: control character U+202E",
        ),
        # A quoted field that hides a line break.
        (
            replaced("2027-06-09", '2027-06-09,holiday,"端午\n节"'),
            f"row {row_of('2027-06-09')}, name: control character U+000A",
        ),
        # Incomplete: Dragon Boat forgotten; Spring Festival cut to three days in a year that has four.
        ([r for r in ROWS_2027 if "端午" not in r], "name: the notice of 2027 is incomplete: Dragon Boat Festival"),
        (
            [r for r in ROWS_2027 if not r.endswith(",holiday,春节")]
            + ["2027-02-05,holiday,春节", "2027-02-06,holiday,春节", "2027-02-07,holiday,春节"],
            "name: the notice of 2027 is incomplete: Spring Festival (春节) has 3 days off, the law gives at least 4",
        ),
        # Nothing but the header.
        ([], "file: no days"),
    ],
)
def test_bad_notices_are_refused_whole_naming_row_and_field(no_2027, rows, expected):
    errors = refused(notice(rows))
    assert any(e.startswith(expected) for e in errors), errors


def test_bad_headers_are_refused(no_2027):
    assert refused(notice(header="date,kind")) == ["row 1, name: required column missing"]
    assert refused(notice(header="date,kind,name,name")) == ["row 1, name: column given twice"]
    assert "row 1, weekday: unknown column" in refused(notice(header="date,kind,name,weekday"))
    # A header of thousands of columns is answered at once, with a bounded list of errors.
    errors = refused(notice(header="date,kind,name," + ",".join(f"c{i}" for i in range(8000))))
    assert len(errors) == 51 and errors[-1].startswith("file: and ")
    # Columns in another order are fine.
    swapped = [",".join([r.split(",")[2], r.split(",")[0], r.split(",")[1]]) for r in ROWS_2027]
    assert load(notice(swapped, header="name,date,kind")).holidays == HOLIDAYS_2027


def test_hostile_files_are_refused(no_2027):
    assert refused(b"") == ["file: the file is empty"]
    assert refused(notice() + b"#" * MAX_BYTES)[0].startswith("file: larger than 65536 bytes")
    bad_utf8 = notice().replace("端午节".encode(), b"\xff\xfe")
    at = bad_utf8.index(b"\xff")
    assert refused(bad_utf8) == [f"row {row_of('2027-06-09')}, file: not UTF-8 text (byte {at})"]
    assert refused(notice() + b"\n" * 10 + b"2027-12-31,holiday,x\n" * 400)[0].startswith("file: more than 366 rows")
    assert refused(notice(replaced("2027-06-09", '2027-06-09,holiday,"端午节"x')))[0].startswith(
        f"row {row_of('2027-06-09')}, file: not a CSV file"
    )


def test_the_command_refuses_endless_and_missing_files(no_2027, tmp_path):
    with pytest.raises(CommandError, match="larger than 65536 bytes"):
        call_command("workdays", "load", "/dev/zero")
    with pytest.raises(CommandError, match="cannot read"):
        call_command("workdays", "load", str(tmp_path / "missing.csv"))
    path = tmp_path / "bad.csv"
    path.write_bytes(notice(replaced("2027-09-26", "2027-09-22,workday,国庆节")))
    with pytest.raises(CommandError, match=rf"row {row_of('2027-09-26')}, date: 2027-09-22 is a weekday"):
        call_command("workdays", "load", str(path))
    assert days_2027() == []


def test_festival_names_in_either_language_and_joined():
    assert festivals_named("中秋节、国庆节") == {"mid_autumn", "national_day"}
    assert festivals_named("Mid-autumn Festival and National Day") == {"mid_autumn", "national_day"}
    assert festivals_named("New Year’s Day") == {"new_year"}
    assert festivals_named("Chinese New Year") == {"spring_festival"}
    assert festivals_named("抗战胜利70周年纪念日") == set()


@pytest.mark.parametrize("year", [y for y in range(2008, 2027) if y != 2020])
def test_every_year_of_the_package_passes_as_a_notice(year):
    # The package's own data, written as a notice, is complete by the rule. (2020 is left out: the package
    # names the joint 中秋节、国庆节 holiday of that year National Day only, and the rule then misses Mid-Autumn.)
    from chinese_calendar import constants

    rows = [f"{d},holiday,{n}" for d, n in constants.holidays.items() if d.year == year]
    rows += [f"{d},workday,{n}" for d, n in constants.workdays.items() if d.year == year]
    parsed = parse_notice(notice(rows))
    assert parsed.year == year and len(parsed.days) == len(rows)


@pytest.mark.race("calendar_year_load")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_race_twenty_loads_of_the_same_year_one_wins():
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL")
    CalendarYear.objects.filter(year=2027).delete()
    CalendarDay.objects.filter(date__year=2027).delete()
    entries = AuditEntry.objects.filter(action="calendar.year_load").count()
    data = notice()
    results = t.race(lambda i: calendar_year_load(actor=SYSTEM, data=data, source=f"load {i}", now=t.NOW))
    wins = [r for r in results if not isinstance(r, Exception)]
    assert len(wins) == 1, results
    assert all(isinstance(r, Conflict) for r in results if isinstance(r, Exception)), results
    assert CalendarYear.objects.get(year=2027).source == wins[0].year.source
    assert len(days_2027()) == HOLIDAYS_2027 + WORKDAYS_2027
    assert AuditEntry.objects.filter(action="calendar.year_load").count() == entries + 1
