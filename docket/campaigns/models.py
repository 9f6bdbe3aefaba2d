from django.db import models
from django.utils.translation import gettext_lazy as _


class Campaign(models.Model):
    """A special campaign (专项行动) such as a year's "Qinglang" series; clues, cases and measures are tagged."""

    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    focus_areas = models.JSONField(_("focus areas"), default=list, blank=True)
    lead_office = models.ForeignKey(
        "offices.Office", verbose_name=_("lead office"), on_delete=models.PROTECT, related_name="+"
    )
    offices = models.ManyToManyField(
        "offices.Office", verbose_name=_("participating offices"), blank=True, related_name="campaigns"
    )

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                name="campaign_period_ordered", condition=models.Q(ends_on__gte=models.F("starts_on"))
            )
        ]

    def __str__(self) -> str:
        return self.name
