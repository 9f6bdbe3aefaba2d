"""Where a platform wants its orders pushed, and the outbox of pushes not yet acknowledged.

The outbox is a table, written in the transaction that makes the order: an order is pushed if and only if it
exists, and a push survives any restart of Docket until the platform acknowledges it (or it grows too old).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WebhookEndpoint(models.Model):
    """A platform's receiving URL and the secret its pushes are signed with (one endpoint per platform)."""

    platform = models.OneToOneField(
        "subjects.Subject",
        verbose_name=_("platform"),
        on_delete=models.PROTECT,
        related_name="webhook_endpoint",
    )
    url = models.URLField(_("URL"), max_length=500)
    # Kept as is because every push is signed with it (an HMAC needs the key itself, a hash of it would not
    # do); it is shown to the platform once and never again by any page or endpoint.
    secret = models.CharField(_("signing secret"), max_length=100)
    # The first characters of the secret, so the platform can tell which secret a push was signed with.
    secret_prefix = models.CharField(_("secret prefix"), max_length=12)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        constraints = [
            models.CheckConstraint(
                name="webhook_endpoint_url_http", condition=models.Q(url__regex=r"^https?://[^\s/]+")
            ),
            models.CheckConstraint(
                name="webhook_endpoint_secret_long",
                condition=models.Q(secret__regex=r"^whsec_[A-Za-z0-9_-]{32,}$"),  # noqa: S106 - a pattern
            ),
            models.CheckConstraint(
                name="webhook_endpoint_updated_after_creation",
                condition=models.Q(updated_at__gte=models.F("created_at")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.platform_id}: {self.url}"


class Event(models.TextChoices):
    # The same names as measures.outbox's events (test_the_port_and_the_outbox_know_the_same_events).
    ORDER_CREATED = "order.created", _("Order created")
    ORDER_CHANGED = "order.changed", _("Order changed")
    ORDER_WITHDRAWN = "order.withdrawn", _("Order withdrawn")


class OutboxMessage(models.Model):
    """One push to deliver: retried with backoff until a 2xx answer, or marked dead after the maximum age."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, verbose_name=_("endpoint"), on_delete=models.PROTECT, related_name="messages"
    )
    event = models.CharField(_("event"), max_length=40, choices=Event.choices)
    payload = models.JSONField(_("payload"))
    created_at = models.DateTimeField(_("created at"))
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # When a worker may (next) try it; a worker that claims it moves this past its own attempt, so a claim
    # holds without a transaction kept open through the HTTP call, and lapses by itself if the worker dies.
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    dead_at = models.DateTimeField(_("given up at"), null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            # The workers' one question: what is due now. Delivered and dead messages leave the index.
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_due",
                condition=models.Q(delivered_at__isnull=True, dead_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(name="outbox_event_known", condition=models.Q(event__in=Event.values)),
            models.CheckConstraint(
                name="outbox_delivered_or_dead_not_both",
                condition=models.Q(delivered_at__isnull=True) | models.Q(dead_at__isnull=True),
            ),
            models.CheckConstraint(
                name="outbox_delivered_after_creation",
                condition=models.Q(delivered_at__isnull=True) | models.Q(delivered_at__gte=models.F("created_at")),
            ),
            models.CheckConstraint(
                name="outbox_delivered_after_an_attempt",
                condition=models.Q(delivered_at__isnull=True) | models.Q(attempts__gte=1),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} #{self.pk}"
