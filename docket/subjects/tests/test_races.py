"""Twenty registrars registering the same subject at once (PostgreSQL, concurrent connections)."""

import pytest
from django.db import connection

from docket import testing as t
from docket.audit.models import AuditEntry
from docket.core.tests.races import me, tally
from docket.core.vocabulary import Kind
from docket.officers.models import Role
from docket.subjects.models import Subject
from docket.subjects.services import subject_register

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL connections"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.race("subject_register")
def test_one_identity_is_registered_once(tree):
    """Every caller gets the subject; exactly one of them created it, and the registry holds it once."""
    officer = t.officer(tree.hz, Role.CASE_OFFICER)
    code = t.valid_uscc(4242)
    results = t.race(
        lambda i: subject_register(
            actor=me(officer), kind=Kind.ORGANISATION, now=t.NOW, name=f"公司{i}", identifier=code
        )
    )
    ok, refused = tally(results)
    assert len(ok) == t.RACERS and not refused
    assert sum(created for _s, created in ok) == 1
    assert len({s.pk for s, _c in ok}) == 1
    assert Subject.objects.filter(identifier=code).count() == 1
    assert AuditEntry.objects.filter(action="subject.register").count() == 1


@pytest.mark.race("subject_register")
def test_one_platform_is_run_by_one_organisation(tree):
    officer = t.officer(tree.hz, Role.CASE_OFFICER)
    results = t.race(
        lambda i: subject_register(
            actor=me(officer),
            kind=Kind.ORGANISATION,
            now=t.NOW,
            name=f"公司{i}",
            identifier=t.valid_uscc(5000 + i),
            runs_platform="weibo",
        )
    )
    ok, refused = tally(results, taken="runs_platform")
    assert len(ok) + len(refused) == t.RACERS
    assert Subject.objects.filter(runs_platform="weibo").count() == 1
    assert sum(created for _s, created in ok) == 1
