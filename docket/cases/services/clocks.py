"""The decision clock: suspension, resumption, extension."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from docket.audit.services import service
from docket.cases.models import (
    Case,
    ClockSuspension,
    Step,
    SuspensionReason,
)
from docket.cases.services._common import _audit, _lock, _not_before, _not_future, _record, decision_deadline
from docket.cases.transitions import advance, check_allowed
from docket.core.errors import FieldError, GateRefused, InvalidInput
from docket.officers.actors import Actor
from docket.officers.models import Role
from docket.officers.permissions import require_role
from docket.workdays.clocks import Deadline

# ----------------------------------------------------------------------------------------------------
# Clocks, extensions, supervision


def clock_suspend_gate(*, actor: Actor, case: Case, on: dt.date) -> None:
    require_role(actor, Role.OFFICE_HEAD, office=case.office, obj=case, doing=_("Suspending the clock"))
    check_allowed(case, "clock_suspend")
    if case.suspensions.filter(ends_on__isnull=True).exists():
        raise GateRefused(_("The clock is already suspended."))


@service
def clock_suspend(
    *, actor: Actor, case: Case, reason: str, note: str, starts_on: dt.date, now: dt.datetime
) -> ClockSuspension:
    """Stop the decision clock for a lawful reason (hearing, expert testing, public notice)."""
    _lock(case)
    clock_suspend_gate(actor=actor, case=case, on=starts_on)
    _not_future(starts_on, now, case.office)
    if reason not in SuspensionReason.values:
        raise InvalidInput(FieldError("reason", _("one of %(v)s") % {"v": ", ".join(SuspensionReason.values)}))
    if reason == SuspensionReason.OTHER and not note.strip():
        raise InvalidInput(FieldError("note", _("explain the lawful reason")))
    if case.suspensions.filter(ends_on__isnull=True).exists():
        raise GateRefused(_("The clock is already suspended."))
    _not_before(case, starts_on, _("A suspension"))
    suspension = ClockSuspension.objects.create(case=case, reason=reason, note=note, starts_on=starts_on)
    advance(case, "clock_suspend", updated_at=now)
    _audit(actor, "clock_suspend", case, now, reason=reason)
    return suspension


def clock_resume_gate(*, actor: Actor, case: Case, on: dt.date) -> ClockSuspension:
    require_role(actor, Role.OFFICE_HEAD, office=case.office, obj=case, doing=_("Resuming the clock"))
    check_allowed(case, "clock_resume")
    suspension = case.suspensions.filter(ends_on__isnull=True).first()
    if suspension is None:
        raise GateRefused(_("The clock is not suspended."))
    return suspension


@service
def clock_resume(*, actor: Actor, case: Case, ends_on: dt.date, now: dt.datetime) -> None:
    """Start the decision clock again; the days it stood still are added to the period."""
    _lock(case)
    suspension = clock_resume_gate(actor=actor, case=case, on=ends_on)
    _not_future(ends_on, now, case.office)
    if ends_on < suspension.starts_on:
        raise InvalidInput(FieldError("ends_on", _("the suspension cannot end before it began")))
    suspension.ends_on = ends_on
    suspension.save(update_fields=["ends_on"])
    advance(case, "clock_resume", updated_at=now)
    _audit(actor, "clock_resume", case, now, days=(ends_on - suspension.starts_on).days)


def decision_extend_gate(*, actor: Actor, case: Case, on: dt.date) -> Deadline:
    require_role(actor, Role.OFFICE_HEAD, office=case.office, obj=case, doing=_("Extending the decision period"))
    check_allowed(case, "decision_extend")
    if case.decision_extended:
        raise GateRefused(_("The period was extended already; a further extension is decided collectively."))
    current = decision_deadline(case, on)
    if on > current.due:
        raise GateRefused(_("The decision period ended on %(d)s; it can no longer be extended.") % {"d": current.due})
    return current


@service
def decision_extend(*, actor: Actor, case: Case, reason: str, on: dt.date, now: dt.datetime) -> Deadline:
    """Extend the decision period once, by the head, before it runs out."""
    _lock(case)
    current = decision_extend_gate(actor=actor, case=case, on=on)
    _not_future(on, now, case.office)
    if not reason.strip():
        raise InvalidInput(FieldError("reason", _("required")))
    _record(case, Step.EXTENSION, actor=actor, on=on, now=now, approved=True, reason=reason, before=current.due)
    advance(case, "decision_extend", updated_at=now, decision_extended=True)
    new = decision_deadline(case, on)
    _audit(actor, "decision_extend", case, now, before=current.due, after=new.due, **new.audit_detail())
    return new
