"""Twenty administrators creating one office at once (PostgreSQL, concurrent connections)."""

import pytest
from django.db import connection

from docket import testing as t
from docket.audit.models import AuditEntry
from docket.core.tests.races import me, tally
from docket.officers.models import Role
from docket.offices.models import Office
from docket.offices.services import office_create

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL connections"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.race("office_create")
def test_one_office_per_code(tree):
    admin = t.officer(tree.zj, Role.ADMINISTRATOR)
    results = t.race(
        lambda i: office_create(
            actor=me(admin), code="330110", name=f"余杭区网信办 {i}", level="county", parent=tree.hz
        )
    )
    ok, refused = tally(results, taken="code")
    assert len(ok) == 1 and len(refused) == t.RACERS - 1
    assert Office.objects.filter(code="330110").count() == 1
    assert AuditEntry.objects.filter(action="office.create").count() == 1
