from typing import Any

from docket.evidence.models import EvidenceItem
from docket.offices.scoping import get_visible


def evidence_get(actor: Any, pk: int) -> EvidenceItem:
    return get_visible(EvidenceItem.objects.select_related("case", "clue"), actor, pk=pk)
