"""A clue's intake as one act: the subjects registered on the spot, the clue, and the material that came with it.

The parts are the services that exist (``subject_register``, ``clue_register``, ``clue_material_add``), run in
one transaction: a refusal of any part stores nothing of the others. Every part is tried even after another
was refused, so the officer sees every problem of the form at once, not one per submission.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

from docket.audit.services import audit_record, service
from docket.campaigns.models import Campaign
from docket.clues.models import Clue
from docket.clues.services import clue_register
from docket.core.errors import FieldError, InvalidInput
from docket.evidence.content import BIDI_CONTROLS
from docket.evidence.services import clue_material_add
from docket.officers.actors import Actor
from docket.officers.models import Role
from docket.officers.permissions import require_role
from docket.subjects.models import Subject
from docket.subjects.services import subject_register

# Errors of a subject registered on the spot name its field with this prefix ("new_identifier"), so that they
# are not taken for the clue's own fields of the same name.
NEW = "new_"


@dataclass(frozen=True)
class Material:
    """A file that came with the clue, as uploaded (its bytes are checked by ``clue_material_add``)."""

    content: bytes
    name: str
    content_type: str
    description: str = ""


def _shown(name: str) -> str:
    """A refused file's name as a message may repeat it: its control and reordering characters made visible."""
    return "".join("\ufffd" if unicodedata.category(c) == "Cc" or c in BIDI_CONTROLS else c for c in name[:120]) or _(
        "(no name)"
    )


def clue_intake_gate(*, actor: Actor, on: dt.date) -> None:
    """Case officers register clues; the intake page asks this before it offers its form."""
    require_role(actor, Role.CASE_OFFICER, doing=_("Registering a clue"))


@service
def clue_intake(
    *,
    actor: Actor,
    source: str,
    received_on: dt.date,
    summary: str,
    subjects: list[Subject],
    now: dt.datetime,
    new_subjects: list[dict[str, str]] | None = None,
    material: list[Material] | None = None,
    campaigns: list[Campaign] | None = None,
) -> Clue:
    """Register a clue with its subjects (those chosen and those registered now) and its material, all or
    nothing. ``new_subjects`` holds each subject's fields as the subjects import takes them (kind, name,
    identifier, platform, ...); their errors carry the ``new_`` prefix and, when there are several, their row.
    Errors of a file are reported under ``material``, prefixed with the file's name."""
    # The gate first: a refused officer must not register subjects on the way to the refusal.
    clue_intake_gate(actor=actor, on=received_on)
    new_subjects = new_subjects or []
    material = material or []
    errors: list[FieldError] = []
    chosen = list(subjects)
    registered = 0
    for i, fields in enumerate(new_subjects, start=1):
        data = {k: v for k, v in fields.items() if k != "kind"}
        try:
            subject, created = subject_register(actor=actor, kind=fields.get("kind", ""), now=now, **data)
        except InvalidInput as exc:
            row = i if len(new_subjects) > 1 else None
            errors += [FieldError(NEW + e.field, e.message, row) for e in exc.errors]
            continue
        registered += created
        if subject.pk not in {s.pk for s in chosen}:
            chosen.append(subject)
    try:
        clue = clue_register(
            actor=actor,
            source=source,
            received_on=received_on,
            summary=summary,
            subjects=chosen,
            campaigns=campaigns,
            now=now,
        )
    except InvalidInput as exc:
        # Without the clue the files cannot be checked as its material: they are checked on the next try.
        raise InvalidInput(errors + exc.errors) from None
    for item in material:
        try:
            clue_material_add(
                actor=actor,
                clue=clue,
                content=item.content,
                name=item.name,
                content_type=item.content_type,
                received_on=received_on,
                description=item.description,
                now=now,
            )
        except InvalidInput as exc:
            errors += [FieldError("material", f"{_shown(item.name)}: {e.message}") for e in exc.errors]
    if errors:
        raise InvalidInput(errors)
    audit_record(
        actor=actor,
        action="clue.intake",
        obj=clue,
        now=now,
        detail={"subjects": len(chosen), "registered": registered, "material": len(material)},
    )
    return clue
