import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from docket import testing as t
from docket.api.models import ApiToken
from docket.api.tests.conftest import api_as, secret_for
from docket.audit.models import AuditEntry
from docket.cases.filtersets import CaseFilterSet
from docket.cases.models import Case, State
from docket.measures.models import Measure
from docket.officers.models import Role

LISTS = ["offices", "cases", "clues", "measures", "subjects", "figures/?year=2024", "nothing/here"]
PROBLEM = "application/problem+json"


def _problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["title"] and "Traceback" not in body["detail"]
    return body


# --- authentication ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", LISTS)
def test_no_token_is_401_on_every_path(tree, path):
    body = _problem(api_as().get(f"/api/v1/{path}"), 401)
    assert "Bearer" in api_as().get(f"/api/v1/{path}")["WWW-Authenticate"]
    assert body["type"].endswith("not-authenticated")


@pytest.mark.parametrize("path", LISTS)
def test_bad_expired_revoked_or_deactivated_is_401(tree, path):
    officer = t.officer(tree.hz, Role.CASE_OFFICER)
    _problem(api_as(secret="dkt_not-a-token").get(f"/api/v1/{path}"), 401)
    _problem(api_as(secret="garbage").get(f"/api/v1/{path}"), 401)

    expired = secret_for(officer, name="expired")
    past = timezone.now() - dt.timedelta(days=10)
    ApiToken.objects.filter(name="expired").update(created_at=past, expires_at=past + dt.timedelta(days=1))
    _problem(api_as(secret=expired).get(f"/api/v1/{path}"), 401)

    revoked = secret_for(officer, name="revoked")
    ApiToken.objects.filter(name="revoked").update(revoked_at=timezone.now())
    _problem(api_as(secret=revoked).get(f"/api/v1/{path}"), 401)

    live = secret_for(officer, name="live")
    assert api_as(secret=live).get("/api/v1/cases/").status_code == 200
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    _problem(api_as(secret=live).get(f"/api/v1/{path}"), 401)


def test_no_token_is_401_on_steps_and_objects(tree, team):
    case = t.drive(team, to=State.FILED)
    for path in [f"cases/{case.ref}/", f"clues/{case.clue.ref}/", f"audit/case/{case.ref}/", "measures/1/"]:
        _problem(api_as().get(f"/api/v1/{path}"), 401)
    _problem(api_as().post(f"/api/v1/cases/{case.ref}/steps/assign/", {}, format="json"), 401)
    assert not case.assignments.exists()


def test_measure_steps_are_scoped_and_named(tree, team):
    case = t.drive(team, to=State.SERVED)
    measure = Measure.objects.filter(case=case).first()
    detail = api_as(team.head).get(f"/api/v1/measures/{measure.pk}/")
    assert detail.status_code == 200 and isinstance(detail.json()["steps"], list)
    _problem(api_as(team.head).post(f"/api/v1/measures/{measure.pk}/steps/fly/", {}, format="json"), 404)
    sibling = api_as(t.officer(tree.nb, Role.OFFICE_HEAD, Role.CASE_OFFICER))
    _problem(sibling.post(f"/api/v1/measures/{measure.pk}/steps/measure_confirm/", {}, format="json"), 404)


def test_a_session_is_not_accepted(tree, client):
    officer = t.officer(tree.hz, Role.CASE_OFFICER)
    client.force_login(officer)
    assert client.get("/api/v1/cases/").status_code == 401


def test_an_unknown_path_with_a_token_is_404(tree):
    officer = t.officer(tree.hz, Role.CASE_OFFICER)
    _problem(api_as(officer).get("/api/v1/nothing/here/"), 404)


# --- jurisdiction -----------------------------------------------------------------------------------------------


