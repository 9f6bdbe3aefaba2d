import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from docket.core.errors import CalendarMissing, DocketError, InvalidInput
from docket.workdays.calendar import add_working_days


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("DATE must be an ISO date (YYYY-MM-DD), not %(value)r") % {"value": text}) from None


class Command(BaseCommand):
    help = (
        "Working-day calendar. 'docket workdays add DATE N' prints the date N working days after DATE; "
        "'docket workdays years' lists the years with holiday data; 'docket workdays load FILE.csv' enters a "
        "State Council notice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="N working days after DATE (the start day not counted)")
        add.add_argument("date")
        add.add_argument("n")
        sub.add_parser("years", help="List the years that have holiday data")
        load = sub.add_parser(
            "load",
            help="Enter one year's holidays and make-up working days from a CSV file (columns date,kind,name; "
            "kind holiday or workday), all or nothing",
            description=(
                "UTF-8 CSV, header date,kind,name (any order). date: YYYY-MM-DD, all in one year. kind: holiday "
                "(a day off) or workday (a Saturday or Sunday worked in exchange). name: the festival, e.g. 春节, "
                "元旦, 中秋节、国庆节 (required for a holiday). Each date once. The year must give every statutory "
                "festival (New Year, Spring Festival, Qingming, Labour Day, Dragon Boat, Mid-Autumn, National Day) "
                "at least its statutory days off. Errors are listed as 'row N, field: reason' and nothing is stored."
            ),
        )
        load.add_argument("file", help="the notice as a CSV file (at most 64 KiB)")
        load.add_argument("--source", default="", help="the notice, e.g. 国务院办公厅关于2027年部分节假日安排的通知")
        load.add_argument("--replace", action="store_true", help="replace a year that is already in the calendar")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "years":
            from docket.workdays.models import CalendarYear

            for year in CalendarYear.objects.all():
                self.stdout.write(f"{year.year}\t{year.source}")
            return
        if options["action"] == "load":
            self._load(Path(options["file"]), options["source"], replace=options["replace"])
            return
        start = _date(options["date"])
        try:
            n = int(options["n"])
        except ValueError:
            raise CommandError(_("N must be a whole number, not %(value)r") % {"value": options["n"]}) from None
        if n < 0:
            raise CommandError(_("N must not be negative"))
        try:
            self.stdout.write(add_working_days(start, n).isoformat())
        except CalendarMissing as exc:
            raise CommandError(str(exc)) from None

    def _load(self, path: Path, source: str, *, replace: bool) -> None:
        from docket.officers.actors import SYSTEM
        from docket.workdays.checks import calendar_warnings
        from docket.workdays.notice import MAX_BYTES
        from docket.workdays.services import calendar_year_load

        try:
            with path.open("rb") as f:
                # One byte past the limit is enough to refuse an endless or huge file without reading it.
                data = f.read(MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(_("cannot read %(file)s: %(reason)s") % {"file": path, "reason": exc.strerror}) from None
        try:
            loaded = calendar_year_load(
                actor=SYSTEM, data=data, source=source or path.name, replace=replace, now=timezone.now()
            )
        except InvalidInput as exc:
            raise CommandError("\n".join(str(e) for e in exc.errors)) from None
        except DocketError as exc:
            raise CommandError(str(exc)) from None
        message = _("%(year)s: %(holidays)s holidays and %(workdays)s make-up working days loaded (%(source)s)") % {
            "year": loaded.year.year,
            "holidays": loaded.holidays,
            "workdays": loaded.workdays,
            "source": loaded.year.source,
        }
        if loaded.replaced is not None:
            message += " " + _("replacing %(holidays)s holidays and %(workdays)s make-up working days (%(source)s)") % {
                "holidays": loaded.replaced["holidays"],
                "workdays": loaded.replaced["workdays"],
                "source": loaded.replaced["source"],
            }
        self.stdout.write(message)
        for warning in calendar_warnings():
            self.stderr.write(warning)
