"""`docket report`: the published figures for a period, an office's jurisdiction and a campaign."""

import datetime as dt
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from docket.campaigns.models import Campaign
from docket.offices.models import Office
from docket.reports import render
from docket.reports.render import Period

FORMATS = ("json", "text", "csv", "xlsx", "html", "pdf")


def _date(text: str, flag: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{flag} must be an ISO date (YYYY-MM-DD), not {text!r}") from None


class Command(BaseCommand):
    help = "Print the report: --year YYYY or --from/--to, optionally --office CODE and --campaign SLUG."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int)
        parser.add_argument("--from", dest="date_from")
        parser.add_argument("--to", dest="date_to")
        parser.add_argument("--office", default="000000", help="division code of the office (default: national)")
        parser.add_argument("--campaign", help="campaign slug")
        parser.add_argument("--format", default="json", choices=FORMATS)
        parser.add_argument("--lang", default="zh", choices=("zh", "en"))
        parser.add_argument("--output", "-o", help="write to this file instead of standard output")
        parser.add_argument(
            "--audience",
            default="public",
            choices=("public", "internal"),
            help="html/pdf: 'public' (default) shows no record ids, identifiers or admin links; 'internal' does",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["year"] is not None:
            if options["date_from"] or options["date_to"]:
                raise CommandError("give --year or --from/--to, not both")
            period = Period(dt.date(options["year"], 1, 1), dt.date(options["year"], 12, 31))
        elif options["date_from"] and options["date_to"]:
            period = Period(_date(options["date_from"], "--from"), _date(options["date_to"], "--to"))
        else:
            raise CommandError("give --year YYYY, or both --from and --to")
        if period.date_to < period.date_from:
            raise CommandError("--to is before --from")
        office = Office.objects.filter(code=options["office"]).first()
        if office is None:
            raise CommandError(f"no office with division code {options['office']!r}")
        campaign_id = 0
        if options["campaign"]:
            campaign = Campaign.objects.filter(slug=options["campaign"]).first()
            if campaign is None:
                raise CommandError(f"no campaign {options['campaign']!r}")
            campaign_id = campaign.pk
        fmt = options["format"]
        if fmt in ("xlsx", "pdf"):
            if fmt == "xlsx":
                data = render.report_xlsx(office, period, campaign_id, lang=options["lang"])
            else:
                from docket.reports.document import report_pdf

                data = report_pdf(office, period, options["lang"], campaign_id, audience=options["audience"])
            if not options["output"]:
                if sys.stdout.isatty():
                    raise CommandError(f"{fmt} is binary: give --output FILE")
                sys.stdout.buffer.write(data)
                return
            with open(options["output"], "wb") as fh:
                fh.write(data)
            return
        if fmt == "json":
            text = render.report_json(office, period, campaign_id)
        elif fmt == "html":
            from docket.reports.document import report_html

            text = report_html(office, period, options["lang"], campaign_id, audience=options["audience"])
        elif fmt == "text":
            text = render.report_text(office, period, options["lang"], campaign_id)
        else:
            text = render.report_csv(office, period, campaign_id)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as fh:
                fh.write(text if text.endswith("\n") else text + "\n")
        else:
            self.stdout.write(text)
