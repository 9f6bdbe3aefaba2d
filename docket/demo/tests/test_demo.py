"""The demo record gives every published figure exactly, counted from its records."""

import datetime as dt
import io
import json
import re
from pathlib import Path

from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from docket.audit.queries import audit_chain_verify
from docket.cases.models import Case, Outcome, ProcedureRecord, State, Step
from docket.clues.models import Clue, Source
from docket.core.vocabulary import MeasureType
from docket.demo.generate import demo_generate
from docket.demo.open_work import open_cases
from docket.demo.tests.test_open_work import OPEN_STATES
from docket.measures.models import Measure
from docket.reports.aggregates import cells_rebuild
from docket.reports.tests.test_figures import cell_rows
from docket.subjects.models import Subject

# The published figures as the project's shared data states them; Docket ships a copy for the demo.
SHARED = Path(__file__).resolve().parents[4] / "shared" / "data" / "published_figures.json"
SHIPPED = Path(__file__).resolve().parents[1] / "data" / "published_figures.json"
PUBLISHED = SHARED if SHARED.exists() else SHIPPED


def test_shipped_figures_are_the_published_ones():
    shipped = json.loads(SHIPPED.read_text(encoding="utf-8"))["years"]
    assert json.loads(PUBLISHED.read_text(encoding="utf-8"))["years"] == shipped
    assert shipped["2022"]["closed_websites"] == 25233 and shipped["2023"]["accounts_closed_by_platforms"] == 127878


def test_demo_reproduces_the_published_figures(db):
    published = json.loads(PUBLISHED.read_text(encoding="utf-8"))["years"]
    # The command as a user runs it (dated today), after the bootstrap it follows in the README.
    call_command("bootstrap", stdout=io.StringIO())
    out = io.StringIO()
    call_command("demo", "--seed", "7", "--cases", "14", stdout=out)
    printed = {
        year: {key: int(got) for key, got in re.findall(rf"^{year} (\w+): (\d+) \(published", out.getvalue(), re.M)}
        for year in ("2022", "2023")
    }
    for year in ("2022", "2023"):
        out = io.StringIO()
        call_command("report", "--year", year, "--format", "json", stdout=out)
        metrics = json.loads(out.getvalue())["metrics"]
        expected = {k: v for k, v in published[year].items() if k != "source"}
        assert metrics == expected, year
        assert printed[year] == expected
        for lang in ("zh", "en"):
            out = io.StringIO()
            call_command("report", "--year", year, "--format", "text", "--lang", lang, stdout=out)
            numbers = [int(n.replace(",", "")) for n in re.findall(r"\d+(?:,\d{3})*", out.getvalue()) if n != year]
            assert numbers == list(metrics.values())

    if connection.vendor == "postgresql":
        # The load ended with ANALYZE (as the application role too): the planner knows the rows are there.
        with connection.cursor() as cur:
            cur.execute("SELECT reltuples FROM pg_class WHERE oid = 'subjects_subject'::regclass")
            assert cur.fetchone()[0] >= Subject.objects.count() * 0.9 > 0

    # The record behind the figures: every clue source, every procedure path, the named offices.
    assert set(Clue.objects.values_list("source", flat=True)) == set(Source.values)
    outcomes = set(Case.objects.exclude(decision_outcome="").values_list("decision_outcome", flat=True))
    assert outcomes == set(Outcome.values)
    assert Case.objects.filter(state=State.DISMISSED).exists() or Case.objects.filter(end_reason__gt="").exists()
    assert ProcedureRecord.objects.filter(step=Step.HEARING).exists()
    assert ProcedureRecord.objects.filter(step=Step.LEGAL_REVIEW).exists()
    assert ProcedureRecord.objects.filter(step=Step.SUPERVISION, by_office__code="000000").exists()
    taobao = Case.objects.get(title__startswith="淘宝")
    assert taobao.office.code == "330000" and taobao.state == State.ARCHIVED
    assert ProcedureRecord.objects.filter(case=taobao, step=Step.INSTRUCTION, by_office__code="000000").exists()
    assert Case.objects.get(title__startswith="滴滴").office.code == "000000"
    assert {Case.objects.get(title__startswith=t).office.code for t in ("新浪微博", "腾讯微信")} == {"110000", "440000"}
    assert set(Measure.objects.values_list("type", flat=True)) >= set(MeasureType.values) - {"confiscation"}
    assert audit_chain_verify()[1] is None

    # The cells the services and the bulk writer kept are those a rebuild computes.
    before = cell_rows()
    cells_rebuild()
    after = cell_rows()
    assert before == after

    # Today's open work is there too, beside the record of 2022 and 2023.
    assert {c.state for c in open_cases()} >= set(OPEN_STATES)

    # A second run leaves the record as it is.
    assert demo_generate(seed=7, now=timezone.now()) == {"skipped": True}
    assert Measure.objects.filter(taken_on__lt=dt.date(2022, 1, 1)).count() == 0
