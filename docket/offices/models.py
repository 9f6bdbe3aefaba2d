from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from docket.offices.paths import Subtree


class Level(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")


class Office(models.Model):
    """An enforcement office. Its jurisdiction is its subtree, found by the materialised ``path``."""

    code = models.CharField(_("division code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # "/000000/330000/330100/": a prefix match finds the whole subtree in one indexed query.
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    time_zone = models.CharField(_("time zone"), max_length=64, default=settings.DOCKET_DEFAULT_OFFICE_TZ)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        ordering = ["path"]
        indexes = [
            # The scoping path joins each row to its office and tests the office's path (lists newest first walk
            # the rows and look their offices up one by one): with the path and the code in the index, a look-up
            # reads the index alone (a province's case list: 1,504 → 1,023 buffers, 1.1 → 0.7 ms). PostgreSQL only.
            models.Index(fields=["id"], include=["path", "code"], name="office_scope_idx"),
        ]
        constraints = [
            # One tree: the scoping path reads "the root's jurisdiction" as "everything" (no filter at all).
            models.UniqueConstraint(
                fields=["level"], condition=models.Q(parent__isnull=True), name="office_single_root"
            ),
            models.CheckConstraint(
                name="office_root_is_national",
                condition=(models.Q(parent__isnull=True) & models.Q(level="national"))
                | (models.Q(parent__isnull=False) & ~models.Q(level="national")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def contains(self, other: "Office") -> bool:
        """True when ``other`` is this office or lies below it."""
        return other.path.startswith(self.path)

    def is_above(self, other: "Office") -> bool:
        return other.path.startswith(self.path) and other.pk != self.pk

    def ancestors(self) -> models.QuerySet["Office"]:
        codes = [c for c in self.path.strip("/").split("/") if c]
        return Office.objects.filter(code__in=codes[:-1]).order_by("path")


_DEPTHS = {1: _("office at depth 1"), 2: _("office at depth 2")}


def ancestor_field(depth: int) -> "models.ForeignKey[Office | None, Office | None]":
    """The office at ``depth`` above a row's office (1: provincial, 2: city; the office itself at its own depth),
    set by the database (``offices.ancestors``) and read by the scoping path (``jurisdiction_ancestors``)."""
    return models.ForeignKey(
        "offices.Office",
        verbose_name=_DEPTHS[depth],
        null=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # each model's index leads with it, followed by the order of its lists
    )


class OfficeCounter(models.Model):
    """The running number of one series (clue refs, case refs, a kind of document) of an office in a year.

    Taking a number locks this row (``offices.numbering.next_number``), so simultaneous decisions of one
    office queue here and get consecutive numbers instead of colliding on the unique reference.
    """

    office = models.ForeignKey(Office, verbose_name=_("office"), on_delete=models.PROTECT, related_name="+")
    series = models.CharField(_("series"), max_length=40)
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number taken"), default=0)

    class Meta:
        verbose_name = _("office counter")
        verbose_name_plural = _("office counters")
        constraints = [
            models.UniqueConstraint(fields=["office", "series", "year"], name="office_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.office_id} {self.series} {self.year}: {self.last}"


# ``path__subtree``: the scoping condition (``docket.offices.paths``), on the path field alone.
Office._meta.get_field("path").register_lookup(Subtree)
