"""The record of every import: which file (by SHA-256), who, when, how many rows, and whether it is in."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ImportState(models.TextChoices):
    # Written in its own transaction before anything else: an import whose process died stays here until
    # the next import or `docket import list` finds its owner gone and marks it interrupted.
    STARTED = "started", _("in progress")
    # Written in the same transaction as the data: a committed record means the data is in, and only then.
    COMMITTED = "committed", _("imported")
    REFUSED = "refused", _("refused: nothing imported")
    FAILED = "failed", _("failed: nothing imported")
    INTERRUPTED = "interrupted", _("not imported (interrupted)")


class ImportRecord(models.Model):
    kind = models.CharField(_("kind"), max_length=40)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.BigIntegerField(_("bytes"))
    rows = models.BigIntegerField(_("rows"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=ImportState.choices, default=ImportState.STARTED)
    result = models.JSONField(_("result"), default=dict, blank=True)
    # Imported although the same file had been imported before (`--again`).
    again = models.BooleanField(_("again"), default=False)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Who, as the audit trail names them; no foreign key, as core sits below the officers app.
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True)
    actor_name = models.CharField(_("who"), max_length=150, blank=True)
    office_code = models.CharField(_("office"), max_length=12, blank=True)
    # Where the importing process runs: how an import left "started" is known to be dead on SQLite.
    host = models.CharField(_("host"), max_length=255, blank=True)
    pid = models.IntegerField(_("process id"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["kind", "sha256"], name="import_file")]
        constraints = [
            models.CheckConstraint(name="import_state_known", condition=Q(state__in=ImportState.values)),
            models.CheckConstraint(
                name="import_finished_unless_started",
                condition=Q(state=ImportState.STARTED, finished_at__isnull=True)
                | (~Q(state=ImportState.STARTED) & Q(finished_at__isnull=False)),
            ),
            # A file is in at most once unless imported again on purpose (`--again`), even when two imports
            # of it commit at the same moment.
            models.UniqueConstraint(
                fields=["kind", "sha256"],
                condition=Q(state=ImportState.COMMITTED, again=False),
                name="import_file_once",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.file_name} ({self.state})"
