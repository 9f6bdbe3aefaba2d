"""Reading an officer's reminders: their own only, and only of objects still within their jurisdiction (a case
moved away from them no longer shows)."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from docket.cases.models import Case
from docket.clues.models import Clue
from docket.measures.models import Measure
from docket.reminders.models import Reminder


def reminders_of(actor: Any) -> QuerySet[Reminder]:
    """The actor's reminders, unread first, then by due date."""
    # Correlated per reminder (a handful per officer), not the whole jurisdiction's ids.
    visible = (
        Exists(Case.objects.visible_to(actor).filter(pk=OuterRef("case_id")))
        | Exists(Clue.objects.visible_to(actor).filter(pk=OuterRef("clue_id")))
        | Exists(Measure.objects.visible_to(actor).filter(pk=OuterRef("measure_id")))
    )
    return Reminder.objects.visible_to(actor).filter(visible).order_by("-sent_on", "due_on", "-id")


def unread_count(actor: Any) -> int:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return 0
    return reminders_of(actor).filter(read_at__isnull=True).count()
