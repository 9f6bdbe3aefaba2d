"""Files on the pages: evidence uploaded with its SHA-256 shown, downloads re-verified, statutory documents
rendered and downloaded as PDF (their Chinese drawn with the CJK font), 404 outside the jurisdiction."""

import datetime as dt
import hashlib
import re
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from docket import testing as t
from docket.audit.models import AuditEntry
from docket.cases.models import Case, Document, DocumentKind, State
from docket.clues.services import clue_register
from docket.documents.defaults import install_defaults
from docket.documents.models import DocumentTemplate, RenderedDocument
from docket.documents.tests import pdftext
from docket.evidence import storage
from docket.evidence.models import EvidenceItem
from docket.evidence.services import clue_material_add
from docket.evidence.tests import samples
from docket.measures.services import measure_record

pytestmark = pytest.mark.django_db

NOW = t.NOW


def signed_in(client, officer):
    t.verified_login(client, officer)
    return client


@pytest.fixture
def templates(db):
    # A transactional test elsewhere may have flushed what the data migration loaded.
    install_defaults(DocumentTemplate)


@pytest.fixture
def sibling(tree):
    return t.Team(tree.nb)


@pytest.fixture
def investigating(team):
    return t.drive(team, to=State.INVESTIGATING)


def _upload(client, case, team, *, name="截图.png", content=None, content_type="image/png", collectors=None):
    day = case.filed_on + dt.timedelta(days=1)
    return client.post(
        f"/cases/{case.ref}/evidence/",
        {
            "file": SimpleUploadedFile(name, samples.png() if content is None else content, content_type=content_type),
            "collected_on": day.isoformat(),
            "collectors": [o.pk for o in (collectors or [team.a, team.b])],
            "method": "远程勘验",
            "description": "首页截图",
            "version": Case.objects.get(pk=case.pk).version,
        },
    )


def _tamper(sha256: str) -> None:
    path = storage._path(sha256)
    path.chmod(0o640)
    path.write_bytes(b"altered")


# --- evidence ---------------------------------------------------------------------------------------------------


def test_the_case_page_offers_the_upload_to_its_investigators_only(client, team, investigating):
    signed_in(client, team.a)
    html = client.get(f"/cases/{investigating.ref}/").content.decode()
    assert f'action="/cases/{investigating.ref}/evidence/"' in html and 'enctype="multipart/form-data"' in html
    signed_in(client, team.reviewer)
    html = client.get(f"/cases/{investigating.ref}/").content.decode()
    assert f'action="/cases/{investigating.ref}/evidence/"' not in html
    assert "Evidence cannot be added now" in html


def test_an_upload_shows_the_sha256_of_what_was_stored(client, team, investigating):
    signed_in(client, team.a)
    response = _upload(client, investigating, team)
    assert response.status_code == 302 and response["Location"] == f"/cases/{investigating.ref}/#evidence-h"
    item = EvidenceItem.objects.get(case=investigating, name="截图.png")
    digest = hashlib.sha256(samples.png()).hexdigest()
    assert item.sha256 == digest
    page = client.get(response["Location"]).content.decode()
    assert f"SHA-256 {digest}" in page  # the confirmation
    assert f'<tr data-evidence="{item.pk}">' in page and f"/evidence/{item.pk}/download/" in page
    assert AuditEntry.objects.filter(action="evidence.add", object_id=str(item.pk), outcome="ok").exists()


def test_an_upload_refused_by_its_gate_or_its_bytes_says_why_on_the_form(client, team, investigating):
    signed_in(client, team.a)
    count = EvidenceItem.objects.count()
    alone = _upload(client, investigating, team, collectors=[team.a])
    assert alone.status_code == 422
    assert "at least two officers with enforcement certificates" in alone.content.decode()
    disguised = _upload(client, investigating, team, name="截图.png", content=samples.exe())
    assert disguised.status_code == 422
    assert "declared as image/png" in " ".join(disguised.context["form"].errors["file"])
    assert EvidenceItem.objects.count() == count