def test_a_sibling_office_gets_404_on_every_object_and_nothing_in_lists(tree, team):
    case = t.drive(team, to=State.SERVED)
    measure = Measure.objects.filter(case=case).first()
    assert measure is not None
    mine = api_as(team.head)
    paths = [
        f"/api/v1/cases/{case.ref}/",
        f"/api/v1/clues/{case.clue.ref}/",
        f"/api/v1/measures/{measure.pk}/",
        f"/api/v1/audit/case/{case.ref}/",
        f"/api/v1/audit/clue/{case.clue.ref}/",
        f"/api/v1/audit/measure/{measure.pk}/",
    ]
    for path in paths:
        assert mine.get(path).status_code == 200, path
    sibling = api_as(t.officer(tree.nb, Role.OFFICE_HEAD, Role.CASE_OFFICER))
    for path in paths:
        body = _problem(sibling.get(path), 404)
        never = _problem(sibling.get(path.replace(str(case.ref), "X-0000").replace(f"/{measure.pk}/", "/999999/")), 404)
        assert body["detail"] in {never["detail"], "Not found."}, path
    _problem(sibling.post(f"/api/v1/cases/{case.ref}/steps/close/", {}, format="json"), 404)
    _problem(sibling.post(f"/api/v1/clues/{case.clue.ref}/steps/clue_no_case/", {}, format="json"), 404)
    before = AuditEntry.objects.count()
    _problem(sibling.post(f"/api/v1/cases/{case.ref}/steps/close/", {}, format="json"), 404)
    # The refused look is on record, as for any read outside the jurisdiction.
    assert AuditEntry.objects.count() == before + 1
    # Organisations are a registry shared by every office; cases, clues and measures are not.
    for name in ["cases", "clues", "measures"]:
        assert sibling.get(f"/api/v1/{name}/").json()["results"] == [], name
        assert mine.get(f"/api/v1/{name}/").json()["results"], name


def test_figures_outside_the_jurisdiction_is_404_and_statisticians_read_them(tree):
    stat = api_as(t.officer(tree.zj, Role.STATISTICIAN))
    assert stat.get("/api/v1/figures/?year=2023&office=330100").status_code == 200
    data = stat.get("/api/v1/figures/?year=2023").json()
    assert isinstance(data, dict) and data
    _problem(stat.get("/api/v1/figures/?year=2023&office=440000"), 404)
    body = _problem(stat.get("/api/v1/figures/?year=soon"), 422)
    assert body["errors"][0]["field"] == "year"


def test_the_api_and_the_pages_ask_one_rule_for_who_reads_figures(tree, client):
    from docket.reports.queries import FIGURE_READERS

    for role in Role.values:
        if role == Role.PLATFORM:
            continue  # a platform's client is not an officer: the officers' API does not exist for it (below)
        officer = t.officer(tree.hz, role)
        answer = api_as(officer).get("/api/v1/figures/?year=2023")
        t.verified_login(client, officer)
        page = client.get("/reports/2023/")
        expected = 200 if role in FIGURE_READERS else 403
        assert (answer.status_code, page.status_code) == (expected, expected), role
        client.logout()


# --- lists ------------------------------------------------------------------------------------------------------


def test_lists_filter_exactly_as_the_filterset(tree, team):
    t.drive(team, to=State.FILED)
    t.drive(team, to=State.FILED)
    t.drive(team, to=State.INVESTIGATING)
    api = api_as(team.head)
    for params in [{"state": "investigating"}, {"state": "filed"}, {"state": "filed,investigating"}, {"q": "平台"}]:
        expected = CaseFilterSet(params, queryset=Case.objects.visible_to(team.head)).qs
        got = api.get("/api/v1/cases/", params).json()["results"]
        assert sorted(c["ref"] for c in got) == sorted(expected.values_list("ref", flat=True)), params
    assert len(api.get("/api/v1/cases/", {"state": "investigating"}).json()["results"]) == 1
    assert api.get("/api/v1/cases/", {"state": "nonsense"}).json()["results"] == []
    body = _problem(api.get("/api/v1/cases/", {"filed_from": "not a date"}), 422)
    assert body["errors"][0]["field"] == "filed_from"


