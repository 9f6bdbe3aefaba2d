"""The clue intake page: one form, one service, one transaction; every refusal shown next to its field."""

import datetime as dt
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from docket import testing as t
from docket.audit.models import AuditEntry
from docket.campaigns.models import Campaign
from docket.clues.models import Clue, Source
from docket.core.dates import local_date
from docket.evidence.models import EvidenceItem
from docket.evidence.tests import samples
from docket.subjects.models import Kind, Subject

pytestmark = pytest.mark.django_db

URL = "/clues/new/"


def signed_in(client, officer):
    t.verified_login(client, officer)
    return client


def _today(team):
    return local_date(timezone.now(), team.office.time_zone)


def _form(team, **overrides):
    data = {
        "source": Source.PUBLIC_REPORT,
        "received_on": (_today(team) - dt.timedelta(days=1)).isoformat(),
        "summary": "群众举报某网站传播违法信息",
        "subjects": "",
        "new_kind": "",
        "new_name": "",
        "new_identifier": "",
        "new_platform": "",
        "new_operator": "",
        "material_description": "",
    }
    data.update(overrides)
    return data


def _stored():
    return (
        Clue.objects.count(),
        Subject.objects.count(),
        EvidenceItem.objects.count(),
        AuditEntry.objects.filter(outcome="ok").count(),
    )


def _errors(response):
    return {name: " ".join(errs) for name, errs in response.context["form"].errors.items()}


def test_the_form_is_linked_from_the_clue_list_and_labels_every_field(client, team):
    signed_in(client, team.a)
    assert 'href="/clues/new/"' in client.get("/clues/").content.decode()
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for name in ["source", "received_on", "summary", "subjects", "new_kind", "new_identifier", "material"]:
        assert f'for="id_{name}"' in html, name
    assert 'enctype="multipart/form-data"' in html and "multiple" in html
    # Help is tied to its field for assistive technology.
    assert 'aria-describedby="id_subjects_help"' in html


def test_a_clue_is_taken_in_with_picked_and_new_subjects_and_its_material(client, team):
    known = t.organisation(name="已登记公司")
    other = t.website("example.org")
    campaign = Campaign.objects.create(
        slug="qinglang",
        name="清朗",
        starts_on=dt.date(2024, 1, 1),
        ends_on=dt.date(2030, 12, 31),
        lead_office=team.office,
    )
    signed_in(client, team.a)
    letter = "举报信全文".encode()
    response = client.post(
        URL,
        _form(
            team,
            subjects=f"{known.identifier}\n#{other.pk}\n",
            campaigns=[campaign.pk],
            new_kind=Kind.WEBSITE,
            new_name="某网站",
            new_identifier="Example.COM",
            material_description="举报附件",
            material=[
                SimpleUploadedFile("截图.png", samples.png(), content_type="image/png"),
                SimpleUploadedFile("信.txt", letter, content_type="text/plain"),
            ],
        ),
    )
    clue = Clue.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/clues/{clue.pk}/"
    new = Subject.objects.get(identifier="example.com")
    assert set(clue.subjects.all()) == {known, other, new}
    assert list(clue.campaigns.all()) == [campaign]
    assert clue.registered_by == team.a and clue.source == Source.PUBLIC_REPORT
    files = list(EvidenceItem.objects.filter(clue=clue).order_by("id"))
    assert [(f.name, f.description) for f in files] == [("截图.png", "举报附件"), ("信.txt", "举报附件")]
    page = client.get(response["Location"]).content.decode()
    assert clue.ref in page
    # The material is listed with its hash and a download link on the clue page.
    for f in files:
        assert f"/evidence/{f.pk}/download/" in page and f.sha256 in page
    assert hashlib.sha256(letter).hexdigest() == files[1].sha256


def test_each_bad_field_is_named_next_to_it_and_nothing_is_stored(client, team):
    signed_in(client, team.a)
    before = _stored()
    response = client.post(URL, _form(team, source="", received_on="not a date", summary=""))
    assert response.status_code == 422
    assert set(_errors(response)) == {"source", "received_on", "summary"}
    # Refusals of the service land next to their fields too (a date in the future is the service's rule).
    future = (_today(team) + dt.timedelta(days=3)).isoformat()
    response = client.post(
        URL, _form(team, received_on=future, new_kind=Kind.WEBSITE, new_name="某网站", new_identifier="not a domain")
    )
    assert response.status_code == 422
    errors = _errors(response)
    assert "in the future" in errors["received_on"] and set(errors) == {"received_on", "new_identifier"}
    html = response.content.decode()
    assert 'aria-invalid="true"' in html and 'id="id_received_on_error"' in html
    assert _stored() == before


def test_a_subject_registered_on_the_spot_with_a_bad_identifier_refuses_the_whole_intake(client, team):
    signed_in(client, team.a)
    before = _stored()
    response = client.post(
        URL,
        _form(
            team,
            new_kind=Kind.ORGANISATION,
            new_name="某公司",
            new_identifier="91330100XXXXXXXXX1",
            material=[SimpleUploadedFile("截图.png", samples.png(), content_type="image/png")],
        ),
    )
    assert response.status_code == 422
    assert set(_errors(response)) == {"new_identifier"}
    assert "Identifier" in response.content.decode()
    assert _stored() == before


