"""The statutory clocks of a case that bind the authority, and the stored next due date lists sort by.

The decision period runs from filing until the decision (stopped while suspended, longer once extended);
service of the decision runs from the decision when the party was absent. The party's own windows
(statement, hearing request) and the execution clocks of the measures (payment, rectification) are shown on
the case and kept on the measures; they do not make the authority late.
"""

from __future__ import annotations

import datetime as dt

from docket.cases.models import Case, State
from docket.core.errors import CalendarMissing
from docket.workdays.clocks import Deadline, deadline

DECISION_RUNS = frozenset(
    {State.FILED, State.INVESTIGATING, State.PROPOSED, State.NOTIFIED, State.HEARING, State.HEARD}
)


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


def case_due(case: Case) -> tuple[dt.date | None, str]:
    """(next due date, clock) for the case as it now stands; (None, clock) when that clock stands still
    or its year has no working-day calendar yet, (None, "") when no clock binds the authority."""
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
    return None, ""