def test_the_clue_and_measure_lists_filter_exactly_as_their_filtersets(tree, team):
    """The clue and measure lists read values (views.clue_rows, measure_rows) through their FilterSets: the same
    rows as the FilterSet over the reader's jurisdiction, for field and method filters, and 422 for bad input."""
    from docket.clues.filtersets import ClueFilterSet
    from docket.clues.models import Clue, Source
    from docket.clues.services import clue_register
    from docket.measures import services as ms
    from docket.measures.filtersets import MeasureFilterSet

    firm, site = t.organisation(name="甲公司"), t.website("filters.cn")
    for office, on, subjects, source in (
        (tree.hz, dt.date(2024, 3, 4), [firm], Source.PUBLIC_REPORT),
        (tree.xh, dt.date(2024, 9, 2), [site], Source.INSPECTION),
        (tree.nb, dt.date(2024, 9, 3), [firm, site], Source.PUBLIC_REPORT),  # a sibling city: never in the list
    ):
        team_there = t.Team(office)
        clue_register(
            actor=team_there.a, source=source, received_on=on, summary="举报某平台", subjects=subjects, now=t.NOW
        )
        ms.measure_record(
            actor=team_there.a,
            type="rectification_order",
            taken_on=on,
            subjects=subjects,
            due_on=on + dt.timedelta(days=30),
            details={"requirements": "整改"},
            now=t.NOW,
        )
    api = api_as(team.head)
    checks = (
        (
            "/api/v1/clues/",
            ClueFilterSet,
            Clue,
            [
                {},
                {"source": "inspection"},
                {"subject": str(firm.pk)},
                {"received_from": "2024-06-01"},
                {"q": "平台", "office": tree.xh.code},
                {"status": "open,filed"},
            ],
            [({"received_from": "not a date"}, "received_from"), ({"subject": "one"}, "subject")],
        ),
        (
            "/api/v1/measures/",
            MeasureFilterSet,
            Measure,
            [
                {},
                {"year": "2024", "month": "9"},
                {"kind": "website"},
                {"type": "rectification_order,fine"},
                {"office": tree.hz.code, "below": "false"},
                {"taken_to": "2024-06-30"},
            ],
            [({"taken_from": "not a date"}, "taken_from"), ({"month": "13"}, "month")],
        ),
    )
    for path, filterset, model, good, bad in checks:
        sizes = set()
        for params in good:
            expected = filterset(params, queryset=model.objects.visible_to(team.head)).qs
            got = api.get(path, {**params, "page_size": 100}).json()["results"]
            assert sorted(r["id"] for r in got) == sorted(expected.values_list("id", flat=True)), (path, params)
            assert not {r["office"] for r in got} - {tree.hz.code, tree.xh.code}, (path, params)
            sizes.add(len(got))
        assert len(sizes) > 1, path  # the filters narrowed something: the comparison is not of empty lists only
        for params, field in bad:
            body = _problem(api.get(path, params), 422)
            assert body["errors"][0]["field"] == field, (path, params)


def test_cursor_pages_newest_first(tree, team):
    cases = [t.drive(team, to=State.FILED) for _ in range(3)]
    api = api_as(team.head)
    first = api.get("/api/v1/cases/", {"page_size": 2}).json()
    assert [c["ref"] for c in first["results"]] == [cases[2].ref, cases[1].ref]
    rest = api.get(first["next"]).json()
    assert [c["ref"] for c in rest["results"]] == [cases[0].ref] and rest["next"] is None


def test_identity_numbers_are_masked(tree, team):
    from docket.subjects.models import Kind, Subject

    person = Subject.objects.create(kind=Kind.RESPONSIBLE_PERSON, name="张三", identifier=t.valid_resident_id(7))
    case = t.drive(team, to=State.FILED)
    case.parties.add(person)
    api = api_as(team.head)
    body = api.get(f"/api/v1/cases/{case.ref}/").json()
    shown = next(p["identifier"] for p in body["parties"] if p["id"] == person.pk)
    assert shown != person.identifier and shown == person.display_identifier
    subject = api.get(f"/api/v1/subjects/{person.pk}/").json()
    assert subject["identifier"] == person.display_identifier
    # A person is seen only by offices with a case, clue or measure about them.
    _problem(api_as(t.officer(tree.nb, Role.OFFICE_HEAD)).get(f"/api/v1/subjects/{person.pk}/"), 404)


def test_the_case_list_rows_are_the_serializers_own(tree, team):
    """The list builds its rows from values (views.case_rows); they must be what CaseSerializer would answer."""
    from docket.api.serializers import CaseSerializer
    from docket.subjects.models import Kind, Subject

    person = Subject.objects.create(kind=Kind.RESPONSIBLE_PERSON, name="李四", identifier=t.valid_resident_id(8))
    filed = t.drive(team, to=State.FILED)
    filed.parties.add(person, t.organisation(name="乙公司"), t.website("example.cn"))
    t.drive(team, to=State.SERVED)
    t.drive(team, to=State.INVESTIGATING)
    rows = api_as(team.head).get("/api/v1/cases/", {"page_size": 100}).json()["results"]
    cases = Case.objects.filter(pk__in=[r["id"] for r in rows]).order_by("-id").prefetch_related("parties")
    assert json.loads(json.dumps(CaseSerializer(cases, many=True).data)) == rows
    assert {r["decided_on"] is None for r in rows} == {True, False}
    assert any(p["identifier"] == person.display_identifier != person.identifier for r in rows for p in r["parties"])


