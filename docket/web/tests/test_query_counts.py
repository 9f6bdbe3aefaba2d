"""Every page's number of queries is fixed: the same with 3 rows as with 30, and held to a stated number.

Two offices of the same level are filled alike, one with few records and one with many; each page is asked
as the same role in both and must send exactly the number of queries written below. A page that grows (a query
per row) or gains queries unnoticed fails here; a deliberate change updates its number in ``QUERIES``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from docket import testing as t
from docket.api.services import token_create
from docket.cases import services as cs
from docket.cases.models import Case, State
from docket.clues.models import Clue, Source
from docket.clues.services import clue_register
from docket.evidence.services import clue_material_add, evidence_add
from docket.measures.models import Measure
from docket.measures.services import measure_record
from docket.officers.models import Officer, Role
from docket.offices.models import Level, Office
from docket.reminders.models import Kind as ReminderKind
from docket.reminders.models import Reminder
from docket.subjects.models import Kind, Subject

pytestmark = pytest.mark.django_db

FEW, MANY = 3, 30
YEAR = t.NOW.year  # the year of the records: the report page reads that year's figures
DAY = dt.date(2024, 3, 4)

# The number of queries each page sends (the same for few rows as for many). A change of a page that adds or
# removes queries on purpose updates its number here.
QUERIES: dict[str, int | dict[str, int]] = {
    "dashboard, case officer": 14,
    "dashboard, office head": 27,
    "dashboard, legal reviewer": 11,
    "dashboard, inspector": 13,
    "dashboard, statistician": 9,
    "case list": 10,
    "case list, filtered": 10,
    "case list, by due date": 10,
    "clue list": 9,
    "clue list, filtered": 9,
    "measure list": 9,
    "measure list, filtered": 9,
    "subject list": 9,
    "subject list, filtered": 9,
    "case page": 27,
    "clue page": 14,
    "subject page": 11,
    "search": 12,
    "report page": 15,
    "measure page": 16,
    "reminders": 8,
    "tokens": 7,
}


@dataclass
class World:
    """One office's records, ``n`` of each kind, and the officers who read them."""

    office: Office
    n: int
    team: t.Team
    inspector: Officer
    statistician: Officer
    subject: Subject
    case: Case = field(init=False)
    clue: Clue = field(init=False)
    measure: Measure = field(init=False)


def _file(i: int) -> bytes:
    return f"截图 {i}".encode()


