from docket.clues.models import Clue
from docket.officers.actors import Actor
from docket.offices.scoping import ScopedQuerySet, get_visible


def clues_visible(actor: Actor) -> ScopedQuerySet[Clue]:
    return Clue.objects.visible_to(actor)


def clue_get(actor: Actor, pk: int) -> Clue:
    return get_visible(Clue.objects.select_related("office", "profile"), actor, pk=pk)
