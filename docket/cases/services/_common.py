"""Helpers every stage of the procedure shares: audit entries, records, documents, clocks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from docket.audit.services import audit_record
from docket.cases.due import decision_deadline as decision_deadline
from docket.cases.due import paused_days as paused_days
from docket.cases.models import (
    Case,
    Document,
    ProcedureRecord,
    Step,
)
from docket.core.dates import local_date
from docket.core.errors import Conflict, Denied, FieldError, GateRefused, InvalidInput
from docket.officers.actors import Actor, officer_of
from docket.officers.models import Officer, Role
from docket.officers.permissions import require_role
from docket.offices.models import Office
from docket.offices.numbering import next_number
from docket.workdays.models import ClockRule

# ----------------------------------------------------------------------------------------------------
# Helpers


def _audit(actor: Actor, action: str, case: Case, now: dt.datetime, **detail: Any) -> None:
    audit_record(
        actor=actor,
        action=f"case.{action}",
        obj=case,
        now=now,
        detail={
            "state": case.state,
            "version": case.version,
            "due_on": case.due_on,
            "due_clock": case.due_clock,
            **detail,
        },
    )


def _record(
    case: Case, step: str, *, actor: Actor, on: dt.date, now: dt.datetime, approved: bool | None = None, **content: Any
) -> ProcedureRecord:
    officer = officer_of(actor)
    if officer.office is None:
        raise Denied(_("An officer without an office records no procedure step."))
    return ProcedureRecord.objects.create(
        case=case,
        step=step,
        on=on,
        by=officer,
        by_office=officer.office,
        approved=approved,
        content=_json(content),
        created_at=now,
    )


def _json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, dt.date | Decimal):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    return value


def _not_before(case: Case, on: dt.date, what: str) -> None:
    if on < case.filed_on:
        raise InvalidInput(
            FieldError(
                "on",
                _("%(what)s cannot be dated before the filing (%(filed)s).") % {"what": what, "filed": case.filed_on},
            )
        )


def _not_future(on: dt.date, now: dt.datetime, office: Office) -> None:
    if on > local_date(now, office.time_zone):
        raise InvalidInput(FieldError("on", _("%(date)s is in the future.") % {"date": on}))


def _investigators(case: Case) -> list[Officer]:
    return [a.officer for a in case.assignments.filter(active=True).select_related("officer")]


def _ever_investigated(case: Case, officer: Officer) -> bool:
    return case.assignments.filter(officer=officer).exists()


def _document(case: Case, kind: str, on: dt.date, body: dict[str, Any]) -> Document:
    number = next_number(Document, "number", office=case.office, series=kind, year=on.year)
    return Document.objects.create(case=case, kind=kind, number=number, issued_on=on, body=_json(body))


def _latest(case: Case, step: str) -> ProcedureRecord | None:
    return case.records.filter(step=step).order_by("-on", "-id").first()


def _hearing_held(case: Case) -> bool:
    return case.records.filter(step=Step.HEARING).exists()


def _require_investigator(actor: Actor, case: Case, doing: str) -> None:
    require_role(actor, Role.CASE_OFFICER, office=case.office, obj=case, doing=doing)
    if actor.pk is None or not case.assignments.filter(officer_id=actor.pk, active=True).exists():
        raise Denied(_("%(doing)s is for the case's own investigators.") % {"doing": doing})


def _notice(case: Case) -> ProcedureRecord:
    record = _latest(case, Step.PRIOR_NOTICE)
    if record is None:
        raise GateRefused(_("No prior notice has been served."))
    return record


def recording_grace(case: Case) -> ClockRule | None:
    """How many days back the profile lets a step be recorded after its date (its clock ``record_grace``);
    None when the profile sets no limit."""
    return case.profile.clocks.filter(key="record_grace").first()


def _lock(case: Case) -> None:
    """Hold the case's row for the rest of the step: simultaneous steps on one case queue here, and the one
    that finds the case changed since its caller read it gets a conflict before it writes anything (records,
    documents, suspensions), so a lost race is never an integrity error."""
    current = Case.objects.select_for_update().filter(pk=case.pk).values_list("version", flat=True).first()
    if current != case.version:
        raise Conflict(_("The case was changed by someone else meanwhile; reload it and try again."))
