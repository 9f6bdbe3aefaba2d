"""Transfers (移送) of a clue or case: a `transfer` measure, and a clue for a receiving office."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from docket.audit.services import audit_record
from docket.clues.models import Clue, Source
from docket.core.errors import FieldError, InvalidInput
from docket.core.numbering import next_number
from docket.measures.models import Measure, MeasureTarget
from docket.measures.types import Authority, MeasureType
from docket.offices.models import Office
from docket.reports.aggregates import cells_add
from docket.subjects.models import Subject
from docket.workdays.clocks import default_profile

if TYPE_CHECKING:
    from docket.cases.models import Case


def transfer_check_destination(office: Office, to_office: Office | None, authority: str, reason: str) -> None:
    errors = []
    if (to_office is None) == (not authority):
        errors.append(FieldError("to_office", _("name either an office or another authority")))
    if authority and authority not in Authority.values:
        errors.append(FieldError("authority", _("one of %(v)s") % {"v": ", ".join(Authority.values)}))
    if to_office is not None and to_office.pk == office.pk:
        errors.append(FieldError("to_office", _("a transfer goes to another office")))
    if not reason.strip():
        errors.append(FieldError("reason", _("required")))
    if errors:
        raise InvalidInput(errors)


def transfer_create(
    office: Office,
    *,
    on: dt.date,
    actor: Any,
    now: dt.datetime,
    subjects: list[Subject],
    reason: str,
    case: Case | None = None,
    clue: Clue | None = None,
    authority: str = "",
    to_office: Office | None = None,
) -> Measure:
    """Record the transfer; called inside the clue's or case's own service transaction."""
    measure = Measure.objects.create(
        office=office,
        type=MeasureType.TRANSFER,
        taken_on=on,
        case=case,
        clue=clue,
        authority=authority,
        to_office=to_office,
        details={"reason": reason},
        created_by=actor,
        created_at=now,
    )
    MeasureTarget.objects.bulk_create([MeasureTarget(measure=measure, subject=s) for s in subjects])
    if to_office is not None:
        # The receiving office gets a clue of its own to check; the sender keeps the transfer measure.
        Office.objects.select_for_update().filter(pk=to_office.pk).first()
        received = Clue.objects.create(
            office=to_office,
            ref=next_number(Clue, "ref", f"XS-{to_office.code}-{on.year}-"),
            source=Source.TRANSFER,
            received_on=on,
            summary=reason,
            profile=default_profile(),
            origin_case=case,
            origin_clue=clue,
            created_at=now,
        )
        received.subjects.set(subjects)
    cells_add([measure.id])
    audit_record(
        actor=actor,
        action="measure.record",
        obj=measure,
        now=now,
        detail={"type": "transfer", "authority": authority, "to_office": to_office.code if to_office else ""},
    )
    return measure
