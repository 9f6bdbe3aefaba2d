import datetime as dt

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from docket.offices.scoping import CASE_READER_ROLES, ScopedQuerySet


class Role(models.TextChoices):
    CASE_OFFICER = "case_officer", _("Case officer")
    OFFICE_HEAD = "office_head", _("Office head")
    LEGAL_REVIEWER = "legal_reviewer", _("Legal reviewer")
    INSPECTOR = "inspector", _("Oversight inspector")
    STATISTICIAN = "statistician", _("Statistician")
    ADMINISTRATOR = "administrator", _("Administrator")
    PLATFORM = "platform", _("Platform (API client)")
    # Sees natural persons' identity numbers in full (each view audited); everyone else sees them masked.
    PERSONAL_DATA = "personal_data", _("Personal data reader")


CASE_READERS = CASE_READER_ROLES


class OfficerManager(UserManager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    use_in_migrations = True


class Officer(AbstractUser):
    """A person who signs in: an officer of one office, with roles and an enforcement certificate."""

    office = models.ForeignKey(
        "offices.Office",
        verbose_name=_("office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="officers",
    )
    display_name = models.CharField(_("name"), max_length=100, blank=True)
    certificate_number = models.CharField(_("enforcement certificate number"), max_length=40, blank=True)
    certificate_valid_from = models.DateField(_("certificate valid from"), null=True, blank=True)
    certificate_valid_until = models.DateField(_("certificate valid until"), null=True, blank=True)
    # A platform's API client is bound to the platform operator it speaks for.
    platform = models.ForeignKey(
        "subjects.Subject",
        verbose_name=_("platform"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = OfficerManager()  # type: ignore[assignment,misc,unused-ignore]
    # Every officer may see the officers of their own subtree (to assign, to review).
    readers: frozenset[str] = frozenset()

    class Meta:
        verbose_name = _("officer")
        verbose_name_plural = _("officers")
        constraints = [
            models.UniqueConstraint(
                fields=["certificate_number"],
                name="officer_certificate_unique",
                condition=~models.Q(certificate_number=""),
            ),
            models.CheckConstraint(
                name="officer_certificate_period_ordered",
                condition=models.Q(certificate_valid_from__isnull=True)
                | models.Q(certificate_valid_until__isnull=True)
                | models.Q(certificate_valid_until__gte=models.F("certificate_valid_from")),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def role_set(self) -> frozenset[str]:
        cached = getattr(self, "_role_cache", None)
        if cached is None:
            cached = frozenset(self.roles.values_list("role", flat=True)) if self.pk else frozenset()
            self._role_cache = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))

    def is_certified(self, on: dt.date) -> bool:
        """Holds a certificate valid on that date (Administrative Penalty Law art. 42)."""
        return bool(
            self.certificate_number
            and self.certificate_valid_from is not None
            and self.certificate_valid_until is not None
            and self.certificate_valid_from <= on <= self.certificate_valid_until
        )


class OfficerRole(models.Model):
    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [models.UniqueConstraint(fields=["officer", "role"], name="officer_role_unique")]

    def __str__(self) -> str:
        return self.get_role_display()
