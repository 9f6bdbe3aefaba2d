"""Procedure steps taken from the admin go through the services: gated and audited."""

from docket import testing as t
from docket.audit.models import AuditEntry
from docket.cases.models import Case, State


def _post(client, case, action, **data):
    return client.post(
        "/admin/cases/case/", {"action": action, "_selected_action": [case.pk], "apply": "1", **data}, follow=True
    )


def test_admin_action_runs_the_service(team, client):
    case = t.drive(team, to=State.FILED)
    t.verified_login(client, team.head)
    form = client.post("/admin/cases/case/", {"action": "assign", "_selected_action": [case.pk]})
    assert form.status_code == 200 and "id_officers" in form.content.decode()
    _post(client, case, "assign", on="2024-03-04", officers=[team.a.pk, team.b.pk])
    response = _post(client, case, "investigation_start", on="2024-03-04")
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.state == State.INVESTIGATING
    assert AuditEntry.objects.filter(action="case.investigation_start", object_id=str(case.pk)).exists()


def test_refused_admin_action_shows_why_and_changes_nothing(team, client):
    case = t.drive(team, to=State.FILED)
    t.verified_login(client, team.head)
    client.defaults.pop("HTTP_ACCEPT_LANGUAGE")  # a browser that asks for no language gets Chinese
    response = _post(client, case, "investigation_start", on="2024-03-04")
    assert "两名以上持有效执法证件" in response.content.decode()
    assert Case.objects.get(pk=case.pk).state == State.FILED
    response = _post(client, case, "investigation_start", on="not a date")
    assert Case.objects.get(pk=case.pk).state == State.FILED


def test_admin_pages_render_for_every_model(team, client):
    t.drive(team, to=State.SERVED)
    admin = t.officer(team.office, "administrator", "inspector", "office_head")
    t.verified_login(client, admin)
    index = client.get("/admin/")
    assert index.status_code == 200
    from django.contrib import admin as django_admin

    for model in django_admin.site._registry:
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        assert client.get(url).status_code == 200, url


def test_every_registry_step_is_an_admin_action():
    from docket.clues.admin import ClueAdmin
    from docket.clues.steps import STEPS as CLUE_STEPS
    from docket.measures.admin import MeasureAdmin
    from docket.measures.steps import STEPS as MEASURE_STEPS

    assert {a.__name__ for a in ClueAdmin.actions} == set(CLUE_STEPS)
    assert {a.__name__ for a in MeasureAdmin.actions} == set(MEASURE_STEPS)


def test_clue_and_measure_steps_from_the_admin(team, client, tree):
    from decimal import Decimal

    from docket.clues.models import Clue, Source
    from docket.clues.services import clue_register
    from docket.measures.models import FinePayment, Measure

    clue = clue_register(
        actor=team.a,
        source=Source.MEDIA,
        received_on=t.NOW.date(),
        summary="报道",
        subjects=[t.organisation()],
        now=t.NOW,
    )
    t.verified_login(client, team.head)
    client.post(
        "/admin/clues/clue/",
        {
            "action": "case_file",
            "_selected_action": [clue.pk],
            "apply": "1",
            "on": t.NOW.date().isoformat(),
            "title": "某报道涉及网站案",
        },
    )
    assert Clue.objects.get(pk=clue.pk).status == "filed"
    other = clue_register(
        actor=team.a, source=Source.MEDIA, received_on=t.NOW.date(), summary="报道2", subjects=[], now=t.NOW
    )
    client.post(
        "/admin/clues/clue/",
        {
            "action": "clue_transfer",
            "_selected_action": [other.pk],
            "apply": "1",
            "on": t.NOW.date().isoformat(),
            "reason": "属地",
            "to_office": tree.nb.pk,
            "authority": "",
        },
    )
    assert Clue.objects.get(pk=other.pk).status == "transferred"
    case = t.drive(team, to=State.SERVED)
    fine = Measure.objects.get(case=case, type="fine")
    client.post(
        "/admin/measures/measure/",
        {
            "action": "fine_payment_record",
            "_selected_action": [fine.pk],
            "apply": "1",
            "paid_on": fine.due_on.isoformat(),
            "amount": "100000.00",
            "reference": "BANK-9",
        },
    )
    assert FinePayment.objects.get(measure=fine).amount == Decimal("100000.00")


def test_admin_search_by_party_lists_a_case_once_and_never_by_part_of_a_persons_number(team, client):
    from docket.subjects.models import Kind, Subject

    person = Subject.objects.create(kind=Kind.RESPONSIBLE_PERSON, name="张三", identifier=t.valid_resident_id(7))
    case = t.drive(team, to=State.FILED, party=t.organisation(name="甲科技公司"))
    case.parties.add(t.organisation(name="乙科技公司"), person)
    t.verified_login(client, team.head)
    page = client.get("/admin/cases/case/", {"q": "科技公司"}).content.decode()
    assert page.count(f"/admin/cases/case/{case.pk}/change/") == 1
    partial = client.get("/admin/cases/case/", {"q": person.identifier[:10]}).content.decode()
    assert f"/admin/cases/case/{case.pk}/change/" not in partial
    full = client.get("/admin/cases/case/", {"q": person.identifier}).content.decode()
    assert f"/admin/cases/case/{case.pk}/change/" in full
