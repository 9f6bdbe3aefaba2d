"""A natural person's identity number is masked on every page; the full number needs a role and is audited."""

import re

import pytest

from docket import testing as t
from docket.audit.models import AuditEntry, Outcome
from docket.clues.models import Source
from docket.clues.services import clue_register
from docket.core.errors import Denied, NotFound
from docket.officers.models import Role
from docket.subjects.identity import subject_identifier_reveal
from docket.subjects.models import Kind, Subject, mask_identifier

NOW = t.NOW
LIST = "/subjects/"


@pytest.fixture
def person(team):
    number = t.valid_resident_id(7)
    subject = Subject.objects.create(kind=Kind.RESPONSIBLE_PERSON, name="张三", identifier=number, position="负责人")
    clue = clue_register(
        actor=team.a, source=Source.PUBLIC_REPORT, received_on=NOW.date(), summary="举报", subjects=[subject], now=NOW
    )
    subject.clue = clue
    return subject


def _page(client, officer, url, **kw):
    client.force_login(officer)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en", **kw)
    assert response.status_code == 200
    return response.content.decode()


def test_the_mask(person):
    masked = mask_identifier(Kind.RESPONSIBLE_PERSON, person.identifier)
    assert masked == person.identifier[:4] + "*" * 10 + person.identifier[-4:]
    assert person.display_identifier == masked and masked in str(person) and person.identifier not in str(person)
    assert mask_identifier(Kind.RESPONSIBLE_PERSON, "1234") == "****"
    org = t.organisation()
    assert org.display_identifier == org.identifier and org.identifier in str(org)


def test_masked_in_the_list_subject_page_clue_page_and_search(client, team, person):
    full, masked = person.identifier, person.display_identifier
    pages = {
        "list": _page(client, team.a, LIST),
        "subject page": _page(client, team.a, f"{LIST}{person.pk}/"),
        "search by the full number": _page(client, team.a, LIST, data={"q": full}),
        "search by name": _page(client, team.a, LIST, data={"q": "张三"}),
        "search page": _page(client, team.a, "/search/", data={"q": full}),
        "clue page": _page(client, team.a, f"/clues/{person.clue.pk}/"),
    }
    for where, html in pages.items():
        if where.startswith("search"):
            # The search box and links echo what the officer typed; the results must not add to it.
            html = re.sub(r'href="[^"]*"', "", re.sub(r"<input[^>]*>", "", html))
            assert person.name in html, where
        assert full not in html, where
        assert masked in html, where


def test_a_person_is_not_found_by_parts_of_the_number(client, team, person):
    org = t.organisation()
    clue_register(
        actor=team.a, source=Source.PUBLIC_REPORT, received_on=NOW.date(), summary="举报", subjects=[org], now=NOW
    )
    for part in (person.identifier[:8], person.identifier[6:14], person.identifier[-6:]):
        html = _page(client, team.a, LIST, data={"q": part})
        assert person.name not in html, part
    # Public identifiers are still found by any part.
    assert org.name in _page(client, team.a, LIST, data={"q": org.identifier[4:12]})
    assert person.name in _page(client, team.a, LIST, data={"q": person.identifier.lower()})


def test_the_full_number_needs_the_role_and_each_view_is_audited(client, tree, team, person):
    reader = t.officer(tree.hz, Role.CASE_OFFICER, Role.PERSONAL_DATA)
    assert person.identifier not in _page(client, reader, f"{LIST}{person.pk}/")  # the page masks it for all
    assert not AuditEntry.objects.filter(action="subject.identifier_full").exists()
    for _ in range(2):
        assert subject_identifier_reveal(actor=reader, subject=person, now=NOW) == person.identifier
    views = AuditEntry.objects.filter(action="subject.identifier_full", object_id=str(person.pk))
    assert [(v.actor_id, v.outcome, v.detail) for v in views] == [
        (reader.pk, Outcome.OK, {"kind": "responsible_person"})
    ] * 2
    assert not AuditEntry.objects.filter(detail__icontains=person.identifier).exists()
    # Without the role: refused, audited, the number not given.
    with pytest.raises(Denied):
        subject_identifier_reveal(actor=team.a, subject=person, now=NOW)
    refused = AuditEntry.objects.filter(actor_id=team.a.pk, outcome=Outcome.DENIED).get()
    assert refused.action == "subject_identifier_reveal"
    # The admin's page for it is the administrators': neither officer is let in there.
    for officer in (reader, team.a):
        client.force_login(officer)
        assert client.post(f"/admin/subjects/subject/{person.pk}/identifier/")["Location"] == "/"
    assert AuditEntry.objects.filter(action="subject.identifier_full").count() == 2


@pytest.mark.jurisdiction("subject_identifier_reveal")
def test_subject_identifier_reveal_sibling_office_not_found(tree, person):
    sibling = t.officer(tree.nb, Role.CASE_OFFICER, Role.PERSONAL_DATA)
    with pytest.raises(NotFound):
        subject_identifier_reveal(actor=sibling, subject=person, now=NOW)
    assert not AuditEntry.objects.filter(action="subject.identifier_full").exists()
