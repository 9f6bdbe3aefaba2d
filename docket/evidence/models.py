from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from docket.offices.scoping import ScopedManager


class EvidenceItem(models.Model):
    """A file held as evidence (of a case) or as material (of a clue), stored by its SHA-256."""

    office = models.ForeignKey("offices.Office", verbose_name=_("office"), on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    clue = models.ForeignKey(
        "clues.Clue", verbose_name=_("clue"), null=True, blank=True, on_delete=models.PROTECT, related_name="material"
    )
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    description = models.TextField(_("description"), blank=True)
    method = models.CharField(_("how collected"), max_length=200, blank=True)
    collected_on = models.DateField(_("collected on"))
    collectors = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("collected by"), related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")
        ordering = ["collected_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="evidence_of_case_or_clue",
                condition=models.Q(case__isnull=False, clue__isnull=True)
                | models.Q(case__isnull=True, clue__isnull=False),
            ),
            models.CheckConstraint(name="evidence_sha256_hex", condition=models.Q(sha256__regex=r"^[0-9a-f]{64}$")),
            # The name is a label, never a path (content.normalise_name says why).
            models.CheckConstraint(
                name="evidence_name_plain",
                condition=~models.Q(name="") & ~models.Q(name__contains="/") & ~models.Q(name__contains="\\"),
            ),
            models.CheckConstraint(name="evidence_size_positive", condition=models.Q(size__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sha256[:12]})"
