"""Reassignment: ``case_assign(replace=True)`` makes the chosen officers the case's investigators, taking the others
off in the same transaction, under the case's row lock, audited with who was added and who was taken off."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from docket import testing as t
from docket.audit.models import AuditEntry
from docket.cases import services as cs
from docket.cases.forms import AssignForm
from docket.cases.models import Assignment, Case, State
from docket.core.errors import InvalidInput
from docket.core.tests.races import assert_absent, fresh, me, tally
from docket.officers.models import Role

NOW = t.NOW


def active(case: Case) -> set[int]:
    return set(Assignment.objects.filter(case=case, active=True).values_list("officer_id", flat=True))


@pytest.mark.django_db
def test_replace_takes_the_others_off_and_audits_both(team):
    case = t.drive(team, to=State.FILED)
    cs.case_assign(actor=team.head, case=case, officers=[team.a, team.b], on=case.filed_on, now=NOW)
    first = Assignment.objects.get(case=case, officer=team.b).assigned_on
    later = case.filed_on + dt.timedelta(days=2)
    case = Case.objects.get(pk=case.pk)
    cs.case_assign(actor=team.head, case=case, officers=[team.b, team.chair], on=later, now=NOW, replace=True)
    assert active(case) == {team.b.pk, team.chair.pk}
    # Still assigned: the day it began stays.
    assert Assignment.objects.get(case=case, officer=team.b).assigned_on == first
    entry = AuditEntry.objects.filter(action="case.assign", object_id=str(case.pk)).latest("seq")
    assert entry.detail["added"] == [team.chair.username]
    assert entry.detail["removed"] == [team.a.username]
    assert entry.detail["replace"] is True


@pytest.mark.django_db
def test_without_replace_assigning_only_adds(team):
    case = t.drive(team, to=State.FILED)
    cs.case_assign(actor=team.head, case=case, officers=[team.a], on=case.filed_on, now=NOW)
    case = Case.objects.get(pk=case.pk)
    cs.case_assign(actor=team.head, case=case, officers=[team.b, team.b], on=case.filed_on, now=NOW)
    assert active(case) == {team.a.pk, team.b.pk}
    entry = AuditEntry.objects.filter(action="case.assign", object_id=str(case.pk)).latest("seq")
    assert entry.detail["removed"] == [] and entry.detail["added"] == [team.b.username]


@pytest.mark.django_db
def test_an_investigation_under_way_keeps_two_certified_investigators(team):
    case = t.drive(team, to=State.INVESTIGATING)
    uncertified = t.officer(team.office, Role.CASE_OFFICER, certified=False)
    with pytest.raises(InvalidInput, match="1 would remain"):
        cs.case_assign(
            actor=team.head, case=case, officers=[team.a, uncertified], on=case.filed_on, now=NOW, replace=True
        )
    assert active(case) == {team.a.pk, team.b.pk}


@pytest.mark.django_db
def test_the_step_form_reassigns_from_the_current_investigators(team):
    case = t.drive(team, to=State.FILED)
    cs.case_assign(actor=team.head, case=case, officers=[team.a, team.b], on=case.filed_on, now=NOW)
    case = Case.objects.get(pk=case.pk)
    form = AssignForm(obj=case, actor=team.head, on=case.filed_on)
    assert set(form.fields["officers"].initial) == {team.a.pk, team.b.pk}
    assert form.fields["replace"].initial is True
    data = {"on": case.filed_on.isoformat(), "officers": [team.b.pk], "replace": "on", "version": case.version}
    form = AssignForm(data, obj=case, actor=team.head, on=case.filed_on)
    assert form.is_valid(), form.errors
    assert form.arguments()["replace"] is True
    cs.case_assign(actor=team.head, case=case, now=NOW, **form.arguments())
    assert active(case) == {team.b.pk}
    # A client that leaves the box out (the API) adds, as assigning always did.
    case = Case.objects.get(pk=case.pk)
    form = AssignForm(
        {"on": case.filed_on.isoformat(), "officers": [team.a.pk]}, obj=case, actor=team.head, on=case.filed_on
    )
    assert form.is_valid() and form.arguments()["replace"] is False


@pytest.mark.django_db
@pytest.mark.jurisdiction("case_assign")
def test_another_offices_case_is_not_reassigned(tree, team):
    case = t.drive(team, to=State.FILED)
    cs.case_assign(actor=team.head, case=case, officers=[team.a, team.b], on=case.filed_on, now=NOW)
    case = Case.objects.get(pk=case.pk)
    sibling = t.Team(tree.nb)
    assignments = list(Assignment.objects.filter(case=case))
    assert_absent(
        lambda: cs.case_assign(
            actor=sibling.head, case=case, officers=[sibling.a, sibling.b], on=case.filed_on, now=NOW, replace=True
        ),
        case,
        *assignments,
    )
    assert active(case) == {team.a.pk, team.b.pk}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.race("case_assign")
def test_twenty_simultaneous_reassignments_leave_one_requested_set(tree):
    """Each racer reads the case as it is when it starts (a head reloading the page), so several succeed one
    after another; the investigators left are exactly the set of the last success, never a mix, and each success
    is one audit entry."""
    team = t.Team(tree.hz)
    case = t.drive(team, to=State.FILED)
    pool = [team.a, team.b, team.chair, *(t.officer(tree.hz, Role.CASE_OFFICER) for _ in range(3))]
    sets = [[pool[i % 6], pool[(i + 1) % 6], pool[(i + 3) % 6]][: 2 + i % 2] for i in range(t.RACERS)]
    before = AuditEntry.objects.filter(action="case.assign", outcome="ok").count()

    def reassign(i: int) -> object:
        return cs.case_assign(
            actor=me(team.head), case=fresh(case), officers=sets[i], on=case.filed_on, now=NOW, replace=True
        )

    ok, refused = tally(t.race(reassign))
    assert ok and len(ok) + len(refused) == t.RACERS
    entries = list(AuditEntry.objects.filter(action="case.assign", outcome="ok").order_by("seq"))[before:]
    assert len(entries) == len(ok)
    last = entries[-1].detail["officers"]
    assert last in [[o.username for o in s] for s in sets]
    usernames = dict(Assignment.objects.filter(case=case, active=True).values_list("officer__username", "officer_id"))
    assert set(usernames) == set(last)
    # Each entry says what it changed from the one before it: replaying them gives the final set.
    replayed: set[str] = set()
    for e in entries:
        assert set(e.detail["removed"]) <= replayed
        replayed = (replayed - set(e.detail["removed"])) | set(e.detail["added"])
        assert replayed == set(e.detail["officers"])
    assert Case.objects.get(pk=case.pk).version == case.version + len(ok)
