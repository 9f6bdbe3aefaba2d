"""Statutory documents: the templates administrators edit, and every PDF rendered from them with its SHA-256.

A template version, once saved, never changes (the admin saves an edit of its text as the next version), so
``(document, language, template version)`` names one PDF for good: a rendered row is never rewritten, only
added to.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from docket.offices.scoping import ScopedManager


class Kind(models.TextChoices):
    """The statutory documents Docket lays out (a case ``Document`` kind or a measure type maps to one)."""

    FILING = "filing", _("Filing approval form")
    INTERVIEW_NOTICE = "interview_notice", _("Interview notice")
    RECTIFICATION_ORDER = "rectification_order", _("Rectification order")
    PRIOR_NOTICE = "prior_notice", _("Prior notice of administrative penalty")
    HEARING_NOTICE = "hearing_notice", _("Hearing notice")
    PENALTY_DECISION = "penalty_decision", _("Administrative penalty decision")
    NO_PENALTY_DECISION = "no_penalty_decision", _("Decision not to impose a penalty")
    SERVICE_RECEIPT = "service_receipt", _("Service receipt")


class Language(models.TextChoices):
    ZH = "zh-hans", _("Chinese (simplified)")
    EN = "en", _("English")


class DocumentTemplate(models.Model):
    """The wording of one kind of document in one language, as a Django template over plain data."""

    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    version = models.PositiveIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(
        _("body"),
        help_text=_(
            "HTML with Django template tags over the document's data (see the variables listed below). "
            "Saving a changed title or body stores a new version; documents already rendered keep theirs."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    valid_from = models.DateField(
        _("valid from"), help_text=_("Documents issued on or after this date use this version.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")
        ordering = ["kind", "language", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "language", "version"], name="documenttemplate_version_unique"),
            models.CheckConstraint(name="documenttemplate_version_positive", condition=models.Q(version__gte=1)),
            models.CheckConstraint(name="documenttemplate_kind_valid", condition=models.Q(kind__in=Kind.values)),
            models.CheckConstraint(
                name="documenttemplate_language_valid", condition=models.Q(language__in=Language.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.language}) v{self.version}"


class RenderedDocument(models.Model):
    """One PDF of a case document or of a measure's notice, in one language, from one template version.

    The bytes live in the content-addressed store (``evidence.storage``) under ``sha256``; every read hashes
    them again.
    """

    office = models.ForeignKey(
        "offices.Office", verbose_name=_("office"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rendered_documents",
    )
    document = models.ForeignKey(
        "cases.Document",
        verbose_name=_("case document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renderings",
        db_index=False,
    )
    measure = models.ForeignKey(
        "measures.Measure",
        verbose_name=_("measure"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renderings",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    template = models.ForeignKey(
        DocumentTemplate, verbose_name=_("template"), on_delete=models.PROTECT, related_name="renderings"
    )
    template_version = models.PositiveIntegerField(_("template version"))
    # The case document's own number, or the number a measure's notice took in the office's numbering
    # (shared by its renderings in every language and template version).
    number = models.CharField(_("number"), max_length=60)
    issued_on = models.DateField(_("issued on"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    rendered_at = models.DateTimeField(_("rendered at"))
    rendered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rendered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("rendered document")
        verbose_name_plural = _("rendered documents")
        ordering = ["issued_on", "number", "language", "-template_version"]
        indexes = [
            models.Index(fields=["office", "issued_on"], name="rendered_office_issued"),
            models.Index(fields=["number"], name="rendered_number"),
        ]
        constraints = [
            models.CheckConstraint(
                name="rendered_of_document_or_measure",
                condition=models.Q(document__isnull=False, measure__isnull=True)
                | models.Q(document__isnull=True, measure__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["document", "language", "template_version"],
                condition=models.Q(document__isnull=False),
                name="rendered_document_once",
            ),
            models.UniqueConstraint(
                fields=["measure", "language", "template_version"],
                condition=models.Q(measure__isnull=False),
                name="rendered_measure_once",
            ),
            models.CheckConstraint(name="rendered_sha256_hex", condition=models.Q(sha256__regex=r"^[0-9a-f]{64}$")),
            models.CheckConstraint(name="rendered_size_positive", condition=models.Q(size__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.language}, v{self.template_version})"
