"""Rendering the statutory documents, and handing a rendered PDF out after checking its SHA-256.

Semantics of a render: ``(document or measure, language, template version)`` names one PDF. The first render
writes it (file, row, audit entry); every later call, however many at once, gets that same row back (the
document's or measure's row is locked while the first one renders, so the others wait and then find it).
A new template version gives a new PDF beside the old ones; nothing rendered is ever rewritten.

The bytes are kept in the content-addressed store the evidence uses (``evidence.storage``: verified writes,
one file per SHA-256), so a document is held, backed up and checked like evidence.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from docket.audit.models import Outcome
from docket.audit.services import audit_record, audit_record_lasting, service
from docket.cases.models import Document
from docket.core.errors import Conflict, DocketError, FieldError, GateRefused, InvalidInput
from docket.documents.context import (
    MEASURE_KINDS,
    MEASURE_SERIES,
    document_context,
    document_kind,
    measure_context,
    office_name,
    template_in_force,
)
from docket.documents.models import DocumentTemplate, Kind, Language, RenderedDocument
from docket.documents.render import document_html, html_to_pdf
from docket.evidence import storage
from docket.measures.models import Measure
from docket.officers.actors import Actor
from docket.officers.models import Officer
from docket.offices.numbering import next_number
from docket.offices.scoping import get_visible


class DocumentCorrupted(DocketError):
    """The stored PDF no longer has the SHA-256 taken when it was rendered."""


def _language(language: str) -> str:
    if language not in Language.values:
        raise InvalidInput(
            FieldError("language", _("one of %(v)s, not %(l)r") % {"v": ", ".join(Language.values), "l": language})
        )
    return language


def _template(kind: Kind, language: str, on: dt.date) -> DocumentTemplate:
    template = template_in_force(kind, language, on)
    if template is None:
        raise GateRefused(
            _("No active template of %(kind)s in %(lang)s is valid on %(d)s: add one in the admin.")
            % {"kind": kind.label, "lang": language, "d": on}
        )
    return template


def _pdf(template: DocumentTemplate, data: dict[str, Any], language: str, office: Any) -> bytes:
    html = document_html(
        title=template.title, body=template.body, data=data, language=language, office=office_name(office, language)
    )
    return html_to_pdf(html)


def _write(actor: Actor, now: dt.datetime, pdf: bytes, **fields: Any) -> RenderedDocument:
    sha256 = storage.store(pdf)
    try:
        # A savepoint, so that a duplicate (only possible where the row lock is not, on SQLite) is a Conflict.
        with transaction.atomic():
            row = RenderedDocument.objects.create(
                sha256=sha256,
                size=len(pdf),
                rendered_at=now,
                rendered_by=actor if isinstance(actor, Officer) else None,
                **fields,
            )
    except IntegrityError:
        raise Conflict(_("This document was rendered meanwhile; reload to see it.")) from None
    audit_record(
        actor=actor,
        action="document.render",
        obj=row,
        now=now,
        detail={
            "number": row.number,
            "kind": row.kind,
            "language": row.language,
            "template_version": row.template_version,
            "sha256": sha256,
            "size": row.size,
        },
    )
    return row


@service
def document_render(*, actor: Actor, document: Document, language: str, now: dt.datetime) -> RenderedDocument:
    """The PDF of a case document in ``language`` with the template in force on its date (rendered once)."""
    _language(language)
    found = get_visible(Document.objects.all(), actor, pk=document.pk)
    # Renderers of one document queue on its row: the first writes, the others find its PDF.
    found = Document.objects.select_for_update().get(pk=found.pk)
    kind = document_kind(found)
    if kind is None:
        raise GateRefused(
            _("Docket has no statutory template for this document (%(kind)s, %(outcome)s).")
            % {"kind": found.get_kind_display(), "outcome": (found.body or {}).get("outcome", "")}
        )
    template = _template(kind, language, found.issued_on)
    existing = RenderedDocument.objects.filter(
        document=found, language=language, template_version=template.version
    ).first()
    if existing is not None:
        return existing
    case = found.case
    pdf = _pdf(template, document_context(found, language), language, case.office)
    return _write(
        actor,
        now,
        pdf,
        office=case.office,
        case=case,
        document=found,
        kind=kind,
        language=language,
        template=template,
        template_version=template.version,
        number=found.number,
        issued_on=found.issued_on,
    )


@service
def measure_document_render(*, actor: Actor, measure: Measure, language: str, now: dt.datetime) -> RenderedDocument:
    """The notice of an interview or the order to rectify a measure carries, numbered in the office's series
    (``YT`` interview notices, ``ZG`` rectification orders) the first time it is rendered in any language."""
    _language(language)
    found = get_visible(Measure.objects.all(), actor, pk=measure.pk)
    found = Measure.objects.select_for_update().select_related("office").get(pk=found.pk)
    kind = MEASURE_KINDS.get(found.type)  # type: ignore[call-overload]
    if kind is None:
        raise InvalidInput(
            FieldError(
                "measure",
                _("a %(type)s carries no notice of its own; interview notices and rectification orders do")
                % {"type": found.get_type_display()},
            )
        )
    template = _template(kind, language, found.taken_on)
    renderings = RenderedDocument.objects.filter(measure=found)
    existing = renderings.filter(language=language, template_version=template.version).first()
    if existing is not None:
        return existing
    earlier = renderings.order_by("id").first()
    number = (
        earlier.number
        if earlier is not None
        else next_number(
            RenderedDocument,
            "number",
            office=found.office,
            series=MEASURE_SERIES[found.type],  # type: ignore[index]
            year=found.taken_on.year,
        )
    )
    pdf = _pdf(template, measure_context(found, number, language), language, found.office)
    return _write(
        actor,
        now,
        pdf,
        office=found.office,
        case_id=found.case_id,
        measure=found,
        kind=kind,
        language=language,
        template=template,
        template_version=template.version,
        number=number,
        issued_on=found.taken_on,
    )


@service(writes=False)
def document_pdf(*, actor: Actor, rendered: RenderedDocument | int, now: dt.datetime) -> bytes:
    """The PDF's bytes, after hashing them again; refused (and audited as failed) when they no longer match.

    Fetched again through the actor's jurisdiction whatever the caller passed. The audit entry outlives a
    rollback of the caller's transaction: the bytes were handed out (or refused) whatever the caller does next.
    """
    pk = rendered.pk if isinstance(rendered, RenderedDocument) else rendered
    found = get_visible(RenderedDocument.objects.all(), actor, pk=pk)
    content = storage.load(found.sha256)
    ok = content is not None and hashlib.sha256(content).hexdigest() == found.sha256
    audit_record_lasting(
        actor=actor,
        action="document.read",
        obj=found,
        now=now,
        outcome=Outcome.OK if ok else Outcome.FAILED,
        detail={"number": found.number, "sha256": found.sha256, "verified": ok},
    )
    if not ok or content is None:
        raise DocumentCorrupted(
            _("Document %(number)s is missing or altered: its file no longer matches SHA-256 %(h)s.")
            % {"number": found.number, "h": found.sha256}
        )
    return content
