"""API tokens: shown once, stored as the SHA-256 of their secret, revocable, with an expiry."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("officer"), on_delete=models.PROTECT, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    # The first characters of the token, shown in lists so an officer can tell their tokens apart.
    prefix = models.CharField(_("prefix"), max_length=12)
    # The secret itself is never stored: a copy of the table gives no one a working token.
    secret_hash = models.CharField(_("SHA-256 of the secret"), max_length=64)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.UniqueConstraint(fields=["secret_hash"], name="api_token_hash_unique"),
            models.CheckConstraint(
                name="api_token_hash_is_sha256",
                condition=models.Q(secret_hash__regex=r"^[0-9a-f]{64}$"),  # noqa: S106 - a pattern, not a password
            ),
            models.CheckConstraint(
                name="api_token_expires_after_creation", condition=models.Q(expires_at__gt=models.F("created_at"))
            ),
            models.CheckConstraint(
                name="api_token_revoked_after_creation",
                condition=models.Q(revoked_at__isnull=True) | models.Q(revoked_at__gte=models.F("created_at")),
            ),
            models.CheckConstraint(name="api_token_name_not_blank", condition=~models.Q(name="")),
            # An officer tells their live tokens apart by name; a revoked token's name may be used again.
            models.UniqueConstraint(
                fields=["officer", "name"],
                condition=models.Q(revoked_at__isnull=True),
                name="api_token_live_name_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    def usable(self, now: dt.datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now


class IdempotentRequest(models.Model):
    """A POST sent with an ``Idempotency-Key``: the first answer, replayed to a retry of the same request."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    # Method, path and body: the same key for another request is the client's mistake, refused.
    request_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    # Null while the first request is still being answered.
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    answer = models.JSONField(null=True, blank=True)
    headers = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="api_idempotency_key_unique"),
            models.CheckConstraint(
                name="api_idempotency_status_http",
                condition=models.Q(status__isnull=True) | models.Q(status__gte=100, status__lte=599),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status or '…'})"
