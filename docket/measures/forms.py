"""The input of each step on a measure, and of a measure recorded on its own: each type with its own fields."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from docket.campaigns.models import Campaign
from docket.core.steps import StepForm
from docket.measures.models import Measure
from docket.measures.types import SPECS, MeasureType
from docket.subjects.models import Kind, Subject

# Free-text details a type may carry (``MeasureSpec.details``), with their labels.
DETAIL_LABELS = {
    "reason": _("Reason"),
    "time": _("Time"),
    "place": _("Place"),
    "attendees": _("Attendees"),
    "minutes": _("Minutes"),
    "commitments": _("Commitments"),
    "follow_up": _("Follow-up"),
    "requirements": _("Requirements"),
    "functions": _("Functions suspended"),
    "stores": _("Stores"),
    "grounds": _("Grounds"),
    "action": _("Action taken"),
    "channel": _("Channel"),
}
# What an officer records on its own: not penalties (a decision imposes those), not transfers (made from
# their clue or case).
STANDALONE = [(t.value, t.label) for t in MeasureType if not SPECS[t.value].penalty and t != MeasureType.TRANSFER]


class SubjectIds(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Subjects picked from the registry by id: the registry is too large to list as options."""

    widget = forms.TextInput

    def clean(self, value: Any) -> Any:
        if isinstance(value, str):
            value = [v for v in value.replace(";", ",").split(",") if v.strip()]
        return super().clean(value)


class MeasureForm(StepForm):
    obj: Measure

    @property
    def measure(self) -> Measure:
        return self.obj


class ConfirmForm(MeasureForm):
    confirmed_on = forms.DateField(label=_("Confirmed on"))
    confirmation = forms.CharField(label=_("Confirmed by"), max_length=300)


class VerifyForm(MeasureForm):
    verified_on = forms.DateField(label=_("Verified on"))
    complied = forms.TypedChoiceField(
        label=_("Result"), choices=[("1", _("Complied")), ("0", _("Not complied"))], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=4000)


class PaymentForm(MeasureForm):
    paid_on = forms.DateField(label=_("Paid on"))
    amount = forms.DecimalField(label=_("Amount (CNY)"), max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    reference = forms.CharField(label=_("Payment reference"), required=False, max_length=100)


class ReceiptForm(MeasureForm):
    receipt_on = forms.DateField(label=_("Receipt on"))
    receipt_ref = forms.CharField(label=_("Receipt reference"), max_length=100)


class CorrectForm(MeasureForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea, max_length=4000)
    taken_on = forms.DateField(label=_("Taken on"), required=False)
    quantity = forms.IntegerField(label=_("Quantity"), required=False, min_value=0, max_value=2_000_000_000)

    def arguments(self) -> dict[str, Any]:
        return {k: v for k, v in super().arguments().items() if v is not None}


class DeleteForm(MeasureForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea, max_length=4000)


class RecordForm(StepForm):
    """A measure taken on its own (an interview, an order, a closure), with the fields its type carries."""

    type = forms.ChoiceField(label=_("Measure"), choices=STANDALONE)
    taken_on = forms.DateField(label=_("Taken on"))
    subjects = SubjectIds(label=_("Aimed at (subject ids)"), queryset=Subject.objects.all(), required=False)
    addressee = forms.ModelChoiceField(
        label=_("Addressed to (platform operator)"),
        queryset=Subject.objects.filter(kind=Kind.ORGANISATION),
        required=False,
        widget=forms.TextInput,
    )
    due_on = forms.DateField(label=_("Due on"), required=False)
    starts_on = forms.DateField(label=_("From"), required=False)
    ends_on = forms.DateField(label=_("Until"), required=False)
    legal_basis = forms.CharField(label=_("Legal basis"), widget=forms.Textarea, required=False, max_length=4000)
    campaigns = forms.ModelMultipleChoiceField(label=_("Campaigns"), queryset=Campaign.objects.all(), required=False)

    def setup(self) -> None:
        for key, label in DETAIL_LABELS.items():
            self.fields[f"detail_{key}"] = forms.CharField(label=label, required=False, max_length=4000)

    def arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        spec = SPECS[data["type"]]
        details = {k: data[f"detail_{k}"] for k in spec.details if data.get(f"detail_{k}")}
        return {
            "type": data["type"],
            "taken_on": data["taken_on"],
            "subjects": list(data["subjects"] or []),
            "addressee": data["addressee"],
            "due_on": data["due_on"],
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"],
            "legal_basis": data["legal_basis"],
            "campaigns": list(data["campaigns"]),
            "details": details,
        }
