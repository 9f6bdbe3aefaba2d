"""The admin is for administrators only, and shows only what they administer."""

import pytest
from django.contrib import admin

from docket import testing as t
from docket.core.admin import ScopedAdmin
from docket.core.admin_site import ADMINISTERED, DocketAdminSite
from docket.officers.models import Officer, Role

pytestmark = pytest.mark.django_db

PAGES = ("/admin/", "/admin/offices/office/", "/admin/officers/officer/", "/admin/cases/case/", "/admin/offices/")


def test_the_site_is_dockets():
    assert isinstance(admin.site._wrapped, DocketAdminSite)


@pytest.mark.parametrize("roles", [(Role.CASE_OFFICER,), (Role.OFFICE_HEAD,), (Role.INSPECTOR, Role.LEGAL_REVIEWER)])
def test_officers_without_the_role_are_sent_to_the_workspace(client, tree, roles):
    officer = t.officer(tree.hz, *roles)
    assert officer.is_staff  # every officer has it: it opens nothing by itself any more
    t.verified_login(client, officer)
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == "/", path
    # No way in by the back door of an action either.
    assert client.post("/admin/offices/office/", {"action": "delete_selected"}).status_code == 302
    # The workspace says why (and does not send the officer back to the admin).
    page = client.get("/admin/", follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert page.redirect_chain == [("/", 302)]
    assert "The admin is for administrators" in page.content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/admin/offices/office/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert client.get(response["Location"])["Location"].startswith("/login/")


def test_an_inactive_administrator_is_refused(client, tree):
    administrator = t.officer(tree.hz, Role.ADMINISTRATOR)
    t.verified_login(client, administrator)
    Officer.objects.filter(pk=administrator.pk).update(is_active=False)
    assert client.get("/admin/").status_code == 302


def test_an_administrator_gets_in_and_sees_only_what_is_administered(client, tree):
    administrator = t.officer(tree.national, Role.ADMINISTRATOR)
    t.verified_login(client, administrator)
    index = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en")
    assert index.status_code == 200
    shown = {m["model"]._meta.label_lower for app in index.context["app_list"] for m in app["models"]}
    assert {"officers.officer", "offices.office", "taxonomy.provision", "workdays.calendaryear"} <= shown
    assert {"reports.metricset", "documents.documenttemplate"} <= shown
    assert shown <= ADMINISTERED
    assert "cases.case" not in shown and "clues.clue" not in shown and "measures.measure" not in shown
    for path in ("/admin/offices/office/", "/admin/officers/officer/", "/admin/workdays/calendaryear/"):
        assert client.get(path).status_code == 200, path
    assert client.get("/admin/offices/").status_code == 200
    # An app with nothing administered has no page of its own.
    assert client.get("/admin/cases/").status_code == 404


def test_a_superuser_gets_in(client):
    superuser = Officer.objects.create_superuser("root-h4", password="x" * 20)  # noqa: S106 - a test password
    t.verified_login(client, superuser)
    assert client.get("/admin/").status_code == 200


def test_every_registered_model_is_administered_or_a_jurisdiction_record():
    """A model added to the admin takes a side: configuration for administrators, or a record of the
    jurisdiction (scoped, worked on in the workspace) that the admin does not list."""
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        assert (label in ADMINISTERED) != isinstance(model_admin, ScopedAdmin), label
    registered = {m._meta.label_lower for m in admin.site._registry}
    assert registered >= ADMINISTERED