def build_world(office: Office, province: Office, n: int) -> World:
    """``n`` cases (in three states), clues, measures and hosted subjects about one subject; one case with ``n``
    parties, evidence items and decided measures; one open clue with ``n`` subjects and files."""
    team = t.Team(office)
    world = World(
        office=office,
        n=n,
        team=team,
        inspector=t.officer(province, Role.INSPECTOR),
        statistician=t.officer(office, Role.STATISTICIAN),
        subject=t.organisation(),
    )
    now = t.NOW
    states = [State.INVESTIGATING, State.PROPOSED, State.FILED]
    for i in range(n):
        t.drive(team, to=states[i % len(states)], party=world.subject)
    for i in range(n):
        clue_register(
            actor=team.b,
            source=Source.INSPECTION,
            received_on=DAY,
            summary=f"巡查 {i}",
            subjects=[world.subject],
            now=now,
        )
        t.website(f"site{office.code}-{i}.example.cn", operator=world.subject)
        measure_record(
            actor=team.a,
            type="rectification_order",
            taken_on=DAY,
            subjects=[world.subject],
            due_on=DAY + dt.timedelta(days=30),
            details={"requirements": "整改"},
            now=now,
        )
    # The big clue: n subjects, n files, still being checked.
    parties = [t.organisation() for _ in range(n)]
    world.clue = clue_register(
        actor=team.a, source=Source.PUBLIC_REPORT, received_on=DAY, summary="举报某平台", subjects=parties, now=now
    )
    for i in range(n):
        clue_material_add(
            actor=team.a,
            clue=world.clue,
            content=_file(i),
            name=f"material{i}.txt",
            content_type="text/plain",
            received_on=DAY,
            description="",
            now=now,
        )
    # The big case: n parties, n evidence items, a decision with a fine for each party, served.
    case = t.drive(team, to=State.INVESTIGATING, party=parties[0])
    case.parties.add(*parties[1:])
    category, provision = t.taxonomy()
    cs.violation_set(actor=team.a, case=case, category=category, provisions=[provision], facts="事实", now=now)
    day = case.filed_on
    for i in range(n):
        evidence_add(
            actor=team.a,
            case=case,
            content=_file(i),
            name=f"shot{i}.txt",
            content_type="text/plain",
            collected_on=day + dt.timedelta(days=1),
            collectors=[team.a, team.b],
            method="远程勘验",
            description="页面截图",
            now=now,
        )
    penalties = [{"measure": "fine", "subject": p.pk, "amount": "100000.00"} for p in parties]
    cs.draft_propose(
        actor=team.a,
        case=case,
        outcome="penalty",
        facts="查明事实",
        legal_basis="《网络安全法》第六十八条",
        discretion="一般",
        penalties=penalties,
        now=now,
    )
    cs.legal_review_record(
        actor=team.reviewer, case=case, approved=True, opinion="同意", on=day + dt.timedelta(days=10), now=now
    )
    if not case.discussion_current:
        cs.discussion_record(
            actor=team.head,
            case=case,
            on=day + dt.timedelta(days=11),
            attendees=["甲", "乙", "丙"],
            minutes="讨论",
            conclusion="同意",
            now=now,
        )
    notice = day + dt.timedelta(days=12)
    cs.notice_issue(actor=team.a, case=case, served_on=notice, now=now)
    cs.statement_record(actor=team.a, case=case, content="", waives_hearing=True, recheck="", on=notice, now=now)
    decided = notice + dt.timedelta(days=10)
    cs.decide(actor=team.head, case=case, outcome="penalty", legal_basis="依法", discretion="一般", on=decided, now=now)
    cs.serve(actor=team.a, case=case, served_on=decided, method="直接送达", party_present=True, proof="回执", now=now)
    world.case = case
    # An order aimed at n subjects; n reminders and n API tokens of the case officer.
    world.measure = measure_record(
        actor=team.a,
        type="rectification_order",
        taken_on=DAY,
        subjects=parties,
        due_on=DAY + dt.timedelta(days=30),
        details={"requirements": "整改"},
        now=now,
    )
    Reminder.objects.bulk_create(
        Reminder(officer=team.a, case=c, due_on=DAY, kind=ReminderKind.OVERDUE, sent_on=DAY, created_at=now)
        for c in Case.objects.filter(office=office).order_by("id")[:n]
    )
    for i in range(n):
        token_create(actor=team.a, officer=team.a, name=f"脚本{i}", days=30, now=timezone.now())
    return world


def pages(world: World) -> dict[str, tuple[Officer, str]]:
    """Each counted page: who asks for it and where."""
    team = world.team
    officer, head = team.a, team.head
    return {
        "dashboard, case officer": (officer, "/"),
        "dashboard, office head": (head, "/"),
        "dashboard, legal reviewer": (team.reviewer, "/"),
        "dashboard, inspector": (world.inspector, "/"),
        "dashboard, statistician": (world.statistician, "/"),
        "case list": (head, "/cases/"),
        "case list, filtered": (head, f"/cases/?state={State.INVESTIGATING}&party={world.subject.pk}"),
        "case list, by due date": (head, "/cases/?order=due"),
        "clue list": (head, "/clues/"),
        "clue list, filtered": (head, f"/clues/?status=open&subject={world.subject.pk}"),
        "measure list": (head, "/measures/"),
        "measure list, filtered": (head, "/measures/?type=rectification_order,fine"),
        "subject list": (head, "/subjects/"),
        "subject list, filtered": (head, f"/subjects/?kind={Kind.WEBSITE}"),
        "case page": (officer, f"/cases/{world.case.ref}/"),
        "clue page": (officer, f"/clues/{world.clue.pk}/"),
        "subject page": (officer, f"/subjects/{world.subject.pk}/"),
        "search": (officer, "/search/?q=某平台"),
        "report page": (world.statistician, f"/reports/{YEAR}/"),
        "measure page": (officer, f"/measures/{world.measure.pk}/"),
        "reminders": (officer, "/reminders/"),
        "tokens": (officer, "/tokens/"),
    }


