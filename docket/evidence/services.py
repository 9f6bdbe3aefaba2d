"""Evidence intake (hashed once, typed by its bytes) and reading (through the jurisdiction, re-hashed every time)."""

import datetime as dt
import hashlib

from django.conf import settings
from django.utils.translation import gettext as _

from docket.audit.models import Outcome
from docket.audit.services import audit_record, audit_record_lasting, service
from docket.cases.models import Case
from docket.cases.transitions import advance, check_allowed
from docket.clues.models import Clue, ClueStatus
from docket.core.dates import local_date
from docket.core.errors import Denied, DocketError, FieldError, GateRefused, InvalidInput
from docket.evidence import storage
from docket.evidence.content import check_content, normalise_name
from docket.evidence.models import EvidenceItem
from docket.officers.actors import Actor
from docket.officers.models import Officer, Role
from docket.officers.permissions import require_role
from docket.offices.scoping import get_visible


class EvidenceCorrupted(DocketError):
    """The stored file no longer has the hash taken at intake."""


def _check_file(content: bytes, name: str, content_type: str) -> tuple[str, str]:
    """The file's name and type as stored; every problem with the file is reported at once."""
    errors = []
    if not content:
        errors.append(FieldError("file", _("the file is empty")))
    if len(content) > settings.DOCKET_EVIDENCE_MAX_BYTES:
        errors.append(
            FieldError("file", _("larger than the %(n)d bytes allowed") % {"n": settings.DOCKET_EVIDENCE_MAX_BYTES})
        )
    content_type, type_errors = check_content(content, content_type)
    name, name_errors = normalise_name(name)
    errors += type_errors + name_errors
    if errors:
        raise InvalidInput(errors)
    return name, content_type


def evidence_add_gate(*, actor: Actor, case: Case, on: dt.date) -> None:
    """Evidence is added by an active investigator of the case, while it is being investigated."""
    require_role(actor, Role.CASE_OFFICER, office=case.office, doing=_("Adding evidence"))
    assert isinstance(actor, Officer)  # require_role refused the system actor
    check_allowed(case, "evidence_add")
    if not case.assignments.filter(officer_id=actor.pk, active=True).exists():
        raise Denied(_("Evidence is added by the case's own investigators."))


@service
def evidence_add(
    *,
    actor: Actor,
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
    # Outside the jurisdiction the case does not exist; the caller's object is the one advanced, so it stays current.
    get_visible(Case.objects.only("pk"), actor, pk=case.pk)
    evidence_add_gate(actor=actor, case=case, on=collected_on)
    name, content_type = _check_file(content, name, content_type)
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
        detail={"case": case.ref, "sha256": digest, "size": len(content), "type": content_type},
    )
    return item


def clue_material_add_gate(*, actor: Actor, clue: Clue, on: dt.date) -> None:
    """Material is added by a case officer of the clue's office while the clue is being checked."""
    require_role(actor, Role.CASE_OFFICER, office=clue.office, obj=clue, doing=_("Adding clue material"))
    if clue.status != ClueStatus.OPEN:
        raise GateRefused(_("The clue is no longer being checked."))


@service
def clue_material_add(
    *,
    actor: Actor,
    clue: Clue,
    content: bytes,
    name: str,
    content_type: str,
    received_on: dt.date,
    description: str,
    now: dt.datetime,
) -> EvidenceItem:
    """Material that came with a clue (a report's attachment, a transferring authority's file)."""
    # Locked so material is never added to a clue whose outcome lands at the same moment.
    clue = get_visible(Clue.objects.select_for_update(of=("self",)).select_related("office"), actor, pk=clue.pk)
    clue_material_add_gate(actor=actor, clue=clue, on=received_on)
    assert isinstance(actor, Officer)  # require_role refused the system actor
    name, content_type = _check_file(content, name, content_type)
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
    audit_record(
        actor=actor,
        action="evidence.add",
        obj=item,
        now=now,
        detail={"clue": clue.ref, "sha256": digest, "size": len(content), "type": content_type},
    )
    return item


@service(writes=False)
def evidence_read(*, actor: Actor, item: EvidenceItem | int, now: dt.datetime) -> bytes:
    """The file's bytes, after checking them against the hash taken at intake.

    The item is fetched again through the actor's jurisdiction whatever the caller passed: one outside it
    is NotFound, as an id never used. Every read is audited, and the entry outlives a rollback of the
    caller's transaction: the bytes were handed out (or refused) whatever the caller does next.
    """
    pk = item.pk if isinstance(item, EvidenceItem) else item
    found = get_visible(EvidenceItem.objects.all(), actor, pk=pk)
    content = storage.load(found.sha256)
    ok = content is not None and hashlib.sha256(content).hexdigest() == found.sha256
    audit_record_lasting(
        actor=actor,
        action="evidence.read",
        obj=found,
        now=now,
        outcome=Outcome.OK if ok else Outcome.FAILED,
        detail={"sha256": found.sha256, "verified": ok, **({} if ok else {"missing": content is None})},
    )
    if not ok or content is None:
        raise EvidenceCorrupted(
            _("Evidence %(name)s is missing or altered: its content no longer matches SHA-256 %(h)s.")
            % {"name": found.name, "h": found.sha256}
        )
    return content
