"""Supervision and instruction by a higher office."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from docket.audit.services import service
from docket.cases.models import (
    Case,
    ProcedureRecord,
    Step,
)
from docket.cases.services._common import _audit, _lock, _record
from docket.cases.transitions import advance, check_allowed
from docket.core.errors import Denied, FieldError, InvalidInput
from docket.officers.actors import Actor
from docket.officers.models import Role
from docket.officers.permissions import require_role, require_within


def _oversight_gate(actor: Actor, case: Case, action: str) -> None:
    require_within(actor, case.office, obj=case, doing=_("Supervising a case"))
    require_role(actor, Role.OFFICE_HEAD, Role.INSPECTOR, doing=_("Supervising a case"))
    if actor.office is None or not actor.office.is_above(case.office):
        raise Denied(_("Only a higher office supervises or instructs on a case."))
    check_allowed(case, action)


def supervise_gate(*, actor: Actor, case: Case, on: dt.date) -> None:
    _oversight_gate(actor, case, "supervise")


def instruct_gate(*, actor: Actor, case: Case, on: dt.date) -> None:
    _oversight_gate(actor, case, "instruct")


@service
def case_supervise(
    *,
    actor: Actor,
    case: Case,
    kind: str,
    instructions: str,
    on: dt.date,
    now: dt.datetime,
    due_on: dt.date | None = None,
) -> ProcedureRecord:
    """A higher office supervises (督办) or instructs (交办) on a lower office's case."""
    _lock(case)
    if kind not in (Step.SUPERVISION, Step.INSTRUCTION):
        raise InvalidInput(FieldError("kind", _("supervision or instruction")))
    _oversight_gate(actor, case, "supervise" if kind == Step.SUPERVISION else "instruct")
    assert actor.office is not None
    if not instructions.strip():
        raise InvalidInput(FieldError("instructions", _("required")))
    record = _record(case, kind, actor=actor, on=on, now=now, instructions=instructions, due_on=due_on)
    advance(case, "supervise" if kind == Step.SUPERVISION else "instruct", updated_at=now)
    _audit(actor, kind, case, now, by_office=actor.office.code)
    return record
