"""Twenty heads launching one campaign at once (PostgreSQL, concurrent connections)."""

import datetime as dt

import pytest
from django.db import connection

from docket import testing as t
from docket.audit.models import AuditEntry
from docket.campaigns.models import Campaign
from docket.campaigns.services import campaign_create
from docket.core.tests.races import me, tally
from docket.officers.models import Role

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL connections"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.race("campaign_create")
def test_one_campaign_per_slug(tree):
    head = t.officer(tree.zj, Role.OFFICE_HEAD)
    results = t.race(
        lambda i: campaign_create(
            actor=me(head),
            slug="qinglang-2024",
            name=f"清朗 {i}",
            starts_on=dt.date(2024, 3, 1),
            ends_on=dt.date(2024, 12, 31),
            focus_areas=[],
            offices=[tree.hz],
            now=t.NOW,
        )
    )
    ok, refused = tally(results, taken="slug")
    assert len(ok) == 1 and len(refused) == t.RACERS - 1
    assert Campaign.objects.filter(slug="qinglang-2024").count() == 1
    assert list(Campaign.objects.get().offices.all()) == [tree.hz]
    assert AuditEntry.objects.filter(action="campaign.create").count() == 1
