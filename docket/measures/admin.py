from decimal import Decimal

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from docket.cases.admin import DateForm
from docket.core.admin import ScopedAdmin, Step, step_actions
from docket.measures import services as ms
from docket.measures.models import FinePayment, Measure, MeasureTarget


class ConfirmForm(DateForm):
    confirmation = forms.CharField(label=_("Confirmed by"))


class VerifyForm(DateForm):
    complied = forms.BooleanField(label=_("Complied"), required=False)
    note = forms.CharField(label=_("Note"), required=False)


class PaymentForm(DateForm):
    amount = forms.DecimalField(label=_("Amount (CNY)"), max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    reference = forms.CharField(label=_("Payment reference"), required=False)


class ReceiptForm(DateForm):
    receipt_ref = forms.CharField(label=_("Receipt reference"))


STEPS = [
    Step(
        "confirm",
        _("Record third-party confirmation"),
        ConfirmForm,
        lambda actor, obj, data, now: ms.measure_confirm(
            actor=actor, measure=obj, confirmed_on=data["on"], confirmation=data["confirmation"], now=now
        ),
    ),
    Step(
        "verify",
        _("Verify rectification"),
        VerifyForm,
        lambda actor, obj, data, now: ms.rectification_verify(
            actor=actor, measure=obj, verified_on=data["on"], complied=data["complied"], note=data["note"], now=now
        ),
    ),
    Step(
        "payment",
        _("Record payment"),
        PaymentForm,
        lambda actor, obj, data, now: ms.fine_payment_record(
            actor=actor, measure=obj, paid_on=data["on"], amount=data["amount"], reference=data["reference"], now=now
        ),
    ),
    Step(
        "receipt",
        _("Record transfer receipt"),
        ReceiptForm,
        lambda actor, obj, data, now: ms.transfer_receipt_record(
            actor=actor, measure=obj, receipt_on=data["on"], receipt_ref=data["receipt_ref"], now=now
        ),
    ),
]


@admin.register(Measure)
class MeasureAdmin(ScopedAdmin):
    list_display = ("id", "type", "office", "taken_on", "case", "amount", "quantity")
    list_filter = ("type", "taken_on")
    search_fields = ("subjects__name", "subjects__identifier", "case__ref")
    select_related = ("office", "case")
    readonly_fields = [f.name for f in Measure._meta.fields] + ["campaigns"]
    actions = step_actions(STEPS)


for model in (MeasureTarget, FinePayment):
    admin.site.register(
        model,
        type(
            f"{model.__name__}Admin",
            (ScopedAdmin,),
            {
                "list_display": ("__str__", "measure"),
                "select_related": ("measure",),
            },
        ),
    )
