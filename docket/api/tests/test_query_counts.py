"""Every officer endpoint of /api/v1/ sends a fixed number of queries: the same with 3 rows as with 30, and held to
a stated number.

The operations are read from the OpenAPI schema itself, so an endpoint added without a count fails here (it must
be counted in ``QUERIES`` or, for the platform channel, named in ``NOT_COUNTED`` with the reason). Two offices of
the same level are filled alike, one with few records and one with many (lists of ``FEW`` and ``MANY`` rows; one
case, clue and measure with that many parties, evidence items, documents and subjects); each operation is asked
as the same role in both. The first request of each (a different body for a POST) fills the process's caches and
the token's last use, which is written at most once a minute; the second is counted.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import EndpointEnumerator, SchemaGenerator

from docket import testing as t
from docket.api.listcache import kept
from docket.api.tests.conftest import api_as
from docket.cases.models import Case, Document, State
from docket.clues.models import Clue, Source
from docket.clues.services import clue_register
from docket.documents.models import RenderedDocument
from docket.documents.services import document_render
from docket.evidence.models import EvidenceItem
from docket.evidence.services import evidence_add
from docket.measures import services as ms
from docket.measures.models import Measure
from docket.officers.models import Officer, Role
from docket.offices.models import Level, Office
from docket.platforms.permissions import PlatformClientsOnly
from docket.statements.models import Statement
from docket.statements.services import statement_store
from docket.subjects.models import Kind, Subject

pytestmark = pytest.mark.django_db

FEW, MANY = 3, 30
DAY = dt.date(2024, 3, 4)

# The number of queries of each operation (the same for few rows as for many). A change that adds or removes
# queries on purpose updates its number here; a number that differs by database is a dict by vendor.
QUERIES: dict[str, int | dict[str, int]] = {
    "GET /api/v1/offices/": 2,
    "GET /api/v1/cases/": 3,
    "GET /api/v1/cases/{ref}/": 6,
    "POST /api/v1/cases/{ref}/steps/{action}/": 32,
    "GET /api/v1/cases/{ref}/evidence/": 4,
    "POST /api/v1/cases/{ref}/evidence/": 24,
    "GET /api/v1/cases/{ref}/documents/": 3,
    "GET /api/v1/clues/": 3,
    "GET /api/v1/clues/{ref}/": 3,
    "POST /api/v1/clues/{ref}/steps/{action}/": 14,
    "GET /api/v1/measures/": 3,
    "GET /api/v1/measures/{id}/": 3,
    # PostgreSQL and SQLite move a corrected measure's cells with one statement more or less.
    "POST /api/v1/measures/{id}/steps/{action}/": {"sqlite": 87, "postgresql": 88},
    "GET /api/v1/subjects/": 2,
    "POST /api/v1/subjects/": 12,
    "GET /api/v1/subjects/{id}/": 2,
    "GET /api/v1/evidence/{id}/": 11,
    "GET /api/v1/documents/{id}/pdf/": 11,
    "GET /api/v1/figures/": 2,
    "GET /api/v1/search/": 7,
    "GET /api/v1/audit/{type}/{id}/": 3,
    "GET /api/v1/statements/": 2,
    "GET /api/v1/statements/figures/": 6,
    "GET /api/v1/statement/{uuid}": 2,
    "GET /api/v1/statement/existing-puid/{puid}": 2,
}

# Operations of the schema not counted here, and why. Only the platform channel's may be named: an operation an
# officer can call must be in QUERIES.
NOT_COUNTED = {
    "GET /api/v1/orders/": "the platform channel: counted in platforms/tests/test_orders_api.py",
    "GET /api/v1/orders/{id}/": "the platform channel: counted in platforms/tests/test_orders_api.py",
    "GET /api/v1/orders/{id}/items/": "the platform channel: counted in platforms/tests/test_orders_api.py",
    "GET /api/v1/orders/{id}/reports/": "the platform channel (a platform's own reports)",
    "POST /api/v1/orders/{id}/reports/": "the platform channel: a batch written with COPY (bench/ingest.py)",
    "GET /api/v1/webhook/": "the platform channel: one row",
    "POST /api/v1/webhook/": "the platform channel: one service call",
    "POST /api/v1/statement": "a platform's statement; an officer's token is refused (403)",
    "POST /api/v1/statements": "a platform's batch of statements; an officer's token is refused (403)",
}


def operations() -> dict[str, bool]:
    """Every operation of the schema, each with whether an officer may call it (its view lets officers in)."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    in_schema = {f"{m.upper()} {p}" for p, ops in schema["paths"].items() for m in ops}
    platform_only = set()
    for path, _regex, method, view in EndpointEnumerator().get_api_endpoints():
        if PlatformClientsOnly in getattr(view.cls, "permission_classes", ()):
            platform_only.add(f"{method.upper()} {_openapi_path(path)}")
    return {op: op not in platform_only for op in in_schema}