def count_queries(client: Any, officer: Officer, url: str) -> tuple[int, list[str]]:
    t.verified_login(client, officer)
    # The first request fills the caches of the process (content types, the calendar) and the session's
    # activity stamp; the second is the one counted.
    assert client.get(url).status_code == 200, url
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


@pytest.fixture
def worlds(tree):
    guangzhou = t.office("440100", "广州市网信办", tree.gd, Level.CITY)
    few = build_world(tree.hz, tree.zj, FEW)
    many = build_world(guangzhou, tree.gd, MANY)
    return few, many


def test_every_page_sends_the_same_queries_for_few_and_many_rows(client, worlds):
    few, many = worlds
    assert Case.objects.filter(office=many.office).count() >= MANY
    table = []
    problems = []
    for name, (officer, url) in pages(few).items():
        few_count = count_queries(client, officer, url)
        many_count = count_queries(client, *pages(many)[name])
        table.append(f"{name:30} {few_count[0]:4} {many_count[0]:4} {t.held_count(QUERIES, name) or '?':>4}")
        problem = t.count_problem(name, few_count, many_count, t.held_count(QUERIES, name))
        if problem:
            problems.append(problem)
    print("\n".join([f"{'page':30} {FEW:>4} {MANY:>4} held", *table]))
    assert not problems, "\n".join(problems)


def test_the_large_world_really_is_large(worlds):
    _few, many = worlds
    case = many.case
    assert case.parties.count() == MANY
    assert Measure.objects.filter(case=case).count() == MANY
    assert case.evidence.count() == MANY
    assert many.clue.material.count() == MANY
    assert many.clue.subjects.count() == MANY
    assert Subject.objects.filter(operator=many.subject).count() == MANY


# Pages of the workspace whose queries are not counted here, and why. Every other page must be in QUERIES.
NOT_COUNTED = {
    "web-case-step": "a step's form: its fields, not a list of rows",
    "web-clue-step": "a step's form: its fields, not a list of rows",
    "web-measure-step": "a step's form: its fields, not a list of rows",
    "web-case-evidence": "the evidence step's form",
    "web-subject-identifier": "POST: one subject, one audited service call",
    "web-clue-new": "the intake form",
    "web-measure-new": "the form recording a measure",
    "web-cases-reassign": "POST: one service call per selected case, by design",
    "web-queue-save": "POST: saves and redirects",
    "web-queue-delete": "POST: deletes and redirects",
    "web-reminder-read": "POST: marks read and redirects",
    "web-evidence-download": "a file",
    "web-document-pdf": "a file",
    "web-document-render": "POST: renders a document and redirects",
    "web-measure-notice": "POST: renders a notice and redirects",
}


def _names(patterns: list[Any]) -> set[str]:
    names: set[str] = set()
    for p in patterns:
        if isinstance(p, URLResolver):
            names |= _names(p.url_patterns)
        elif isinstance(p, URLPattern) and p.name:
            names.add(p.name)
    return names


# The route name of each counted page (the first word of its name in QUERIES).
ROUTES = {
    "web-dashboard": "dashboard",
    "web-cases": "case list",
    "web-clues": "clue list",
    "web-measures": "measure list",
    "web-subjects": "subject list",
    "web-case": "case page",
    "web-clue": "clue page",
    "web-subject": "subject page",
    "web-search": "search",
    "web-report": "report page",
    "web-measure": "measure page",
    "web-reminders": "reminders",
    "web-tokens": "tokens",
}


def test_every_page_of_the_workspace_is_counted_or_named_as_not():
    from docket.web import urls

    routes = _names(urls.urlpatterns)
    missing = sorted(routes - set(ROUTES) - set(NOT_COUNTED))
    assert not missing, f"pages without a query count: {missing} (add them to QUERIES or NOT_COUNTED)"
    assert all(any(k.startswith(v) for k in QUERIES) for v in ROUTES.values())
    assert get_resolver().resolve("/").url_name == "web-dashboard"
