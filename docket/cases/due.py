"""The statutory clocks of a case that bind the authority, and the stored next due date lists sort by.

The next due date is the nearest date of the clock that runs in the case's state:

- before the decision, the decision period: from filing until the decision, stopped while suspended, longer once
  extended (none is stored while it stands still: clock ``suspended``);
- once decided, service of the decision (from the decision, when the party was absent);
- once served and executing, the earliest open execution deadline of the case's measures: payment of a fine or a
  confiscation until the payments reach its principal (the late-payment surcharge is the measure's own account),
  and a rectification order until it is verified. These are the party's deadlines, but following them up —
  verifying, collecting, applying for enforcement — is the authority's work that keeps the case from closing, so
  the lists sort executing cases by them. A deadline that passed unmet stays the next due date (overdue) until it
  is met, rather than disappearing from the lists;
- otherwise (served with nothing to execute, closed, ended, archived) none.

The party's own windows (statement, hearing request) are shown on the case (``cases.queries.clocks_of``) but do
not sort lists: they do not make the authority late.

Every transition stores it (``transitions.advance``, in its conditional UPDATE). The events of a measure that end
an execution clock without moving the case (a payment, a verification) call ``case_due_refresh`` in their own
transaction.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q

from docket.cases.models import Case, State
from docket.core.errors import CalendarMissing
from docket.workdays.clocks import Deadline, deadline

DECISION_RUNS = frozenset(
    {State.FILED, State.INVESTIGATING, State.PROPOSED, State.NOTIFIED, State.HEARING, State.HEARD}
)
# The execution clocks of the measures, by the name the case stores (``Case.due_clock``).
PAYMENT, RECTIFICATION = "fine_payment", "rectification"


def paused_days(case: Case, as_of: dt.date) -> int:
    """Calendar days the decision clock stood still up to ``as_of``."""
    total = 0
    for s in case.suspensions.all():
        end = s.ends_on or as_of
        total += max(0, (min(end, as_of) - s.starts_on).days)
    return total


def decision_deadline(case: Case, as_of: dt.date) -> Deadline:
    return deadline(
        case.profile, "decision", case.filed_on, extended=case.decision_extended, paused_days=paused_days(case, as_of)
    )


def execution_due(case: Case) -> tuple[dt.date | None, str]:
    """The earliest execution deadline of ``case``'s measures still open, with its clock; (None, "") when none is.

    One query, whatever the number of measures and payments.
    """
    from docket.measures.models import Measure
    from docket.measures.queries import with_paid
    from docket.measures.types import SPECS

    paid_types = [t for t, spec in SPECS.items() if spec.amount]
    verified_types = [t for t, spec in SPECS.items() if spec.due_date and not spec.amount]
    row = (
        with_paid(Measure.objects.filter(case_id=case.pk, due_on__isnull=False))
        .filter(Q(type__in=paid_types, paid__lt=F("amount")) | Q(type__in=verified_types, verification=""))
        .order_by("due_on", "id")
        .values_list("due_on", "type")
        .first()
    )
    if row is None:
        return None, ""
    due_on, kind = row
    return due_on, PAYMENT if kind in paid_types else RECTIFICATION


def case_due(case: Case) -> tuple[dt.date | None, str]:
    """(next due date, clock) for the case as it now stands; (None, clock) when that clock stands still
    or its year has no working-day calendar yet, (None, "") when no clock runs."""
    try:
        if case.state in DECISION_RUNS:
            if case.suspensions.filter(ends_on__isnull=True).exists():
                return None, "suspended"
            # Every suspension has ended, so the day it is asked on does not matter.
            return decision_deadline(case, dt.date.max).due, "decision"
        if case.state == State.DECIDED and case.decided_on is not None and not case.party_present:
            return deadline(case.profile, "service", case.decided_on).due, "service"
    except CalendarMissing:
        return None, "decision" if case.state in DECISION_RUNS else "service"
    if case.state == State.EXECUTING:
        return execution_due(case)
    return None, ""


def case_due_refresh(case_id: int | None) -> None:
    """Store the next due date of an executing case again, after an event of one of its measures that may end an
    execution clock (a payment, a verification). Call it inside that event's transaction, after its write.

    The case's row is locked before the measures are read: of two payments of two fines of one case at once, the
    second to lock reads the first one's payment (committed by then) and stores what both leave open. The case's
    version is kept: the case itself did not change, and a form open on it stays valid.
    """
    if case_id is None:
        return
    case = Case.objects.select_for_update().filter(pk=case_id, state=State.EXECUTING).first()
    if case is None:
        return
    due_on, clock = execution_due(case)
    if (case.due_on, case.due_clock) != (due_on, clock):
        Case.objects.filter(pk=case_id).update(due_on=due_on, due_clock=clock)
