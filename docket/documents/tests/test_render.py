"""The eight statutory documents render in Chinese and English, drawn with a CJK font, stored with their SHA-256."""

from __future__ import annotations

import hashlib
import re
import zlib

import pytest
from django.core.management import call_command

from docket import testing as t
from docket.audit.models import AuditEntry
from docket.audit.models import Outcome as AuditOutcome
from docket.cases.models import Document
from docket.core.errors import InvalidInput, NotFound
from docket.core.tests.races import assert_absent
from docket.documents import render
from docket.documents.context import document_context
from docket.documents.models import DocumentTemplate, Kind, Language, RenderedDocument
from docket.documents.queries import documents_of_case
from docket.documents.services import (
    DocumentCorrupted,
    document_pdf,
    document_render,
    measure_document_render,
)
from docket.documents.tests import pdftext
from docket.evidence import storage
from docket.evidence.models import EvidenceItem
from docket.measures.services import measure_record
from docket.officers.models import Role

NOW = t.NOW


def _flat(pdf: bytes) -> str:
    return re.sub(r"\s+", "", pdftext.text(pdf))


def _render_all(team, served, interview, rectification, language):
    rows = [document_render(actor=team.a, document=d, language=language, now=NOW) for d in served.case.documents.all()]
    rows += [
        measure_document_render(actor=team.a, measure=m, language=language, now=NOW) for m in (interview, rectification)
    ]
    return rows


@pytest.mark.parametrize("language", [Language.ZH, Language.EN])
def test_every_kind_renders_stored_with_its_sha256(team, served, interview, rectification, language):
    rows = _render_all(team, served, interview, rectification, language)
    assert sorted(r.kind for r in rows) == sorted(Kind.values)
    for row in rows:
        pdf = document_pdf(actor=team.a, rendered=row, now=NOW)
        assert pdf.startswith(b"%PDF")
        assert row.sha256 == hashlib.sha256(pdf).hexdigest() and row.size == len(pdf)
        assert row.language == language and row.template_version == 1
        title = DocumentTemplate.objects.get(kind=row.kind, language=language, version=1).title
        text = _flat(pdf)
        # Each document shows its own title, its number and its office: read through the font, not the HTML.
        assert re.sub(r"\s+", "", title) in text, (row.kind, text[:300])
        assert row.number in text
        assert "杭州市网信办" in text
        assert "\ufffd" not in text, "glyphs without text: a font is missing"
    assert AuditEntry.objects.filter(action="document.render").count() == len(Kind.values)
    assert AuditEntry.objects.filter(action="document.read", outcome=AuditOutcome.OK).count() == len(Kind.values)


def test_chinese_penalty_decision_draws_its_text_with_a_cjk_font(team, served, person):
    decision = served.case.documents.get(kind="decision", body__outcome="penalty")
    row = document_render(actor=team.a, document=decision, language=Language.ZH, now=NOW)
    pdf = document_pdf(actor=team.a, rendered=row, now=NOW)
    assert any("CJK" in name for name in pdftext.font_names(pdf)), pdftext.font_names(pdf)
    text = _flat(pdf)
    evidence = EvidenceItem.objects.get(case=served.case)
    for words in (
        "行政处罚决定书",
        "一、违法事实",
        "查明事实",
        "二、证据",
        evidence.name + evidence.sha256[:16],
        "三、处罚依据",
        "《网络安全法》第六十八条",
        "四、裁量情况",
        "五、处罚决定",
        "罚款",
        "100,000.00",
        "15日内",
        "罚款数额的3%加处罚款",
        "60日内依法申请行政复议",
        "6个月内依法向人民法院提起行政诉讼",
        "印章区",
        "—1—",
    ):
        assert words in text, (words, text)
    # A natural person's identity number is masked, never printed whole.
    assert person.display_identifier in text and person.identifier not in text
    assert "\ufffd" not in text, "glyphs without text: a font is missing"


def test_english_rendering_states_the_remedies(team, served):
    decision = served.case.documents.get(kind="decision", body__outcome="penalty")
    row = document_render(actor=team.a, document=decision, language=Language.EN, now=NOW)
    text = pdftext.text(document_pdf(actor=team.a, rendered=row, now=NOW))
    flat = re.sub(r"\s+", " ", text.replace("\n", " "))
    for words in ("Decision on Administrative Penalty", "within 60 days", "within 6 months", "3%", "15 days"):
        assert words.replace(" ", "") in flat.replace(" ", ""), words


def test_no_penalty_decision_uses_its_own_template(team, served):
    row = document_render(actor=team.a, document=served.no_penalty, language=Language.ZH, now=NOW)
    assert row.kind == Kind.NO_PENALTY_DECISION
    text = _flat(document_pdf(actor=team.a, rendered=row, now=NOW))
    assert (
        "不予行政处罚决定书" in text
        and "初次违法且及时改正" in text
        and "处罚决定" not in text.replace("不予行政处罚决定书", "").replace("本决定", "")
    )


