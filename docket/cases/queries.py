"""Reads shared by the admin, the commands, the web and the API: all through the one scoping path.

Besides fetching cases, this is where a case's statutory clocks are read as a person sees them (``clocks_of``:
each clock's dates, working days left, and how it ended), where its timeline gathers the audit entries of the
case and of its evidence, measures and documents (``case_timeline``), and where the dashboards' queues are named
(``head_queues`` and friends: filters of the lists, built from the steps registry, never a second list of states).
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from typing import Any

from django.db.models import Q, prefetch_related_objects
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from docket.audit.models import AuditEntry
from docket.cases.due import DECISION_RUNS, decision_deadline
from docket.cases.models import Case, ClockSuspension, Document, ProcedureRecord, State, Step
from docket.core.errors import CalendarMissing, GateRefused
from docket.officers.actors import Actor
from docket.officers.models import Role
from docket.offices.models import Office
from docket.offices.scoping import ScopedQuerySet, get_visible
from docket.workdays.calendar import Calendar
from docket.workdays.clocks import deadline


def cases_visible(actor: Actor) -> ScopedQuerySet[Case]:
    return Case.objects.visible_to(actor)


def case_get(actor: Actor, pk: int) -> Case:
    return get_visible(Case.objects.select_related("office", "profile"), actor, pk=pk)


def case_get_by_ref(actor: Actor, ref: str) -> Case:
    return get_visible(Case.objects.select_related("office", "profile"), actor, ref=ref)


def document_get(actor: Actor, pk: int) -> Document:
    return get_visible(Document.objects.select_related("case"), actor, pk=pk)


# --- clocks -----------------------------------------------------------------------------------------------------

# The clocks by the machine names the case stores (``Case.due_clock``) and the profiles' keys.
CLOCK_LABELS: dict[str, Promise] = {
    "decision": _("Decision period"),
    "suspended": _("Decision period (suspended)"),
    "statement": _("Statement and defence"),
    "hearing_request": _("Hearing request"),
    "hearing_notice": _("Hearing notice"),
    "service": _("Service of the decision"),
    "fine_payment": _("Payment"),
    "rectification": _("Rectification"),
    "clue_check": _("Clue check"),
    "publication": _("Publication of the decision"),
}


def clock_label(key: str) -> str:
    """A clock's name for a reader; an unknown key (a profile's own clock) is shown as it is stored."""
    label = CLOCK_LABELS.get(key)
    return str(label) if label is not None else key


RUNNING, OVERDUE, SUSPENDED, MET, MISSED = "running", "overdue", "suspended", "met", "missed"
UNUSED, WAIVED = "unused", "waived"

STATUS_LABELS: dict[str, Promise] = {
    RUNNING: _("running"),
    OVERDUE: _("overdue"),
    SUSPENDED: _("suspended"),
    MET: _("met"),
    MISSED: _("missed"),
    # A window of the party's own that ran out (or was closed by the decision) without the party using it.
    UNUSED: _("ended unused"),
    # A window of the party's own that the party gave up, on the day it did so.
    WAIVED: _("waived"),
}


@dataclass
class Clock:
    """One statutory clock of a case as it stands on a day."""

    key: str
    start: dt.date | None
    due: dt.date | None
    status: str
    ended_on: dt.date | None = None
    # Working days from the day asked about to the due date (negative once it has passed); None when the clock
    # has ended, has no due date, or the working-day calendar lacks a year it needs.
    days_left: int | None = None
    citation: str = ""
    extended: bool = False
    paused_days: int = 0
    suspensions: list[ClockSuspension] = field(default_factory=list)
    # What the clock is about when a case has several of its kind (a measure's type).
    about: str = ""
    warning: str = ""

    @property
    def label(self) -> str:
        return clock_label(self.key)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def days_overdue(self) -> int:
        """Working days since the due date passed (0 while it has not): shown in words, not as days "left"."""
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0

    @property
    def running(self) -> bool:
        return self.status in (RUNNING, OVERDUE, SUSPENDED) and self.ended_on is None

    @property
    def urgency(self) -> str:
        """overdue (red), soon (amber: within ``SOON_WORKING_DAYS``), or nothing."""
        if not self.running or self.days_left is None or self.status == SUSPENDED:
            return ""
        if self.days_left < 0 or self.status == OVERDUE:
            return "overdue"
        return "soon" if self.days_left <= SOON_WORKING_DAYS else ""


SOON_WORKING_DAYS = 3


def _ended(end: dt.date, due: dt.date | None) -> str:
    return MET if due is None or end <= due else MISSED


def _running(on: dt.date, due: dt.date | None) -> str:
    return OVERDUE if due is not None and on > due else RUNNING


def _decision_clock(case: Case, on: dt.date) -> Clock | None:
    if case.filed_on is None:
        return None
    ended = case.decided_on or (case.ended_on if case.state not in DECISION_RUNS else None)
    as_of = ended or on
    suspensions = sorted(case.suspensions.all(), key=lambda s: (s.starts_on, s.pk))
    open_suspension = any(s.ends_on is None for s in suspensions)
    paused = sum(max(0, (min(s.ends_on or as_of, as_of) - s.starts_on).days) for s in suspensions)
    clock = Clock("decision", case.filed_on, None, RUNNING, ended, extended=case.decision_extended, paused_days=paused)
    clock.suspensions = suspensions
    try:
        limit = decision_deadline(case, as_of)
    except (CalendarMissing, GateRefused) as exc:
        clock.warning = str(exc)
    else:
        clock.due, clock.citation, clock.warning = limit.due, limit.citation, limit.warning
    if ended is not None:
        # A case dismissed or transferred while its clock stood still ended with the clock suspended (ending the
        # case closes the suspension on that day).
        still = any(s.ends_on is None or s.ends_on == ended for s in suspensions)
        clock.status = SUSPENDED if still and case.decided_on is None else _ended(ended, clock.due)
    else:
        clock.status = SUSPENDED if open_suspension else _running(on, clock.due)
    return clock


def _notice_clocks(case: Case, records: list[ProcedureRecord], on: dt.date) -> list[Clock]:
    notices = [r for r in records if r.step == Step.PRIOR_NOTICE]
    if not notices:
        return []
    notice = max(notices, key=lambda r: (r.on, r.pk))
    served = dt.date.fromisoformat(notice.content["served_on"])
    # What answers this notice was recorded after it (an earlier round's statement answered an earlier draft).
    after = [r for r in records if r.pk > notice.pk]
    statements = sorted((r for r in after if r.step == Step.STATEMENT), key=lambda r: (r.on, r.pk))
    # The window closes with the decision (or the case ending) as much as with the date.
    closed = case.decided_on or case.ended_on
    out = []
    due = dt.date.fromisoformat(notice.content["statement_due"])
    clock = Clock("statement", served, due, RUNNING)
    if statements:
        first = statements[0]
        clock.ended_on = first.on
        # A statement that says nothing and gives up the hearing is the party waiving both its rights.
        silent = not (first.content.get("text") or "").strip() and first.content.get("waives_hearing")
        clock.status = WAIVED if silent and first.on <= due else _ended(first.on, due)
    elif closed is not None or on > due:
        clock.ended_on, clock.status = min(closed or due, due), UNUSED
    out.append(clock)
    if notice.content.get("hearing_offered") and notice.content.get("hearing_request_due"):
        due = dt.date.fromisoformat(notice.content["hearing_request_due"])
        clock = Clock("hearing_request", served, due, RUNNING)
        requests = sorted((r for r in after if r.step == Step.HEARING_REQUEST), key=lambda r: (r.on, r.pk))
        # A waiver ends the window on its day; one given after the window ran out waived nothing.
        waived = [r for r in statements if r.content.get("waives_hearing") and r.on <= due]
        if requests:
            clock.ended_on, clock.status = requests[0].on, _ended(requests[0].on, due)
        elif waived:
            clock.ended_on, clock.status = waived[0].on, WAIVED
        elif closed is not None or on > due:
            clock.ended_on, clock.status = min(closed or due, due), UNUSED
        out.append(clock)
    return out


def _service_clock(case: Case, on: dt.date) -> Clock | None:
    if case.decided_on is None:
        return None
    clock = Clock("service", case.decided_on, None, RUNNING, case.served_on)
    if case.served_on is not None and case.party_present:
        # Served on the spot: the clock is the day of the decision itself.
        clock.due = case.decided_on
    else:
        try:
            limit = deadline(case.profile, "service", case.decided_on)
        except (CalendarMissing, GateRefused) as exc:
            clock.warning = str(exc)
        else:
            clock.due, clock.citation, clock.warning = limit.due, limit.citation, limit.warning
    clock.status = _ended(case.served_on, clock.due) if case.served_on else _running(on, clock.due)
    return clock


def _measure_clocks(case: Case, on: dt.date) -> list[Clock]:
    from docket.measures.models import Verification
    from docket.measures.types import SPECS

    out = []
    for m in case.measures.all():
        spec = SPECS[m.type]
        if m.due_on is None:
            continue
        if spec.amount:
            clock = Clock("fine_payment", case.served_on or m.taken_on, m.due_on, RUNNING, about=m.get_type_display())
            # Paid when the payments reach the principal; the late surcharge is the measure's own account.
            total, principal = Decimal(0), m.amount or Decimal(0)
            for p in sorted(m.payments.all(), key=lambda p: (p.paid_on, p.pk)):
                total += p.amount
                if total >= principal:
                    clock.ended_on = p.paid_on
                    break
            clock.status = _ended(clock.ended_on, m.due_on) if clock.ended_on else _running(on, m.due_on)
        elif spec.due_date:
            clock = Clock("rectification", m.taken_on, m.due_on, RUNNING, about=m.get_type_display())
            if m.verification:
                clock.ended_on = m.verified_on or m.due_on
                clock.status = MET if m.verification == Verification.COMPLIED else MISSED
            else:
                clock.status = _running(on, m.due_on)
        else:
            continue
        out.append(clock)
    return out


def _working_days_left(cal: Calendar, on: dt.date, due: dt.date) -> int:
    if due >= on:
        return sum(1 for i in range(1, (due - on).days + 1) if cal.is_working(on + dt.timedelta(days=i)))
    return -sum(1 for i in range(1, (on - due).days + 1) if cal.is_working(due + dt.timedelta(days=i)))


# States in which no prior notice of the current draft exists (one of an earlier draft, before the investigation
# was reopened, no longer runs any window).
NO_NOTICE_YET = frozenset({State.FILED, State.INVESTIGATING, State.PROPOSED})


def clocks_of(case: Case, *, on: dt.date) -> list[Clock]:
    """Every statutory clock of ``case`` as it stands on ``on``: the decision period (with its suspensions and
    extension), the party's statement and hearing-request windows, service of the decision, payment of fines
    and rectification orders; for each its dates, the working days left while it runs, and once it has ended
    how (met, missed, ended while suspended, a party's window waived or run out unused).

    The caller fetched ``case`` through the jurisdiction. The number of queries does not grow with the case's
    records: its records, suspensions, measures and payments are read once each.
    """
    # Measures come with the decision, the party's windows with the prior notice: before them nothing is read.
    prefetch_related_objects([case], "suspensions", *(["measures__payments"] if case.decided_on else []))
    records: list[ProcedureRecord] = []
    if case.state not in NO_NOTICE_YET:
        windows = [Step.PRIOR_NOTICE, Step.STATEMENT, Step.HEARING_REQUEST]
        records = list(ProcedureRecord.objects.filter(case=case, step__in=windows))
    clocks: list[Clock] = []
    decision = _decision_clock(case, on)
    if decision is not None:
        clocks.append(decision)
    clocks += _notice_clocks(case, records, on)
    service = _service_clock(case, on)
    if service is not None:
        clocks.append(service)
    if case.decided_on:
        clocks += _measure_clocks(case, on)
    counted = [c for c in clocks if c.running and c.due is not None]
    if counted:
        days = [on, *(c.due for c in counted if c.due is not None)]
        cal = Calendar(min(days), max(days))
        for c in counted:
            assert c.due is not None
            try:
                c.days_left = _working_days_left(cal, on, c.due)
            except CalendarMissing as exc:
                c.warning = c.warning or str(exc)
    return clocks


# --- the timeline -----------------------------------------------------------------------------------------------

# Entries a timeline shows at most (the newest).
TIMELINE_ROWS = 200
# What the audit trail calls the records a case's timeline gathers besides the case itself.
EVIDENCE_TYPE, MEASURE_TYPE, RENDERING_TYPE = "evidence.evidenceitem", "measures.measure", "documents.rendereddocument"


def _about(object_type: str, obj: Any) -> str:
    """A few words naming the record an entry is about, beside the entry's action."""
    if object_type == MEASURE_TYPE:
        return str(obj.get_type_display())
    if object_type == EVIDENCE_TYPE:
        return str(obj.name)
    return " · ".join(str(part) for part in (obj.get_kind_display(), obj.number, obj.get_language_display()) if part)


# Reads of a case's files: audited on each file, not something that happened to the case.
READS = ("evidence.read", "document.read")


def case_timeline(
    case: Case,
    *,
    evidence: Iterable[Any],
    measures: Iterable[Any],
    renderings: Iterable[Any],
) -> list[AuditEntry]:
    """Everything that happened on ``case``, newest first (at most ``TIMELINE_ROWS``): the case's own audit entries
    and those of its evidence (uploads), its measures (imposed, paid, confirmed, verified) and its documents' PDFs
    (rendered).

    ``evidence``, ``measures`` and ``renderings`` are the case's records as the page read them through the
    jurisdiction: only the entries of records the reader may see are read. Opening a file is audited on the file but
    is not something that happened to the case: it is left out. One query whatever the number of records; each
    entry of a record carries ``about``, the record's name ("" on the case's own entries).
    """
    related: dict[str, dict[str, Any]] = {
        EVIDENCE_TYPE: {str(o.pk): o for o in evidence},
        MEASURE_TYPE: {str(o.pk): o for o in measures},
        RENDERING_TYPE: {str(o.pk): o for o in renderings},
    }
    wanted = [Q(object_type=kind, object_id__in=sorted(rows)) for kind, rows in related.items() if rows]
    wanted.append(Q(object_type=case._meta.label_lower, object_id=str(case.pk)))
    entries = list(
        AuditEntry.objects.filter(reduce(operator.or_, wanted))
        .exclude(action__in=READS)
        .only("seq", "at", "actor_name", "action", "outcome", "object_type", "object_id")
        .order_by("-seq")[:TIMELINE_ROWS]
    )
    for entry in entries:
        obj = related.get(entry.object_type, {}).get(entry.object_id)
        entry.about = _about(entry.object_type, obj) if obj is not None else ""  # type: ignore[attr-defined]
    return entries


# --- the dashboards' queues -------------------------------------------------------------------------------------

# Cases still being worked on: what a dashboard counts as open.
ENDED_STATES = frozenset({State.CLOSED, State.ARCHIVED, State.DISMISSED, State.TRANSFERRED})
OPEN_STATES: tuple[str, ...] = tuple(s for s in State.values if s not in ENDED_STATES)


@dataclass(frozen=True)
class Queue:
    """A named filter of a list: what a dashboard counts and links to. ``params`` are the list's FilterSet
    query parameters, so the number shown and the list behind it are one query."""

    key: str
    label: Any
    list_name: str  # "cases" or "clues"
    params: dict[str, str]


def _joined(states: Any) -> str:
    return ",".join(s for s in State.values if s in states) if states else ""


# The office head's approvals: the step (in the cases' or the clues' registry) and what narrows the states the
# registry gives it to the cases actually waiting for that step. The states come from the registry alone.
HEAD_APPROVALS: tuple[tuple[str, str, Any], ...] = (
    ("case_file", "clues", _("Clues awaiting a filing decision")),
    ("decide", "cases", _("Drafts awaiting the decision")),
    ("decision_extend", "cases", _("Decision periods ending soon (extension?)")),
    ("clock_resume", "cases", _("Suspended clocks")),
)


def head_queues(office: Office, *, today: dt.date, soon: dt.date | None) -> list[Queue]:
    """What awaits an office head's approval (filings, decisions, extensions, clock suspensions).

    Each queue is a step of the registry that office heads take, over the states the registry gives it; a
    step that needs a clock (an extension before the period runs out, a suspension to lift) narrows them
    to the cases whose stored next due date is that clock's. ``soon`` is the last day "at risk"; without it (the
    calendar lacks the year) the extension queue is left out rather than guessed. A period already over is no
    longer extended (the step's gate says so), so the extension queue starts ``today``.
    """
    from docket.cases.steps import STEPS as CASE_STEPS
    from docket.clues.steps import STEPS as CLUE_STEPS

    out = []
    for action, list_name, label in HEAD_APPROVALS:
        step = (CLUE_STEPS if list_name == "clues" else CASE_STEPS)[action]
        if Role.OFFICE_HEAD not in step.roles:
            continue
        states = step.states or frozenset()
        # The office's own: a step that belongs to a lower office's object is its own head's to take.
        params: dict[str, str] = {"office": office.code, "below": "false", "order": "due"}
        if list_name == "clues":
            params["status"] = ",".join(sorted(states))
        else:
            params["state"] = _joined(states)
        if action == "decision_extend":
            if soon is None:
                continue
            params.update(clock="decision", due_after=today.isoformat(), due_before=soon.isoformat())
        elif action == "clock_resume":
            params["clock"] = "suspended"
        out.append(Queue(action, label, list_name, params))
    return out


def at_risk_queue(office: Office, *, soon: dt.date) -> Queue:
    """The office's own open cases whose next statutory date is past or within the next few working days."""
    params = {
        "office": office.code,
        "below": "false",
        "state": _joined(OPEN_STATES),
        "due_before": soon.isoformat(),
        "order": "due",
    }
    return Queue("at_risk", _("Deadlines at risk in my office"), "cases", params)


def overdue_queue(*, today: dt.date) -> Queue:
    """Open cases of the reader's jurisdiction whose next statutory date has passed."""
    params = {"state": _joined(OPEN_STATES), "due_before": (today - dt.timedelta(days=1)).isoformat(), "order": "due"}
    return Queue("overdue", _("Overdue cases in my jurisdiction"), "cases", params)


def supervised_queue(office: Office) -> Queue:
    """The cases of ``office`` itself (not of the offices below it: theirs are their heads') that a higher office
    supervised or instructed on — the cases of the head's "received" oversight rows."""
    params = {"office": office.code, "below": "false", "supervised": "true", "order": "due"}
    return Queue("supervised", _("Cases of my office supervised or instructed by a higher office"), "cases", params)


def supervising_queue(office: Office) -> Queue:
    """The cases ``office`` supervised or instructed on — the cases of the inspector's "given" oversight rows."""
    params = {"supervised_by": office.code, "order": "due"}
    return Queue("supervising", _("Cases supervised or instructed by my office"), "cases", params)


def review_queue() -> Queue:
    """Drafts a legal reviewer may take up: the states of the registry's legal review step, nearest due first."""
    from docket.cases.steps import STEPS as CASE_STEPS

    return Queue(
        "review",
        _("Drafts awaiting legal review"),
        "cases",
        {"state": _joined(CASE_STEPS["legal_review_approve"].states), "order": "due"},
    )


OVERSIGHT = (Step.SUPERVISION, Step.INSTRUCTION)


def oversight_received(actor: Actor, office: Office) -> ScopedQuerySet[ProcedureRecord]:
    """Supervision and instructions a higher office gave on the cases of ``office`` (newest first)."""
    return (
        ProcedureRecord.objects.visible_to(actor)
        .filter(step__in=OVERSIGHT, case__office=office)
        .select_related("case", "by_office")
        .order_by("-on", "-id")
    )


def oversight_given(actor: Actor, office: Office) -> ScopedQuerySet[ProcedureRecord]:
    """Supervision and instructions ``office`` gave on cases of the offices below it (newest first)."""
    return (
        ProcedureRecord.objects.visible_to(actor)
        .filter(step__in=OVERSIGHT, by_office=office)
        .select_related("case", "case__office")
        .order_by("-on", "-id")
    )
