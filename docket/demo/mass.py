"""The mass of measures behind the published figures: exactly as many as the records still lack for each
figure, written in bulk with their targets, tags and aggregate facts."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from django.db import connection

from docket.clues.models import Clue, ClueStatus, Source
from docket.core.bulk import bulk_insert, lock_tables, reserve_ids
from docket.core.vocabulary import Kind, MeasureType
from docket.demo.state import Demo
from docket.measures.imports import MEASURE_COLUMNS
from docket.measures.models import Measure, MeasureTarget
from docket.offices.models import Office
from docket.reports.aggregates import Fact, scopes_of
from docket.reports.models import MetricSet
from docket.reports.queries import figures
from docket.subjects.models import Subject
from docket.workdays.clocks import default_profile

# The figures the seed reports publish; the demo record is built to give them exactly.
PUBLISHED = Path(__file__).parent / "data" / "published_figures.json"


def measures_top_up(demo: Demo) -> dict[str, dict[str, int]]:
    """Top every published figure up to its value with measures written in bulk."""
    published: dict[str, dict[str, int]] = json.loads(PUBLISHED.read_text(encoding="utf-8"))["years"]
    rows: list[dict[str, Any]] = []
    national = Office.objects.get(code="000000")
    # A website closed (or app removed) once stays closed: the next year's closures are other subjects.
    gone: dict[str, set[int]] = defaultdict(set)
    for year in (2022, 2023):
        targets = published.get(str(year), {})
        metric_set = MetricSet.objects.get(key=str(year))
        figs = figures(office=national, date_from=dt.date(year, 1, 1), date_to=dt.date(year, 12, 31))
        for metric in metric_set.metrics.all():
            want = targets.get(metric.key)
            if not isinstance(want, int):
                continue
            have = figs.metric(metric)
            if want < have:
                raise RuntimeError(f"{year} {metric.key}: the named cases already give {have} > {want}")
            counted = set(
                figs.subject_ids([(t, k) for t in metric.measure_types for k in metric.subject_kinds or ["*"]])
            )
            final = metric.key in ("closed_websites", "removed_apps", "shut_down_mini_programs")
            rows += _top_up(
                demo,
                year,
                metric.measure_types,
                metric.subject_kinds,
                metric.counting,
                want - have,
                counted | (gone[metric.key] if final else set()),
                gone[metric.key],
            )
        rows += _background(demo, year)
    _write(demo, rows)
    return published


def _top_up(
    demo: Demo,
    year: int,
    types: list[str],
    kinds: list[str],
    counting: str,
    missing: int,
    exclude: set[int],
    taken: set[int],
) -> list[dict[str, Any]]:
    rng = demo.rng
    out: list[dict[str, Any]] = []
    if counting == "quantity":
        # Account-closure orders to platforms: quantities that add up to exactly what is missing.
        platforms = (
            list(Subject.objects.filter(kind=Kind.ORGANISATION).exclude(runs_platform="").values_list("id", flat=True))
            or demo.pool[Kind.ORGANISATION][:5]
        )
        left = missing
        while left > 0:
            q = min(left, rng.randint(200, 2500))
            out.append(_row(demo, year, MeasureType.ACCOUNT_CLOSURE_ORDER, addressee=rng.choice(platforms), quantity=q))
            left -= q
        return out
    if counting == "events":
        for _ in range(missing):
            out.append(
                _row(demo, year, types[0], authority=rng.choice(["telecom", "public_security", "market"]), clue=True)
            )
        return out
    kind = kinds[0] if kinds else Kind.WEBSITE
    candidates = [s for s in demo.pool[kind] if s not in exclude]
    if len(candidates) < missing:
        raise RuntimeError(f"{year} {types}: {missing} subjects wanted, {len(candidates)} left in the pool")
    for subject in rng.sample(candidates, missing):
        taken.add(subject)
        out.append(_row(demo, year, rng.choice(types), subject=subject))
        # Some subjects are dealt with twice (a second interview, a closure after a cancellation).
        if rng.random() < 0.12:
            out.append(_row(demo, year, rng.choice(types), subject=subject))
    return out


def _background(demo: Demo, year: int) -> list[dict[str, Any]]:
    """Measures no published figure counts, for a realistic record: warnings, notices, interviews."""
    rng = demo.rng
    out = []
    for _ in range(1500):
        mtype = rng.choice([MeasureType.PUBLIC_NOTICE, MeasureType.RECTIFICATION_ORDER])
        out.append(_row(demo, year, mtype, subject=rng.choice(demo.pool[Kind.ORGANISATION])))
    return out


def _row(
    demo: Demo,
    year: int,
    mtype: str,
    *,
    subject: int | None = None,
    addressee: int | None = None,
    quantity: int | None = None,
    authority: str = "",
    clue: bool = False,
) -> dict[str, Any]:
    rng = demo.rng
    office = demo.pick_office()
    day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
    tags = rng.sample(demo.campaign_ids[year], 1) if rng.random() < 0.4 and day.month >= 3 else []
    return {
        "office": office,
        "type": mtype,
        "date": day,
        "subject": subject,
        "addressee": addressee,
        "quantity": quantity,
        "authority": authority,
        "clue": clue,
        "campaigns": tags,
        "due_on": day + dt.timedelta(days=30) if mtype == MeasureType.RECTIFICATION_ORDER else None,
    }


def _write(demo: Demo, rows: list[dict[str, Any]]) -> None:
    """Clues for the transfers, then measures, targets and tags, in blocks."""
    profile = default_profile()
    counters: dict[str, int] = {}
    for ref in Clue.objects.values_list("ref", flat=True):
        prefix, n = ref.rsplit("-", 1)
        counters[prefix] = max(counters.get(prefix, 0), int(n))
    clues = []
    for r in rows:
        if r["clue"]:
            prefix = f"XS-{r['office'].code}-{r['date'].year}"
            counters[prefix] = counters.get(prefix, 0) + 1
            received = r["date"] - dt.timedelta(days=demo.rng.randint(3, 12))
            clues.append(
                Clue(
                    office=r["office"],
                    ref=f"{prefix}-{counters[prefix]:05d}",
                    source=demo.rng.choice([Source.INSPECTION, Source.PUBLIC_REPORT, Source.MEDIA]),
                    received_on=received,
                    summary="涉嫌违法犯罪线索，依法移送",
                    profile=profile,
                    status=ClueStatus.TRANSFERRED,
                    outcome_on=r["date"],
                    outcome_reason="依法移送主管部门",
                    created_at=demo.now,
                )
            )
    Clue.objects.bulk_create(clues, batch_size=2000)
    refs = dict(Clue.objects.filter(ref__in=[c.ref for c in clues]).values_list("ref", "id"))
    clue_ids = iter(refs[c.ref] for c in clues)
    lock_tables([Measure])
    next_id = reserve_ids(Measure, len(rows))
    created_at = Measure._meta.get_field("created_at").get_db_prep_value(demo.now, connection)
    measures, targets, tags = [], [], []
    scopes = scopes_of(r["office"].path for r in rows)
    kinds = dict(
        Subject.objects.filter(
            id__in={r["subject"] or r["addressee"] for r in rows if r["subject"] or r["addressee"]}
        ).values_list("id", "kind")
    )
    demo.facts = []
    for r in rows:
        mid = next_id
        next_id += 1
        who = r["subject"] or r["addressee"]
        demo.facts.append(
            Fact(
                id=mid,
                scopes=scopes[r["office"].path],
                month=r["date"].replace(day=1),
                type=r["type"],
                quantity=r["quantity"] or 0,
                campaigns=tuple(r["campaigns"]),
                subjects=((who, kinds[who]),) if who else (),
            )
        )
        measures.append(
            (
                mid,
                r["office"].id,
                r["type"],
                r["date"],
                None,
                r["addressee"],
                None,
                r["quantity"],
                r["authority"],
                "",
                "",
                "",
                False,
                "",
                "{}",
                created_at,
                next(clue_ids) if r["clue"] else None,
                r["due_on"],
            )
        )
        if r["subject"]:
            targets.append(
                (mid, r["subject"], "done" if r["type"] != MeasureType.RECTIFICATION_ORDER else "ordered", None, "")
            )
        tags += [(mid, c) for c in r["campaigns"]]
    # The account-closure orders here skip the webhooks outbox (measures.outbox) on purpose: they are the record
    # of past years, carried out already (their quantity is what the platforms closed), not orders for a platform
    # to act on, and the demo registers no webhook endpoint to push them to.
    bulk_insert("measures_measure", (*MEASURE_COLUMNS, "clue_id", "due_on"), measures)
    bulk_insert(MeasureTarget._meta.db_table, ("measure_id", "subject_id", "status", "done_on", "note"), targets)
    bulk_insert(Measure.campaigns.through._meta.db_table, ("measure_id", "campaign_id"), tags)
