"""Recovery codes (a second factor of django-otp's kind) and the tally of failed sign-ins per address."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device


def code_digest(code: str) -> str:
    """Recovery codes are random (50 bits), so a keyed SHA-256 is enough: a slow hash guards guessable secrets.

    The key keeps a stolen table from being matched against codes seen elsewhere.
    """
    normal = "".join(ch for ch in code.upper() if ch.isalnum())
    return hmac.new(settings.SECRET_KEY.encode(), normal.encode(), hashlib.sha256).hexdigest()


class RecoveryCodeDevice(Device):  # type: ignore[misc]  # django-otp ships no type information
    """The officer's set of single-use recovery codes; one device per officer, its codes replaced as a set."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("officer"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def verify_token(self, token: str) -> bool:
        # Codes are spent through accounts.services.second_factor_verify, which audits and refuses a reuse.
        return False


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(_("digest"), max_length=64)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        constraints = [models.UniqueConstraint(fields=["device", "digest"], name="recovery_code_unique")]

    def __str__(self) -> str:
        # Never the digest: a list of codes says which are spent, not what they were.
        return f"{self.device} #{self.pk}{' ✓' if self.used_at else ''}"


class AddressFailures(models.Model):
    """Failed sign-ins from one address in one clock hour: the address throttle and the audit summary read it."""

    address = models.CharField(_("address"), max_length=45)
    hour = models.DateTimeField(_("hour"))
    failures = models.PositiveIntegerField(_("failures"), default=0)
    # Failures not yet in an audit entry, and the usernames they tried (the first few).
    unreported = models.PositiveIntegerField(_("unreported failures"), default=0)
    usernames = models.JSONField(_("usernames tried"), default=list)
    reported_at = models.DateTimeField(_("last reported"), null=True, blank=True)

    class Meta:
        verbose_name = _("failed sign-ins of an address")
        verbose_name_plural = _("failed sign-ins of addresses")
        constraints = [models.UniqueConstraint(fields=["address", "hour"], name="address_failures_unique")]

    def __str__(self) -> str:
        return f"{self.address} {self.hour:%Y-%m-%d %H:00} ({self.failures})"
