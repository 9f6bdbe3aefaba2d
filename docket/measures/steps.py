"""The steps on a recorded measure (confirmation, verification, payment, receipt, correction, deletion) and the
step that records a measure on its own. Each gate is the service's own first check."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from docket.core.steps import Available, Step, available
from docket.measures import forms as f
from docket.measures import services as ms
from docket.measures.models import Measure
from docket.officers.models import Role

HEAD, OFFICER = Role.OFFICE_HEAD, Role.CASE_OFFICER
BOTH = frozenset({HEAD, OFFICER})

STEPS: dict[str, Step] = {
    s.name: s
    for s in [
        Step(
            "measure_confirm",
            _("Record third-party confirmation"),
            BOTH,
            f.ConfirmForm,
            ms.measure_confirm,
            ms.measure_confirm_gate,
            "measure",
        ),
        Step(
            "rectification_verify",
            _("Verify rectification"),
            BOTH,
            f.VerifyForm,
            ms.rectification_verify,
            ms.rectification_verify_gate,
            "measure",
        ),
        Step(
            "fine_payment_record",
            _("Record payment"),
            BOTH,
            f.PaymentForm,
            ms.fine_payment_record,
            ms.fine_payment_record_gate,
            "measure",
        ),
        Step(
            "transfer_receipt_record",
            _("Record transfer receipt"),
            BOTH,
            f.ReceiptForm,
            ms.transfer_receipt_record,
            ms.transfer_receipt_record_gate,
            "measure",
        ),
        Step(
            "measure_correct",
            _("Correct the measure"),
            frozenset({HEAD}),
            f.CorrectForm,
            ms.measure_correct,
            ms.measure_correct_gate,
            "measure",
        ),
        Step(
            "measure_delete",
            _("Delete the measure"),
            frozenset({HEAD}),
            f.DeleteForm,
            ms.measure_delete,
            ms.measure_delete_gate,
            "measure",
        ),
    ]
}

# Recording a measure on its own makes a new object: a step with no target.
RECORD = Step(
    "measure_record", _("Record a measure"), BOTH, f.RecordForm, ms.measure_record, ms.measure_record_gate, ""
)


def available_steps(measure: Measure, actor: object, *, on: dt.date) -> list[Available]:
    """Every step on the measure for this officer: allowed, or refused with the gate's reason."""
    return available(STEPS.values(), obj=measure, actor=actor, on=on, state=None)
