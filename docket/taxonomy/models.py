from django.db import models
from django.utils.translation import gettext_lazy as _


class Provision(models.Model):
    """A legal provision (law, article, paragraph) and the penalties it allows."""

    law = models.CharField(_("law"), max_length=200)
    article = models.PositiveIntegerField(_("article"))
    # 0 when the provision is a whole article (or a whole paragraph), so the identity stays unique.
    paragraph = models.PositiveIntegerField(_("paragraph"), default=0)
    item = models.PositiveIntegerField(_("item"), default=0)
    summary = models.TextField(_("summary"), blank=True)
    measures = models.JSONField(_("measures it allows"), default=list, blank=True)
    fine_min = models.DecimalField(_("minimum fine"), max_digits=14, decimal_places=2, null=True, blank=True)
    fine_max = models.DecimalField(_("maximum fine"), max_digits=14, decimal_places=2, null=True, blank=True)
    # Some provisions set the fine as a multiple of illegal gains or turnover; then no fixed cap applies.
    fine_relative = models.CharField(_("relative fine rule"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("legal provision")
        verbose_name_plural = _("legal provisions")
        constraints = [
            models.UniqueConstraint(fields=["law", "article", "paragraph", "item"], name="provision_unique"),
            models.CheckConstraint(
                name="provision_fine_range_ordered",
                condition=models.Q(fine_min__isnull=True)
                | models.Q(fine_max__isnull=True)
                | models.Q(fine_max__gte=models.F("fine_min")),
            ),
        ]

    def __str__(self) -> str:
        where = f"第{self.article}条"
        if self.paragraph:
            where += f"第{self.paragraph}款"
        if self.item:
            where += f"第{self.item}项"
        return f"《{self.law}》{where}"


class ViolationCategory(models.Model):
    """A kind of violation in one version of the taxonomy, resting on the provisions it applies."""

    version = models.CharField(_("taxonomy version"), max_length=20)
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    provisions = models.ManyToManyField(Provision, verbose_name=_("provisions"), related_name="categories")

    class Meta:
        verbose_name = _("violation category")
        verbose_name_plural = _("violation categories")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="category_code_per_version")]
        ordering = ["version", "code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"
