"""A natural person's identity number in full from the workspace: asked for, role-checked, audited, never cached."""

import pytest

from docket import testing as t
from docket.audit.models import AuditEntry
from docket.cases.models import State
from docket.officers.models import OfficerRole, Role
from docket.subjects.models import Kind, Subject

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(team):
    subject = Subject.objects.create(kind=Kind.RESPONSIBLE_PERSON, name="张三", identifier=t.valid_resident_id(3))
    t.drive(team, to=State.FILED, party=subject)
    return subject


def test_the_page_offers_the_number_masked_and_a_button(client, team, person):
    t.verified_login(client, team.a)
    page = client.get(f"/subjects/{person.pk}/").content.decode()
    assert person.identifier not in page and person.display_identifier in page
    assert f'action="/subjects/{person.pk}/identifier/"' in page
    assert client.get(f"/subjects/{person.pk}/identifier/").status_code == 405  # only asked for by a POST


def test_with_the_role_the_number_is_shown_once_and_audited(client, team, person):
    OfficerRole.objects.create(officer=team.a, role=Role.PERSONAL_DATA)
    t.verified_login(client, team.a)
    response = client.post(f"/subjects/{person.pk}/identifier/")
    assert response.status_code == 200 and person.identifier in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    entries = AuditEntry.objects.filter(object_type="subjects.subject", object_id=str(person.pk))
    assert entries.count() == 1 and person.identifier not in str(entries.get().detail)


def test_without_the_role_it_is_refused_with_the_reason(client, team, person):
    t.verified_login(client, team.a)
    response = client.post(f"/subjects/{person.pk}/identifier/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403 and person.identifier not in response.content.decode()


def test_a_sibling_office_gets_404(client, tree, person):
    sibling = t.Team(tree.nb)
    OfficerRole.objects.create(officer=sibling.a, role=Role.PERSONAL_DATA)
    t.verified_login(client, sibling.a)
    assert client.post(f"/subjects/{person.pk}/identifier/").status_code == 404
