"""A clue's intake as one act: subjects registered on the spot, the clue and its material, all or nothing."""

import datetime as dt
import hashlib

import pytest
from django.db import connection

from docket import testing as t
from docket.audit.models import AuditEntry
from docket.clues.intake import Material, clue_intake
from docket.clues.models import Clue, Source
from docket.core.errors import Denied, InvalidInput
from docket.evidence.models import EvidenceItem
from docket.evidence.tests import samples
from docket.officers.models import Officer, Role
from docket.subjects.models import Kind, Subject

NOW = t.NOW
DAY = dt.date(2024, 6, 3)


def _intake(actor, **overrides):
    args = {
        "actor": actor,
        "source": Source.PUBLIC_REPORT,
        "received_on": DAY,
        "summary": "群众举报某网站传播违法信息",
        "subjects": [],
        "new_subjects": [],
        "material": [],
        "now": NOW,
    }
    args.update(overrides)
    return clue_intake(**args)


def _counts():
    return (
        Clue.objects.count(),
        Subject.objects.count(),
        EvidenceItem.objects.count(),
        AuditEntry.objects.filter(outcome="ok").count(),
    )


@pytest.mark.django_db
def test_intake_registers_the_clue_its_new_subject_and_its_material(team):
    known = t.organisation(name="已登记公司")
    shot = Material(content=samples.png(), name="截图.png", content_type="image/png", description="举报附件")
    clue = _intake(
        team.a,
        subjects=[known],
        new_subjects=[{"kind": Kind.WEBSITE, "name": "某网站", "identifier": "Example.COM"}],
        material=[shot, Material(content="举报信全文".encode(), name="信.txt", content_type="text/plain")],
    )
    assert clue.office == team.office and clue.registered_by == team.a
    website = Subject.objects.get(kind=Kind.WEBSITE)
    assert website.identifier == "example.com"  # normalised as the import normalises it
    assert set(clue.subjects.all()) == {known, website}
    files = EvidenceItem.objects.filter(clue=clue).order_by("id")
    assert [f.name for f in files] == ["截图.png", "信.txt"]
    assert files[0].sha256 == hashlib.sha256(samples.png()).hexdigest()
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-5:] == ["subject.register", "clue.register", "evidence.add", "evidence.add", "clue.intake"]


@pytest.mark.django_db
def test_a_subject_already_registered_is_taken_not_duplicated(team):
    known = t.organisation(name="已登记公司")
    clue = _intake(team.a, new_subjects=[{"kind": Kind.ORGANISATION, "name": "别名", "identifier": known.identifier}])
    assert list(clue.subjects.all()) == [known]
    assert Subject.objects.count() == 1


@pytest.mark.django_db
def test_any_part_refused_stores_nothing_and_every_problem_is_named(team):
    t.organisation()
    before = _counts()
    with pytest.raises(InvalidInput) as refused:
        _intake(
            team.a,
            summary="举报",
            new_subjects=[{"kind": Kind.ORGANISATION, "name": "某公司", "identifier": "91330100XXXXXXXXX1"}],
            material=[
                Material(content=samples.png(), name="ok.png", content_type="image/png"),
                Material(content=samples.exe(), name="报告.txt", content_type="text/plain"),
            ],
        )
    fields = {e.field for e in refused.value.errors}
    assert fields == {"new_identifier", "material"}
    material = [e.message for e in refused.value.errors if e.field == "material"]
    assert material[0].startswith("报告.txt: declared as text/plain")
    # The good subject, the clue and the first file were written before the refusal: all rolled back.
    assert _counts() == before


@pytest.mark.django_db
def test_the_clues_own_fields_are_reported_with_the_subjects(team):
    before = _counts()
    with pytest.raises(InvalidInput) as refused:
        _intake(
            team.a,
            summary="  ",
            received_on=dt.date(2099, 1, 1),
            new_subjects=[
                {"kind": Kind.WEBSITE, "name": "", "identifier": "example.com"},
                {"kind": "spaceship", "name": "x", "identifier": "y"},
            ],
        )
    problems = {(e.field, e.row) for e in refused.value.errors}
    assert problems == {("new_name", 1), ("new_kind", 2), ("summary", None), ("received_on", None)}
    assert _counts() == before


@pytest.mark.django_db
def test_control_characters_in_a_file_name_are_refused_and_shown_harmless(team):
    with pytest.raises(InvalidInput) as refused:
        _intake(team.a, material=[Material(content=b"text", name="a\u202egnp.exe", content_type="text/plain")])
    (error,) = refused.value.errors
    assert error.field == "material" and "\u202e" not in error.message and "control" in error.message
    assert not Clue.objects.exists()


@pytest.mark.django_db
def test_only_a_case_officer_takes_in_a_clue_and_registers_nothing_first(team):
    with pytest.raises(Denied):
        _intake(team.reviewer, new_subjects=[{"kind": Kind.WEBSITE, "name": "某网站", "identifier": "example.com"}])
    assert not Subject.objects.exists() and not Clue.objects.exists()


@pytest.mark.django_db
@pytest.mark.jurisdiction("clue_intake")
def test_the_clue_lands_in_the_officers_own_office_unseen_by_a_sibling(tree, team):
    sibling = t.Team(tree.nb)
    clue = _intake(sibling.a, material=[Material(content=samples.png(), name="x.png", content_type="image/png")])
    assert clue.office == tree.nb
    assert not Clue.objects.visible_to(team.a).filter(pk=clue.pk).exists()
    assert not EvidenceItem.objects.visible_to(team.a).filter(clue=clue).exists()
    # The province above sees it; the sibling city does not.
    assert Clue.objects.visible_to(t.officer(tree.zj, Role.INSPECTOR)).filter(pk=clue.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.race("clue_intake")
def test_simultaneous_intakes_of_one_new_subject_register_it_once(tree):
    team = t.Team(tree.hz)
    identifier = t.valid_uscc(424242)

    def take(i):
        return clue_intake(
            actor=Officer.objects.get(pk=team.a.pk),
            source=Source.MEDIA,
            received_on=DAY,
            summary=f"报道 {i}",
            subjects=[],
            new_subjects=[{"kind": Kind.ORGANISATION, "name": "某公司", "identifier": identifier}],
            material=[Material(content=f"报道原文 {i}".encode(), name=f"{i}.txt", content_type="text/plain")],
            now=NOW,
        )

    results = t.race(take)
    broken = [r for r in results if isinstance(r, BaseException)]
    assert not broken, broken
    subject = Subject.objects.get(identifier=identifier)
    assert Subject.objects.count() == 1
    refs = sorted(Clue.objects.filter(office=tree.hz).values_list("ref", flat=True))
    assert refs == [f"XS-330100-2024-{n:05d}" for n in range(1, t.RACERS + 1)]
    assert Clue.objects.filter(subjects=subject).count() == t.RACERS
    assert EvidenceItem.objects.filter(clue__office=tree.hz).count() == t.RACERS
    assert AuditEntry.objects.filter(action="clue.intake", outcome="ok").count() == t.RACERS
    assert AuditEntry.objects.filter(action="subject.register", outcome="ok").count() == 1