def test_the_clue_and_measure_list_rows_are_the_serializers_own(tree, team):
    """The clue and measure lists build their rows from values (views.clue_rows, measure_rows), as the cases'."""
    from decimal import Decimal

    from docket.api.serializers import ClueSerializer, MeasureSerializer
    from docket.clues.models import Clue, Source
    from docket.clues.services import clue_register
    from docket.measures import services as ms
    from docket.subjects.models import Kind, Subject

    person = Subject.objects.create(kind=Kind.RESPONSIBLE_PERSON, name="李四", identifier=t.valid_resident_id(8))
    subjects = [person, t.organisation(name="乙公司"), t.website("example.cn")]
    clue = clue_register(
        actor=team.a,
        source=Source.PUBLIC_REPORT,
        received_on=dt.date(2024, 6, 3),
        summary="举报",
        subjects=subjects,
        now=t.NOW,
    )
    clue_register(
        actor=team.a,
        source=Source.PUBLIC_REPORT,
        received_on=dt.date(2024, 6, 4),
        summary="无主体",
        subjects=[],
        now=t.NOW,
    )
    case = t.drive(team, to=State.FILED, party=subjects[1])
    ms.measure_record(
        actor=team.a,
        type="rectification_order",
        taken_on=dt.date(2024, 6, 5),
        subjects=subjects[1:],
        due_on=dt.date(2024, 7, 5),
        details={"requirements": "整改"},
        now=t.NOW,
    )
    fine = Measure.objects.create(
        office=team.office,
        type="fine",
        taken_on=dt.date(2024, 6, 6),
        amount=Decimal("12345.5"),
        clue=clue,
        case=case,
        authority="",
        created_at=timezone.now(),
    )
    fine.subjects.add(person)  # a person fined: the identifier masked in the list as on the page
    Measure.objects.create(  # aimed at no one: an empty list of subjects
        office=team.office, type="warning", taken_on=dt.date(2024, 6, 7), authority="", created_at=timezone.now()
    )
    api = api_as(team.head)
    for path, model, serializer, related in (
        ("/api/v1/clues/", Clue, ClueSerializer, ("office",)),
        ("/api/v1/measures/", Measure, MeasureSerializer, ("office", "case", "clue")),
    ):
        rows = api.get(path, {"page_size": 100}).json()["results"]
        objects = (
            model.objects.filter(pk__in=[r["id"] for r in rows])
            .order_by("-id")
            .select_related(*related)
            .prefetch_related("subjects")
        )
        assert json.loads(json.dumps(serializer(objects, many=True).data)) == rows
        assert any(
            p["identifier"] == person.display_identifier != person.identifier for r in rows for p in r["subjects"]
        )
        assert [] in [r["subjects"] for r in rows], model
    measures = api.get("/api/v1/measures/").json()["results"]
    assert {m["amount"] for m in measures} >= {"12345.50", None}
    assert {m["case"] for m in measures} >= {case.ref, None} and {m["clue"] for m in measures} >= {clue.ref, None}


def _count_queries(api, path):
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["cases", "clues", "measures", "subjects"])
def test_list_query_count_does_not_grow_with_the_rows(tree, team, name):
    t.drive(team, to=State.SERVED)
    api = api_as(team.head)
    path = f"/api/v1/{name}/"
    api.get(path)  # the token's first use writes its last_used_at once
    one = _count_queries(api, path)
    for _ in range(4):
        t.drive(team, to=State.SERVED)
    assert len(api.get(path).json()["results"]) >= 5
    assert _count_queries(api, path) == one


# --- steps ------------------------------------------------------------------------------------------------------


def test_steps_through_the_api_are_done_and_audited(tree, team):
    case = t.drive(team, to=State.FILED)
    head, investigator = api_as(team.head), api_as(team.a)
    detail = head.get(f"/api/v1/cases/{case.ref}/")
    assert detail["ETag"] == f'"{case.version}"'
    steps = {s["action"]: s for s in detail.json()["steps"]}
    assert steps["assign"]["allowed"] is True
    assert steps["investigation_start"]["allowed"] is False and "two officers" in steps["investigation_start"]["reason"]

    refused = investigator.post(
        f"/api/v1/cases/{case.ref}/steps/investigation_start/", {"on": str(case.filed_on)}, format="json"
    )
    body = _problem(refused, 422)
    assert body["detail"] == steps["investigation_start"]["reason"]

    done = head.post(
        f"/api/v1/cases/{case.ref}/steps/assign/",
        {"on": str(case.filed_on), "officers": [team.a.pk, team.b.pk]},
        format="json",
        HTTP_IF_MATCH=f'"{case.version}"',
    )
    assert done.status_code == 200, done.content
    assert sorted(case.assignments.filter(active=True).values_list("officer_id", flat=True)) == sorted(
        [team.a.pk, team.b.pk]
    )
    started = investigator.post(
        f"/api/v1/cases/{case.ref}/steps/investigation_start/", {"on": str(case.filed_on)}, format="json"
    )
    assert started.status_code == 200, started.content
    assert started.json()["state"] == State.INVESTIGATING
    case.refresh_from_db()
    assert started["ETag"] == f'"{case.version}"' and case.state == State.INVESTIGATING
    entry = AuditEntry.objects.filter(object_id=str(case.pk), action__contains="investigation_start").get()
    assert entry.actor_id == team.a.pk