def test_a_render_is_done_once_and_a_new_template_version_renders_anew(team, served):
    decision = served.case.documents.get(kind="decision", body__outcome="penalty")
    first = document_render(actor=team.a, document=decision, language=Language.ZH, now=NOW)
    again = document_render(actor=team.b, document=decision, language=Language.ZH, now=NOW)
    assert again.pk == first.pk
    assert AuditEntry.objects.filter(action="document.render").count() == 1
    old = DocumentTemplate.objects.get(kind=Kind.PENALTY_DECISION, language=Language.ZH, version=1)
    DocumentTemplate.objects.create(
        kind=old.kind,
        language=old.language,
        version=2,
        title="行政处罚决定书（第二版）",
        body=old.body,
        valid_from=old.valid_from,
    )
    newer = document_render(actor=team.a, document=decision, language=Language.ZH, now=NOW)
    assert newer.pk != first.pk and newer.template_version == 2 and newer.number == first.number
    assert "（第二版）" in _flat(document_pdf(actor=team.a, rendered=newer, now=NOW))
    # The first PDF is still there, with the words it was issued with.
    assert "（第二版）" not in _flat(document_pdf(actor=team.a, rendered=first, now=NOW))


def test_rendering_is_deterministic(team, served):
    decision = served.case.documents.get(kind="decision", body__outcome="penalty")
    template = DocumentTemplate.objects.get(kind=Kind.PENALTY_DECISION, language=Language.ZH, version=1)
    data = document_context(Document.objects.get(pk=decision.pk), Language.ZH)

    def once() -> bytes:
        html = render.document_html(
            title=template.title, body=template.body, data=data, language=Language.ZH, office="杭州市网信办"
        )
        return render.html_to_pdf(html)

    assert hashlib.sha256(once()).hexdigest() == hashlib.sha256(once()).hexdigest()


def test_measure_notices_are_numbered_in_their_series_once_for_every_language(team, interview, rectification):
    zh = measure_document_render(actor=team.a, measure=interview, language=Language.ZH, now=NOW)
    en = measure_document_render(actor=team.a, measure=interview, language=Language.EN, now=NOW)
    order = measure_document_render(actor=team.a, measure=rectification, language=Language.ZH, now=NOW)
    assert zh.number == en.number == "330100-YT-2024-00001"
    assert order.number == "330100-ZG-2024-00001"
    text = _flat(document_pdf(actor=team.a, rendered=order, now=NOW))
    assert "责令限期改正通知书" in text and "2024年5月20日前改正" in text and "删除违法信息" in text


def test_a_measure_without_a_notice_of_its_own_is_refused(team, templates):
    party = t.organisation()
    order = measure_record(
        actor=team.a,
        type="rectification_order",
        taken_on=NOW.date(),
        due_on=NOW.date(),
        subjects=[party],
        details={"requirements": "x"},
        now=NOW,
    )
    # A warning is imposed by a decision (whose document is the decision's): make this measure one.
    type(order).objects.filter(pk=order.pk).update(type="warning")
    with pytest.raises(InvalidInput) as err:
        measure_document_render(actor=team.a, measure=order, language=Language.ZH, now=NOW)
    assert err.value.errors[0].field == "measure"
    assert not RenderedDocument.objects.exists()


def test_an_unknown_language_is_refused_by_field(team, served):
    with pytest.raises(InvalidInput) as err:
        document_render(actor=team.a, document=served.hearing, language="fr", now=NOW)
    assert err.value.errors[0].field == "language"


def test_a_tampered_file_is_refused_on_read(team, served):
    row = document_render(actor=team.a, document=served.hearing, language=Language.ZH, now=NOW)
    path = storage._path(row.sha256)
    path.chmod(0o640)
    path.write_bytes(path.read_bytes().replace(b"%PDF", b"%PDX", 1))
    with pytest.raises(DocumentCorrupted):
        document_pdf(actor=team.a, rendered=row, now=NOW)
    failed = AuditEntry.objects.get(action="document.read")
    assert failed.outcome == AuditOutcome.FAILED and failed.detail["verified"] is False
    path.unlink()
    with pytest.raises(DocumentCorrupted):
        document_pdf(actor=team.a, rendered=row.pk, now=NOW)


@pytest.mark.jurisdiction("document_render")
def test_a_sibling_office_cannot_render_a_case_document(tree, team, served):
    stranger = t.officer(tree.nb, Role.CASE_OFFICER, Role.OFFICE_HEAD)
    document = served.case.documents.get(kind="filing")
    assert_absent(lambda: document_render(actor=stranger, document=document, language=Language.ZH, now=NOW), document)
    assert not RenderedDocument.objects.exists()


@pytest.mark.jurisdiction("measure_document_render")
def test_a_sibling_office_cannot_render_a_measure_notice(tree, team, interview):
    stranger = t.officer(tree.nb, Role.CASE_OFFICER, Role.OFFICE_HEAD)
    assert_absent(
        lambda: measure_document_render(actor=stranger, measure=interview, language=Language.ZH, now=NOW), interview
    )
    assert not RenderedDocument.objects.exists()


