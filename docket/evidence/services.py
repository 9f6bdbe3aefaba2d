"""Evidence intake (hashed once) and reading (re-hashed every time)."""

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from docket.audit.models import Outcome
from docket.audit.services import audit_record, service
from docket.cases.models import Case
from docket.cases.transitions import advance, check_allowed
from docket.clues.models import Clue, ClueStatus
from docket.core.dates import local_date
from docket.core.errors import DocketError, FieldError, GateRefused, InvalidInput
from docket.evidence import storage
from docket.evidence.models import EvidenceItem
from docket.officers.models import Officer, Role
from docket.officers.permissions import require_role


class EvidenceCorrupted(DocketError):
    """The stored file no longer has the hash taken at intake."""


def _check_file(content: bytes, name: str, content_type: str) -> None:
    errors = []
    if not content:
        errors.append(FieldError("file", _("the file is empty")))
    if len(content) > settings.DOCKET_EVIDENCE_MAX_BYTES:
        errors.append(
            FieldError("file", _("larger than the %(n)d bytes allowed") % {"n": settings.DOCKET_EVIDENCE_MAX_BYTES})
        )
    if content_type not in settings.DOCKET_EVIDENCE_TYPES:
        errors.append(FieldError("content_type", _("%(t)s files are not accepted") % {"t": content_type}))
    if not name.strip() or "/" in name or "\\" in name:
        errors.append(FieldError("name", _("a plain file name")))
    if errors:
        raise InvalidInput(errors)


@service
def evidence_add(
    *,
    actor: Any,
    case: Case,
    content: bytes,
    name: str,
    content_type: str,
    collected_on: dt.date,
    collectors: list[Officer],
    method: str,
    description: str,
    now: dt.datetime,
) -> EvidenceItem:
    """Evidence is collected by at least two certified investigators of the case (APL art. 42)."""
    require_role(actor, Role.CASE_OFFICER, office=case.office, doing=_("Adding evidence"))
    check_allowed(case, "evidence_add")
    _check_file(content, name, content_type)
    errors = []
    if collected_on < case.filed_on or collected_on > local_date(now, case.office.time_zone):
        errors.append(FieldError("collected_on", _("between the filing and today")))
    if not method.strip():
        errors.append(FieldError("method", _("say how it was collected")))
    if errors:
        raise InvalidInput(errors)
    active = set(case.assignments.filter(active=True).values_list("officer_id", flat=True))
    unique = {o.pk: o for o in collectors}
    if actor.pk not in unique:
        raise GateRefused(_("The officer recording evidence is one of its collectors."))
    not_on_case = [o for o in unique.values() if o.pk not in active]
    if not_on_case:
        raise GateRefused(_("%(o)s is not an investigator of this case.") % {"o": not_on_case[0]})
    certified = [o for o in unique.values() if o.is_certified(collected_on)]
    if len(certified) < 2:
        raise GateRefused(
            _("Evidence is collected by at least two officers with enforcement certificates valid on %(d)s.")
            % {"d": collected_on}
        )
    digest = storage.store(content)
    item = EvidenceItem.objects.create(
        office=case.office,
        case=case,
        name=name,
        content_type=content_type,
        size=len(content),
        sha256=digest,
        description=description,
        method=method,
        collected_on=collected_on,
        recorded_by=actor,
        created_at=now,
    )
    item.collectors.set(unique.values())
    advance(case, "evidence_add", updated_at=now)
    audit_record(
        actor=actor,
        action="evidence.add",
        obj=item,
        now=now,
        detail={"case": case.ref, "sha256": digest, "size": len(content)},
    )
    return item


@service
def clue_material_add(
    *,
    actor: Any,
    clue: Clue,
    content: bytes,
    name: str,
    content_type: str,
    received_on: dt.date,
    description: str,
    now: dt.datetime,
) -> EvidenceItem:
    """Material that came with a clue (a report's attachment, a transferring authority's file)."""
    require_role(actor, Role.CASE_OFFICER, office=clue.office, doing=_("Adding clue material"))
    if clue.status != ClueStatus.OPEN:
        raise GateRefused(_("The clue is no longer being checked."))
    _check_file(content, name, content_type)
    digest = storage.store(content)
    item = EvidenceItem.objects.create(
        office=clue.office,
        clue=clue,
        name=name,
        content_type=content_type,
        size=len(content),
        sha256=digest,
        description=description,
        method="intake",
        collected_on=received_on,
        recorded_by=actor,
        created_at=now,
    )
    audit_record(actor=actor, action="evidence.add", obj=item, now=now, detail={"clue": clue.ref, "sha256": digest})
    return item


def evidence_read(*, actor: Any, item: EvidenceItem, now: dt.datetime) -> bytes:
    """The file's bytes, after checking them against the hash taken at intake. Every read is audited."""
    content = storage.load(item.sha256)
    ok = content is not None and hashlib.sha256(content).hexdigest() == item.sha256
    audit_record(
        actor=actor,
        action="evidence.read",
        obj=item,
        now=now,
        outcome=Outcome.OK if ok else Outcome.FAILED,
        detail={"sha256": item.sha256, "verified": ok},
    )
    if not ok or content is None:
        raise EvidenceCorrupted(
            _("Evidence %(name)s is missing or altered: its content no longer matches SHA-256 %(h)s.")
            % {"name": item.name, "h": item.sha256}
        )
    return content
