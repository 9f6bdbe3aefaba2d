"""More cases of 2022 and 2023, each through one procedure path in turn (penalty, no penalty, not
established, judicial transfer, dismissal), by the real services."""

from __future__ import annotations

import datetime as dt

from docket.campaigns.models import Campaign
from docket.cases.models import Outcome
from docket.clues.models import Source
from docket.clues.services import clue_register
from docket.core.vocabulary import Kind, MeasureType
from docket.demo.procedure import Plan, run_case
from docket.demo.state import Demo
from docket.subjects.models import Subject


def more_cases(demo: Demo, count: int) -> None:
    rng = demo.rng
    paths = (
        [Plan(penalties=None)] * 6
        + [Plan(outcome=Outcome.NO_PENALTY)] * 2
        + [Plan(outcome=Outcome.NOT_ESTABLISHED)]
        + [Plan(outcome=Outcome.JUDICIAL_TRANSFER)]
        + [Plan(dismiss="当事人主体已注销，终止调查")]
    )
    sources = [Source.INSPECTION, Source.PUBLIC_REPORT, Source.MEDIA, Source.TRANSFER]
    for i in range(count):
        office = demo.pick_office()
        staff = demo.staff[office.code]
        year = 2022 if i % 2 == 0 else 2023
        received = dt.date(year, rng.randint(1, 9), rng.randint(1, 28))
        org = Subject.objects.get(pk=demo.pool[Kind.ORGANISATION].pop())
        site = Subject.objects.get(pk=demo.pool[Kind.WEBSITE].pop())
        campaigns = list(Campaign.objects.filter(id__in=rng.sample(demo.campaign_ids[year], 1)))
        clue = clue_register(
            actor=staff.team.a,
            source=rng.choice(sources),
            received_on=received,
            summary="网站传播违法信息",
            subjects=[org, site],
            now=demo.now,
            campaigns=campaigns,
        )
        template = paths[i % len(paths)]  # every path, in turn
        plan = Plan(outcome=template.outcome, dismiss=template.dismiss, hearing=rng.random() < 0.3)
        if plan.outcome == Outcome.PENALTY and not plan.dismiss:
            amount = f"{rng.choice([100000, 150000, 200000, 300000])}.00"
            plan.penalties = [(MeasureType.FINE, site, amount), (MeasureType.WARNING, site, None)]
            if rng.random() < 0.4:
                plan.penalties.append((MeasureType.RECTIFICATION_ORDER, org, None))
        if office.level != "national" and rng.random() < 0.15:
            plan.supervisor = demo.staff["000000"].team.head
        run_case(
            staff.team,
            clue,
            f"{site.name}传播违法信息案",
            received + dt.timedelta(days=rng.randint(2, 10)),
            plan,
            demo.now,
        )
        demo.step("案件")


# ---- the mass of measures ---------------------------------------------------------------------------