@pytest.mark.jurisdiction("document_pdf")
def test_a_sibling_office_cannot_read_a_rendered_pdf(tree, team, served):
    row = document_render(actor=team.a, document=served.hearing, language=Language.EN, now=NOW)
    stranger = t.officer(tree.nb, Role.CASE_OFFICER, Role.OFFICE_HEAD)
    assert_absent(lambda: document_pdf(actor=stranger, rendered=row, now=NOW), row)
    # The province above sees it, as it sees the case.
    province = t.officer(tree.zj, Role.INSPECTOR)
    assert document_pdf(actor=province, rendered=row, now=NOW).startswith(b"%PDF")


def test_the_case_page_lists_its_documents_within_the_jurisdiction(tree, team, served, rectification):
    case = served.case
    measure_document_render(actor=team.a, measure=rectification, language=Language.ZH, now=NOW)
    type(rectification).objects.filter(pk=rectification.pk).update(case=case)
    rectification.refresh_from_db()
    RenderedDocument.objects.filter(measure=rectification).update(case=case)
    filing = document_render(actor=team.a, document=case.documents.get(kind="filing"), language=Language.ZH, now=NOW)
    listed = list(documents_of_case(team.a, case))
    assert [r.pk for r in listed][0] == filing.pk and len(listed) == 2
    assert list(documents_of_case(t.officer(tree.nb, Role.CASE_OFFICER), case)) == []


def test_the_command_renders_as_the_named_officer(team, served, tmp_path, capsys):
    out = tmp_path / "decision.pdf"
    call_command(
        "document",
        "render",
        "--case",
        served.case.ref,
        "--kind",
        "no_penalty_decision",
        "--lang",
        "zh",
        "--as",
        team.a.username,
        "--output",
        str(out),
    )
    row = RenderedDocument.objects.get()
    assert out.read_bytes().startswith(b"%PDF") and hashlib.sha256(out.read_bytes()).hexdigest() == row.sha256
    assert row.rendered_by == team.a and row.sha256 in capsys.readouterr().out


def test_the_command_refuses_a_case_outside_the_officers_jurisdiction(tree, served, tmp_path):
    from django.core.management.base import CommandError

    stranger = t.officer(tree.nb, Role.CASE_OFFICER)
    with pytest.raises(CommandError, match="not found"):
        call_command("document", "render", "--case", served.case.ref, "--kind", "filing", "--as", stranger.username)
    assert not RenderedDocument.objects.exists()


def test_not_found_is_what_the_system_actor_gets(served):
    from docket.officers.actors import SYSTEM

    with pytest.raises(NotFound):
        document_render(actor=SYSTEM, document=served.hearing, language=Language.ZH, now=NOW)


def _blank_glyphs(pdf: bytes) -> bytes:
    """The PDF as drawn without a font for its text: every glyph the .notdef box (glyph 0), no text behind it."""

    def blank(match: re.Match[bytes]) -> bytes:
        head, data = match.group(1), zlib.decompress(match.group(2))
        if b" Tf" in data:
            data = re.sub(rb"<([0-9a-fA-F]+)>", lambda m: b"<" + b"0" * len(m.group(1)) + b">", data)
        return head + b"stream\n" + zlib.compress(data) + b"\nendstream"

    return re.sub(rb"(<<[^>]*?/FlateDecode[^>]*>>\s*)stream\r?\n(.*?)\r?\nendstream", blank, pdf, flags=re.S)


def test_the_text_check_reads_through_the_fonts_and_can_fail(team, served):
    """Drawn with empty boxes (what a missing CJK font gives, without an error), the words are not found."""
    row = document_render(actor=team.a, document=served.hearing, language=Language.ZH, now=NOW)
    pdf = document_pdf(actor=team.a, rendered=row, now=NOW)
    assert "行政处罚听证通知书" in _flat(pdf)
    blank = _flat(_blank_glyphs(pdf))
    assert "听证" not in blank and "杭州市网信办" not in blank
    assert "\ufffd" in blank


def test_the_workspace_hands_the_pdf_out_checked_and_only_within_the_jurisdiction(client, tree, team, served):
    row = document_render(actor=team.a, document=served.hearing, language=Language.ZH, now=NOW)
    url = f"/documents/{row.pk}/pdf/"
    t.verified_login(client, team.a)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert hashlib.sha256(response.content).hexdigest() == row.sha256
    assert "attachment" in response["Content-Disposition"]
    # The admin's download is the administrators' only: the officer is sent to the workspace.
    assert client.get(f"/admin/documents/rendereddocument/{row.pk}/download/")["Location"] == "/"
    t.verified_login(client, t.officer(tree.nb, Role.CASE_OFFICER))
    assert client.get(url).status_code == 404
    assert client.get(f"/admin/documents/rendereddocument/{row.pk}/change/").status_code in (302, 404)
