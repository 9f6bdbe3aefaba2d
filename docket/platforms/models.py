"""What platforms report back on the orders addressed to them: one row per item, appended, never changed.

On PostgreSQL the table is partitioned by the month the report was received (declarative partitioning, made by
the migration with SQL; ``partitions.py`` adds the months). Every unique index of a partitioned table must hold
the partition key, so the database enforces the uniqueness of a platform's item id within a month
(``reported_item_platform_item_unique``: platform, item id, month); across months it is the service that looks
for the id in every partition, under the platform's lock, before it writes (``services.order_items_report``).
On SQLite the same columns and constraints make one plain table.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Outcome(models.TextChoices):
    DISPOSED = "disposed", _("Disposed")
    REFUSED = "refused", _("Refused")
    NOT_FOUND = "not_found", _("Not found")


ITEM_ID_MAX = 100
REASON_MAX = 300


class ReportedItem(models.Model):
    """One item of an order as the platform reported it: what it did, for which target, on which day."""

    # The platform operator (the subject the order is addressed to) whose client reported it.
    platform = models.ForeignKey(
        "subjects.Subject", verbose_name=_("platform"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    measure = models.ForeignKey(
        "measures.Measure",
        verbose_name=pgettext_lazy("an order to a platform", "order"),
        on_delete=models.PROTECT,
        related_name="reported_items",
        db_index=False,  # indexed by reported_item_measure_target, which leads with it
    )
    # The platform's own id for this item: reports are idempotent by it.
    item_id = models.CharField(_("platform's item id"), max_length=ITEM_ID_MAX)
    # The target of the order the item is about (an account, an app, ...).
    subject = models.ForeignKey(
        "subjects.Subject", verbose_name=_("target"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    reason = models.CharField(_("reason"), max_length=REASON_MAX, blank=True)
    on = models.DateField(_("done on"))
    received_at = models.DateTimeField(_("received at"))
    # The first day of received_at's month (UTC): the partition key.
    month = models.DateField(_("month received"))

    class Meta:
        verbose_name = _("reported item")
        verbose_name_plural = _("reported items")
        indexes = [
            # An order's items, the latest last: reconciliation reads the latest report of each target.
            models.Index(fields=["measure", "subject", "id"], name="reported_item_measure_target"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["platform", "item_id", "month"], name="reported_item_platform_item_unique"),
            models.CheckConstraint(
                name="reported_item_outcome_known", condition=models.Q(outcome__in=["disposed", "refused", "not_found"])
            ),
            models.CheckConstraint(name="reported_item_id_not_blank", condition=~models.Q(item_id="")),
            models.CheckConstraint(
                name="reported_item_refusal_has_reason", condition=~models.Q(outcome="refused") | ~models.Q(reason="")
            ),
            models.CheckConstraint(name="reported_item_month_first_day", condition=models.Q(month__day=1)),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.outcome}"
