from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from docket.offices.models import ancestor_field
from docket.offices.scoping import ScopedManager


class Source(models.TextChoices):
    INSPECTION = "inspection", _("Inspection or monitoring")
    PUBLIC_REPORT = "public_report", _("Public report")
    TRANSFER = "transfer", _("Transfer from another authority or office")
    ASSIGNMENT = "assignment", _("Assignment from a higher office")
    SECURITY_REVIEW = "security_review", _("Cybersecurity review conclusion")
    MEDIA = "media", _("Media")


class ClueStatus(models.TextChoices):
    OPEN = "open", _("Being checked")
    FILED = "filed", _("Case filed")
    NO_CASE = "no_case", _("No case")
    TRANSFERRED = "transferred", _("Transferred")
    MERGED = "merged", _("Merged")


class Clue(models.Model):
    office = models.ForeignKey(
        "offices.Office", verbose_name=_("office"), on_delete=models.PROTECT, related_name="clues"
    )
    # The offices above the clue's office at depths 1 and 2, kept by the database (``offices.ancestors``, migration
    # 0006) whoever writes the row: a provincial or city office's clues are read by one column and an index in order.
    ancestor_1 = ancestor_field(1)  # indexed by clue_ancestor_1_order
    ancestor_2 = ancestor_field(2)  # indexed by clue_ancestor_2_order
    ref = models.CharField(_("reference"), max_length=40, unique=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    received_on = models.DateField(_("received on"))
    summary = models.TextField(_("summary"))
    subjects = models.ManyToManyField("subjects.Subject", verbose_name=_("subjects"), blank=True, related_name="clues")
    campaigns = models.ManyToManyField(
        "campaigns.Campaign", verbose_name=_("campaigns"), blank=True, related_name="clues"
    )
    profile = models.ForeignKey(
        "workdays.ProcedureProfile", verbose_name=_("procedure profile"), on_delete=models.PROTECT, related_name="+"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_by = models.ForeignKey(
        "offices.Office",
        verbose_name=_("assigned by office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clues_assigned",
    )
    origin_case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("transferred from case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    origin_clue = models.ForeignKey(
        "self",
        verbose_name=_("transferred from clue"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=12, choices=ClueStatus.choices, default=ClueStatus.OPEN)
    check_extended = models.BooleanField(_("check period extended"), default=False)
    outcome_on = models.DateField(_("outcome on"), null=True, blank=True)
    outcome_reason = models.TextField(_("outcome reason"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into clue"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
    )
    merged_into_case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("merged into case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_clues",
    )
    # The end of the checking period while the clue is open (NULL once it has its outcome); kept by
    # registration and extension so lists sort by urgency with an index.
    due_on = models.DateField(_("check due on"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered at"))

    objects = ScopedManager()
    jurisdiction_ancestors = ("ancestor_1", "ancestor_2")

    class Meta:
        verbose_name = _("clue")
        verbose_name_plural = _("clues")
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["due_on"], condition=models.Q(due_on__isnull=False), name="clue_due_on"),
            # The lists' default order, alone and within a status (the open clues).
            models.Index(fields=["-received_on", "-id"], name="clue_received_order"),
            models.Index(fields=["status", "-received_on", "-id"], name="clue_status_received_order"),
            # A provincial or a city office's clues (jurisdiction_ancestors) newest first, as the workspace and the
            # API list them; with the status, a list's count of the open ones reads the index alone.
            *(
                models.Index(fields=[a, "-id"], include=["status"], name=f"clue_{a}_order")
                for a in ("ancestor_1", "ancestor_2")
            ),
            # An office's open clues, counted on the dashboards for each office of a jurisdiction.
            models.Index(fields=["office", "status"], name="clue_office_status"),
        ]
        constraints = [
            models.CheckConstraint(
                name="clue_outcome_dated",
                condition=models.Q(status="open") | models.Q(outcome_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.ref
