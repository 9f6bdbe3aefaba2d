"""``docket remind [--on DATE]``: tell each officer of deadlines due within three working days and overdue ones."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from docket.core.dates import local_date
from docket.core.errors import DocketError
from docket.reminders.services import OVERDUE_DAYS, reminders_send


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("--on: a date such as 2026-03-02, not %(text)r") % {"text": text}) from None


class Command(BaseCommand):
    help = (
        "Tell each officer, by e-mail and in their list of reminders, of the deadlines due within three working "
        "days and of the overdue ones; run it daily (a second run the same day tells nobody twice)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--on", help="the day to remind for (default: today in the office time zone)")
        parser.add_argument(
            "--overdue-days",
            type=int,
            default=OVERDUE_DAYS,
            help=f"announce deadlines overdue for at most this many days (default {OVERDUE_DAYS})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        on = _date(options["on"]) if options["on"] else local_date(now)
        if options["overdue_days"] < 0:
            raise CommandError(_("--overdue-days must not be negative"))
        try:
            with tqdm(desc="remind", unit="reminder", disable=None, file=self.stderr._out) as bar:
                sent = reminders_send(on=on, now=now, overdue_days=options["overdue_days"], progress=bar)
        except DocketError as exc:
            raise CommandError(str(exc)) from None
        if sent.calendar_missing:
            self.stderr.write(_("warning: %(why)s Only overdue deadlines were told.") % {"why": sent.calendar_missing})
        self.stdout.write(
            _(
                "reminders for %(on)s: %(created)s new for %(officers)s officers (due up to %(until)s), "
                "%(mailed)s e-mails sent"
            )
            % {
                "on": on.isoformat(),
                "created": sent.created,
                "officers": sent.officers,
                "until": sent.soon_until.isoformat() if sent.soon_until else "-",
                "mailed": sent.mailed,
            }
        )
        if sent.mail_failed:
            raise CommandError(
                _("e-mail failed for %(who)s; their reminders are listed in Docket and the e-mail is tried again")
                % {"who": ", ".join(sent.mail_failed)}
            )
