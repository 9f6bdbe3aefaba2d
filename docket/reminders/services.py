"""Telling officers of their deadlines: ``docket remind`` runs ``reminders_send`` once a day.

Who is told of what:

* a case's stored next due date (``Case.due_on``, the clock ``due_clock`` that binds the authority): its active
  investigators, or the heads of its office while it has none;
* an open clue's checking period (``Clue.due_on``): the officer who registered it, if still in the clue's office,
  else the heads of its office;
* a measure's due date (``Measure.due_on``) while it is not yet settled (a rectification not verified, a removal
  or closure not confirmed, a fine or confiscation not paid in full): the case's investigators for a measure of a
  case, else the officer who recorded it, else the heads of the measure's office.

Only an active officer holding a role that reads case records, in the object's office or above it, is told.
A deadline within ``SOON_WORKING_DAYS`` working days is *due soon*, a passed one *overdue*; each officer is told
of each (object, due date, kind) once, whatever the number of runs: the reminders are written with
``INSERT … ON CONFLICT DO NOTHING`` against their unique constraints, and only the rows a run wrote are its
own to e-mail. The e-mails go after the commit, never inside the transaction (which holds the audit chain's head).
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext as _

from docket.audit.services import audit_record, service
from docket.cases.due import PAYMENT, RECTIFICATION
from docket.cases.models import Assignment, Case
from docket.clues.models import Clue, ClueStatus
from docket.core.dates import local_date
from docket.core.errors import CalendarMissing, NotFound
from docket.measures.models import Measure
from docket.measures.queries import with_paid
from docket.officers.actors import SYSTEM, Actor
from docket.officers.models import Officer, OfficerRole, Role
from docket.offices.models import Office
from docket.offices.scoping import CASE_READER_ROLES
from docket.reminders.models import Kind, Reminder
from docket.workdays.calendar import add_working_days

# The case clocks of a measure's execution: each measure is told of on its own.
EXECUTION_CLOCKS = (PAYMENT, RECTIFICATION)

logger = logging.getLogger(__name__)

SOON_WORKING_DAYS = 3
# An object overdue for longer than this when reminders start (an old record never closed) is not announced:
# the first run would otherwise flood the offices with the past.
OVERDUE_DAYS = 90
# An e-mail the mail server refused is tried again by the runs of this many days.
RETRY_DAYS = 7
BATCH = 500


@dataclass(frozen=True)
class Due:
    """One reminder to make: officer, object (field name and id), due date and kind."""

    officer_id: int
    field: str
    object_id: int
    due_on: dt.date | None
    kind: str


@dataclass
class Sent:
    on: dt.date
    # The last due date announced as due soon (None when next year's calendar is missing: overdue only).
    soon_until: dt.date | None
    created: int = 0
    officers: int = 0
    calendar_missing: str = ""
    # Filled once the transaction committed and the e-mails went out.
    mailed: int = 0
    mail_failed: list[str] = field(default_factory=list)


# --- who is told of what ----------------------------------------------------------------------------------------


class _Recipients:
    """The officers who may be told of an office's deadlines, read once per run."""

    def __init__(self) -> None:
        self.paths: dict[int, str] = dict(Office.objects.values_list("id", "path"))
        readers = OfficerRole.objects.filter(role__in=sorted(CASE_READER_ROLES)).values("officer_id")
        self.offices: dict[int, int] = dict(
            Officer.objects.filter(is_active=True, office__isnull=False, pk__in=readers).values_list("id", "office_id")
        )
        heads: dict[int, list[int]] = defaultdict(list)
        for officer_id in (
            OfficerRole.objects.filter(role=Role.OFFICE_HEAD, officer__is_active=True)
            .order_by("officer_id")
            .values_list("officer_id", flat=True)
        ):
            if officer_id in self.offices:
                heads[self.offices[officer_id]].append(officer_id)
        self.heads = heads

    def may_know(self, officer_id: int | None, office_id: int) -> bool:
        """An active case reader of the object's office or of an office above it."""
        own = self.offices.get(officer_id) if officer_id is not None else None
        return own is not None and self.paths.get(office_id, "").startswith(self.paths.get(own, "\0"))

    def pick(self, office_id: int, *candidates: Iterable[int | None]) -> list[int]:
        """The first group of candidates with someone who may know; else the heads of the office."""
        for group in candidates:
            chosen = sorted({o for o in group if o is not None and self.may_know(o, office_id)})
            if chosen:
                return chosen
        return self.heads.get(office_id, [])


