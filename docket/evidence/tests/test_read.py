"""Reading evidence goes through the jurisdiction like every other read."""

import copy

import pytest
from django.db import connection

from docket import testing as t
from docket.audit.models import AuditEntry, Outcome
from docket.cases.models import Case, State
from docket.clues.models import Source
from docket.clues.services import clue_register
from docket.core.errors import Conflict, NotFound
from docket.evidence.models import EvidenceItem
from docket.evidence.services import clue_material_add, evidence_add, evidence_read
from docket.evidence.tests import samples
from docket.officers.models import Role

NOW = t.NOW


@pytest.fixture
def item(team):
    case = t.drive(team, to=State.INVESTIGATING)
    return evidence_add(
        actor=team.a,
        case=case,
        content=samples.png(),
        name="首页截图.png",
        content_type="image/png",
        collected_on=case.filed_on,
        collectors=[team.a, team.b],
        method="远程勘验",
        description="",
        now=NOW,
    )


def _refused_message(actor, pk):
    with pytest.raises(NotFound) as exc:
        evidence_read(actor=actor, item=pk, now=NOW)
    return str(exc.value)


def test_the_office_and_the_offices_above_it_read(tree, team, item):
    inspector = t.officer(tree.zj, Role.INSPECTOR)
    national = t.officer(tree.national, Role.INSPECTOR)
    for reader in (team.a, team.head, inspector, national):
        assert evidence_read(actor=reader, item=item, now=NOW) == samples.png()
    assert evidence_read(actor=inspector, item=item.pk, now=NOW) == samples.png()  # by id as well
    reads = AuditEntry.objects.filter(action="evidence.read", object_id=str(item.pk))
    assert [(r.actor_id, r.outcome) for r in reads] == [
        (team.a.pk, Outcome.OK),
        (team.head.pk, Outcome.OK),
        (inspector.pk, Outcome.OK),
        (national.pk, Outcome.OK),
        (inspector.pk, Outcome.OK),
    ]


@pytest.mark.parametrize("where", ["nb", "gd", "xh"], ids=["sibling city", "other province", "office below"])
def test_read_refused_across_offices_exactly_as_a_never_used_id(tree, item, where):
    outsider = t.officer(getattr(tree, where), Role.CASE_OFFICER, Role.INSPECTOR, Role.OFFICE_HEAD)
    unused = EvidenceItem.objects.order_by("-pk").first().pk + 1000
    assert _refused_message(outsider, item) == _refused_message(outsider, unused)
    refused = AuditEntry.objects.filter(actor_id=outsider.pk, outcome=Outcome.DENIED).order_by("seq")
    assert [e.action for e in refused] == ["evidence.evidenceitem.read"] * 2
    assert [e.detail["pk"] for e in refused] == [item.pk, unused]
    assert not AuditEntry.objects.filter(action="evidence.read", actor_id=outsider.pk).exists()


def test_roles_that_read_no_case_records_are_refused(tree, team, item):
    for role in (Role.STATISTICIAN, Role.ADMINISTRATOR, Role.PLATFORM, Role.PERSONAL_DATA):
        with pytest.raises(NotFound):
            evidence_read(actor=t.officer(tree.hz, role), item=item, now=NOW)


@pytest.mark.jurisdiction("evidence_read")
def test_evidence_read_sibling_office_not_found(tree, item):
    sibling = t.officer(tree.nb, Role.CASE_OFFICER)
    with pytest.raises(NotFound):
        evidence_read(actor=sibling, item=item, now=NOW)


@pytest.mark.jurisdiction("evidence_add")
def test_evidence_add_sibling_office_not_found(tree, team):
    case = t.drive(team, to=State.INVESTIGATING)
    other = t.Team(tree.nb)
    with pytest.raises(NotFound):
        evidence_add(
            actor=other.a,
            case=case,
            content=b"capture",
            name="capture.txt",
            content_type="text/plain",
            collected_on=case.filed_on,
            collectors=[other.a, other.b],
            method="远程勘验",
            description="",
            now=NOW,
        )
    assert not EvidenceItem.objects.exists()


@pytest.mark.jurisdiction("clue_material_add")
def test_clue_material_add_sibling_office_not_found(tree, team):
    clue = clue_register(
        actor=team.a, source=Source.PUBLIC_REPORT, received_on=NOW.date(), summary="举报", subjects=[], now=NOW
    )
    sibling = t.officer(tree.nb, Role.CASE_OFFICER)
    with pytest.raises(NotFound):
        clue_material_add(
            actor=sibling,
            clue=clue,
            content=samples.pdf(),
            name="report.pdf",
            content_type="application/pdf",
            received_on=clue.received_on,
            description="",
            now=NOW,
        )
    assert not EvidenceItem.objects.exists()


@pytest.mark.race("evidence_add")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_race_twenty_adds_from_one_reading_of_the_case_one_wins(tree):
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL")
    team = t.Team(tree.hz)
    case = t.drive(team, to=State.INVESTIGATING)
    version = Case.objects.get(pk=case.pk).version
    results = t.race(
        lambda i: evidence_add(
            actor=team.a,
            case=copy.copy(case),
            content=samples.png(),
            name=f"shot-{i}.png",
            content_type="image/png",
            collected_on=case.filed_on,
            collectors=[team.a, team.b],
            method="远程勘验",
            description="",
            now=NOW,
        )
    )
    wins = [r for r in results if not isinstance(r, Exception)]
    assert len(wins) == 1, results
    assert all(isinstance(r, Conflict) for r in results if isinstance(r, Exception)), results
    assert list(EvidenceItem.objects.values_list("pk", flat=True)) == [wins[0].pk]
    assert Case.objects.get(pk=case.pk).version == version + 1
    assert AuditEntry.objects.filter(action="evidence.add").count() == 1
    assert evidence_read(actor=team.a, item=wins[0].pk, now=NOW) == samples.png()


@pytest.mark.race("clue_material_add")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_race_twenty_material_adds_all_land_on_one_stored_file(tree, settings):
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL")
    team = t.Team(tree.hz)
    clue = clue_register(
        actor=team.a, source=Source.PUBLIC_REPORT, received_on=NOW.date(), summary="举报", subjects=[], now=NOW
    )
    # Adding material changes nothing another adder decided on: each of the twenty lands, one file holds them.
    results = t.race(
        lambda i: clue_material_add(
            actor=team.a,
            clue=copy.copy(clue),
            content=samples.pdf(),
            name=f"report-{i}.pdf",
            content_type="application/pdf",
            received_on=clue.received_on,
            description="",
            now=NOW,
        )
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert EvidenceItem.objects.filter(clue=clue).count() == t.RACERS
    assert [p.name for p in settings.DOCKET_EVIDENCE_DIR.rglob("*") if p.is_file()] == [results[0].sha256]
    assert AuditEntry.objects.filter(action="evidence.add").count() == t.RACERS
    assert evidence_read(actor=team.a, item=results[-1], now=NOW) == samples.pdf()