def test_an_upload_beyond_the_limit_is_refused(client, team, investigating, settings):
    settings.DOCKET_EVIDENCE_MAX_BYTES = 100
    signed_in(client, team.a)
    count = EvidenceItem.objects.count()
    response = _upload(client, investigating, team, name="big.txt", content=b"x" * 1000, content_type="text/plain")
    assert response.status_code == 422
    assert "big.txt: larger than the 100 bytes allowed" in response.content.decode()
    assert EvidenceItem.objects.count() == count


def test_a_download_is_the_stored_file_as_an_attachment_with_a_safe_name(client, team, investigating):
    signed_in(client, team.a)
    _upload(client, investigating, team, name='报告 "最终".png')
    item = EvidenceItem.objects.get(case=investigating, content_type="image/png")
    response = client.get(f"/evidence/{item.pk}/download/")
    assert response.status_code == 200
    assert response.content == samples.png()
    assert response["Content-Type"] == "image/png"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=utf-8''" + quote(item.name) in disposition
    assert "\n" not in disposition and "\r" not in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AuditEntry.objects.filter(action="evidence.read", object_id=str(item.pk), outcome="ok").exists()


def test_a_tampered_file_is_refused_with_a_clear_message(client, team, investigating):
    signed_in(client, team.a)
    _upload(client, investigating, team)
    item = EvidenceItem.objects.get(case=investigating)
    _tamper(item.sha256)
    response = client.get(f"/evidence/{item.pk}/download/")
    assert response.status_code == 400
    html = response.content.decode()
    assert escape(f"its content no longer matches SHA-256 {item.sha256}") in html
    assert "Traceback" not in html and response["Content-Type"].startswith("text/html")
    assert AuditEntry.objects.filter(action="evidence.read", object_id=str(item.pk), outcome="failed").exists()


def _material(team, clue, n=0):
    return clue_material_add(
        actor=team.a,
        clue=clue,
        content=f"原始报道{n}".encode(),
        name=f"报道{n}.txt",
        content_type="text/plain",
        received_on=dt.date(2024, 3, 1),
        description="",
        now=NOW,
    )


def _clue(team):
    return clue_register(
        actor=team.a, source="media", received_on=dt.date(2024, 3, 1), summary="报道", subjects=[], now=NOW
    )


def test_clue_material_is_downloaded_from_the_clue_page(client, team):
    clue = _clue(team)
    item = _material(team, clue)
    signed_in(client, team.a)
    page = client.get(f"/clues/{clue.pk}/").content.decode()
    assert f"/evidence/{item.pk}/download/" in page and item.sha256 in page
    assert client.get(f"/evidence/{item.pk}/download/").content == "原始报道0".encode()


# --- statutory documents --------------------------------------------------------------------------------------


def _filing(case):
    return Document.objects.get(case=case, kind=DocumentKind.FILING)