def _openapi_path(path: str) -> str:
    # The enumerator names a path's parameters as the schema does, but keeps Django's converters out already
    # except for ``pk``, which the schema calls ``id``.
    return path.replace("{pk}", "{id}")


# --- the records ------------------------------------------------------------------------------------------------


@dataclass
class World:
    office: Office
    n: int
    team: t.Team
    inspector: Officer
    subject: Subject
    case: Case
    clue: Clue
    measure: Measure
    evidence: EvidenceItem
    rendered: RenderedDocument
    statement: Statement


# The Transparency Database's required fields (its API tests' ``required_fields``).
STATEMENT = {
    "decision_visibility": ["DECISION_VISIBILITY_CONTENT_DISABLED"],
    "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT",
    "category": "STATEMENT_CATEGORY_ANIMAL_WELFARE",
    "illegal_content_legal_ground": "foo",
    "illegal_content_explanation": "bar",
    "territorial_scope": ["BE", "DE", "FR"],
    "source_type": "SOURCE_ARTICLE_16",
    "source_identity": "foo",
    "decision_facts": "decision and facts",
    "content_type": ["CONTENT_TYPE_SYNTHETIC_MEDIA"],
    "automated_detection": "No",
    "automated_decision": "AUTOMATED_DECISION_PARTIALLY",
    "application_date": "2023-05-18",
    "content_date": "2023-05-18",
}

_serial = itertools.count(1)


def _file(i: int) -> bytes:
    return f"截图 {i} {next(_serial)}".encode()


def build_world(office: Office, province: Office, n: int) -> World:
    """``n`` cases, clues, measures and statements; one case with ``n`` parties, evidence items and documents, one
    clue and one measure about ``n`` subjects."""
    team = t.Team(office)
    now = t.NOW
    subject = t.organisation()
    for i in range(n):
        t.drive(team, to=State.FILED, party=subject)
        t.office(f"{office.code[:4]}{i + 1:02d}", f"区{i}", office, Level.COUNTY)
        ms.measure_record(
            actor=team.a,
            type="rectification_order",
            taken_on=DAY,
            subjects=[subject],
            due_on=DAY + dt.timedelta(days=30),
            details={"requirements": "整改"},
            now=now,
        )
    parties = [t.organisation() for _ in range(n)]
    clue = clue_register(
        actor=team.a, source=Source.PUBLIC_REPORT, received_on=DAY, summary="举报某平台", subjects=parties, now=now
    )
    case = t.drive(team, to=State.INVESTIGATING, party=parties[0])
    case.parties.add(*parties[1:])
    evidence = [
        evidence_add(
            actor=team.a,
            case=case,
            content=_file(i),
            name=f"shot{i}.txt",
            content_type="text/plain",
            collected_on=case.filed_on + dt.timedelta(days=1),
            collectors=[team.a, team.b],
            method="远程勘验",
            description="页面截图",
            now=now,
        )
        for i in range(n)
    ]
    # One PDF rendered for real; the other rows of the list as if rendered under later template versions.
    document = Document.objects.filter(case=case).order_by("id").first()
    assert document is not None
    rendered = document_render(actor=team.a, document=document, language="zh-hans", now=now)
    RenderedDocument.objects.bulk_create(
        RenderedDocument(
            **{
                f.attname: getattr(rendered, f.attname)
                for f in RenderedDocument._meta.concrete_fields
                if not f.primary_key and f.attname != "template_version"
            },
            template_version=rendered.template_version + 1 + i,
        )
        for i in range(n - 1)
    )
    measure = ms.measure_record(
        actor=team.a,
        type="rectification_order",
        taken_on=DAY,
        subjects=parties,
        due_on=DAY + dt.timedelta(days=30),
        details={"requirements": "整改"},
        now=now,
    )
    # A platform the office ordered to close accounts, and its n statements of reasons.
    platform = t.organisation()
    platform.runs_platform = f"p{office.code}"
    platform.save(update_fields=["runs_platform"])
    client = t.officer(None, Role.PLATFORM, platform=platform, certified=False)
    accounts = Subject.objects.bulk_create(
        Subject(kind=Kind.ACCOUNT, name=f"账号{i}", identifier=f"a{office.code}{i}", platform=platform.runs_platform)
        for i in range(n)
    )
    ms.measure_record(
        actor=team.a,
        type="account_closure_order",
        taken_on=DAY,
        subjects=accounts,
        addressee=platform,
        now=now,
        details={"grounds": "发布违法信息"},
    )
    statements = [
        statement_store(actor=client, data={**STATEMENT, "puid": f"puid-{office.code}-{i}"}, now=now) for i in range(n)
    ]
    return World(
        office=office,
        n=n,
        team=team,
        inspector=t.officer(province, Role.INSPECTOR),
        subject=subject,
        case=case,
        clue=clue,
        measure=measure,
        evidence=evidence[0],
        rendered=rendered,
        statement=statements[0],
    )


