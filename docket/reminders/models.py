from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    DUE_SOON = "due_soon", _("Due within three working days")
    OVERDUE = "overdue", _("Overdue")


class ReminderQuerySet(models.QuerySet["Reminder"]):
    def visible_to(self, actor: Any) -> "ReminderQuerySet":
        """A reminder is its officer's alone: anyone else's reads as absent, whatever their office or role."""
        if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active or not actor.pk:
            return self.none()
        if getattr(actor, "office", None) is None:
            return self.none()
        return self.filter(officer_id=actor.pk)


# The object a reminder is about: exactly one of these is set.
OBJECTS = ("case", "clue", "measure")


class Reminder(models.Model):
    """An officer told of a deadline: one per officer, object, due date and kind, so a second run of
    ``docket remind`` (the same day, or a day later while the date stands) tells nobody twice."""

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("officer"), on_delete=models.CASCADE, related_name="reminders"
    )
    # Indexed by the unique constraints (officer first) and by the partial indexes below.
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), null=True, blank=True, on_delete=models.CASCADE, db_index=False
    )
    clue = models.ForeignKey(
        "clues.Clue", verbose_name=_("clue"), null=True, blank=True, on_delete=models.CASCADE, db_index=False
    )
    # A deleted measure's reminder goes with it.
    measure = models.ForeignKey(
        "measures.Measure",
        verbose_name=_("measure"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        db_index=False,
    )
    due_on = models.DateField(_("due on"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # The day of the run that made it (the date the officer was told).
    sent_on = models.DateField(_("sent on"))
    created_at = models.DateTimeField(_("created at"))
    # When the e-mail went out; NULL until it did (no address, or the mail server refused: tried again).
    mailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-sent_on", "due_on", "-id"]
        indexes = [
            models.Index(fields=["officer", "-sent_on"], name="reminder_officer_sent"),
            # The unread count every page shows.
            models.Index(fields=["officer"], condition=models.Q(read_at__isnull=True), name="reminder_unread"),
            *(
                models.Index(fields=[f], condition=models.Q(**{f"{f}__isnull": False}), name=f"reminder_{f}_set")
                for f in OBJECTS
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="reminder_one_object",
                condition=models.Q(case__isnull=False, clue__isnull=True, measure__isnull=True)
                | models.Q(case__isnull=True, clue__isnull=False, measure__isnull=True)
                | models.Q(case__isnull=True, clue__isnull=True, measure__isnull=False),
            ),
            models.CheckConstraint(name="reminder_kind_valid", condition=models.Q(kind__in=Kind.values)),
            *(
                models.UniqueConstraint(
                    fields=["officer", f, "due_on", "kind"],
                    condition=models.Q(**{f"{f}__isnull": False}),
                    name=f"reminder_{f}_once",
                )
                for f in OBJECTS
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on}"

    @property
    def subject(self) -> Any:
        """The case, clue or measure it is about."""
        return self.case or self.clue or self.measure
