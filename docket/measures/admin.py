from decimal import Decimal
from typing import Any

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
        ms.measure_confirm,
        "measure",
        rename={"on": "confirmed_on"},
    ),
    Step(
        "verify",
        _("Verify rectification"),
        VerifyForm,
        ms.rectification_verify,
        "measure",
        rename={"on": "verified_on"},
    ),
    Step("payment", _("Record payment"), PaymentForm, ms.fine_payment_record, "measure", rename={"on": "paid_on"}),
    Step(
        "receipt",
        _("Record transfer receipt"),
        ReceiptForm,
        ms.transfer_receipt_record,
        "measure",
        rename={"on": "receipt_on"},
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

    # The report links each figure here with these filters (the queryset stays the reader's jurisdiction).
    REPORT_LOOKUPS = frozenset(
        {
            "type__in",
            "taken_on__gte",
            "taken_on__lte",
            "office__path__startswith",
            "targets__subject__kind__in",
            "campaigns__id__exact",
        }
    )

    def lookup_allowed(self, lookup: str, value: str, request: Any = None) -> bool:
        return lookup in self.REPORT_LOOKUPS or super().lookup_allowed(lookup, value, request)

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).distinct()


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
