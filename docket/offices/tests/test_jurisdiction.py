"""Leaks tried from a sibling, a child and a parent office, through every query, service and the admin."""

import datetime as dt
from decimal import Decimal

import pytest

from docket import testing as t
from docket.audit.models import AuditEntry, Outcome
from docket.cases import services as cs
from docket.cases.models import Assignment, Case, Document, ProcedureRecord, State
from docket.cases.queries import case_get, case_get_by_ref, cases_visible, document_get
from docket.clues import services as cl
from docket.clues.models import Clue
from docket.clues.queries import clue_get
from docket.core.errors import Denied, NotFound
from docket.evidence.models import EvidenceItem
from docket.evidence.queries import evidence_get
from docket.measures import services as ms
from docket.measures.models import FinePayment, Measure, MeasureTarget
from docket.measures.queries import measure_get, measures_visible
from docket.officers.models import Role

NOW = t.NOW


@pytest.fixture
def world(tree, team):
    """A decided penalty case of Hangzhou (with evidence, documents and a fine), and outsiders."""
    case = t.drive(team, to=State.SERVED)
    fine = Measure.objects.get(case=case, type="fine")
    ms.fine_payment_record(
        actor=team.a, measure=fine, paid_on=fine.due_on, amount=Decimal("1000.00"), reference="P1", now=NOW
    )
    others = {
        "sibling": tree.nb,  # Ningbo, a sibling city
        "child": tree.xh,  # Xihu, a county below Hangzhou
        "other_province": tree.gd,
    }
    outsiders = {name: {role: t.officer(office, role) for role in Role.values} for name, office in others.items()}
    insiders = {
        "own": {role: t.officer(tree.hz, role) for role in Role.values},
        "parent": {role: t.officer(tree.zj, role) for role in Role.values},
        "national": {role: t.officer(tree.national, role) for role in Role.values},
    }
    return type("World", (), {"case": case, "fine": fine, "team": team, "outsiders": outsiders, "insiders": insiders})


SCOPED = [Case, Clue, Measure, MeasureTarget, FinePayment, EvidenceItem, Document, ProcedureRecord, Assignment]


def test_outsiders_see_nothing_in_lists_counts_or_searches(world):
    for name, actors in world.outsiders.items():
        for role, actor in actors.items():
            for model in SCOPED:
                assert model.objects.visible_to(actor).count() == 0, (name, role, model)
            assert not cases_visible(actor).filter(title__icontains="平台").exists()
            assert not measures_visible(actor).filter(amount__gt=0).exists()


def test_insiders_see_their_subtree_but_only_with_a_case_role(world):
    for name, actors in world.insiders.items():
        for role, actor in actors.items():
            count = Case.objects.visible_to(actor).count()
            if role in ("case_officer", "office_head", "legal_reviewer", "inspector"):
                assert count == 1, (name, role)
            else:  # statisticians read aggregates, administrators and platforms no cases
                assert count == 0, (name, role)


def test_fetch_by_id_is_not_found_and_audited(world):
    case = world.case
    evidence = EvidenceItem.objects.get(case=case)
    document = Document.objects.filter(case=case).first()
    for _name, actors in world.outsiders.items():
        actor = actors["office_head"]
        for getter, pk in (
            (case_get, case.pk),
            (clue_get, case.clue_id),
            (measure_get, world.fine.pk),
            (evidence_get, evidence.pk),
            (document_get, document.pk),
        ):
            with pytest.raises(NotFound):
                getter(actor, pk)
        with pytest.raises(NotFound):
            case_get_by_ref(actor, case.ref)
    # An id that exists elsewhere answers exactly like an id that was never used.
    with pytest.raises(NotFound) as absent:
        case_get(world.outsiders["sibling"]["office_head"], 999999)
    with pytest.raises(NotFound) as elsewhere:
        case_get(world.outsiders["sibling"]["office_head"], case.pk)
    assert str(absent.value) == str(elsewhere.value)
    denials = AuditEntry.objects.filter(outcome=Outcome.DENIED, action="cases.case.read")
    assert denials.count() >= 4


