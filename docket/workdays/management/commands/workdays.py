import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from docket.core.errors import CalendarMissing
from docket.workdays.calendar import add_working_days


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"DATE must be an ISO date (YYYY-MM-DD), not {text!r}") from None


class Command(BaseCommand):
    help = "Working-day calendar. 'docket workdays add DATE N' prints the date N working days after DATE."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="N working days after DATE (the start day not counted)")
        add.add_argument("date")
        add.add_argument("n")
        sub.add_parser("years", help="List the years that have holiday data")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "years":
            from docket.workdays.models import CalendarYear

            for year in CalendarYear.objects.all():
                self.stdout.write(f"{year.year}\t{year.source}")
            return
        start = _date(options["date"])
        try:
            n = int(options["n"])
        except ValueError:
            raise CommandError(f"N must be a whole number, not {options['n']!r}") from None
        if n < 0:
            raise CommandError("N must not be negative")
        try:
            self.stdout.write(add_working_days(start, n).isoformat())
        except CalendarMissing as exc:
            raise CommandError(str(exc)) from None
