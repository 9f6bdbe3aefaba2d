"""Two simultaneous transitions of one case: exactly one succeeds, the other gets a clear conflict.

Run on PostgreSQL with real concurrent connections (CI sets DATABASE_URL); SQLite serialises writers at
BEGIN IMMEDIATE, where the same services answer the late one with a gate or conflict error as well.
"""

import threading

import pytest
from django.db import connection, connections

from docket import testing as t
from docket.cases import services as cs
from docket.cases.models import Case, State
from docket.clues.models import Clue, Source
from docket.clues.services import clue_register
from docket.core.errors import Conflict, GateRefused

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL connections")


def _race(calls):
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return results


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_simultaneous_dismissals_make_one_transition(tree):
    team = t.Team(tree.hz)
    case = t.drive(team, to=State.INVESTIGATING)
    copies = [Case.objects.get(pk=case.pk) for _ in range(2)]
    results = _race(
        [lambda c=c: cs.dismiss(actor=team.head, case=c, reason="r", on=case.filed_on, now=t.NOW) for c in copies]
    )
    assert sum(r is None for r in results) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 1
    case.refresh_from_db()
    assert case.state == State.DISMISSED


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_simultaneous_filings_of_one_clue_make_one_case(tree):
    team = t.Team(tree.hz)
    clue = clue_register(
        actor=team.a, source=Source.MEDIA, received_on=t.NOW.date(), summary="s", subjects=[t.organisation()], now=t.NOW
    )
    copies = [Clue.objects.get(pk=clue.pk) for _ in range(2)]
    results = _race(
        [lambda c=c: cs.case_file(actor=team.head, clue=c, title="x", on=t.NOW.date(), now=t.NOW) for c in copies]
    )
    assert sum(isinstance(r, Case) for r in results) == 1
    assert sum(isinstance(r, Conflict | GateRefused) for r in results) == 1
    assert Case.objects.filter(clue=clue).count() == 1
