"""Investigation: investigators, violations named, recusals."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from docket.audit.services import service
from docket.cases.models import (
    Assignment,
    Case,
    CaseViolation,
    Recusal,
    State,
)
from docket.cases.services._common import _audit, _ever_investigated, _investigators, _lock, _require_investigator
from docket.cases.transitions import advance, check_allowed
from docket.core.dates import local_date
from docket.core.errors import Denied, FieldError, GateRefused, InvalidInput
from docket.officers.actors import Actor, officer_of
from docket.officers.models import Officer, Role
from docket.officers.permissions import require_role
from docket.taxonomy.models import Provision, ViolationCategory

# ----------------------------------------------------------------------------------------------------
# Investigation


def case_assign_gate(*, actor: Actor, case: Case, on: dt.date) -> None:
    require_role(actor, Role.OFFICE_HEAD, office=case.office, obj=case, doing=_("Assigning investigators"))
    check_allowed(case, "assign")


@service
def case_assign(
    *, actor: Actor, case: Case, officers: list[Officer], on: dt.date, now: dt.datetime, replace: bool = False
) -> None:
    """The office head assigns investigators of the case's own office.

    With ``replace`` the officers become the case's investigators: those assigned now and not among them are
    taken off the case (a reassignment). Under way, an investigation keeps two certified investigators (APL
    art. 42), so a replacement that would leave fewer is refused. The audit entry names who was added and who
    was taken off; officers already assigned keep the day they were assigned.
    """
    _lock(case)
    case_assign_gate(actor=actor, case=case, on=on)
    if not officers:
        raise InvalidInput(FieldError("officers", _("choose at least one investigator")))
    officers = list({o.pk: o for o in officers}.values())
    errors = [
        FieldError("officers", _("%(o)s is not an officer of this office") % {"o": o})
        for o in officers
        if o.office_id != case.office_id or not o.has_role(Role.CASE_OFFICER)
    ]
    recused = set(case.recusals.filter(granted=True).values_list("officer_id", flat=True))
    errors += [
        FieldError("officers", _("%(o)s has been recused from this case") % {"o": o})
        for o in officers
        if o.pk in recused
    ]
    if replace and case.state == State.INVESTIGATING:
        certified = len({o.pk for o in officers if o.is_certified(on)})
        if certified < 2:
            errors.append(
                FieldError(
                    "officers",
                    _(
                        "An investigation under way keeps two officers holding valid enforcement certificates; "
                        "%(n)d would remain."
                    )
                    % {"n": certified},
                )
            )
    if errors:
        raise InvalidInput(errors)
    # Read under the case's row lock: simultaneous reassignments of this case queue at ``_lock``.
    current = {
        a.officer_id: a.officer.username
        for a in case.assignments.filter(active=True).select_related("officer").order_by("officer__username")
    }
    wanted = {o.pk for o in officers}
    removed = {pk: name for pk, name in current.items() if pk not in wanted} if replace else {}
    if removed:
        case.assignments.filter(officer_id__in=removed, active=True).update(active=False)
    added = [o for o in officers if o.pk not in current]
    for officer in added:
        Assignment.objects.update_or_create(case=case, officer=officer, defaults={"assigned_on": on, "active": True})
    advance(case, "assign", updated_at=now)
    _audit(
        actor,
        "assign",
        case,
        now,
        officers=[o.username for o in officers],
        added=[o.username for o in added],
        removed=sorted(removed.values()),
        replace=replace,
    )


def investigation_start_gate(*, actor: Actor, case: Case, on: dt.date) -> list[Officer]:
    require_role(
        actor, Role.OFFICE_HEAD, Role.CASE_OFFICER, office=case.office, obj=case, doing=_("Starting an investigation")
    )
    check_allowed(case, "investigation_start")
    certified = [o for o in _investigators(case) if o.is_certified(on)]
    if len(certified) < 2:
        raise GateRefused(
            _("An investigation needs two officers holding valid enforcement certificates; %(n)d assigned.")
            % {"n": len(certified)}
        )
    return certified


@service
def investigation_start(*, actor: Actor, case: Case, on: dt.date, now: dt.datetime) -> None:
    """Start investigating: two certified investigators must be assigned (APL art. 42)."""
    _lock(case)
    certified = investigation_start_gate(actor=actor, case=case, on=on)
    advance(case, "investigation_start", to=State.INVESTIGATING, updated_at=now)
    _audit(actor, "investigation_start", case, now, investigators=[o.username for o in certified])


def violation_set_gate(*, actor: Actor, case: Case, on: dt.date) -> None:
    _require_investigator(actor, case, _("Naming violations"))
    check_allowed(case, "violation_set")


@service
def violation_set(
    *,
    actor: Actor,
    case: Case,
    category: ViolationCategory,
    provisions: list[Provision],
    facts: str,
    now: dt.datetime,
) -> CaseViolation:
    """Name a violation by its category and the provisions applied (they must belong to the category)."""
    _lock(case)
    violation_set_gate(actor=actor, case=case, on=local_date(now, case.office.time_zone))
    allowed = set(category.provisions.values_list("pk", flat=True))
    errors = [
        FieldError("provisions", _("%(p)s is not a provision of %(c)s") % {"p": p, "c": category})
        for p in provisions
        if p.pk not in allowed
    ]
    if not provisions:
        errors.append(FieldError("provisions", _("cite at least one provision")))
    if errors:
        raise InvalidInput(errors)
    violation, _created = CaseViolation.objects.update_or_create(
        case=case, category=category, defaults={"facts": facts}
    )
    violation.provisions.set(provisions)
    advance(case, "violation_set", updated_at=now)
    _audit(actor, "violation_set", case, now, category=category.code, provisions=[str(p) for p in provisions])
    return violation


def recusal_request_gate(*, actor: Actor, case: Case, on: dt.date) -> None:
    require_role(
        actor, Role.CASE_OFFICER, Role.OFFICE_HEAD, office=case.office, obj=case, doing=_("Recording a recusal request")
    )
    check_allowed(case, "recusal_request")


@service
def recusal_request(
    *, actor: Actor, case: Case, officer: Officer, reason: str, by_party: bool, on: dt.date, now: dt.datetime
) -> Recusal:
    """Record a request that an investigator step aside (by the party, or the officer's own)."""
    _lock(case)
    recusal_request_gate(actor=actor, case=case, on=on)
    if case.recusals.filter(officer=officer, granted__isnull=True).exists():
        raise GateRefused(_("A recusal request about %(o)s is already pending.") % {"o": officer})
    if not _ever_investigated(case, officer):
        raise InvalidInput(FieldError("officer", _("%(o)s does not work on this case") % {"o": officer}))
    if not reason.strip():
        raise InvalidInput(FieldError("reason", _("required")))
    recusal = Recusal.objects.create(
        case=case, officer=officer, reason=reason, requested_by_party=by_party, requested_on=on
    )
    advance(case, "recusal_request", updated_at=now)
    _audit(actor, "recusal_request", case, now, officer=officer.username)
    return recusal


def recusal_decide_gate(*, actor: Actor, case: Case, on: dt.date) -> None:
    require_role(actor, Role.OFFICE_HEAD, office=case.office, obj=case, doing=_("Deciding a recusal"))
    check_allowed(case, "recusal_decide")
    pending = case.recusals.filter(granted__isnull=True)
    if not pending.exists():
        raise GateRefused(_("No recusal request is waiting for a decision."))
    if actor.pk is not None and not pending.exclude(officer_id=actor.pk).exists():
        raise Denied(_("An office head does not decide on their own recusal."))


@service
def recusal_decide(*, actor: Actor, recusal: Recusal, granted: bool, on: dt.date, now: dt.datetime) -> None:
    """The office head decides; a granted recusal takes the officer off the case."""
    _lock(recusal.case)
    case = recusal.case
    recusal_decide_gate(actor=actor, case=case, on=on)
    if recusal.officer_id == actor.pk:
        raise Denied(_("An office head does not decide on their own recusal."))
    # Decided once: the write is conditional on the request still being open.
    if (
        Recusal.objects.filter(pk=recusal.pk, granted__isnull=True).update(
            granted=granted, decided_on=on, decided_by=actor
        )
        != 1
    ):
        raise GateRefused(_("This recusal request was decided already."))
    recusal.granted, recusal.decided_on, recusal.decided_by = granted, on, officer_of(actor)
    if granted:
        case.assignments.filter(officer_id=recusal.officer_id).update(active=False)
    advance(case, "recusal_decide", updated_at=now)
    _audit(actor, "recusal_decide", case, now, officer=recusal.officer.username, granted=granted)
