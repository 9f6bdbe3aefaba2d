"""The steps on a clue while it is being checked: its outcome (file, no case, transfer, merge), an extension of
the check period, material. Interfaces read them as they read the case steps."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from docket.cases.services import filing
from docket.clues import forms as f
from docket.clues import services as cl
from docket.clues.models import Clue, ClueStatus
from docket.core.steps import Available, Step, available
from docket.evidence import services as evidence
from docket.measures import transfers
from docket.officers.models import Role

OPEN = frozenset({ClueStatus.OPEN})
HEAD, OFFICER = Role.OFFICE_HEAD, Role.CASE_OFFICER

STEPS: dict[str, Step] = {
    s.name: s
    for s in [
        Step(
            "case_file",
            _("File a case"),
            frozenset({HEAD}),
            f.FileForm,
            filing.case_file,
            filing.case_file_gate,
            "clue",
            states=OPEN,
        ),
        Step(
            "clue_no_case",
            _("No case"),
            frozenset({HEAD}),
            f.ReasonForm,
            cl.clue_no_case,
            cl.clue_no_case_gate,
            "clue",
            states=OPEN,
        ),
        Step(
            "clue_check_extend",
            _("Extend the check period"),
            frozenset({HEAD}),
            f.ReasonForm,
            cl.clue_check_extend,
            cl.clue_check_extend_gate,
            "clue",
            states=OPEN,
        ),
        Step(
            "clue_transfer",
            _("Transfer"),
            frozenset({HEAD}),
            f.TransferForm,
            transfers.clue_transfer,
            transfers.clue_transfer_gate,
            "clue",
            states=OPEN,
        ),
        Step(
            "clue_merge",
            _("Merge into another clue or a case"),
            frozenset({HEAD, OFFICER}),
            f.MergeForm,
            cl.clue_merge,
            cl.clue_merge_gate,
            "clue",
            states=OPEN,
        ),
        Step(
            "clue_material_add",
            _("Add material"),
            frozenset({OFFICER}),
            f.MaterialForm,
            evidence.clue_material_add,
            evidence.clue_material_add_gate,
            "clue",
            states=OPEN,
        ),
    ]
}


def available_steps(clue: Clue, actor: object, *, on: dt.date) -> list[Available]:
    """Every step on the clue as it stands, for this officer: allowed, or refused with the gate's reason."""
    return available(STEPS.values(), obj=clue, actor=actor, on=on, state=clue.status)
