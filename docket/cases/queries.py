"""Reads shared by the admin, the commands and (later) the web and API: all through the one scoping path."""

from docket.cases.models import Case, Document
from docket.officers.actors import Actor
from docket.offices.scoping import ScopedQuerySet, get_visible


def cases_visible(actor: Actor) -> ScopedQuerySet[Case]:
    return Case.objects.visible_to(actor)


def case_get(actor: Actor, pk: int) -> Case:
    return get_visible(Case.objects.select_related("office", "profile"), actor, pk=pk)


def case_get_by_ref(actor: Actor, ref: str) -> Case:
    return get_visible(Case.objects.select_related("office", "profile"), actor, ref=ref)


def document_get(actor: Actor, pk: int) -> Document:
    return get_visible(Document.objects.select_related("case"), actor, pk=pk)