def test_bad_input_names_the_field_with_its_label(tree, team):
    case = t.drive(team, to=State.FILED)
    response = api_as(team.head).post(
        f"/api/v1/cases/{case.ref}/steps/assign/", {"on": "not a date", "officers": [999999]}, format="json"
    )
    body = _problem(response, 422)
    fields = {e["field"]: e for e in body["errors"]}
    assert {"on", "officers"} <= set(fields)
    assert fields["officers"]["label"] == "Investigators"
    assert not case.assignments.exists()


def test_stale_if_match_is_412_and_stale_version_409(tree, team):
    case = t.drive(team, to=State.FILED)
    api = api_as(team.head)
    data = {"on": str(case.filed_on), "officers": [team.a.pk, team.b.pk]}
    url = f"/api/v1/cases/{case.ref}/steps/assign/"
    _problem(api.post(url, data, format="json", HTTP_IF_MATCH=f'"{case.version + 5}"'), 412)
    _problem(api.post(url, {**data, "version": case.version + 5}, format="json"), 409)
    assert not case.assignments.exists()
    assert api.post(url, {**data, "version": case.version}, format="json").status_code == 200


def test_an_unknown_step_is_404(tree, team):
    case = t.drive(team, to=State.FILED)
    _problem(api_as(team.head).post(f"/api/v1/cases/{case.ref}/steps/fly/", {}, format="json"), 404)


def test_a_draft_with_penalties_goes_through_the_formset(tree, team):
    case = t.drive(team, to=State.INVESTIGATING)
    response = api_as(team.a).post(
        f"/api/v1/cases/{case.ref}/steps/draft_propose/",
        {"outcome": "penalty", "facts": "事实", "penalties": [{"measure": "fine", "amount": "-5"}]},
        format="json",
    )
    body = _problem(response, 422)
    assert any(e.get("row") == 1 and e["field"].startswith("penalties") for e in body["errors"]), body


# --- limits, schema ---------------------------------------------------------------------------------------------


def test_429_with_retry_after_after_the_limit(tree, settings):
    settings.DOCKET_API_RATE_TOKEN = "3/min"
    api = api_as(t.officer(tree.hz, Role.CASE_OFFICER))
    for _ in range(3):
        assert api.get("/api/v1/offices/").status_code == 200
    response = api.get("/api/v1/offices/")
    _problem(response, 429)
    assert int(response["Retry-After"]) > 0


def test_the_address_limit_holds_without_a_token(tree, settings):
    settings.DOCKET_API_RATE_ADDRESS = "2/min"
    for _ in range(2):
        assert api_as().get("/api/v1/cases/").status_code == 401
    response = api_as().get("/api/v1/cases/")
    _problem(response, 429)
    assert int(response["Retry-After"]) > 0


def test_schema_and_docs_are_served_and_valid(db, tmp_path):
    response = api_as().get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/cases/{ref}/steps/{action}/" in response.content
    assert b"application/problem+json" in response.content
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    docs = api_as().get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html and "cdn" not in html.lower() and "//unpkg" not in html


def test_a_clue_filed_as_a_case_through_the_api_and_its_audit_trail(tree, team):
    from docket.clues.models import Source
    from docket.clues.services import clue_register

    party = t.organisation()
    clue = clue_register(
        actor=team.a,
        source=Source.INSPECTION,
        received_on=timezone.localdate(),
        summary="巡查发现",
        subjects=[party],
        now=timezone.now(),
    )
    api = api_as(team.head)
    steps = {s["action"]: s for s in api.get(f"/api/v1/clues/{clue.ref}/").json()["steps"]}
    assert steps["case_file"]["allowed"] is True, steps["case_file"]
    response = api.post(
        f"/api/v1/clues/{clue.ref}/steps/case_file/",
        {"on": str(timezone.localdate()), "title": "某平台案", "parties": [party.pk], "flags": []},
        format="json",
    )
    assert response.status_code == 200, response.content
    case = Case.objects.get(clue=clue)
    assert case.title == "某平台案" and list(case.parties.all()) == [party]
    trail = api.get(f"/api/v1/audit/clue/{clue.ref}/").json()["results"]
    assert [e["action"] for e in trail] == list(
        AuditEntry.objects.filter(object_type="clues.clue", object_id=str(clue.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert trail and all(e["actor_name"] for e in trail)
    assert ApiToken.objects.get(officer=team.head).last_used_at is not None
