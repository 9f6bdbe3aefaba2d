"""Twenty loads of the built-in taxonomy at once (PostgreSQL, concurrent connections)."""

import json

import pytest
from django.db import connection

from docket import testing as t
from docket.audit.models import AuditEntry
from docket.core.tests.races import tally
from docket.taxonomy.models import Provision, ViolationCategory
from docket.taxonomy.services import BUILTIN, taxonomy_load

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL connections"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.race("taxonomy_load")
def test_simultaneous_loads_load_once():
    """A load is idempotent: every one succeeds, one after the other, and the taxonomy is held once."""
    data = json.loads(BUILTIN.read_text(encoding="utf-8"))
    provisions_before = Provision.objects.count()
    results = t.race(lambda i: taxonomy_load(actor=None, data=data))
    ok, refused = tally(results)
    assert len(ok) == t.RACERS and not refused
    assert ok[0] == {"provisions": len(data["provisions"]), "categories": len(data["categories"])}
    keys = {(p["law"], p["article"], p.get("paragraph") or 0, p.get("item") or 0) for p in data["provisions"]}
    assert Provision.objects.count() == max(provisions_before, len(keys))
    assert ViolationCategory.objects.filter(version=data["version"]).count() == len(data["categories"])
    assert AuditEntry.objects.filter(action="taxonomy.load").count() == t.RACERS
