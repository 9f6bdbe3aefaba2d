"""`docket demo`: a realistic national record of 2022 and 2023, deterministic for a seed.

The named cases of the seed reports, and a few hundred more, go through the real services (every gate,
clock and audit entry). The mass of measures that the published figures count is then written in bulk,
exactly as many as the records still lack for each figure, so that `docket report --year 2022` and
`--year 2023` give the published numbers, counted from the records. Last comes the open work of the day it
runs: clues and cases in every state of the procedure for the example users (``open_work``).

The parts, in the order they run: ``people`` (offices, staff, example users, campaigns), ``subjects``
(pools), ``named`` (the seed reports' cases), ``paths`` (more cases, every procedure path), ``mass`` (the bulk
measures), ``open_work``. ``scale`` is the separate bulk generator of ``docket demo --scale N``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.db import transaction

from docket.audit.services import audit_record
from docket.campaigns.models import Campaign
from docket.core.bulk import analyze
from docket.demo.mass import measures_top_up
from docket.demo.named import named_cases, named_removals
from docket.demo.open_work import open_work
from docket.demo.paths import more_cases
from docket.demo.people import MARKER, campaigns_create, example_users_create, offices_and_staff
from docket.demo.state import Demo
from docket.demo.subjects import pools
from docket.measures.models import Measure
from docket.offices.models import Office
from docket.reports.aggregates import cells_add_facts
from docket.reports.models import MetricSet
from docket.reports.queries import figures

# How many progress steps a run takes besides its cases: the command sizes its bar with it.
STEPS = 4 + 13 + 1


def demo_generate(*, seed: int, now: dt.datetime, progress: Any = None, cases: int = 80) -> dict[str, Any]:
    """Generate the demo record; returns the figures it gives beside the published ones."""
    if Campaign.objects.filter(slug=MARKER).exists():
        return {"skipped": True}
    demo = Demo(seed, now, progress)
    published = _generate(demo, cases=cases)
    national = Office.objects.get(code="000000")
    result: dict[str, Any] = {}
    for year in (2022, 2023):
        figs = figures(office=national, date_from=dt.date(year, 1, 1), date_to=dt.date(year, 12, 31))
        metric_set = MetricSet.objects.get(key=str(year))
        result[str(year)] = {
            m.key: (figs.metric(m), published.get(str(year), {}).get(m.key)) for m in metric_set.metrics.all()
        }
    return result


def _docket_tables() -> list[Any]:
    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_config.name.startswith("docket.") and m._meta.managed and not m._meta.proxy
    ]


def _generate(demo: Demo, *, cases: int) -> dict[str, dict[str, int]]:
    with transaction.atomic():
        offices_and_staff(demo)
        example_users_create()
        demo.step("机构与人员")
        campaigns_create(demo)
        pools(demo)
        demo.step("监管对象")
    named_cases(demo)
    named_removals(demo)
    more_cases(demo, cases)
    with transaction.atomic():
        published = measures_top_up(demo)
        demo.step("处置措施")
        cells_add_facts(demo.facts)
        demo.step("汇总")
        audit_record(
            actor=None,
            action="demo.generate",
            object_type="measures.measure",
            detail={"seed": demo.seed, "measures": Measure.objects.count()},
            now=demo.now,
        )
    open_work(demo)
    demo.step("待办")
    # A bulk load ends with fresh planner statistics for what it filled: the demo fills nearly every table.
    analyze(*_docket_tables())
    return published
