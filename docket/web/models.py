"""What the workspace keeps of its own: officers' saved queues (named filters of the lists)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from docket.offices.scoping import ScopedQuerySet, actor_office


class SavedQueueQuerySet(ScopedQuerySet["SavedQueue"]):
    def visible_to(self, actor: Any, *, listed: bool = False) -> SavedQueueQuerySet:
        """The reader's own queues and those shared with the reader's office: that office alone, not the
        offices above it (a queue is a way of working, not a record of the jurisdiction)."""
        office = actor_office(actor)
        if office is None or actor.pk is None:
            return self.none()
        return self.filter(Q(owner_id=actor.pk) | Q(office_id=office.pk))


class SavedQueue(models.Model):
    """A list's filter kept under a name: the list's query string, as its FilterSet validated it."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="saved_queues"
    )
    # Set when the owner shares the queue with their office.
    office = models.ForeignKey(
        "offices.Office",
        verbose_name=_("shared with office"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    list_name = models.CharField(_("list"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(_("filter"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    objects = models.Manager.from_queryset(SavedQueueQuerySet)()

    class Meta:
        verbose_name = _("saved queue")
        verbose_name_plural = _("saved queues")
        ordering = ["list_name", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "list_name", "name"], name="saved_queue_name_per_owner"),
            models.CheckConstraint(
                name="saved_queue_list_known", condition=Q(list_name__in=["cases", "clues", "measures", "subjects"])
            ),
        ]
        indexes = [models.Index(fields=["office", "list_name"], name="saved_queue_office_list")]

    def __str__(self) -> str:
        return self.name
