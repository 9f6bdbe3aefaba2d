from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from docket.measures.types import Authority, MeasureType
from docket.offices.models import ancestor_field
from docket.offices.scoping import ScopedManager


class Verification(models.TextChoices):
    COMPLIED = "complied", _("Complied")
    NOT_COMPLIED = "not_complied", _("Not complied")


class Measure(models.Model):
    """A measure taken by an office on a date: the unit the published figures count."""

    # Indexed by measure_office_day_type, which leads with the office.
    office = models.ForeignKey(
        "offices.Office", verbose_name=_("office"), on_delete=models.PROTECT, related_name="measures", db_index=False
    )
    # The offices above the measure's office at depths 1 and 2, kept by the database (``offices.ancestors``,
    # migration 0008) whoever writes the row, an import's included: a provincial or city office's measures are read
    # by one column and an index in order.
    ancestor_1 = ancestor_field(1)  # indexed by measure_ancestor_1_order
    ancestor_2 = ancestor_field(2)  # indexed by measure_ancestor_2_order
    type = models.CharField(_("type"), max_length=24, choices=MeasureType.choices)
    taken_on = models.DateField(_("taken on"))
    # The optional links are indexed only where set (Meta.indexes): most measures have none of them, and an
    # index of NULLs would only slow every insert.
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="measures",
        db_index=False,
    )
    clue = models.ForeignKey(
        "clues.Clue",
        verbose_name=_("clue"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="measures",
        db_index=False,
    )
    subjects = models.ManyToManyField(
        "subjects.Subject", through="MeasureTarget", verbose_name=_("aimed at"), related_name="measures"
    )
    # The platform an account-closure order is addressed to (it reports back what it closed).
    addressee = models.ForeignKey(
        "subjects.Subject",
        verbose_name=_("addressed to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders_received",
        db_index=False,
    )
    amount = models.DecimalField(_("amount (CNY)"), max_digits=14, decimal_places=2, null=True, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    authority = models.CharField(_("other authority"), max_length=20, choices=Authority.choices, blank=True)
    to_office = models.ForeignKey(
        "offices.Office",
        verbose_name=_("to office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_received",
        db_index=False,
    )
    receipt_on = models.DateField(_("receipt on"), null=True, blank=True)
    receipt_ref = models.CharField(_("receipt reference"), max_length=100, blank=True)
    confirmed_on = models.DateField(_("confirmed on"), null=True, blank=True)
    confirmation = models.CharField(_("confirmation"), max_length=300, blank=True)
    verified_on = models.DateField(_("verified on"), null=True, blank=True)
    verification = models.CharField(_("verification"), max_length=16, choices=Verification.choices, blank=True)
    escalated = models.BooleanField(_("escalated"), default=False)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    campaigns = models.ManyToManyField(
        "campaigns.Campaign", verbose_name=_("campaigns"), blank=True, related_name="measures"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(_("recorded at"))

    objects = ScopedManager()
    jurisdiction_ancestors = ("ancestor_1", "ancestor_2")

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["-taken_on", "-id"]
        indexes = [
            models.Index(fields=["office", "taken_on", "type"], name="measure_office_day_type"),
            # The list's default order, alone and within a type (the report's drill-down links filter by type).
            models.Index(fields=["-taken_on", "-id"], name="measure_taken_order"),
            # With the office: the national list's "of any office" (``office IS NOT NULL``) is answered from the
            # index alone, so its capped count of a year's fines reads 100,000 index entries, not the table (103 ms
            # by a sequential scan at 1,000,000 measures, 41 ms from the index).
            models.Index(fields=["type", "-taken_on", "-id"], include=["office"], name="measure_type_taken_order"),
            # A provincial or a city office's measures (jurisdiction_ancestors) newest first, as the workspace and
            # the API list them; with the type and the day, a list's count of a year's fines reads the index alone
            # (without them, 15 ms from the table for a province's 8,799 against 6.5 ms by the offices' index).
            *(
                models.Index(fields=[a, "-id"], include=["type", "taken_on"], name=f"measure_{a}_order")
                for a in ("ancestor_1", "ancestor_2")
            ),
            *(
                models.Index(fields=[f], condition=models.Q(**{f"{f}__isnull": False}), name=f"measure_{f}_set")
                for f in ("case", "clue", "addressee", "to_office", "created_by")
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="measure_amount_positive", condition=models.Q(amount__isnull=True) | models.Q(amount__gt=0)
            ),
            models.CheckConstraint(
                name="measure_period_ordered",
                condition=models.Q(starts_on__isnull=True)
                | models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
            ),
            models.CheckConstraint(
                name="measure_transfer_has_destination",
                condition=~models.Q(type="transfer") | ~models.Q(authority="") | models.Q(to_office__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.taken_on} ({self.office.code})"


class TargetStatus(models.TextChoices):
    ORDERED = "ordered", _("Ordered")
    DONE = "done", _("Done")
    REFUSED = "refused", _("Refused by the platform")
    # The platform found no such item: not a refusal (nothing to carry out), and counted apart in reconciliation.
    NOT_FOUND = "not_found", _("Not found by the platform")


class MeasureTarget(models.Model):
    # Indexed by measure_target_unique, which leads with the measure.
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="targets", db_index=False)
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="measure_targets")
    status = models.CharField(_("status"), max_length=10, choices=TargetStatus.choices, default=TargetStatus.ORDERED)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    jurisdiction_field = "measure__office"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("measure target")
        verbose_name_plural = _("measure targets")
        constraints = [models.UniqueConstraint(fields=["measure", "subject"], name="measure_target_unique")]

    def __str__(self) -> str:
        return f"{self.measure_id} → {self.subject_id}"


class FinePayment(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="payments")
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount (CNY)"), max_digits=14, decimal_places=2)
    reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    jurisdiction_field = "measure__office"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("fine payment")
        verbose_name_plural = _("fine payments")
        constraints = [models.CheckConstraint(name="payment_amount_positive", condition=models.Q(amount__gt=0))]

    def __str__(self) -> str:
        return f"{self.amount} on {self.paid_on}"