def test_every_service_refuses_outsiders_and_the_parent(world):
    """Services take objects, so a caller who got hold of one still cannot act outside their own office:
    to an outsider the object does not exist (NotFound), to a higher office the step is not theirs (Denied)."""
    case, fine, day = world.case, world.fine, world.case.filed_on
    calls = [
        lambda a: cs.case_assign(actor=a, case=case, officers=[], on=day, now=NOW),
        lambda a: cs.investigation_start(actor=a, case=case, on=day, now=NOW),
        lambda a: cs.dismiss(actor=a, case=case, reason="r", on=day, now=NOW),
        lambda a: cs.close(actor=a, case=case, on=day, now=NOW),
        lambda a: cs.archive(actor=a, case=case, on=day, now=NOW),
        lambda a: cs.decision_extend(actor=a, case=case, reason="r", on=day, now=NOW),
        lambda a: cs.clock_suspend(actor=a, case=case, reason="hearing", note="", starts_on=day, now=NOW),
        lambda a: cs.legal_review_record(actor=a, case=case, approved=True, opinion="o", on=day, now=NOW),
        lambda a: cs.serve(actor=a, case=case, served_on=day, method="m", party_present=True, proof="p", now=NOW),
        lambda a: cs.decide(actor=a, case=case, outcome="no_penalty", legal_basis="b", discretion="", on=day, now=NOW),
        lambda a: ms.fine_payment_record(
            actor=a, measure=fine, paid_on=fine.due_on, amount=Decimal("1.00"), reference="", now=NOW
        ),
        lambda a: ms.measure_confirm(actor=a, measure=fine, confirmed_on=day, confirmation="c", now=NOW),
        lambda a: cl.clue_no_case(actor=a, clue=case.clue, reason="r", on=day, now=NOW),
        lambda a: cs.case_file(actor=a, clue=case.clue, title="t", on=day, now=NOW),
    ]
    outsiders = [a for group in world.outsiders.values() for a in group.values()]
    above = [*world.insiders["parent"].values(), *world.insiders["national"].values()]
    before = Case.objects.get(pk=case.pk).version
    denials = AuditEntry.objects.filter(outcome=Outcome.DENIED).count()
    # Outside the jurisdiction (a sibling, a child, another province) the case does not exist, whatever the role.
    for actor in outsiders:
        for call in calls:
            with pytest.raises(NotFound):
                call(actor)
    # Above it, the case is seen but the step belongs to its own office.
    for actor in above:
        for call in calls:
            with pytest.raises(Denied):
                call(actor)
    assert Case.objects.get(pk=case.pk).version == before
    assert AuditEntry.objects.filter(outcome=Outcome.DENIED).count() == denials + (len(outsiders) + len(above)) * len(
        calls
    )


def test_platform_sees_only_orders_addressed_to_it(tree, team):
    from docket.measures.queries import orders_addressed_to
    from docket.subjects.models import Subject

    weibo = t.organisation(name="微博")
    other = t.organisation(name="另一平台")
    accounts = [
        Subject.objects.create(kind="account", name=f"a{i}", identifier=f"a{i}", platform="weibo") for i in range(3)
    ]
    order = ms.measure_record(
        actor=team.a,
        type="account_closure_order",
        taken_on=dt.date(2024, 5, 6),
        subjects=accounts,
        addressee=weibo,
        now=NOW,
    )
    weibo_client = t.officer(None, Role.PLATFORM, platform=weibo)
    other_client = t.officer(None, Role.PLATFORM, platform=other)
    assert list(orders_addressed_to(weibo_client)) == [order]
    assert list(orders_addressed_to(other_client)) == []
    assert Measure.objects.visible_to(weibo_client).count() == 0
    with pytest.raises(NotFound):
        ms.account_closures_report(
            actor=other_client, measure=order, closed=["a1"], refused={}, on=dt.date(2024, 5, 7), now=NOW
        )


ADMIN_MODELS = [
    "cases/case",
    "clues/clue",
    "measures/measure",
    "evidence/evidenceitem",
    "cases/document",
    "cases/procedurerecord",
    "measures/finepayment",
    "measures/measuretarget",
]


def _pk(world, path):
    case = world.case
    return {
        "cases/case": case.pk,
        "clues/clue": case.clue_id,
        "measures/measure": world.fine.pk,
        "evidence/evidenceitem": EvidenceItem.objects.get(case=case).pk,
        "cases/document": Document.objects.filter(case=case).first().pk,
        "cases/procedurerecord": ProcedureRecord.objects.filter(case=case).first().pk,
        "measures/finepayment": FinePayment.objects.first().pk,
        "measures/measuretarget": MeasureTarget.objects.filter(measure=world.fine).first().pk,
    }[path]


def test_the_admin_answers_no_office_head_with_a_jurisdictions_records(world, client):
    """A jurisdiction's records are worked on in the workspace: the admin sends every head there, own or not."""
    for name, actors in {**world.outsiders, "own": world.insiders["own"], "parent": world.insiders["parent"]}.items():
        t.verified_login(client, actors[Role.OFFICE_HEAD])
        for path in ADMIN_MODELS:
            assert client.get(f"/admin/{path}/")["Location"] == "/", (name, path)
            assert client.get(f"/admin/{path}/{_pk(world, path)}/change/")["Location"] == "/", (name, path)
        assert client.get("/admin/cases/case/", {"q": world.case.ref})["Location"] == "/", name
        client.logout()


def test_workspace_lists_searches_and_pages_are_scoped(world, client):
    """An office head works in the workspace: its pages and lists show the case only within the jurisdiction."""
    case = world.case
    pages = [f"/cases/{case.ref}/", f"/clues/{case.clue_id}/", f"/measures/{world.fine.pk}/"]
    for name, actors in {**world.outsiders, "own": world.insiders["own"], "parent": world.insiders["parent"]}.items():
        actor = actors[Role.OFFICE_HEAD]
        t.verified_login(client, actor)
        visible = name in ("own", "parent")
        for path in pages:
            assert client.get(path).status_code == (200 if visible else 404), (name, path)
        for path in ("/cases/", "/measures/"):
            assert client.get(path).status_code == 200, path
        # The query is echoed in the search box: what counts is the link to the case.
        link = f'href="/cases/{case.ref}/"'
        assert (link in client.get("/cases/", {"q": case.ref}).content.decode()) is visible, name
        assert (link in client.get("/search/", {"q": case.ref}).content.decode()) is visible, name
        client.logout()
