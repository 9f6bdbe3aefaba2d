"""Clues from intake to their outcome within the checking period."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from docket.audit.services import audit_record, service
from docket.campaigns.models import Campaign
from docket.cases.models import Case
from docket.clues.models import Clue, ClueStatus, Source
from docket.core.dates import local_date
from docket.core.errors import Conflict, Denied, FieldError, GateRefused, InvalidInput
from docket.core.numbering import next_number
from docket.measures.models import Measure
from docket.measures.transfers import transfer_check_destination, transfer_create
from docket.officers.models import Role
from docket.officers.permissions import require_role
from docket.offices.models import Office
from docket.subjects.models import Subject
from docket.workdays.clocks import Deadline, deadline, default_profile


def clue_deadline(clue: Clue) -> Deadline:
    return deadline(clue.profile, "clue_check", clue.received_on, extended=clue.check_extended)


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


def _create(
    office: Office,
    *,
    source: str,
    received_on: dt.date,
    summary: str,
    subjects: list[Subject],
    campaigns: list[Campaign],
    actor: Any,
    now: dt.datetime,
    assigned_by: Office | None = None,
) -> Clue:
    # Clue numbers run per office and year: lock the office so two registrations never share one.
    Office.objects.select_for_update().filter(pk=office.pk).first()
    clue = Clue.objects.create(
        office=office,
        ref=next_number(Clue, "ref", f"XS-{office.code}-{received_on.year}-"),
        source=source,
        received_on=received_on,
        summary=summary.strip(),
        profile=default_profile(),
        registered_by=actor,
        assigned_by=assigned_by,
        created_at=now,
    )
    clue.subjects.set(subjects)
    clue.campaigns.set(campaigns)
    return clue


@service
def clue_register(
    *,
    actor: Any,
    source: str,
    received_on: dt.date,
    summary: str,
    subjects: list[Subject],
    now: dt.datetime,
    campaigns: list[Campaign] | None = None,
) -> Clue:
    """A case officer registers a clue in their own office."""
    require_role(actor, Role.CASE_OFFICER, doing=_("Registering a clue"))
    _validate(source, received_on, summary, now, actor.office)
    if source == Source.ASSIGNMENT:
        raise InvalidInput(FieldError("source", _("assigned clues come from the higher office's assignment")))
    clue = _create(
        actor.office,
        source=source,
        received_on=received_on,
        summary=summary,
        subjects=subjects,
        campaigns=campaigns or [],
        actor=actor,
        now=now,
    )
    audit_record(actor=actor, action="clue.register", obj=clue, now=now, detail={"source": source})
    return clue


@service
def clue_assign(
    *,
    actor: Any,
    to_office: Office,
    received_on: dt.date,
    summary: str,
    subjects: list[Subject],
    now: dt.datetime,
    campaigns: list[Campaign] | None = None,
) -> Clue:
    """A higher office assigns (交办) a matter to an office below it."""
    require_role(actor, Role.OFFICE_HEAD, doing=_("Assigning a clue to a lower office"))
    if not actor.office.is_above(to_office):
        raise Denied(_("A clue is assigned only to an office below your own."))
    _validate(Source.ASSIGNMENT, received_on, summary, now, to_office)
    clue = _create(
        to_office,
        source=Source.ASSIGNMENT,
        received_on=received_on,
        summary=summary,
        subjects=subjects,
        campaigns=campaigns or [],
        actor=actor,
        now=now,
        assigned_by=actor.office,
    )
    audit_record(actor=actor, action="clue.assign", obj=clue, now=now, detail={"to_office": to_office.code})
    return clue


def _close(clue: Clue, status: str, on: dt.date, reason: str, **fields: Any) -> None:
    """Record the clue's outcome, only if it is still open (so two outcomes never both land)."""
    if on < clue.received_on:
        raise InvalidInput(FieldError("on", _("an outcome cannot precede the clue")))
    n = Clue.objects.filter(pk=clue.pk, status=ClueStatus.OPEN).update(
        status=status, outcome_on=on, outcome_reason=reason, **fields
    )
    if n != 1:
        raise Conflict(_("The clue was dealt with meanwhile."))
    clue.refresh_from_db()