def test_subjects_not_found_or_ambiguous_are_named(client, team):
    t.organisation(name="同名公司")
    t.organisation(name="同名公司")
    signed_in(client, team.a)
    response = client.post(URL, _form(team, subjects="同名公司\n不存在的主体\n#999999"))
    assert response.status_code == 422
    problem = _errors(response)["subjects"]
    assert "同名公司 names several subjects" in problem and "#" in problem
    assert "不存在的主体: not in the registry" in problem and "#999999: not in the registry" in problem
    assert not Clue.objects.exists()


def test_a_person_outside_the_officers_reach_cannot_be_picked(client, tree, team):
    person = Subject.objects.create(kind=Kind.RESPONSIBLE_PERSON, name="王五", identifier=t.valid_resident_id(3))
    sibling = t.Team(tree.nb)
    t.drive(sibling, to="filed", party=person)
    signed_in(client, team.a)
    response = client.post(URL, _form(team, subjects=f"#{person.pk}"))
    assert response.status_code == 422 and "not in the registry" in _errors(response)["subjects"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("summary", "举报\x1b[31m内容"),
        ("summary", "看似正常\u202e文本"),
        ("new_name", "某\x00公司"),
        ("new_name", "两\n行"),
    ],
)
def test_control_characters_in_text_are_refused(client, team, field, value):
    signed_in(client, team.a)
    data = _form(team, **{field: value})
    if field.startswith("new_"):
        data.update(new_kind=Kind.WEBSITE, new_identifier="example.com")
    response = client.post(URL, data)
    assert response.status_code == 422
    assert field in _errors(response)
    assert not Clue.objects.exists() and not Subject.objects.exists()


def test_a_binary_file_disguised_as_text_is_refused_by_name(client, team):
    signed_in(client, team.a)
    before = _stored()
    response = client.post(
        URL,
        _form(
            team,
            material=[
                SimpleUploadedFile("好.png", samples.png(), content_type="image/png"),
                SimpleUploadedFile("报告.txt", samples.exe(), content_type="text/plain"),
            ],
        ),
    )
    assert response.status_code == 422
    problem = _errors(response)["material"]
    assert problem.startswith("报告.txt: declared as text/plain, but the file is not UTF-8 text")
    assert _stored() == before


def test_a_file_beyond_the_limit_is_refused_before_it_is_read(client, team, settings):
    settings.DOCKET_EVIDENCE_MAX_BYTES = 1000
    signed_in(client, team.a)
    before = _stored()
    big = SimpleUploadedFile("大.txt", b"a" * 5000, content_type="text/plain")
    response = client.post(URL, _form(team, material=[big]))
    assert response.status_code == 422
    assert "大.txt: larger than the 1000 bytes allowed" in _errors(response)["material"]
    # Refused while the request was read: the file's bytes were never kept.
    assert not response.wsgi_request.FILES.getlist("material")
    assert _stored() == before


def test_an_officer_without_the_role_is_refused_and_nothing_is_stored(client, team):
    signed_in(client, team.reviewer)
    before = _stored()
    response = client.post(URL, _form(team, new_kind=Kind.WEBSITE, new_name="某网站", new_identifier="example.com"))
    assert response.status_code == 403
    assert "Case officer" in response.content.decode()
    assert _stored()[:3] == before[:3]


def test_the_chinese_page_answers(client, team):
    signed_in(client, team.a)
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200 and 'lang="zh-hans"' in response.content.decode()


def _queries(client):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL).status_code == 200
    return len(ctx.captured_queries)


def test_the_number_of_queries_of_the_form_is_fixed(client, team):
    signed_in(client, team.a)
    client.get(URL)
    one = _queries(client)
    for n in range(5):
        Campaign.objects.create(
            slug=f"c{n}",
            name=f"行动{n}",
            starts_on=dt.date(2024, 1, 1),
            ends_on=dt.date(2024, 12, 31),
            lead_office=team.office,
        )
    assert _queries(client) == one


def test_picking_many_subjects_costs_one_query(client, team):
    subjects = [t.organisation() for _ in range(8)]
    signed_in(client, team.a)

    def post(chosen):
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(URL, _form(team, subjects="\n".join(s.identifier for s in chosen)))
        assert response.status_code == 302
        return len([q for q in ctx.captured_queries if "subjects_subject" in q["sql"] and "SELECT" in q["sql"]])

    assert post(subjects[:1]) == post(subjects)


def test_an_officer_who_registers_no_clues_is_told_so_before_filling_in_the_form(client, tree):
    """The page asks the service's gate: a statistician sees the refusal and its reason, not a form."""
    from docket.officers.models import Role

    statistician = t.officer(tree.hz, Role.STATISTICIAN)
    t.verified_login(client, statistician)
    response = client.get("/clues/new/")
    assert response.status_code == 403
    html = response.content.decode()
    assert 'name="summary"' not in html and "Registering a clue" in html
