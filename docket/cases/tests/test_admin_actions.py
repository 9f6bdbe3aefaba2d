"""Procedure steps taken from the admin go through the services: gated and audited."""

from django.utils import timezone

from docket import testing as t
from docket.audit.models import AuditEntry
from docket.cases.models import Case, State
from docket.core.dates import local_date


def _post(client, case, action, **data):
    return client.post(
        "/admin/cases/case/", {"action": action, "_selected_action": [case.pk], "apply": "1", **data}, follow=True
    )


def test_a_heads_admin_action_is_refused_and_changes_nothing(team, client):
    """Steps are taken in the workspace (web/tests/test_pages.py::test_taking_steps_through_the_page_is_done_and_
    audited); the admin's step actions are the administrators' only."""
    case = t.drive(team, to=State.FILED)
    t.verified_login(client, team.head)
    form = client.post("/admin/cases/case/", {"action": "assign", "_selected_action": [case.pk]})
    assert form.status_code == 302 and form["Location"] == "/"
    response = _post(client, case, "assign", on="2024-03-04", officers=[team.a.pk, team.b.pk])
    assert response.redirect_chain == [("/", 302)]
    case.refresh_from_db()
    assert case.state == State.FILED and not case.assignments.exists()
    assert (
        not AuditEntry.objects.filter(action__startswith="case.", object_id=str(case.pk))
        .exclude(action="case.file")
        .exists()
    )


def test_a_refused_step_shows_why_and_changes_nothing(team, client):
    case = t.drive(team, to=State.FILED)
    t.verified_login(client, team.head)
    client.defaults.pop("HTTP_ACCEPT_LANGUAGE")  # a browser that asks for no language gets Chinese
    url = f"/cases/{case.ref}/steps/investigation_start/"
    response = client.post(url, {"on": "2024-03-04", "version": case.version})
    assert response.status_code == 422 and "两名以上持有效执法证件" in response.content.decode()
    assert Case.objects.get(pk=case.pk).state == State.FILED
    response = client.post(url, {"on": "not a date", "version": case.version})
    assert response.status_code == 422
    assert Case.objects.get(pk=case.pk).state == State.FILED


def test_admin_pages_render_for_every_administered_model(team, client, tree):
    from django.contrib import admin as django_admin

    from docket.core.admin_site import ADMINISTERED

    t.drive(team, to=State.SERVED)
    # Of the national office: platforms' webhook endpoints are its administrators' alone.
    administrator = t.officer(tree.national, "administrator")
    t.verified_login(client, administrator)
    index = client.get("/admin/")
    assert index.status_code == 200
    for model in django_admin.site._registry:
        if model._meta.label_lower in ADMINISTERED:
            url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
            assert client.get(url).status_code == 200, url


def test_every_registry_step_is_an_admin_action():
    from docket.clues.admin import ClueAdmin
    from docket.clues.steps import STEPS as CLUE_STEPS
    from docket.measures.admin import MeasureAdmin
    from docket.measures.steps import STEPS as MEASURE_STEPS

    assert {a.__name__ for a in ClueAdmin.actions} == set(CLUE_STEPS)
    assert {a.__name__ for a in MeasureAdmin.actions} == set(MEASURE_STEPS)


def test_clue_and_measure_steps_from_the_workspace(team, client, tree):
    from decimal import Decimal

    from docket.clues.models import Clue, Source
    from docket.clues.services import clue_register
    from docket.measures.models import FinePayment, Measure

    # The workspace gates a step on today: the clues are received today, well within their check period.
    now = timezone.now()
    today = local_date(now, team.office.time_zone)

    clue = clue_register(
        actor=team.a,
        source=Source.MEDIA,
        received_on=today,
        summary="报道",
        subjects=[t.organisation()],
        now=now,
    )
    t.verified_login(client, team.head)
    filed = client.post(
        f"/clues/{clue.pk}/steps/case_file/",
        {"on": today.isoformat(), "title": "某报道涉及网站案"},
    )
    assert filed.status_code == 302, filed.content.decode()[:2000]
    assert Clue.objects.get(pk=clue.pk).status == "filed"
    other = clue_register(actor=team.a, source=Source.MEDIA, received_on=today, summary="报道2", subjects=[], now=now)
    transferred = client.post(
        f"/clues/{other.pk}/steps/clue_transfer/",
        {
            "on": today.isoformat(),
            "reason": "属地",
            "to_office": tree.nb.pk,
            "authority": "",
        },
    )
    assert transferred.status_code == 302, transferred.content.decode()[:2000]
    assert Clue.objects.get(pk=other.pk).status == "transferred"
    case = t.drive(team, to=State.SERVED)
    fine = Measure.objects.get(case=case, type="fine")
    paid = client.post(
        f"/measures/{fine.pk}/steps/fine_payment_record/",
        {"paid_on": fine.due_on.isoformat(), "amount": "100000.00", "reference": "BANK-9"},
    )
    assert paid.status_code == 302, paid.content.decode()[:2000]
    assert FinePayment.objects.get(measure=fine).amount == Decimal("100000.00")
    # None of it through the admin: the head is sent to the workspace.
    assert client.post("/admin/clues/clue/", {"action": "case_file", "_selected_action": [clue.pk]})["Location"] == "/"
    assert client.post("/admin/measures/measure/", {"action": "fine_payment_record"})["Location"] == "/"


def test_cases_of_a_party_are_listed_once_and_a_persons_number_found_only_in_full(team, client):
    from docket.subjects.models import Kind, Subject

    person = Subject.objects.create(kind=Kind.RESPONSIBLE_PERSON, name="张三", identifier=t.valid_resident_id(7))
    org = t.organisation(name="甲科技公司")
    case = t.drive(team, to=State.FILED, party=org)
    case.parties.add(t.organisation(name="乙科技公司"), person)
    t.verified_login(client, team.head)
    link = f'href="/cases/{case.ref}/"'
    for party in (org, person):
        listed = client.get("/cases/", {"party": party.pk})
        assert listed.context["page"].paginator.count == 1 and listed.content.decode().count(link) == 1
    search = client.get("/search/", {"q": "科技公司"}).content.decode()
    assert f'href="/subjects/{org.pk}/"' in search
    person_link = f'href="/subjects/{person.pk}/"'
    assert person_link not in client.get("/search/", {"q": person.identifier[:10]}).content.decode()
    assert person_link in client.get("/search/", {"q": person.identifier}).content.decode()
    # The admin's case search is not the head's.
    assert client.get("/admin/cases/case/", {"q": "科技公司"})["Location"] == "/"
