from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    OK = "ok", _("done")
    DENIED = "denied", _("refused")
    FAILED = "failed", _("failed")


class AuditEntry(models.Model):
    """One link of the append-only, hash-chained audit trail.

    ``hash`` covers every column and the previous entry's hash, so an edit, a deletion or a reordering
    breaks the chain where it happened. On PostgreSQL a trigger refuses UPDATE and DELETE outright.
    """

    seq = models.BigIntegerField(_("sequence"), unique=True)
    # Stored in UTC like every timestamp; shown in the reader's time zone, so it is not labelled UTC.
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    office_code = models.CharField(_("office"), max_length=12, blank=True)
    action = models.CharField(_("action"), max_length=80)
    object_type = models.CharField(_("object type"), max_length=80, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices, default=Outcome.OK)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id} {self.outcome}"


class AuditHead(models.Model):
    """The chain's tip: one row, locked by every append so two writers never fork the chain."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit chain head")
        constraints = [models.CheckConstraint(name="audit_head_single_row", condition=models.Q(id=1))]

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"
