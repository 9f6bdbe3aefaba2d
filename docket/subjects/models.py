from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from docket.core.vocabulary import Kind as Kind
from docket.offices.scoping import CASE_READER_ROLES, actor_office

# Kinds that exist only on a platform: their identifier is unique within that platform.
ON_PLATFORM = frozenset({Kind.MINI_PROGRAM, Kind.ACCOUNT, Kind.LIVE_ROOM, Kind.STORE, Kind.GROUP})


class AccountType(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    ORGANISATION = "organisation", _("Organisation")
    SELF_MEDIA = "self_media", _("Self-media")


class SubjectQuerySet(models.QuerySet["Subject"]):
    def visible_to(self, actor: Any) -> "SubjectQuerySet":
        """The registry is shared by all offices, but a responsible person (personal data) is seen only by
        offices with a clue, case or measure about them in their jurisdiction."""
        office = actor_office(actor)
        if office is None or not actor.has_role(*CASE_READER_ROLES, "administrator"):
            return self.none()
        path = office.path
        linked = (
            models.Q(cases__office__path__subtree=path)
            | models.Q(clues__office__path__subtree=path)
            | models.Q(measure_targets__measure__office__path__subtree=path)
        )
        people = Subject.objects.filter(kind=Kind.RESPONSIBLE_PERSON).filter(linked).values("pk")
        return self.filter(~models.Q(kind=Kind.RESPONSIBLE_PERSON) | models.Q(pk__in=people))


class Subject(models.Model):
    """Anything a measure can be aimed at, identified by (kind, platform, identifier)."""

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=300)
    # Normalised on input: a USCC in capitals, a domain in IDNA form, a package id as listed, ...
    identifier = models.CharField(_("identifier"), max_length=200)
    platform = models.CharField(_("platform"), max_length=40, blank=True, default="")
    operator = models.ForeignKey(
        "self",
        verbose_name=_("operator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="operates",
        db_index=False,  # indexed where set (Meta.indexes)
    )
    # The platform key an organisation runs (e.g. "weibo"): accounts, live rooms, stores, groups and mini
    # programs on that platform are hosted by it.
    runs_platform = models.CharField(_("platform it runs"), max_length=40, blank=True, default="")
    legal_representative = models.CharField(_("legal representative"), max_length=100, blank=True)
    icp_number = models.CharField(_("ICP filing number"), max_length=40, blank=True)
    licence_number = models.CharField(_("value-added telecom licence"), max_length=40, blank=True)
    stores = models.JSONField(_("app stores"), default=list, blank=True)
    account_type = models.CharField(_("account type"), max_length=16, choices=AccountType.choices, blank=True)
    handle = models.CharField(_("handle"), max_length=200, blank=True)
    position = models.CharField(_("position"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    objects = SubjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        ordering = ["kind", "name"]
        indexes = [
            # The subject list's order (name, then id): walked from the index, not sorted — a sort of 1.4 million
            # subjects took 340 ms for every page of the list.
            models.Index(fields=["name", "id"], name="subject_name_order"),
            models.Index(fields=["operator"], condition=models.Q(operator__isnull=False), name="subject_operator_set"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["kind", "platform", "identifier"], name="subject_identity_unique"),
            models.UniqueConstraint(
                fields=["runs_platform"], condition=~models.Q(runs_platform=""), name="subject_platform_run_by_one"
            ),
            models.CheckConstraint(
                name="subject_runs_platform_is_organisation",
                condition=models.Q(runs_platform="") | models.Q(kind="organisation"),
            ),
            models.CheckConstraint(
                name="subject_platform_only_on_platforms",
                condition=models.Q(kind__in=sorted(ON_PLATFORM)) & ~models.Q(platform="")
                | ~models.Q(kind__in=sorted(ON_PLATFORM)) & models.Q(platform=""),
            ),
        ]

    def __str__(self) -> str:
        where = f"@{self.platform}" if self.platform else ""
        return f"{self.name} [{self.get_kind_display()} {self.display_identifier}{where}]"

    @property
    def host(self) -> "Subject | None":
        """The organisation that runs the platform this subject lives on."""
        if not self.platform:
            return None
        return Subject.objects.filter(kind=Kind.ORGANISATION, runs_platform=self.platform).first()

    @property
    def display_identifier(self) -> str:
        return mask_identifier(self.kind, self.identifier)


def mask_identifier(kind: str, identifier: str) -> str:
    """The identifier as every page shows it: a natural person's identity number masked (data minimisation;
    the full number is shown only through ``subject_identifier_reveal``, to holders of the personal-data role,
    audited). The first four digits (province and city) and the last four stay, as on a bank statement."""
    if kind != Kind.RESPONSIBLE_PERSON:
        return identifier
    if len(identifier) > 8:
        return identifier[:4] + "*" * (len(identifier) - 8) + identifier[-4:]
    return "*" * len(identifier)


def identifier_search(term: str, prefix: str = "") -> models.Q:
    """Subjects whose identifier matches a search term: any part of a public identifier, but a person's number
    only typed in full, else a search for its parts would spell out a masked number digit by digit."""
    term = term.strip()
    kind, identifier = f"{prefix}kind", f"{prefix}identifier"
    return (~models.Q(**{kind: Kind.RESPONSIBLE_PERSON}) & models.Q(**{f"{identifier}__icontains": term})) | models.Q(
        **{kind: Kind.RESPONSIBLE_PERSON, identifier: term.upper()}
    )
