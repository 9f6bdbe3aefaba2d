"""Clue and measure steps: the registry asks the services' own gates, and runs the services through its forms."""

import datetime as dt

from django.http import QueryDict

from docket import testing as t
from docket.cases.models import State
from docket.clues.models import Source
from docket.clues.services import clue_register
from docket.clues.steps import available_steps as clue_steps
from docket.measures.models import Measure
from docket.measures.steps import RECORD
from docket.measures.steps import available_steps as measure_steps

NOW = t.NOW


def _by_name(items):
    return {a.step.name: a for a in items}


def test_clue_steps_follow_the_clue_and_the_role(team):
    clue = clue_register(
        actor=team.a, source=Source.MEDIA, received_on=NOW.date(), summary="报道", subjects=[t.organisation()], now=NOW
    )
    head = _by_name(clue_steps(clue, team.head, on=NOW.date()))
    assert head["case_file"].allowed and head["clue_no_case"].allowed
    officer = _by_name(clue_steps(clue, team.a, on=NOW.date()))
    assert not officer["case_file"].allowed and "Office head" in officer["case_file"].reason
    assert officer["clue_material_add"].allowed
    step = head["clue_no_case"].step
    form = step.make_form(obj=clue, actor=team.head, on=NOW.date(), data=QueryDict(f"on={NOW.date()}&reason=不构成"))
    assert form.is_valid(), form.errors
    step.run(obj=clue, actor=team.head, form=form, now=NOW)
    clue.refresh_from_db()
    assert clue.status == "no_case"
    assert clue_steps(clue, team.head, on=NOW.date()) == []  # a clue with its outcome has no steps left


def test_measure_steps_say_why_a_step_does_not_fit(team):
    case = t.drive(team, to=State.SERVED)
    fine = Measure.objects.get(case=case, type="fine")
    steps = _by_name(measure_steps(fine, team.a, on=NOW.date()))
    assert steps["fine_payment_record"].allowed
    assert not steps["measure_confirm"].allowed and "third party" in steps["measure_confirm"].reason
    assert not steps["rectification_verify"].allowed


def test_a_measure_is_recorded_on_its_own_with_its_types_fields(team):
    org = t.organisation()
    data = QueryDict(mutable=True)
    data.update(
        {
            "type": "interview",
            "taken_on": "2024-05-06",
            "subjects": str(org.pk),
            "detail_reason": "未履行主体责任",
            "detail_time": "2024-05-06 10:00",
            "detail_place": "市网信办",
            "detail_attendees": "法定代表人",
            "detail_stores": "ignored for an interview",
        }
    )
    form = RECORD.make_form(obj=None, actor=team.a, on=dt.date(2024, 5, 6), data=data)
    assert form.is_valid(), form.errors
    measure = RECORD.run(obj=None, actor=team.a, form=form, now=NOW)
    assert measure.type == "interview" and list(measure.subjects.all()) == [org]
    assert set(measure.details) == {"reason", "time", "place", "attendees"}
