from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """A year whose holidays and make-up working days are known. Without one, no deadline is computed."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=200, help_text=_("e.g. the State Council notice"))

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Public holiday (no work)")
    WORKDAY = "workday", _("Make-up working day (调休)")


class CalendarDay(models.Model):
    """An exception to the Monday–Friday week: a holiday, or a weekend day that is worked."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("holidays and make-up working days")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=["holiday", "workday"]), name="calendar_day_kind_known")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class DayCount(models.TextChoices):
    WORKING = "working", _("working days")
    CALENDAR = "calendar", _("calendar days")


class ProcedureProfile(models.Model):
    """A procedure as a regulator's law sets it: its clocks and the triggers of its mandatory steps."""

    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    is_default = models.BooleanField(_("default"), default=False)
    # Which cases need legal review / collective discussion / a hearing offer; see cases.triggers.
    legal_review_triggers = models.JSONField(_("legal review triggers"), default=dict, blank=True)
    discussion_triggers = models.JSONField(_("collective discussion triggers"), default=dict, blank=True)
    hearing_thresholds = models.JSONField(_("hearing thresholds"), default=dict, blank=True)
    late_payment_daily_rate = models.DecimalField(
        _("late payment surcharge per day"), max_digits=6, decimal_places=4, default=0.03
    )
    late_payment_citation = models.CharField(_("late payment citation"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("procedure profile")
        verbose_name_plural = _("procedure profiles")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="one_default_profile"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ClockRule(models.Model):
    """One statutory period of a profile, with the law it comes from."""

    profile = models.ForeignKey(ProcedureProfile, on_delete=models.CASCADE, related_name="clocks")
    key = models.SlugField(_("key"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    days = models.PositiveIntegerField(_("days"))
    count = models.CharField(_("counted in"), max_length=8, choices=DayCount.choices)
    extension_days = models.PositiveIntegerField(_("extension with approval"), default=0)
    citation = models.CharField(_("legal citation"), max_length=300)

    class Meta:
        verbose_name = _("statutory clock")
        verbose_name_plural = _("statutory clocks")
        constraints = [models.UniqueConstraint(fields=["profile", "key"], name="clock_key_per_profile")]
        ordering = ["profile", "key"]

    def __str__(self) -> str:
        return f"{self.name}: {self.days} {self.get_count_display()}"
