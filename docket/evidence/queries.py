from docket.evidence.models import EvidenceItem
from docket.officers.actors import Actor
from docket.offices.scoping import get_visible


def evidence_get(actor: Actor, pk: int) -> EvidenceItem:
    """The item's record (not its bytes: those are read with ``services.evidence_read``, audited)."""
    return get_visible(EvidenceItem.objects.select_related("case", "clue"), actor, pk=pk)
