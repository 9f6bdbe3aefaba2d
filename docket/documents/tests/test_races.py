"""Twenty renders of one document at once: one PDF is written, every caller gets that one.

The renderers queue on the document's (or measure's) row; the first writes file, row and audit entry, the
others find its row. A Conflict would be allowed (the unique constraint is the last guard), none is expected.
"""

from __future__ import annotations

import pytest
from django.db import connection

from docket import testing as t
from docket.audit.models import AuditEntry
from docket.cases.models import Document
from docket.core.tests.races import fresh, me, tally
from docket.documents.models import Language, RenderedDocument
from docket.documents.services import document_pdf, document_render, measure_document_render
from docket.measures.models import Measure

NOW = t.NOW


@pytest.mark.race("document_render")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_race_twenty_renders_of_one_document_write_one_pdf(team, served):
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL")
    decision = served.case.documents.get(kind="decision", body__outcome="penalty")
    results = t.race(
        lambda i: document_render(actor=me(team.a), document=fresh(decision), language=Language.ZH, now=NOW)
    )
    wins, refused = tally(results)
    assert not refused, refused
    rows = list(RenderedDocument.objects.all())
    assert len(rows) == 1
    assert {w.pk for w in wins} == {rows[0].pk} and len(wins) == t.RACERS
    assert AuditEntry.objects.filter(action="document.render").count() == 1
    assert document_pdf(actor=team.a, rendered=rows[0], now=NOW).startswith(b"%PDF")
    assert Document.objects.get(pk=decision.pk).number == rows[0].number


@pytest.mark.race("measure_document_render")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_race_twenty_renders_of_one_notice_take_one_number(team, interview):
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL")
    languages = [Language.ZH, Language.EN]
    results = t.race(
        lambda i: measure_document_render(
            actor=me(team.a), measure=fresh(interview), language=languages[i % 2], now=NOW
        )
    )
    wins, refused = tally(results)
    assert not refused, refused
    rows = list(RenderedDocument.objects.order_by("language"))
    assert [r.language for r in rows] == sorted(languages)
    assert {r.number for r in rows} == {"330100-YT-2024-00001"}
    assert {w.pk for w in wins} == {r.pk for r in rows}
    assert AuditEntry.objects.filter(action="document.render").count() == 2
    assert Measure.objects.get(pk=interview.pk).details == interview.details