# --- the requests -----------------------------------------------------------------------------------------------

# A request: who sends it, and the call itself given a fresh number (so a POST's warm-up and counted bodies differ).
Call = Callable[[Any, int], Any]


def get(path: str, **params: Any) -> Call:
    return lambda api, _i: api.get(path, params)


def post(path: str, body: Callable[[int], dict[str, Any]], fmt: str = "json") -> Call:
    return lambda api, i: api.post(path, body(i), format=fmt)


def requests(w: World) -> dict[str, tuple[Officer, Call, int]]:
    """Each counted operation: who asks, how, and the status expected."""
    team = w.team
    category, provision = t.taxonomy()
    case, clue, measure = w.case, w.clue, w.measure
    return {
        "GET /api/v1/offices/": (team.a, get("/api/v1/offices/", page_size=100), 200),
        "GET /api/v1/cases/": (team.head, get("/api/v1/cases/"), 200),
        "GET /api/v1/cases/{ref}/": (team.a, get(f"/api/v1/cases/{case.ref}/"), 200),
        "POST /api/v1/cases/{ref}/steps/{action}/": (
            team.a,
            post(
                f"/api/v1/cases/{case.ref}/steps/violation_set/",
                lambda i: {"category": category.pk, "provisions": [provision.pk], "facts": f"事实 {i}"},
            ),
            200,
        ),
        "GET /api/v1/cases/{ref}/evidence/": (team.a, get(f"/api/v1/cases/{case.ref}/evidence/", page_size=100), 200),
        "POST /api/v1/cases/{ref}/evidence/": (
            team.a,
            post(
                f"/api/v1/cases/{case.ref}/evidence/",
                lambda i: {
                    "file": SimpleUploadedFile(f"new{i}.txt", _file(i), content_type="text/plain"),
                    "collected_on": str(case.filed_on + dt.timedelta(days=1)),
                    "collectors": [team.a.pk, team.b.pk],
                    "method": "远程勘验",
                },
                fmt="multipart",
            ),
            201,
        ),
        "GET /api/v1/cases/{ref}/documents/": (team.a, get(f"/api/v1/cases/{case.ref}/documents/"), 200),
        "GET /api/v1/clues/": (team.head, get("/api/v1/clues/"), 200),
        "GET /api/v1/clues/{ref}/": (team.a, get(f"/api/v1/clues/{clue.ref}/"), 200),
        "POST /api/v1/clues/{ref}/steps/{action}/": (
            team.a,
            post(
                f"/api/v1/clues/{clue.ref}/steps/clue_material_add/",
                lambda i: {
                    "file": SimpleUploadedFile(f"m{i}.txt", _file(i), content_type="text/plain"),
                    "received_on": str(DAY),
                },
                fmt="multipart",
            ),
            200,
        ),
        "GET /api/v1/measures/": (team.head, get("/api/v1/measures/"), 200),
        "GET /api/v1/measures/{id}/": (team.a, get(f"/api/v1/measures/{measure.pk}/"), 200),
        "POST /api/v1/measures/{id}/steps/{action}/": (
            team.head,
            post(
                f"/api/v1/measures/{measure.pk}/steps/measure_correct/",
                lambda i: {"reason": f"更正 {i}", "taken_on": str(DAY + dt.timedelta(days=i % 2))},
            ),
            200,
        ),
        "GET /api/v1/subjects/": (team.head, get("/api/v1/subjects/"), 200),
        "POST /api/v1/subjects/": (
            team.a,
            post(
                "/api/v1/subjects/",
                lambda i: {"kind": "organisation", "name": f"新公司{i}", "identifier": t.valid_uscc(900 + i)},
            ),
            201,
        ),
        "GET /api/v1/subjects/{id}/": (team.a, get(f"/api/v1/subjects/{w.subject.pk}/"), 200),
        "GET /api/v1/evidence/{id}/": (team.a, get(f"/api/v1/evidence/{w.evidence.pk}/"), 200),
        "GET /api/v1/documents/{id}/pdf/": (team.a, get(f"/api/v1/documents/{w.rendered.pk}/pdf/"), 200),
        "GET /api/v1/figures/": (team.head, get("/api/v1/figures/", year=2024), 200),
        "GET /api/v1/search/": (team.a, get("/api/v1/search/", q="某平台"), 200),
        "GET /api/v1/audit/{type}/{id}/": (team.a, get(f"/api/v1/audit/case/{case.ref}/", page_size=100), 200),
        "GET /api/v1/statements/": (team.head, get("/api/v1/statements/"), 200),
        "GET /api/v1/statements/figures/": (team.head, get("/api/v1/statements/figures/"), 200),
        "GET /api/v1/statement/{uuid}": (team.head, get(f"/api/v1/statement/{w.statement.uuid}"), 200),
        "GET /api/v1/statement/existing-puid/{puid}": (
            team.head,
            get(f"/api/v1/statement/existing-puid/{w.statement.puid}"),
            302,
        ),
    }


