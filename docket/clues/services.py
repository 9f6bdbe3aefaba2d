"""Clues from intake to their outcome within the checking period.

Clues are written here only: ``clue_create`` makes every clue (registered, assigned, received by a transfer,
opened by an escalation) and ``clue_close`` records every outcome; both run inside the calling service's
transaction. Measures and cases sit above clues and call them; clues import neither (a clue's transfer,
which records a measure, is ``docket.measures.transfers.clue_transfer``).

Every outcome is decided on the clue's row locked for the transaction (``clue_lock``), so of simultaneous
outcomes exactly one lands and the others are refused by the gate they then see.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from docket.audit.services import audit_record, service
from docket.campaigns.models import Campaign
from docket.clues.models import Clue, ClueStatus, Source
from docket.core.dates import local_date
from docket.core.errors import CalendarMissing, Conflict, Denied, FieldError, GateRefused, InvalidInput
from docket.officers.actors import Actor
from docket.officers.models import Officer, Role
from docket.officers.permissions import require_role
from docket.offices.models import Office
from docket.offices.numbering import CLUE_SERIES, next_number
from docket.subjects.models import Subject
from docket.workdays.clocks import Deadline, deadline, default_profile

if TYPE_CHECKING:
    from docket.cases.models import Case


def clue_deadline(clue: Clue) -> Deadline:
    return deadline(clue.profile, "clue_check", clue.received_on, extended=clue.check_extended)


def _due_on(clue: Clue) -> dt.date | None:
    try:
        return clue_deadline(clue).due
    except CalendarMissing:
        # A year without holiday data has no computable due date yet; the clock itself refuses to guess.
        return None


def _validate(source: str, received_on: dt.date, summary: str, now: dt.datetime, office: Office) -> None:
    errors = []
    if source not in Source.values:
        errors.append(FieldError("source", _("one of %(v)s") % {"v": ", ".join(Source.values)}))
    if not summary.strip():
        errors.append(FieldError("summary", _("required")))
    if received_on > local_date(now, office.time_zone):
        errors.append(FieldError("received_on", _("%(d)s is in the future") % {"d": received_on}))
    if errors:
        raise InvalidInput(errors)


def clue_create(
    office: Office,
    *,
    source: str,
    received_on: dt.date,
    summary: str,
    subjects: list[Subject],
    now: dt.datetime,
    campaigns: list[Campaign] | None = None,
    registered_by: Actor | None = None,
    assigned_by: Office | None = None,
    origin_case: Case | None = None,
    origin_clue: Clue | None = None,
) -> Clue:
    """The one place a clue is made. Called inside a service's transaction; the caller audits.

    The reference is taken under the lock of the office's clue counter for the year, so simultaneous
    registrations of one office get consecutive references.
    """
    clue = Clue(
        office=office,
        ref=next_number(Clue, "ref", office=office, series=CLUE_SERIES, year=received_on.year),
        source=source,
        received_on=received_on,
        summary=summary.strip(),
        profile=default_profile(),
        registered_by=registered_by if isinstance(registered_by, Officer) else None,
        assigned_by=assigned_by,
        origin_case=origin_case,
        origin_clue=origin_clue,
        created_at=now,
    )
    clue.due_on = _due_on(clue)
    clue.save(force_insert=True)
    clue.subjects.set(subjects)
    clue.campaigns.set(campaigns or [])
    return clue


def clue_lock(clue: Clue) -> Clue:
    """The clue's row locked for the rest of the transaction; decide on this copy, not the caller's."""
    return Clue.objects.select_for_update().get(pk=clue.pk)


def clue_require_open(clue: Clue) -> None:
    if clue.status != ClueStatus.OPEN:
        raise GateRefused(_("Clue %(ref)s is already %(s)s.") % {"ref": clue.ref, "s": clue.get_status_display()})


def clue_close(clue: Clue, status: str, on: dt.date, reason: str, **fields: Any) -> None:
    """Record the clue's outcome, only if it is still open (so two outcomes never both land).

    The one writer of a clue's outcome: cases (filing) and measures (transfer) call it too.
    """
    if on < clue.received_on:
        raise InvalidInput(FieldError("on", _("an outcome cannot precede the clue")))
    n = Clue.objects.filter(pk=clue.pk, status=ClueStatus.OPEN).update(
        status=status, outcome_on=on, outcome_reason=reason, due_on=None, **fields
    )
    if n != 1:
        raise Conflict(_("The clue was dealt with meanwhile."))
    clue.refresh_from_db()


@service
def clue_register(
    *,
    actor: Actor,
    source: str,
    received_on: dt.date,
    summary: str,
    subjects: list[Subject],
    now: dt.datetime,
    campaigns: list[Campaign] | None = None,
) -> Clue:
    """A case officer registers a clue in their own office."""
    require_role(actor, Role.CASE_OFFICER, doing=_("Registering a clue"))
    assert actor.office is not None
    _validate(source, received_on, summary, now, actor.office)
    if source == Source.ASSIGNMENT:
        raise InvalidInput(FieldError("source", _("assigned clues come from the higher office's assignment")))
    clue = clue_create(
        actor.office,
        source=source,
        received_on=received_on,
        summary=summary,
        subjects=subjects,
        campaigns=campaigns,
        registered_by=actor,
        now=now,
    )
    audit_record(actor=actor, action="clue.register", obj=clue, now=now, detail={"source": source})
    return clue


@service
def clue_assign(
    *,
    actor: Actor,
    to_office: Office,
    received_on: dt.date,
    summary: str,
    subjects: list[Subject],
    now: dt.datetime,
    campaigns: list[Campaign] | None = None,
) -> Clue:
    """A higher office assigns (交办) a matter to an office below it."""
    # Offices are public (the tree is published): one outside the actor's subtree is refused, not hidden.
    require_role(actor, Role.OFFICE_HEAD, doing=_("Assigning a clue to a lower office"))
    assert actor.office is not None
    if not actor.office.is_above(to_office):
        raise Denied(_("A clue is assigned only to an office below your own."))
    _validate(Source.ASSIGNMENT, received_on, summary, now, to_office)
    clue = clue_create(
        to_office,
        source=Source.ASSIGNMENT,
        received_on=received_on,
        summary=summary,
        subjects=subjects,
        campaigns=campaigns,
        registered_by=actor,
        now=now,
        assigned_by=actor.office,
    )
    audit_record(actor=actor, action="clue.assign", obj=clue, now=now, detail={"to_office": to_office.code})
    return clue


def clue_check_extend_gate(*, actor: Actor, clue: Clue, on: dt.date) -> None:
    """The head of the clue's office extends an open clue's check period once, before it runs out."""
    require_role(actor, Role.OFFICE_HEAD, office=clue.office, obj=clue, doing=_("Extending the clue check period"))
    clue_require_open(clue)
    if clue.check_extended:
        raise GateRefused(_("The check period was extended already."))
    current = clue_deadline(clue)
    if on > current.due:
        raise GateRefused(_("The check period ended on %(d)s.") % {"d": current.due})


@service
def clue_check_extend(*, actor: Actor, clue: Clue, reason: str, on: dt.date, now: dt.datetime) -> Deadline:
    """The head extends the check period once, before it runs out."""
    clue_check_extend_gate(actor=actor, clue=clue, on=on)
    locked = clue_lock(clue)
    clue_check_extend_gate(actor=actor, clue=locked, on=on)
    if not reason.strip():
        raise InvalidInput(FieldError("reason", _("required")))
    current = clue_deadline(locked)
    locked.check_extended = True
    new = clue_deadline(locked)
    n = Clue.objects.filter(pk=clue.pk, status=ClueStatus.OPEN, check_extended=False).update(
        check_extended=True, due_on=new.due
    )
    if n != 1:
        raise Conflict(_("The clue was dealt with meanwhile."))
    clue.check_extended, clue.due_on = True, new.due
    audit_record(
        actor=actor,
        action="clue.check_extend",
        obj=clue,
        now=now,
        detail={"reason": reason, "before": current.due, "after": new.due},
    )
    return new


def clue_no_case_gate(*, actor: Actor, clue: Clue, on: dt.date) -> None:
    """The head of the clue's office decides not to file a case on an open clue."""
    require_role(actor, Role.OFFICE_HEAD, office=clue.office, obj=clue, doing=_("Deciding not to file a case"))
    clue_require_open(clue)


