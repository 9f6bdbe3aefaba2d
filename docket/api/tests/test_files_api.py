"""Subjects registered, evidence uploaded and downloaded, documents listed and downloaded through the API."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from docket import testing as t
from docket.api.tests.conftest import api_as, secret_for
from docket.audit.models import AuditEntry
from docket.cases.models import State
from docket.documents.defaults import install_defaults
from docket.documents.models import DocumentTemplate, Language
from docket.documents.services import document_render
from docket.evidence import storage
from docket.evidence.models import EvidenceItem
from docket.officers.models import Role
from docket.subjects.models import Subject

PROBLEM = "application/problem+json"


def _problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    return response.json()


def _fields(body):
    return {e["field"] for e in body.get("errors", [])}


# --- subjects ---------------------------------------------------------------------------------------------------


def test_a_subject_is_registered_once_and_found_again(tree):
    api = api_as(t.officer(tree.hz, Role.CASE_OFFICER))
    body = {"kind": "organisation", "name": " 某某科技有限公司 ", "identifier": t.valid_uscc(901).lower()}
    made = api.post("/api/v1/subjects/", body, format="json")
    assert made.status_code == 201, made.content
    subject = Subject.objects.get()
    assert made.json()["id"] == subject.pk and subject.identifier == t.valid_uscc(901)
    assert subject.name == "某某科技有限公司"
    # The same identity, however it is written, is the subject already registered.
    again = api.post("/api/v1/subjects/", {**body, "identifier": t.valid_uscc(901)}, format="json")
    assert again.status_code == 200 and again.json()["id"] == subject.pk
    assert Subject.objects.count() == 1 and AuditEntry.objects.filter(action="subject.register").count() == 1
    # The list at the same path still answers.
    listed = api.get("/api/v1/subjects/")
    assert listed.status_code == 200 and [s["id"] for s in listed.json()["results"]] == [subject.pk]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"kind": "organisation", "name": "甲", "identifier": "91330100ABCDEFGH1X"}, {"identifier"}),
        ({"kind": "planet", "name": "甲", "identifier": "x"}, {"kind"}),
        ({"kind": "account", "name": "甲", "identifier": "u1"}, {"platform"}),
        ({"kind": "organisation", "identifier": "x"}, {"name"}),
        ({"kind": "organisation", "name": 5, "identifier": "x", "colour": "red"}, {"name", "colour"}),
        ({"kind": "website", "name": "甲", "identifier": "a.example", "runs_platform": "weibo"}, {"runs_platform"}),
    ],
)
def test_bad_subjects_are_refused_with_the_field_named(tree, body, fields):
    api = api_as(t.officer(tree.hz, Role.CASE_OFFICER))
    answer = _problem(api.post("/api/v1/subjects/", body, format="json"), 422)
    assert fields <= _fields(answer), answer
    assert not Subject.objects.exists()


def test_a_body_that_is_not_an_object_is_refused(tree):
    api = api_as(t.officer(tree.hz, Role.CASE_OFFICER))
    _problem(api.post("/api/v1/subjects/", ["organisation"], format="json"), 422)
    assert not Subject.objects.exists()


def test_subject_registration_needs_a_registrar(tree):
    api = api_as(t.officer(tree.hz, Role.STATISTICIAN))
    body = {"kind": "organisation", "name": "甲", "identifier": t.valid_uscc(902)}
    _problem(api.post("/api/v1/subjects/", body, format="json"), 403)
    assert not Subject.objects.exists()


def test_subject_registration_honours_the_idempotency_key(tree):
    secret = secret_for(t.officer(tree.hz, Role.CASE_OFFICER))
    body = {"kind": "organisation", "name": "甲", "identifier": t.valid_uscc(903)}
    first = api_as(secret=secret).post("/api/v1/subjects/", body, format="json", HTTP_IDEMPOTENCY_KEY="s-1")
    again = api_as(secret=secret).post("/api/v1/subjects/", body, format="json", HTTP_IDEMPOTENCY_KEY="s-1")
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    other = api_as(secret=secret).post(
        "/api/v1/subjects/", {**body, "name": "乙"}, format="json", HTTP_IDEMPOTENCY_KEY="s-1"
    )
    _problem(other, 422)
    assert Subject.objects.count() == 1 and Subject.objects.get().name == "甲"


# --- evidence ---------------------------------------------------------------------------------------------------


def _upload(api, case, team, *, content=b"page captured 2024-03-05", key=None, if_match=None, **overrides):
    data = {
        "file": SimpleUploadedFile("capture.txt", content, content_type="text/plain"),
        "collected_on": str(case.filed_on),
        "collectors": [team.a.pk, team.b.pk],
        "method": "remote inspection",
        "description": "home page",
        **overrides,
    }
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    if if_match:
        extra["HTTP_IF_MATCH"] = if_match
    return api.post(f"/api/v1/cases/{case.ref}/evidence/", data, format="multipart", **extra)


@pytest.fixture
def investigating(team):
    return t.drive(team, to=State.INVESTIGATING)


def test_evidence_is_uploaded_listed_and_downloaded_verified(team, investigating):
    case = investigating
    api = api_as(team.a)
    made = _upload(api, case, team)
    assert made.status_code == 201, made.content
    body = made.json()
    item = EvidenceItem.objects.get(case=case)
    assert body["id"] == item.pk and body["sha256"] == hashlib.sha256(b"page captured 2024-03-05").hexdigest()
    assert body["case"] == case.ref and sorted(body["collectors"]) == sorted([team.a.pk, team.b.pk])
    listed = api.get(f"/api/v1/cases/{case.ref}/evidence/")
    assert listed.status_code == 200 and [e["id"] for e in listed.json()["results"]] == [item.pk]

    got = api_as(team.b).get(f"/api/v1/evidence/{item.pk}/", HTTP_ACCEPT="application/octet-stream")
    assert got.status_code == 200 and got.content == b"page captured 2024-03-05"
    assert got["Content-Type"].startswith("text/plain") and "attachment" in got["Content-Disposition"]
    assert got["ETag"] == f'"{item.sha256}"'
    assert AuditEntry.objects.filter(action="evidence.read", object_id=str(item.pk), outcome="ok").count() == 1


def test_altered_evidence_is_refused_not_sent(team, investigating):
    assert _upload(api_as(team.a), investigating, team).status_code == 201
    item = EvidenceItem.objects.get()
    path = storage._path(item.sha256)
    path.chmod(0o644)
    path.write_bytes(b"altered afterwards")
    answer = _problem(api_as(team.a).get(f"/api/v1/evidence/{item.pk}/"), 400)
    assert item.sha256 in answer["detail"]
    assert AuditEntry.objects.filter(action="evidence.read", outcome="failed").count() == 1


def test_bad_evidence_input_names_the_field(team, investigating):
    api = api_as(team.a)
    answer = _problem(_upload(api, investigating, team, method=""), 422)
    assert _fields(answer) == {"method"}
    answer = _problem(_upload(api, investigating, team, collected_on="soon"), 422)
    assert "collected_on" in _fields(answer)
    answer = _problem(_upload(api, investigating, team, content=b""), 422)
    assert "file" in _fields(answer)
    assert not EvidenceItem.objects.exists()


def test_evidence_upload_honours_the_idempotency_key_and_if_match(team, investigating):
    case = investigating
    secret = secret_for(team.a)
    first = _upload(api_as(secret=secret), case, team, key="e-1")
    again = _upload(api_as(secret=secret), case, team, key="e-1")
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true" and EvidenceItem.objects.count() == 1
    # The same key, the same file name, other bytes: another request, refused rather than replayed.
    other = _upload(api_as(secret=secret), case, team, key="e-1", content=b"another capture")
    _problem(other, 422)
    assert EvidenceItem.objects.count() == 1
    stale = _upload(api_as(secret=secret), case, team, if_match=f'"{case.version}"')
    _problem(stale, 412)
    assert EvidenceItem.objects.count() == 1
    case.refresh_from_db()
    assert _upload(api_as(secret=secret), case, team, if_match=f'"{case.version}"').status_code == 201


def test_a_gate_refusal_is_422_with_its_reason(team, investigating):
    # The office head is not an investigator of the case: the step's own gate refuses.
    answer = _problem(_upload(api_as(team.head), investigating, team), 403)
    assert answer["detail"]
    assert not EvidenceItem.objects.exists()


# --- documents --------------------------------------------------------------------------------------------------


@pytest.fixture
def rendered(team):
    install_defaults(DocumentTemplate)
    case = t.drive(team, to=State.SERVED)
    decision = case.documents.get(kind="decision")
    return case, document_render(actor=team.a, document=decision, language=Language.ZH, now=t.NOW)


def test_documents_of_a_case_and_their_pdf(team, rendered):
    case, row = rendered
    api = api_as(team.head)
    listed = api.get(f"/api/v1/cases/{case.ref}/documents/")
    assert listed.status_code == 200, listed.content
    [doc] = [d for d in listed.json() if d["id"] == row.pk]
    assert doc["number"] == row.number and doc["pdf"] == f"/api/v1/documents/{row.pk}/pdf/"
    pdf = api.get(doc["pdf"], HTTP_ACCEPT="application/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and hashlib.sha256(pdf.content).hexdigest() == row.sha256
    assert pdf["ETag"] == f'"{row.sha256}"'
    assert AuditEntry.objects.filter(action="document.read", object_id=str(row.pk)).count() == 1


# --- jurisdiction -----------------------------------------------------------------------------------------------


def test_a_sibling_offices_token_gets_404_on_every_path(tree, team, rendered):
    case, row = rendered
    assert _upload(api_as(team.a), t.drive(team, to=State.INVESTIGATING), team).status_code == 201
    item = EvidenceItem.objects.get(case__state=State.INVESTIGATING)
    before = EvidenceItem.objects.count()
    sibling = api_as(t.officer(tree.nb, Role.OFFICE_HEAD, Role.CASE_OFFICER))
    platform = api_as(t.officer(None, Role.PLATFORM, platform=t.organisation()))
    for api in (sibling, platform):
        for path in [
            f"/api/v1/cases/{case.ref}/evidence/",
            f"/api/v1/cases/{case.ref}/documents/",
            f"/api/v1/evidence/{item.pk}/",
            f"/api/v1/documents/{row.pk}/pdf/",
        ]:
            _problem(api.get(path), 404)
        _problem(_upload(api, item.case, team), 404)
    assert EvidenceItem.objects.count() == before
    assert not AuditEntry.objects.filter(action__in=["evidence.read", "document.read"], outcome="ok").exists()


def test_no_token_is_401_on_the_new_paths(tree):
    for path in ["/api/v1/subjects/", "/api/v1/cases/X/evidence/", "/api/v1/evidence/1/", "/api/v1/webhook/"]:
        _problem(api_as().get(path), 401)
    _problem(api_as().post("/api/v1/subjects/", {}, format="json"), 401)
