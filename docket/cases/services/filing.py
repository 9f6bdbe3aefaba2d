"""Filing a case on a clue (立案)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from docket.audit.services import service
from docket.cases.due import case_due
from docket.cases.models import (
    Case,
    DocumentKind,
    Flag,
    State,
)
from docket.cases.services._common import _audit, _document, _not_future
from docket.clues.models import Clue, ClueStatus
from docket.clues.services import clue_close, clue_lock
from docket.core.errors import Conflict, FieldError, GateRefused, InvalidInput
from docket.officers.actors import Actor, officer_of
from docket.officers.models import Role
from docket.officers.permissions import require_role
from docket.offices.numbering import CASE_SERIES, next_number
from docket.subjects.models import Subject
from docket.workdays.clocks import deadline

# ----------------------------------------------------------------------------------------------------
# Filing


def case_file_gate(*, actor: Actor, clue: Clue, on: dt.date) -> None:
    """A filing is approved by the head of the clue's office, while the clue is open and within its check period."""
    require_role(actor, Role.OFFICE_HEAD, office=clue.office, obj=clue, doing=_("Approving a filing"))
    if clue.status != ClueStatus.OPEN:
        raise GateRefused(
            _("Clue %(ref)s is already %(status)s.") % {"ref": clue.ref, "status": clue.get_status_display()}
        )
    limit = deadline(clue.profile, "clue_check", clue.received_on, extended=clue.check_extended)
    if on > limit.due:
        raise GateRefused(
            _("The clue check period ended on %(due)s (%(citation)s); a case can no longer be filed on it.")
            % {"due": limit.due, "citation": limit.citation}
        )


@service
def case_file(
    *,
    actor: Actor,
    clue: Clue,
    title: str,
    on: dt.date,
    now: dt.datetime,
    parties: list[Subject] | None = None,
    flags: list[str] | None = None,
) -> Case:
    """File a case on a clue (立案): approved by the head of the clue's office within the check period."""
    require_role(actor, Role.OFFICE_HEAD, office=clue.office, obj=clue, doing=_("Approving a filing"))
    # Two approvals of one filing queue on the clue's row; the second finds it filed.
    locked = clue_lock(clue)
    if locked.status != clue.status:
        raise Conflict(_("The clue was dealt with by someone else meanwhile; reload it."))
    errors = []
    if not title.strip():
        errors.append(FieldError("title", _("required")))
    bad_flags = set(flags or []) - set(Flag.values)
    if bad_flags:
        errors.append(FieldError("flags", _("unknown: %(flags)s") % {"flags": ", ".join(sorted(bad_flags))}))
    if on < clue.received_on:
        errors.append(FieldError("on", _("a case cannot be filed before its clue was received")))
    chosen = list(parties) if parties is not None else list(clue.subjects.all())
    if not chosen:
        errors.append(FieldError("parties", _("a case names at least one party")))
    if errors:
        raise InvalidInput(errors)
    _not_future(on, now, clue.office)
    case_file_gate(actor=actor, clue=clue, on=on)
    limit = deadline(clue.profile, "clue_check", clue.received_on, extended=clue.check_extended)
    ref = next_number(Case, "ref", office=clue.office, series=CASE_SERIES, year=on.year)
    case = Case.objects.create(
        office=clue.office,
        ref=ref,
        title=title.strip(),
        clue=clue,
        profile=clue.profile,
        state=State.FILED,
        filed_on=on,
        filed_by=officer_of(actor),
        flags=sorted(set(flags or [])),
        created_at=now,
        updated_at=now,
    )
    # Filed today, so the decision clock starts now; the transitions keep it current from here on.
    case.due_on, case.due_clock = case_due(case)
    Case.objects.filter(pk=case.pk).update(due_on=case.due_on, due_clock=case.due_clock)
    case.parties.set(chosen)
    case.campaigns.set(clue.campaigns.all())
    clue_close(locked, ClueStatus.FILED, on, "")
    clue.refresh_from_db()
    _document(case, DocumentKind.FILING, on, {"title": case.title, "clue": clue.ref, "approved_by": actor.pk})
    _audit(actor, "file", case, now, clue=clue.ref, deadline=limit.due, **limit.audit_detail())
    return case