@service
def clue_no_case(*, actor: Actor, clue: Clue, reason: str, on: dt.date, now: dt.datetime) -> None:
    clue_no_case_gate(actor=actor, clue=clue, on=on)
    locked = clue_lock(clue)
    clue_no_case_gate(actor=actor, clue=locked, on=on)
    if not reason.strip():
        raise InvalidInput(FieldError("reason", _("a no-case decision states its reason")))
    clue_close(locked, ClueStatus.NO_CASE, on, reason)
    clue.refresh_from_db()
    audit_record(actor=actor, action="clue.no_case", obj=clue, now=now, detail={"reason": reason})


def clue_merge_gate(*, actor: Actor, clue: Clue, on: dt.date) -> None:
    """An officer or the head of the clue's office merges an open clue."""
    require_role(actor, Role.OFFICE_HEAD, Role.CASE_OFFICER, office=clue.office, obj=clue, doing=_("Merging a clue"))
    clue_require_open(clue)


@service
def clue_merge(
    *,
    actor: Actor,
    clue: Clue,
    on: dt.date,
    now: dt.datetime,
    into: Clue | None = None,
    into_case: Case | None = None,
) -> None:
    """Merge a clue into another clue or a case of the same office."""
    clue_merge_gate(actor=actor, clue=clue, on=on)
    if (into is None) == (into_case is None):
        raise InvalidInput(FieldError("into", _("merge into one clue or one case")))
    target = into if into is not None else into_case
    assert target is not None
    if target.office_id != clue.office_id:
        raise InvalidInput(FieldError("into", _("merge only within the same office")))
    if into is not None and into.pk == clue.pk:
        raise InvalidInput(FieldError("into", _("a clue cannot merge into itself")))
    # Both clues locked in id order, so two merges crossing each other (A into B, B into A) cannot deadlock:
    # the second sees the first's outcome and is refused.
    if into is not None:
        rows = {c.pk: c for c in Clue.objects.select_for_update().filter(pk__in=[clue.pk, into.pk]).order_by("pk")}
        locked, target_row = rows[clue.pk], rows[into.pk]
        clue_merge_gate(actor=actor, clue=locked, on=on)
        if target_row.status != ClueStatus.OPEN:
            raise GateRefused(_("Clue %(ref)s is no longer open.") % {"ref": target_row.ref})
    else:
        locked = clue_lock(clue)
        clue_merge_gate(actor=actor, clue=locked, on=on)
    clue_close(locked, ClueStatus.MERGED, on, "", merged_into=into, merged_into_case=into_case)
    if into is not None:
        into.subjects.add(*locked.subjects.all())
    else:
        assert into_case is not None
        into_case.parties.add(*locked.subjects.all())
    clue.refresh_from_db()
    audit_record(actor=actor, action="clue.merge", obj=clue, now=now, detail={"into": str(target)})
