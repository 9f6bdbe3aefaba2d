"""The demo leaves the example users work to do on the day it runs, without moving the published figures."""

import datetime as dt
import io

from django.core.management import call_command

from docket.audit.queries import audit_chain_verify
from docket.cases import services as cs
from docket.cases.due import DECISION_RUNS
from docket.cases.models import Assignment, ClockSuspension, ProcedureRecord, State, Step
from docket.clues.services import clue_deadline
from docket.core.dates import local_date
from docket.core.vocabulary import MeasureType
from docket.demo.generate import demo_generate
from docket.demo.open_work import open_cases, open_clues
from docket.demo.people import EXAMPLE_USERS
from docket.measures.models import Measure
from docket.officers.models import Officer, Role

# A day whose clocks all end within the calendar's data (the demo itself copes with any day).
NOW = dt.datetime(2026, 6, 10, 2, 30, tzinfo=dt.UTC)
OPEN_STATES = [
    State.FILED,
    State.INVESTIGATING,
    State.PROPOSED,
    State.NOTIFIED,
    State.HEARING,
    State.HEARD,
    State.DECIDED,
    State.SERVED,
    State.EXECUTING,
]


def test_open_work_for_every_example_user(db):
    call_command("bootstrap", stdout=io.StringIO())
    result = demo_generate(seed=11, now=NOW, cases=4)
    today = local_date(NOW)

    # The published figures are those of the record of 2022 and 2023, whatever the open work adds today.
    for year in ("2022", "2023"):
        assert result[year], year
        for key, (got, published) in result[year].items():
            assert published is None or got == published, (year, key)
    assert not Measure.objects.filter(case__in=[c.pk for c in open_cases()], taken_on__year__lt=2024).exists()

    cases = open_cases()
    assert {c.state for c in cases} >= set(OPEN_STATES)
    assert len({c.office.code for c in cases}) >= 5
    for state in OPEN_STATES:  # every state in more than one office
        assert len({c.office.code for c in cases if c.state == state}) >= 2, state

    # Suspended clocks, and decision periods overdue and due within days, by the services' own clocks.
    suspended = {s.case_id for s in ClockSuspension.objects.filter(ends_on__isnull=True)}
    assert len(suspended & {c.pk for c in cases if c.state == State.INVESTIGATING}) >= 2
    running = [c for c in cases if c.state in DECISION_RUNS and c.pk not in suspended]
    left = [(cs.decision_deadline(c, today).due - today).days for c in running]
    assert any(d < 0 for d in left), left
    assert any(0 <= d <= 7 for d in left), left
    # Fines served and not yet paid: one overdue, one due in the coming days.
    fines = Measure.objects.filter(case__state=State.EXECUTING, type=MeasureType.FINE, due_on__isnull=False)
    assert any(f.due_on < today for f in fines) and any(f.due_on >= today for f in fines)
    # Open clues whose check period has run out, and some about to.
    clues = open_clues()
    clue_left = [(clue_deadline(c).due - today).days for c in clues]
    assert any(d < 0 for d in clue_left) and any(0 <= d <= 7 for d in clue_left), clue_left

    # Each example user with a part in cases has something waiting.
    open_ids = {c.pk for c in cases}
    for username, code, _name, roles in EXAMPLE_USERS:
        officer = Officer.objects.get(username=username)
        mine = [c for c in cases if c.office.code == code]
        if Role.CASE_OFFICER in roles:
            assigned = Assignment.objects.filter(officer=officer, active=True, case__in=open_ids)
            assert assigned.count() >= 2, username
            assert {a.case.state for a in assigned.select_related("case")} - {State.FILED}, username
        if Role.OFFICE_HEAD in roles:
            assert any(c.office.code == code for c in clues), username
            assert mine, username
        if Role.LEGAL_REVIEWER in roles:
            assert any(c.state == State.PROPOSED and not c.review_current for c in mine), username
        if Role.INSPECTOR in roles and code == "000000":
            supervised = ProcedureRecord.objects.filter(step=Step.SUPERVISION, case__in=open_ids, by=officer)
            if username == "cac-inspector":
                assert supervised.exists()
            # The national office reads every case: overdue ones are there for the inspector to see.
            assert any(d < 0 for d in left)

    assert audit_chain_verify()[1] is None
