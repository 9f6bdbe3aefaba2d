"""Reads of rendered documents, through the jurisdiction like every other read."""

from __future__ import annotations

from typing import Any

from docket.cases.models import Case
from docket.documents.models import RenderedDocument
from docket.offices.scoping import ScopedQuerySet


def documents_of_case(actor: Any, case: Case) -> ScopedQuerySet[RenderedDocument]:
    """The PDFs of a case for its page: its own documents and the notices of its measures, in the order they
    were issued, each language and template version a row of its own (newest version first)."""
    return (
        RenderedDocument.objects.visible_to(actor)
        .filter(case_id=case.pk)
        .select_related("template")
        .order_by("issued_on", "number", "language", "-template_version", "id")
    )
