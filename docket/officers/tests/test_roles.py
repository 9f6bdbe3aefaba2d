"""Roles change through two services only: by another administrator of the officer's jurisdiction, audited."""

import pytest
from django.db import connection, transaction

from docket import testing as t
from docket.audit.models import AuditEntry, Outcome
from docket.core.errors import Conflict, Denied, GateRefused, InvalidInput, NotFound
from docket.officers.models import Officer, OfficerRole, Role
from docket.officers.services import officer_role_grant, officer_role_revoke

NOW = t.NOW


def _roles(officer):
    return sorted(OfficerRole.objects.filter(officer=officer).values_list("role", flat=True))


@pytest.fixture
def admin(tree):
    return t.officer(tree.zj, Role.ADMINISTRATOR)


def test_grant_and_revoke_are_audited(tree, admin):
    officer = t.officer(tree.hz, Role.CASE_OFFICER)
    officer_role_grant(actor=admin, officer=officer, role=Role.LEGAL_REVIEWER, now=NOW)
    assert officer.has_role(Role.LEGAL_REVIEWER) and _roles(officer) == ["case_officer", "legal_reviewer"]
    officer_role_revoke(actor=admin, officer=officer, role=Role.CASE_OFFICER, now=NOW)
    assert _roles(officer) == ["legal_reviewer"] and not officer.has_role(Role.CASE_OFFICER)
    entries = AuditEntry.objects.filter(object_type="officers.officer", object_id=str(officer.pk)).order_by("seq")
    assert [(e.action, e.actor_id, e.outcome, e.detail) for e in entries] == [
        (
            "officer.role_grant",
            admin.pk,
            Outcome.OK,
            {"role": "legal_reviewer", "roles": ["case_officer", "legal_reviewer"]},
        ),
        ("officer.role_revoke", admin.pk, Outcome.OK, {"role": "case_officer", "roles": ["legal_reviewer"]}),
    ]


@pytest.mark.parametrize("service", [officer_role_grant, officer_role_revoke])
def test_an_administrator_cannot_change_their_own_roles(admin, service):
    role = Role.ADMINISTRATOR if service is officer_role_revoke else Role.INSPECTOR
    with pytest.raises(Denied, match="own roles"):
        service(actor=admin, officer=admin, role=role, now=NOW)
    assert _roles(admin) == ["administrator"]
    refused = AuditEntry.objects.filter(actor_id=admin.pk, outcome=Outcome.DENIED).get()
    assert refused.action == service.__name__ and "own roles" in refused.detail["reason"]


def test_only_administrators_change_roles(tree):
    head = t.officer(tree.hz, Role.OFFICE_HEAD, Role.CASE_OFFICER)
    officer = t.officer(tree.hz, Role.CASE_OFFICER)
    with pytest.raises(Denied):
        officer_role_grant(actor=head, officer=officer, role=Role.INSPECTOR, now=NOW)
    assert _roles(officer) == ["case_officer"]
    assert AuditEntry.objects.filter(actor_id=head.pk, outcome=Outcome.DENIED, action="officer_role_grant").exists()


def test_an_administrator_reaches_the_officers_of_their_subtree_only(tree, admin):
    below = t.officer(tree.xh, Role.CASE_OFFICER)
    officer_role_grant(actor=admin, officer=below, role=Role.INSPECTOR, now=NOW)
    assert _roles(below) == ["case_officer", "inspector"]
    for office in (tree.gd, tree.national):
        with pytest.raises(NotFound):
            officer_role_grant(actor=admin, officer=t.officer(office), role=Role.INSPECTOR, now=NOW)