def _investigators(case_ids: Iterable[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = defaultdict(list)
    ids = sorted(set(case_ids))
    for i in range(0, len(ids), BATCH):
        for case_id, officer_id in Assignment.objects.filter(case_id__in=ids[i : i + BATCH], active=True).values_list(
            "case_id", "officer_id"
        ):
            found[case_id].append(officer_id)
    return found


def _kind(due_on: dt.date | None, on: dt.date) -> str:
    assert due_on is not None  # selected by a due date
    return Kind.OVERDUE if due_on < on else Kind.DUE_SOON


def deadlines(*, on: dt.date, until: dt.date, since: dt.date) -> Iterator[Due]:
    """Every reminder due on ``on``: deadlines from ``since`` up to ``until``, for the officers told of them."""
    who = _Recipients()
    window = Q(due_on__isnull=False, due_on__gte=since, due_on__lte=until)

    # A case due on a measure's execution deadline is told of through that measure (below), not twice.
    cases = list(
        Case.objects.filter(window).exclude(due_clock__in=EXECUTION_CLOCKS).values_list("id", "office_id", "due_on")
    )
    investigators = _investigators(c[0] for c in cases)
    for case_id, office_id, due_on in cases:
        for officer_id in who.pick(office_id, investigators.get(case_id, [])):
            yield Due(officer_id, "case", case_id, due_on, _kind(due_on, on))

    clues = Clue.objects.filter(window, status=ClueStatus.OPEN).values_list(
        "id", "office_id", "due_on", "registered_by_id"
    )
    for clue_id, office_id, due_on, registered_by in clues:
        for officer_id in who.pick(office_id, [registered_by]):
            yield Due(officer_id, "clue", clue_id, due_on, _kind(due_on, on))

    measures = list(
        with_paid(Measure.objects.filter(window, verified_on__isnull=True, confirmed_on__isnull=True))
        .filter(Q(amount__isnull=True) | Q(paid__lt=F("amount")))
        .values_list("id", "office_id", "due_on", "case_id", "created_by_id")
    )
    investigators = _investigators(m[3] for m in measures if m[3] is not None)
    for measure_id, office_id, due_on, case_id, created_by in measures:
        for officer_id in who.pick(office_id, investigators.get(case_id, []) if case_id else [], [created_by]):
            yield Due(officer_id, "measure", measure_id, due_on, _kind(due_on, on))


# --- writing them once ------------------------------------------------------------------------------------------


def _insert(rows: list[Due], *, on: dt.date, now: dt.datetime) -> list[tuple[int, int]]:
    """Write the reminders not written yet; (id, officer) of those this call wrote (a conflict is someone
    else's)."""
    table = connection.ops.quote_name(Reminder._meta.db_table)
    at = Reminder._meta.get_field("created_at").get_db_prep_value(now, connection)
    created: list[tuple[int, int]] = []
    with connection.cursor() as cursor:
        for i in range(0, len(rows), BATCH):
            batch = rows[i : i + BATCH]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(batch))
            params: list[Any] = []
            for r in batch:
                ids = {f: (r.object_id if r.field == f else None) for f in ("case", "clue", "measure")}
                params += [r.officer_id, ids["case"], ids["clue"], ids["measure"], r.due_on, r.kind, on, at]
            cursor.execute(
                f"INSERT INTO {table} (officer_id, case_id, clue_id, measure_id, due_on, kind, sent_on, created_at) "  # noqa: S608 - fixed names
                f"VALUES {values} ON CONFLICT DO NOTHING RETURNING id, officer_id",
                params,
            )
            created += [(row[0], row[1]) for row in cursor.fetchall()]
    return created


@service
def reminders_send(
    *,
    on: dt.date,
    now: dt.datetime,
    actor: Actor = SYSTEM,
    overdue_days: int = OVERDUE_DAYS,
    progress: Any = None,
) -> Sent:
    """Tell each officer of their deadlines due within three working days of ``on`` and of those overdue
    (since ``overdue_days`` at most), in the in-app list and by e-mail; nothing anyone was told already."""
    result = Sent(on=on, soon_until=None)
    try:
        result.soon_until = add_working_days(on, SOON_WORKING_DAYS)
    except CalendarMissing as exc:
        # Working days past the calendar's end are never guessed: what is overdue is still told.
        result.calendar_missing = str(exc)
    until = result.soon_until or on
    since = on - dt.timedelta(days=overdue_days)
    # One order for every run, so two runs at once wait for each other's rows instead of deadlocking.
    rows = sorted(
        set(deadlines(on=on, until=until, since=since)),
        key=lambda r: (r.officer_id, r.field, r.object_id, r.due_on, r.kind),
    )
    if progress is not None:
        progress.reset(total=len(rows))
    created: list[tuple[int, int]] = []
    for i in range(0, len(rows), BATCH):
        created += _insert(rows[i : i + BATCH], on=on, now=now)
        if progress is not None:
            progress.update(len(rows[i : i + BATCH]))
    result.created = len(created)
    result.officers = len({officer for _id, officer in created})
    audit_record(
        actor=actor,
        action="reminders.send",
        now=now,
        detail={
            "on": on.isoformat(),
            "candidates": len(rows),
            "created": len(created),
            "soon_until": result.soon_until.isoformat() if result.soon_until else "",
        },
    )

    def mail() -> None:
        result.mailed, result.mail_failed = reminders_mail(on=on, now=now)

    transaction.on_commit(mail)
    return result


# --- e-mail -----------------------------------------------------------------------------------------------------


def _claim(*, on: dt.date, now: dt.datetime) -> list[int]:
    """Take the reminders waiting for their e-mail (this run's and those refused lately), each by one run."""
    reminders = connection.ops.quote_name(Reminder._meta.db_table)
    officers = connection.ops.quote_name(Officer._meta.db_table)
    at = Reminder._meta.get_field("mailed_at").get_db_prep_value(now, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {reminders} SET mailed_at = %s WHERE mailed_at IS NULL AND read_at IS NULL "  # noqa: S608
            f"AND sent_on >= %s AND officer_id IN (SELECT id FROM {officers} WHERE is_active = %s AND email <> '') "
            "RETURNING id",
            [at, on - dt.timedelta(days=RETRY_DAYS), True],
        )
        return [row[0] for row in cursor.fetchall()]


def _line(reminder: Reminder) -> str:
    if reminder.case is not None:
        what = _("case %(ref)s %(title)s") % {"ref": reminder.case.ref, "title": reminder.case.title}
    elif reminder.clue is not None:
        what = _("clue %(ref)s %(summary)s") % {"ref": reminder.clue.ref, "summary": reminder.clue.summary[:80]}
    else:
        assert reminder.measure is not None
        what = _("measure no. %(id)s (%(type)s)") % {
            "id": reminder.measure.pk,
            "type": reminder.measure.get_type_display(),
        }
    if reminder.kind == Kind.OVERDUE:
        return _("Overdue since %(date)s: %(what)s") % {"date": reminder.due_on.isoformat(), "what": what}
    return _("Due on %(date)s: %(what)s") % {"date": reminder.due_on.isoformat(), "what": what}


def _message(officer: Officer, reminders: list[Reminder], mail: Any) -> EmailMessage:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Docket: %(n)s deadlines need your attention") % {"n": len(reminders)}
        body = "\n".join(
            [
                _("Dear %(name)s,") % {"name": officer},
                "",
                _("These deadlines are due within three working days or have passed:"),
                "",
                *(f"- {_line(r)}" for r in reminders),
                "",
                _("They are also listed under Reminders in Docket (/reminders/)."),
            ]
        )
    return EmailMessage(subject, body, to=[officer.email], connection=mail)


def reminders_mail(*, on: dt.date, now: dt.datetime) -> tuple[int, list[str]]:
    """Send one e-mail per officer with reminders waiting for it; (e-mails sent, officers whose e-mail failed).

    A refused e-mail leaves its reminders waiting, to be tried again by the next runs (``RETRY_DAYS``)."""
    ids = _claim(on=on, now=now)
    by_officer: dict[int, list[Reminder]] = defaultdict(list)
    for i in range(0, len(ids), BATCH):
        for reminder in (
            Reminder.objects.filter(pk__in=ids[i : i + BATCH])
            .select_related("officer", "case", "clue", "measure")
            .order_by("officer_id", "due_on", "id")
        ):
            by_officer[reminder.officer_id].append(reminder)
    sent, failed = 0, []
    mail = get_connection()
    for reminders in by_officer.values():
        officer = reminders[0].officer
        try:
            sent += _message(officer, reminders, mail).send()
        except (smtplib.SMTPException, OSError):
            logger.warning("reminder e-mail to %s failed", officer.get_username(), exc_info=True)
            failed.append(officer.get_username())
            Reminder.objects.filter(pk__in=[r.pk for r in reminders]).update(mailed_at=None)
    return sent, failed


# --- reading ----------------------------------------------------------------------------------------------------


def reminder_read_gate(*, actor: Actor, reminder: Reminder, on: dt.date) -> None:
    # Another officer's reminder is absent, as an object outside the jurisdiction is.
    if not Reminder.objects.visible_to(actor).filter(pk=reminder.pk).exists():
        raise NotFound(_("reminder not found"))


@service
def reminder_read(*, actor: Actor, reminder: Reminder, now: dt.datetime) -> bool:
    """Mark one of the actor's reminders read; False when it was read already (nothing changes)."""
    reminder_read_gate(actor=actor, reminder=reminder, on=local_date(now))
    n = Reminder.objects.filter(pk=reminder.pk, read_at__isnull=True).update(read_at=now)
    if n:
        reminder.read_at = now
        audit_record(actor=actor, action="reminder.read", obj=reminder, now=now)
    return bool(n)
