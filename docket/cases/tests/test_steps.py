"""The steps registry: one step per action of the transition table, asked of the services' own gates."""

import datetime as dt

import pytest
from django.http import QueryDict

from docket import testing as t
from docket.cases.admin import CaseAdmin
from docket.cases.models import State
from docket.cases.steps import STEPS, available_steps
from docket.cases.transitions import TRANSITIONS
from docket.core.answers import answer_for
from docket.core.errors import Conflict, InvalidInput
from docket.officers.models import Role

NOW = t.NOW


def _by_name(items):
    return {a.step.name: a for a in items}


def test_every_action_of_the_transition_table_is_a_step_and_an_admin_action():
    assert set(STEPS) == set(TRANSITIONS)
    for name, step in STEPS.items():
        assert step.states == TRANSITIONS[name][0]
    assert {a.__name__ for a in CaseAdmin.actions} == set(STEPS)


def test_available_steps_carry_the_gates_own_reasons(team):
    case = t.drive(team, to=State.FILED)
    on = case.filed_on
    head = _by_name(available_steps(case, team.head, on=on))
    # Only the steps of the current state are listed.
    assert set(head) == {n for n, s in STEPS.items() if State.FILED in s.states}
    assert head["assign"].allowed
    start = head["investigation_start"]
    assert not start.allowed and "two officers holding valid enforcement certificates" in start.reason
    officer = _by_name(available_steps(case, team.a, on=on))
    assert not officer["assign"].allowed and "Office head" in officer["assign"].reason
    # The reason is what the service itself answers when the step is tried.
    from docket.cases import services as cs
    from docket.core.errors import GateRefused

    with pytest.raises(GateRefused) as refused:
        cs.investigation_start(actor=team.head, case=case, on=on, now=NOW)
    assert str(refused.value) == start.reason


def test_a_step_runs_through_its_form(team):
    case = t.drive(team, to=State.FILED)
    step = STEPS["assign"]
    data = QueryDict(mutable=True)
    data.update({"on": case.filed_on.isoformat(), "version": str(case.version)})
    data.setlist("officers", [str(team.a.pk), str(team.b.pk)])
    form = step.make_form(obj=case, actor=team.head, on=case.filed_on, data=data)
    assert form.is_valid(), form.errors
    step.run(obj=case, actor=team.head, form=form, now=NOW)
    assert set(case.assignments.values_list("officer_id", flat=True)) == {team.a.pk, team.b.pk}
    # Only officers of the case's office are offered.
    outsider = t.officer(team.office.parent, Role.CASE_OFFICER)
    data.setlist("officers", [str(outsider.pk)])
    assert not step.make_form(obj=case, actor=team.head, on=case.filed_on, data=data).is_valid()


def test_a_stale_form_is_a_conflict_not_an_overwrite(team):
    case = t.drive(team, to=State.FILED)
    step = STEPS["assign"]
    data = QueryDict(mutable=True)
    data.update({"on": case.filed_on.isoformat(), "version": str(case.version)})
    data.setlist("officers", [str(team.a.pk)])
    form = step.make_form(obj=case, actor=team.head, on=case.filed_on, data=data)
    assert form.is_valid()
    step.run(obj=case, actor=team.head, form=form, now=NOW)  # the case moves on meanwhile
    with pytest.raises(Conflict):
        step.run(obj=case, actor=team.head, form=form, now=NOW)


def _draft_data(case, party, rows, outcome="penalty"):
    data = QueryDict(mutable=True)
    data.update(
        {
            "outcome": outcome,
            "facts": "查明",
            "legal_basis": "《网络安全法》第六十八条",
            "discretion": "一般",
            "penalties-TOTAL_FORMS": str(len(rows)),
            "penalties-INITIAL_FORMS": "0",
            "version": str(case.version),
        }
    )
    for i, row in enumerate(rows):
        for key, value in {"subject": party.pk, **row}.items():
            data[f"penalties-{i}-{key}"] = str(value)
    return data


def test_the_draft_form_takes_measures_by_type_with_their_own_fields(team):
    from docket.cases.tests.test_gates import _ready_to_draft

    case = _ready_to_draft(team)
    party = case.parties.first()
    step = STEPS["draft_propose"]
    on = case.filed_on + dt.timedelta(days=5)

    def form(rows):
        return step.make_form(obj=case, actor=team.a, on=on, data=_draft_data(case, party, rows))

    missing_amount = form([{"measure": "fine"}])
    assert not missing_amount.is_valid()
    assert "amount" in missing_amount.penalties.forms[0].errors
    above = form([{"measure": "fine", "amount": "600000.00"}])
    assert not above.is_valid() and "above the statutory maximum" in str(above.penalties.forms[0].errors)
    twice = form([{"measure": "fine", "amount": "60000"}, {"measure": "fine", "amount": "70000"}])
    assert not twice.is_valid() and "twice" in str(twice.penalties.non_form_errors())
    good = form([{"measure": "fine", "amount": "60000"}, {"measure": "warning"}])
    assert good.is_valid(), (good.errors, good.penalties.errors)
    step.run(obj=case, actor=team.a, form=good, now=NOW)
    assert case.state == State.PROPOSED
    assert [p["measure"] for p in case.proposed_penalties] == ["fine", "warning"]
    assert case.proposed_penalties[0]["amount"] == "60000.00"


def test_refusals_answer_with_the_forms_labels_not_internal_names(team):
    case = t.drive(team, to=State.FILED)
    form = STEPS["assign"].make_form(obj=case, actor=team.head, on=case.filed_on)
    answer = answer_for(InvalidInput([]), labels=form.labels())
    assert answer.status == 422
    from docket.core.errors import FieldError

    answer = answer_for(InvalidInput(FieldError("officers", "choose one")), labels=form.labels())
    assert answer.messages() == ["Investigators: choose one"]