def test_refusals_of_the_input_and_of_the_state(tree, admin):
    officer = t.officer(tree.hz, Role.CASE_OFFICER)
    with pytest.raises(InvalidInput) as exc:
        officer_role_grant(actor=admin, officer=officer, role="superuser", now=NOW)
    assert [e.field for e in exc.value.errors] == ["role"]
    with pytest.raises(Conflict, match="already holds"):
        officer_role_grant(actor=admin, officer=officer, role=Role.CASE_OFFICER, now=NOW)
    with pytest.raises(Conflict, match="does not hold"):
        officer_role_revoke(actor=admin, officer=officer, role=Role.INSPECTOR, now=NOW)
    with pytest.raises(GateRefused, match="platform"):
        officer_role_grant(actor=admin, officer=officer, role=Role.PLATFORM, now=NOW)
    platform = t.organisation()
    client = t.officer(tree.hz, platform=platform)
    officer_role_grant(actor=admin, officer=client, role=Role.PLATFORM, now=NOW)
    with pytest.raises(GateRefused, match="platform"):
        officer_role_grant(actor=admin, officer=client, role=Role.CASE_OFFICER, now=NOW)
    assert _roles(officer) == ["case_officer"] and _roles(client) == ["platform"]


@pytest.mark.jurisdiction("officer_role_grant")
def test_officer_role_grant_sibling_office_not_found(tree):
    admin = t.officer(tree.nb, Role.ADMINISTRATOR)
    officer = t.officer(tree.hz, Role.CASE_OFFICER)
    with pytest.raises(NotFound):
        officer_role_grant(actor=admin, officer=officer, role=Role.INSPECTOR, now=NOW)
    assert _roles(officer) == ["case_officer"]


@pytest.mark.jurisdiction("officer_role_revoke")
def test_officer_role_revoke_sibling_office_not_found(tree):
    admin = t.officer(tree.nb, Role.ADMINISTRATOR)
    officer = t.officer(tree.hz, Role.CASE_OFFICER)
    with pytest.raises(NotFound):
        officer_role_revoke(actor=admin, officer=officer, role=Role.CASE_OFFICER, now=NOW)
    assert _roles(officer) == ["case_officer"]


def _race_setup(tree, roles):
    admins = [t.officer(tree.zj, Role.ADMINISTRATOR) for _ in range(t.RACERS)]
    officer = t.officer(tree.hz, *roles)
    return [a.pk for a in admins], officer.pk


@pytest.mark.race("officer_role_grant")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_race_twenty_grants_of_one_role_one_wins(tree):
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL")
    admins, pk = _race_setup(tree, [Role.CASE_OFFICER])
    results = t.race(
        lambda i: officer_role_grant(
            actor=Officer.objects.get(pk=admins[i]), officer=Officer.objects.get(pk=pk), role=Role.INSPECTOR, now=NOW
        )
    )
    wins = [r for r in results if not isinstance(r, Exception)]
    assert len(wins) == 1, results
    assert all(isinstance(r, Conflict) for r in results if isinstance(r, Exception)), results
    assert _roles(Officer.objects.get(pk=pk)) == ["case_officer", "inspector"]
    assert AuditEntry.objects.filter(action="officer.role_grant", object_id=str(pk)).count() == 1


@pytest.mark.race("officer_role_revoke")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_race_twenty_revocations_of_one_role_one_wins(tree):
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL")
    admins, pk = _race_setup(tree, [Role.CASE_OFFICER, Role.INSPECTOR])
    results = t.race(
        lambda i: officer_role_revoke(
            actor=Officer.objects.get(pk=admins[i]), officer=Officer.objects.get(pk=pk), role=Role.INSPECTOR, now=NOW
        )
    )
    wins = [r for r in results if not isinstance(r, Exception)]
    assert len(wins) == 1, results
    assert all(isinstance(r, Conflict) for r in results if isinstance(r, Exception)), results
    assert _roles(Officer.objects.get(pk=pk)) == ["case_officer"]
    assert AuditEntry.objects.filter(action="officer.role_revoke", object_id=str(pk)).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_refused_self_grant_stays_audited_when_the_caller_rolls_back(tree):
    admin = t.officer(tree.zj, Role.ADMINISTRATOR)
    with pytest.raises(RuntimeError), transaction.atomic():
        with pytest.raises(Denied):
            officer_role_grant(actor=admin, officer=admin, role=Role.INSPECTOR, now=NOW)
        raise RuntimeError("the caller fails afterwards")
    refused = AuditEntry.objects.filter(actor_id=admin.pk, outcome=Outcome.DENIED).get()
    assert refused.action == "officer_role_grant" and refused.detail["after_rollback"] is True
    assert _roles(admin) == ["administrator"]