def _require_open(clue: Clue) -> None:
    if clue.status != ClueStatus.OPEN:
        raise GateRefused(_("Clue %(ref)s is already %(s)s.") % {"ref": clue.ref, "s": clue.get_status_display()})


@service
def clue_check_extend(*, actor: Any, clue: Clue, reason: str, on: dt.date, now: dt.datetime) -> Deadline:
    """The head extends the check period once, before it runs out."""
    require_role(actor, Role.OFFICE_HEAD, office=clue.office, doing=_("Extending the clue check period"))
    _require_open(clue)
    if clue.check_extended:
        raise GateRefused(_("The check period was extended already."))
    if not reason.strip():
        raise InvalidInput(FieldError("reason", _("required")))
    current = clue_deadline(clue)
    if on > current.due:
        raise GateRefused(_("The check period ended on %(d)s.") % {"d": current.due})
    Clue.objects.filter(pk=clue.pk).update(check_extended=True)
    clue.check_extended = True
    new = clue_deadline(clue)
    audit_record(
        actor=actor,
        action="clue.check_extend",
        obj=clue,
        now=now,
        detail={"reason": reason, "before": current.due, "after": new.due},
    )
    return new


@service
def clue_no_case(*, actor: Any, clue: Clue, reason: str, on: dt.date, now: dt.datetime) -> None:
    require_role(actor, Role.OFFICE_HEAD, office=clue.office, doing=_("Deciding not to file a case"))
    _require_open(clue)
    if not reason.strip():
        raise InvalidInput(FieldError("reason", _("a no-case decision states its reason")))
    _close(clue, ClueStatus.NO_CASE, on, reason)
    audit_record(actor=actor, action="clue.no_case", obj=clue, now=now, detail={"reason": reason})


@service
def clue_transfer(
    *,
    actor: Any,
    clue: Clue,
    reason: str,
    on: dt.date,
    now: dt.datetime,
    to_office: Office | None = None,
    authority: str = "",
) -> Measure:
    """Transfer the clue (移送) to the competent office or another authority."""
    require_role(actor, Role.OFFICE_HEAD, office=clue.office, doing=_("Transferring a clue"))
    _require_open(clue)
    transfer_check_destination(clue.office, to_office, authority, reason)
    _close(clue, ClueStatus.TRANSFERRED, on, reason)
    measure = transfer_create(
        clue.office,
        on=on,
        actor=actor,
        now=now,
        clue=clue,
        authority=authority,
        to_office=to_office,
        subjects=list(clue.subjects.all()),
        reason=reason,
    )
    measure.campaigns.set(clue.campaigns.all())
    audit_record(
        actor=actor,
        action="clue.transfer",
        obj=clue,
        now=now,
        detail={"authority": authority, "to_office": to_office.code if to_office else ""},
    )
    return measure


@service
def clue_merge(
    *,
    actor: Any,
    clue: Clue,
    on: dt.date,
    now: dt.datetime,
    into: Clue | None = None,
    into_case: Case | None = None,
) -> None:
    """Merge a clue into another clue or a case of the same office."""
    require_role(actor, Role.OFFICE_HEAD, Role.CASE_OFFICER, office=clue.office, doing=_("Merging a clue"))
    _require_open(clue)
    target = into or into_case
    if (into is None) == (into_case is None):
        raise InvalidInput(FieldError("into", _("merge into one clue or one case")))
    assert target is not None
    if target.office_id != clue.office_id:
        raise InvalidInput(FieldError("into", _("merge only within the same office")))
    if into is not None and into.pk == clue.pk:
        raise InvalidInput(FieldError("into", _("a clue cannot merge into itself")))
    _close(clue, ClueStatus.MERGED, on, "", merged_into=into, merged_into_case=into_case)
    if into is not None:
        into.subjects.add(*clue.subjects.all())
    else:
        assert into_case is not None
        into_case.parties.add(*clue.subjects.all())
    audit_record(actor=actor, action="clue.merge", obj=clue, now=now, detail={"into": str(target)})
