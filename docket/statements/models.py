"""DSA statements of reasons a platform sent: its own decisions, stored field for field as the European
Commission's Transparency Database keeps them, readable by the platform itself and by its regulator."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from docket.offices.scoping import CASE_READER_ROLES, ScopedQuerySet, actor_office

DATE_FLOOR = dt.date(2020, 1, 1)


class StatementQuerySet(ScopedQuerySet["Statement"]):
    def visible_to(self, actor: Any, *, listed: bool = False) -> StatementQuerySet:
        """A platform's client sees its platform's statements. An officer who reads cases sees the statements
        of the platforms that an office of their jurisdiction addressed an order to (a regulator reads what a
        platform it gave orders to reports; the national office, every such platform). Nobody else, none."""
        from docket.measures.models import Measure

        if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
            return self.none()
        platform_id = getattr(actor, "platform_id", None)
        if platform_id is not None and actor.has_role("platform"):
            return self.filter(platform_id=platform_id)
        office = actor_office(actor)
        if office is None or not actor.has_role(*CASE_READER_ROLES):
            return self.none()
        addressed = Measure.objects.within(office).filter(addressee__isnull=False).values("addressee_id")
        return self.filter(platform_id__in=addressed)


class Method(models.TextChoices):
    API = "API", _("API, one statement")
    API_MULTI = "API_MULTI", _("API, a batch")


class Statement(models.Model):
    """One statement of reasons (DSA art. 17 and 24(5)) of a platform, as it sent it."""

    uuid = models.UUIDField(_("UUID"), unique=True)
    platform = models.ForeignKey(
        "subjects.Subject", verbose_name=_("platform"), on_delete=models.PROTECT, related_name="statements"
    )
    # The platform's own identifier of the decision: unique per platform (statement_puid_unique_per_platform).
    puid = models.CharField(_("platform's unique identifier"), max_length=500)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    received_at = models.DateTimeField(_("received at"))

    decision_visibility = models.JSONField(_("visibility restriction"), default=list)
    decision_visibility_other = models.TextField(_("other visibility restriction"), null=True, blank=True)
    decision_monetary = models.CharField(_("monetary restriction"), max_length=40, null=True, blank=True)
    decision_monetary_other = models.TextField(_("other monetary restriction"), null=True, blank=True)
    decision_provision = models.CharField(_("service restriction"), max_length=40, null=True, blank=True)
    decision_account = models.CharField(_("account restriction"), max_length=40, null=True, blank=True)
    account_type = models.CharField(_("type of account"), max_length=40, null=True, blank=True)
    category_specification = models.JSONField(_("keywords"), default=list)
    category_specification_other = models.TextField(_("other keyword"), null=True, blank=True)
    decision_ground = models.CharField(_("decision ground"), max_length=40)
    decision_ground_reference_url = models.TextField(_("terms or law relied on (URL)"), null=True, blank=True)
    illegal_content_legal_ground = models.TextField(_("legal ground"), null=True, blank=True)
    illegal_content_explanation = models.TextField(_("why illegal"), null=True, blank=True)
    incompatible_content_ground = models.TextField(_("contractual ground"), null=True, blank=True)
    incompatible_content_explanation = models.TextField(_("why incompatible"), null=True, blank=True)
    incompatible_content_illegal = models.CharField(_("also illegal"), max_length=3, null=True, blank=True)
    content_type = models.JSONField(_("content type"), default=list)
    content_type_other = models.TextField(_("other content type"), null=True, blank=True)
    category = models.CharField(_("category"), max_length=80)
    category_addition = models.JSONField(_("additional categories"), default=list)
    territorial_scope = models.JSONField(_("territorial scope"), default=list)
    content_language = models.CharField(_("content language"), max_length=2, null=True, blank=True)
    content_date = models.DateField(_("content posted on"))
    application_date = models.DateField(_("decision applied on"))
    end_date_account_restriction = models.DateField(_("account restriction ends on"), null=True, blank=True)
    end_date_monetary_restriction = models.DateField(_("monetary restriction ends on"), null=True, blank=True)
    end_date_service_restriction = models.DateField(_("service restriction ends on"), null=True, blank=True)
    end_date_visibility_restriction = models.DateField(_("visibility restriction ends on"), null=True, blank=True)
    decision_facts = models.TextField(_("facts and circumstances"))
    source_type = models.CharField(_("information source"), max_length=40)
    source_identity = models.TextField(_("source identity"), null=True, blank=True)
    automated_detection = models.CharField(_("detected by automated means"), max_length=3)
    automated_decision = models.CharField(_("decided by automated means"), max_length=40)
    content_id_ean = models.CharField(_("content id (EAN-13)"), max_length=13, null=True, blank=True)

    # Docket's own: the order and the item of it that this statement reports on (counted toward the order).
    docket_order = models.ForeignKey(
        "measures.Measure",
        verbose_name=pgettext_lazy("an order to a platform", "order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    docket_target = models.CharField(_("item of the order"), max_length=200, blank=True, default="")

    objects = StatementQuerySet.as_manager()

    class Meta:
        verbose_name = _("statement of reasons")
        verbose_name_plural = _("statements of reasons")
        constraints = [
            models.UniqueConstraint(fields=["platform", "puid"], name="statement_puid_unique_per_platform"),
            models.CheckConstraint(name="statement_puid_format", condition=models.Q(puid__regex=r"^[a-zA-Z0-9_-]+$")),
            models.CheckConstraint(
                name="statement_decision_ground_known",
                condition=models.Q(
                    decision_ground__in=["DECISION_GROUND_ILLEGAL_CONTENT", "DECISION_GROUND_INCOMPATIBLE_CONTENT"]
                ),
            ),
            models.CheckConstraint(
                name="statement_application_date_in_range",
                condition=models.Q(application_date__gte=DATE_FLOOR, application_date__lte=dt.date(2038, 1, 1)),
            ),
            models.CheckConstraint(
                name="statement_order_names_its_item",
                condition=models.Q(docket_order__isnull=True, docket_target="")
                | models.Q(docket_order__isnull=False) & ~models.Q(docket_target=""),
            ),
        ]
        indexes = [
            models.Index(fields=["platform", "-received_at"], name="statement_platform_received"),
            models.Index(
                fields=["docket_order"], name="statement_order", condition=models.Q(docket_order__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.puid} ({self.uuid})"
