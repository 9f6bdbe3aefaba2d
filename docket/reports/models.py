from django.db import models
from django.utils.translation import gettext_lazy as _


class Counting(models.TextChoices):
    EVENTS = "events", _("measures taken (events)")
    SUBJECTS = "subjects", _("distinct subjects")
    QUANTITY = "quantity", _("sum of the quantity")


class MetricSet(models.Model):
    """The figures a regulator publishes for a period, with the press-release paragraph that states them."""

    key = models.SlugField(_("key"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    valid_from = models.DateField(_("in force from"))
    text_zh = models.TextField(_("paragraph (Chinese)"), blank=True)
    text_en = models.TextField(_("paragraph (English)"), blank=True)

    class Meta:
        verbose_name = _("metric set")
        verbose_name_plural = _("metric sets")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return self.name


class Metric(models.Model):
    """One published figure: which measures, aimed at which kinds of subject, counted how."""

    metric_set = models.ForeignKey(MetricSet, on_delete=models.CASCADE, related_name="metrics")
    key = models.SlugField(_("key"), max_length=80)
    label_zh = models.CharField(_("label (Chinese)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200)
    measure_types = models.JSONField(_("measure types"))
    # Empty: any kind of subject.
    subject_kinds = models.JSONField(_("subject kinds"), default=list, blank=True)
    counting = models.CharField(_("counted as"), max_length=10, choices=Counting.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("metric")
        verbose_name_plural = _("metrics")
        ordering = ["metric_set", "order", "key"]
        constraints = [models.UniqueConstraint(fields=["metric_set", "key"], name="metric_key_per_set")]

    def __str__(self) -> str:
        return self.key


class Grain(models.TextChoices):
    DAY = "D", _("day")
    MONTH = "M", _("month")
    # Three and six months of a year, from January: a run of whole months is a few of them rather than a dozen
    # month cells, and they are few, dense bitmaps to read and union.
    QUARTER = "Q", _("quarter")
    HALF = "H", _("half-year")
    YEAR = "Y", _("year")


class Cell(models.Model):
    """Measures of one day, month, quarter, half-year or year in one office's subtree, for one measure type and
    subject kind (and campaign).

    Maintained in the same transaction as every change to a measure, so figures read from cells are exact
    at every moment. Events and quantities add up; distinct subjects are a Roaring bitmap of subject ids,
    which unions exactly across months and offices.
    """

    scope = models.ForeignKey("offices.Office", on_delete=models.CASCADE, related_name="+")
    # The day, or the first day of the month, quarter, half-year or year the cell covers.
    period_start = models.DateField()
    grain = models.CharField(max_length=1, choices=Grain.choices)
    # 0: all measures; otherwise only those tagged with that campaign.
    campaign_id = models.IntegerField(default=0)
    measure_type = models.CharField(max_length=24)
    # "*": any kind (each measure counted once).
    subject_kind = models.CharField(max_length=20)
    events = models.BigIntegerField(default=0)
    quantity = models.BigIntegerField(default=0)
    subjects = models.BinaryField(default=b"")
    # The bitmap's cardinality, so a figure that reads a single cell needs no bitmap at all.
    distinct = models.BigIntegerField(default=0)
    # BLAKE2b-128 of ``subjects``: a reader that already holds a bitmap of this content need not fetch it again
    # (``reports.bitmaps``). Content-addressed, so a changed cell can never be answered from a stale copy.
    digest = models.BinaryField(max_length=16, default=b"")

    class Meta:
        verbose_name = _("aggregate cell")
        verbose_name_plural = _("aggregate cells")
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "grain", "period_start", "campaign_id", "measure_type", "subject_kind"],
                name="cell_identity",
            ),
            models.CheckConstraint(
                name="cell_counts_not_negative", condition=models.Q(events__gte=0) & models.Q(quantity__gte=0)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope_id} {self.grain}{self.period_start:%Y-%m-%d} {self.measure_type}/{self.subject_kind}"
