"""The officers admin shows roles and changes them only through the grant and revoke services."""

import pytest

from docket import testing as t
from docket.audit.models import AuditEntry, Outcome
from docket.officers.models import OfficerRole, Role

CHANGELIST = "/admin/officers/officer/"


@pytest.fixture
def admin(tree, client):
    officer = t.officer(tree.zj, Role.ADMINISTRATOR)
    t.verified_login(client, officer)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return officer


def _roles(officer):
    return sorted(OfficerRole.objects.filter(officer=officer).values_list("role", flat=True))


def _act(client, action, officer, role):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [officer.pk], "apply": "1", "role": role},
        follow=True,
    )


def test_grant_and_revoke_actions_call_the_services(tree, client, admin):
    officer = t.officer(tree.hz, Role.CASE_OFFICER)
    form = client.post(CHANGELIST, {"action": "officer_role_grant", "_selected_action": [officer.pk]})
    assert form.status_code == 200 and 'name="role"' in form.content.decode()
    assert _act(client, "officer_role_grant", officer, Role.INSPECTOR).status_code == 200
    assert _act(client, "officer_role_revoke", officer, Role.CASE_OFFICER).status_code == 200
    assert _roles(officer) == ["inspector"]
    actions = AuditEntry.objects.filter(actor_id=admin.pk, object_id=str(officer.pk)).values_list("action", "outcome")
    assert list(actions) == [("officer.role_grant", Outcome.OK), ("officer.role_revoke", Outcome.OK)]


def test_self_grant_through_the_admin_is_refused_and_audited(client, admin):
    page = _act(client, "officer_role_grant", admin, Role.INSPECTOR).content.decode()
    assert "own roles" in page
    assert _roles(admin) == ["administrator"]
    assert AuditEntry.objects.filter(actor_id=admin.pk, action="officer_role_grant", outcome=Outcome.DENIED).exists()


def test_roles_are_not_edited_in_place(tree, client, admin):
    officer = t.officer(tree.hz, Role.CASE_OFFICER)
    url = f"{CHANGELIST}{officer.pk}/change/"
    page = client.get(url).content.decode()
    assert "Case officer" in page and 'name="roles-0-role"' not in page and 'name="roles-__prefix__-role"' not in page
    data = {
        "username": officer.username,
        "display_name": officer.display_name,
        "email": "",
        "office": tree.hz.pk,
        "platform": "",
        "is_active": "on",
        "is_staff": "on",
        "certificate_number": officer.certificate_number,
        "certificate_valid_from": "2020-01-01",
        "certificate_valid_until": "2030-12-31",
        "roles-TOTAL_FORMS": "2",
        "roles-INITIAL_FORMS": "1",
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "1000",
        "roles-0-id": OfficerRole.objects.get(officer=officer).pk,
        "roles-0-officer": officer.pk,
        "roles-0-role": Role.ADMINISTRATOR,
        "roles-0-DELETE": "on",
        "roles-1-officer": officer.pk,
        "roles-1-role": Role.ADMINISTRATOR,
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert _roles(officer) == ["case_officer"]
