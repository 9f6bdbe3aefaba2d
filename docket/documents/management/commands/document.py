"""``docket document render``: the PDF of a case's statutory document, rendered (once) and written to a file.

It acts as a named officer (``--as``), not as the system actor: a document is read through a jurisdiction,
and the system actor has none, so every render and read is checked and audited as that officer's.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from docket.cases.models import Case, Document, DocumentKind
from docket.core.errors import DocketError
from docket.core.vocabulary import MeasureType
from docket.documents.context import document_kind
from docket.documents.models import Kind, Language
from docket.documents.services import document_pdf, document_render, measure_document_render
from docket.measures.models import Measure
from docket.officers.models import Officer
from docket.offices.scoping import get_visible

LANGS = {"zh": Language.ZH, "en": Language.EN}
# The kinds a case document is asked for by; a decision is laid out as a penalty or a no-penalty decision by
# its outcome, and interview notices and rectification orders are those of the case's measures.
CASE_KINDS = {
    "filing": DocumentKind.FILING,
    "prior_notice": DocumentKind.PRIOR_NOTICE,
    "hearing_notice": DocumentKind.HEARING_NOTICE,
    "decision": DocumentKind.DECISION,
    "penalty_decision": DocumentKind.DECISION,
    "no_penalty_decision": DocumentKind.DECISION,
    "service": DocumentKind.SERVICE,
    "service_receipt": DocumentKind.SERVICE,
}
MEASURE_KINDS = {
    Kind.INTERVIEW_NOTICE.value: MeasureType.INTERVIEW,
    Kind.RECTIFICATION_ORDER.value: MeasureType.RECTIFICATION_ORDER,
}


class Command(BaseCommand):
    help = "Statutory documents: 'render' writes the PDF of a case's document (rendered once, SHA-256 checked)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        render = sub.add_parser("render", help="Render a case's document as PDF and write it to a file.")
        render.add_argument("--case", required=True, help="the case reference (AJ-...)")
        render.add_argument(
            "--kind", required=True, choices=sorted({*CASE_KINDS, *MEASURE_KINDS}), help="which document"
        )
        render.add_argument("--lang", choices=sorted(LANGS), default="zh")
        render.add_argument("--output", type=Path, help="the PDF to write (default: NUMBER-LANG.pdf here)")
        render.add_argument(
            "--as", dest="username", required=True, help="the officer rendering it (their jurisdiction applies)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        officer = Officer.objects.filter(username=options["username"], is_active=True).first()
        if officer is None:
            raise CommandError(_("no active officer %(u)r") % {"u": options["username"]})
        now = timezone.now()
        language = LANGS[options["lang"]]
        try:
            case = get_visible(Case.objects.all(), officer, ref=options["case"])
            kind = options["kind"]
            if kind in MEASURE_KINDS:
                measure = (
                    Measure.objects.visible_to(officer)
                    .filter(case=case, type=MEASURE_KINDS[kind])
                    .order_by("-taken_on", "-id")
                    .first()
                )
                if measure is None:
                    raise CommandError(_("case %(ref)s has no %(kind)s") % {"ref": case.ref, "kind": kind})
                rendered = measure_document_render(actor=officer, measure=measure, language=language, now=now)
            else:
                documents = (
                    Document.objects.visible_to(officer)
                    .filter(case=case, kind=CASE_KINDS[kind])
                    .order_by("-issued_on", "-id")
                )
                # "decision" is the latest decision whatever its outcome; the two named kinds pick by outcome.
                document = next((d for d in documents if kind not in Kind.values or document_kind(d) == kind), None)
                if document is None:
                    raise CommandError(_("case %(ref)s has no %(kind)s document") % {"ref": case.ref, "kind": kind})
                rendered = document_render(actor=officer, document=document, language=language, now=now)
            content = document_pdf(actor=officer, rendered=rendered, now=now)
        except DocketError as exc:
            raise CommandError(str(exc)) from exc
        output = options["output"] or Path(f"{rendered.number}-{options['lang']}.pdf")
        output.write_bytes(content)
        self.stdout.write(
            _("%(number)s (%(kind)s, %(lang)s, template v%(v)s) written to %(path)s, SHA-256 %(h)s")
            % {
                "number": rendered.number,
                "kind": rendered.kind,
                "lang": options["lang"],
                "v": rendered.template_version,
                "path": output,
                "h": rendered.sha256,
            }
        )
