"""Hand-made records of every shape the counting rule distinguishes, written as bulk writers write them.

Measures aimed at one subject, at several subjects of one kind and of two kinds, orders addressed to a
platform with no targets, measures tagged with campaigns, spread over offices of every level and over days
that cut months and years — then added to the cells by ``cells_add`` (the path every writer takes).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from docket import testing as t
from docket.campaigns.models import Campaign
from docket.core.vocabulary import Kind
from docket.measures.models import Measure, MeasureTarget
from docket.reports.aggregates import cells_add
from docket.subjects.models import Subject

TYPES = ["interview", "warning", "suspension", "website_closure", "account_closure_order", "app_removal"]


def build(tree: Any, *, seed: int = 7, n: int = 160) -> dict[str, Any]:
    rng = random.Random(seed)
    offices = [tree.national, tree.zj, tree.hz, tree.xh, tree.nb, tree.gd]
    campaigns = [
        Campaign.objects.create(
            slug=f"c{i}",
            name=f"c{i}",
            starts_on=dt.date(2022, 1, 1),
            ends_on=dt.date(2024, 12, 31),
            lead_office=tree.zj,
        )
        for i in range(2)
    ]
    orgs = [t.organisation() for _ in range(4)]
    sites = [t.website(f"w{i}.example.cn") for i in range(6)]
    apps = [Subject.objects.create(kind=Kind.APP, name=f"a{i}", identifier=f"cn.example.a{i}") for i in range(3)]
    pool = {"organisation": orgs, "website": sites, "app": apps}
    ids = []
    now = timezone.now()
    for _ in range(n):
        day = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(0, 730))
        mtype = rng.choice(TYPES)
        shape = rng.random()
        m = Measure.objects.create(
            office=rng.choice(offices),
            type=mtype,
            taken_on=day,
            quantity=rng.randrange(1, 900) if mtype == "account_closure_order" else None,
            authority="",
            created_at=now,
        )
        if mtype == "account_closure_order" and shape < 0.5:
            m.addressee = rng.choice(orgs)  # addressed to the platform, no targets
            m.save(update_fields=["addressee"])
        else:
            chosen: list[Subject] = []
            if shape < 0.57:
                chosen = [rng.choice(rng.choice(list(pool.values())))]
            elif shape < 0.6:
                chosen = []  # aimed at nobody Docket knows: an event of "any kind" alone
            elif shape < 0.85:
                chosen = rng.sample(sites, 2)  # two subjects of one kind
            else:
                chosen = [rng.choice(orgs), rng.choice(sites)]  # two kinds
            for s in chosen:
                MeasureTarget.objects.create(measure=m, subject=s)
            if mtype == "account_closure_order" and shape > 0.8:
                # Addressed to the platform and naming its accounts: it counts at the accounts alone.
                m.addressee = rng.choice(orgs)
                m.save(update_fields=["addressee"])
        for c in campaigns:
            if rng.random() < 0.3:
                m.campaigns.add(c)
        ids.append(m.pk)
    cells_add(ids)
    return {"campaigns": campaigns, "offices": offices, "ids": ids}