def count_queries(officer: Officer, call: Call, status: int) -> tuple[int, list[str]]:
    api = api_as(officer)
    first = call(api, next(_serial))
    assert first.status_code == status, first.content
    # The answer computed, not one a list kept (test_listcache counts those).
    kept.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = call(api, next(_serial))
    assert response.status_code == status, response.content
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


@pytest.fixture
def worlds(tree):
    guangzhou = t.office("440100", "广州市网信办", tree.gd, Level.CITY)
    return build_world(tree.hz, tree.zj, FEW), build_world(guangzhou, tree.gd, MANY)


def test_every_officer_endpoint_sends_the_same_queries_for_few_and_many_rows(worlds):
    # The calls' values (a correction's date among them, which decides the report cells it moves) follow this
    # counter: started afresh, the counts do not depend on which tests ran before in the same process.
    global _serial  # noqa: PLW0603
    _serial = itertools.count(1)
    few, many = worlds
    table, problems = [], []
    large_requests = requests(many)
    for name, (officer, call, status) in requests(few).items():
        few_count, many_count = count_queries(officer, call, status), count_queries(*large_requests[name])
        table.append(f"{name:45} {few_count[0]:4} {many_count[0]:4} {t.held_count(QUERIES, name) or '?':>4}")
        problem = t.count_problem(name, few_count, many_count, t.held_count(QUERIES, name))
        if problem:
            problems.append(problem)
    print("\n".join([f"{'operation':45} {FEW:>4} {MANY:>4} held", *table]))
    assert not problems, "\n".join(problems)


def test_the_large_world_really_is_large(worlds):
    _few, many = worlds
    assert many.case.parties.count() == MANY
    assert many.case.evidence.count() == MANY
    assert RenderedDocument.objects.filter(case=many.case).count() == MANY
    assert many.clue.subjects.count() == MANY
    assert many.measure.subjects.count() == MANY
    assert Case.objects.filter(office=many.office).count() == MANY + 1
    assert Statement.objects.filter(platform__runs_platform=f"p{many.office.code}").count() == MANY
    assert Office.objects.filter(parent=many.office).count() == MANY


def test_every_operation_an_officer_can_call_is_counted():
    ops = operations()
    officers = {op for op, open_to_officers in ops.items() if open_to_officers}
    uncounted = sorted(officers - set(QUERIES) - set(NOT_COUNTED))
    assert not uncounted, f"operations without a query count: {uncounted} (add them to QUERIES)"
    excused = sorted(op for op in NOT_COUNTED if ops.get(op, True) and "refused (403)" not in NOT_COUNTED[op])
    assert not excused, f"officer operations named as not counted: {excused}"
    stale = sorted((set(QUERIES) | set(NOT_COUNTED)) - set(ops))
    assert not stale, f"counted operations the schema no longer has: {stale}"