def test_documents_are_listed_rendered_and_downloaded_in_chinese_and_english(client, team, templates):
    case = t.drive(team, to=State.FILED)
    document = _filing(case)
    signed_in(client, team.a)
    html = client.get(f"/cases/{case.ref}/").content.decode()
    render_url = f"/cases/{case.ref}/documents/{document.pk}/render/"
    assert html.count(f'action="{render_url}"') == 2  # one button per language
    assert document.number in html
    response = client.post(render_url, {"language": "zh-hans"})
    assert response.status_code == 302
    zh = RenderedDocument.objects.get(document=document, language="zh-hans")
    html = client.get(response["Location"]).content.decode()
    assert f"SHA-256 {zh.sha256}" in html and f"/documents/{zh.pk}/pdf/" in html
    assert html.count(f'action="{render_url}"') == 1  # English is still to render
    pdf = client.get(f"/documents/{zh.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("attachment;")
    assert hashlib.sha256(pdf.content).hexdigest() == zh.sha256
    # The Chinese is drawn with the embedded CJK font (empty boxes would map to no text).
    assert any("CJK" in name for name in pdftext.font_names(pdf.content))
    assert case.title in re.sub(r"\s+", "", pdftext.text(pdf.content))
    assert client.post(render_url, {"language": "en"}).status_code == 302
    en = RenderedDocument.objects.get(document=document, language="en")
    assert case.ref in pdftext.text(client.get(f"/documents/{en.pk}/pdf/").content)


def test_a_render_in_an_unknown_language_is_refused_by_field(client, team, templates):
    case = t.drive(team, to=State.FILED)
    signed_in(client, team.a)
    response = client.post(f"/cases/{case.ref}/documents/{_filing(case).pk}/render/", {"language": "fr"})
    assert response.status_code == 422 and "Language" in response.content.decode()
    assert not RenderedDocument.objects.exists()


def test_a_tampered_pdf_is_refused_with_a_clear_message(client, team, templates):
    case = t.drive(team, to=State.FILED)
    signed_in(client, team.a)
    client.post(f"/cases/{case.ref}/documents/{_filing(case).pk}/render/", {"language": "zh-hans"})
    row = RenderedDocument.objects.get()
    _tamper(row.sha256)
    response = client.get(f"/documents/{row.pk}/pdf/")
    assert response.status_code == 400
    assert escape(f"its file no longer matches SHA-256 {row.sha256}") in response.content.decode()


# --- jurisdiction -----------------------------------------------------------------------------------------------


def test_another_offices_officer_gets_404_on_every_file_url(client, team, sibling, templates):
    case = t.drive(team, to=State.INVESTIGATING)
    document = _filing(case)
    signed_in(client, team.a)
    _upload(client, case, team)
    item = EvidenceItem.objects.get(case=case)
    client.post(f"/cases/{case.ref}/documents/{document.pk}/render/", {"language": "zh-hans"})
    rendered = RenderedDocument.objects.get()
    signed_in(client, sibling.a)
    never = client.get("/cases/NEVER-USED/")
    assert never.status_code == 404
    before = (EvidenceItem.objects.count(), RenderedDocument.objects.count(), Case.objects.get(pk=case.pk).version)
    answers = [
        client.get(f"/evidence/{item.pk}/download/"),
        client.get(f"/documents/{rendered.pk}/pdf/"),
        client.get(f"/cases/{case.ref}/evidence/"),
        _upload(client, case, team, collectors=[sibling.a, sibling.b]),
        client.post(f"/cases/{case.ref}/documents/{document.pk}/render/", {"language": "en"}),
    ]
    for response in answers:
        assert response.status_code == 404, response.request["PATH_INFO"]
        assert response.content == never.content
    # Ids never used answer the same.
    assert client.get("/evidence/999999/download/").content == never.content
    assert client.get("/documents/999999/pdf/").content == never.content
    assert client.post("/measures/999999/notice/", {"language": "en"}).content == never.content
    assert before == (
        EvidenceItem.objects.count(),
        RenderedDocument.objects.count(),
        Case.objects.get(pk=case.pk).version,
    )
    assert not AuditEntry.objects.filter(action="evidence.read", actor_id=sibling.a.pk, outcome="ok").exists()


def test_a_document_of_another_case_is_not_rendered_through_this_one(client, team, templates):
    one = t.drive(team, to=State.FILED)
    other = t.drive(team, to=State.FILED)
    signed_in(client, team.a)
    response = client.post(f"/cases/{one.ref}/documents/{_filing(other).pk}/render/", {"language": "en"})
    assert response.status_code == 404 and not RenderedDocument.objects.exists()


# --- queries ----------------------------------------------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_case_pages_files_cost_a_fixed_number_of_queries(client, team, templates):
    case = t.drive(team, to=State.INVESTIGATING)
    signed_in(client, team.a)
    url = f"/cases/{case.ref}/"
    client.get(url)
    one = _queries(client, url)
    for n in range(3):
        _upload(client, case, team, name=f"{n}.txt", content=f"第{n}份".encode(), content_type="text/plain")
    client.post(f"/cases/{case.ref}/documents/{_filing(case).pk}/render/", {"language": "en"})
    assert EvidenceItem.objects.filter(case=case).count() == 3 and RenderedDocument.objects.count() == 1
    assert _queries(client, url) == one


def test_the_clue_pages_material_costs_a_fixed_number_of_queries(client, team):
    clue = _clue(team)
    signed_in(client, team.a)
    url = f"/clues/{clue.pk}/"
    client.get(url)
    one = _queries(client, url)
    for n in range(3):
        _material(team, clue, n)
    assert _queries(client, url) == one


def test_a_measures_notice_is_rendered_once_numbered_and_hidden_from_a_sibling(client, team, sibling, templates):
    interview = measure_record(
        actor=team.a,
        type="interview",
        taken_on=dt.date(2024, 5, 6),
        subjects=[t.organisation(name="杭州某网络科技有限公司")],
        details={
            "reason": "平台未落实主体责任",
            "time": "2024年5月10日上午9时",
            "place": "本机关",
            "attendees": "负责人",
        },
        now=NOW,
    )
    url = f"/measures/{interview.pk}/notice/"
    signed_in(client, sibling.a)
    assert client.post(url, {"language": "zh-hans"}).status_code == 404
    signed_in(client, team.a)
    response = client.post(url, {"language": "zh-hans"})
    assert response.status_code == 302 and response["Location"] == f"/measures/{interview.pk}/"
    row = RenderedDocument.objects.get(measure=interview)
    assert "YT" in row.number
    assert client.post(url, {"language": "zh-hans"}).status_code == 302
    assert RenderedDocument.objects.filter(measure=interview).count() == 1
    pdf = client.get(f"/documents/{row.pk}/pdf/").content
    assert "平台未落实主体责任" in re.sub(r"\s+", "", pdftext.text(pdf))


def test_uploads_still_need_the_csrf_token(team, investigating):
    # The upload views take the CSRF check inside (after the size-limiting handler is installed): still made.
    from django.test import Client

    strict = signed_in(Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en"), team.a)
    count = EvidenceItem.objects.count()
    assert _upload(strict, investigating, team).status_code == 403
    assert strict.post("/clues/new/", {"summary": "x"}).status_code == 403
    assert EvidenceItem.objects.count() == count
    form = strict.get(f"/cases/{investigating.ref}/evidence/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.content.decode()).group(1)
    day = investigating.filed_on + dt.timedelta(days=1)
    response = strict.post(
        f"/cases/{investigating.ref}/evidence/",
        {
            "csrfmiddlewaretoken": token,
            "file": SimpleUploadedFile("a.png", samples.png(), content_type="image/png"),
            "collected_on": day.isoformat(),
            "collectors": [team.a.pk, team.b.pk],
            "method": "远程勘验",
            "version": Case.objects.get(pk=investigating.pk).version,
        },
    )
    assert response.status_code == 302 and EvidenceItem.objects.count() == count + 1


def test_the_upload_handler_stops_at_the_limit(settings):
    from django.core.files.uploadhandler import SkipFile

    from docket.web.files import LimitedUpload

    settings.DOCKET_EVIDENCE_MAX_BYTES = 10
    handler = LimitedUpload()
    handler.new_file("file", "small.txt", "text/plain", 5)
    assert handler.receive_data_chunk(b"12345", 0) == b"12345"
    handler.new_file("file", "big.txt", "text/plain", 20)
    assert handler.receive_data_chunk(b"1234567890", 0) == b"1234567890"
    with pytest.raises(SkipFile):
        handler.receive_data_chunk(b"1", 10)
    assert handler.oversized == ["big.txt"]
