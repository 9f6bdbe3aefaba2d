"""The workspace pages: scoped, reading the steps registry, the FilterSets and the one error mapping."""

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from docket import testing as t
from docket.audit.models import AuditEntry
from docket.cases import services as cs
from docket.cases import steps as case_steps
from docket.cases.models import Case, State
from docket.clues.models import Clue
from docket.core.dates import local_date
from docket.officers.models import Role
from docket.subjects.models import Kind, Subject

pytestmark = pytest.mark.django_db

MARK = "SIBLING-ONLY"


def signed_in(client, officer):
    t.verified_login(client, officer)
    return client


def person(n: int) -> Subject:
    return Subject.objects.create(kind=Kind.RESPONSIBLE_PERSON, name=f"张{n}", identifier=t.valid_resident_id(n))


@pytest.fixture
def sibling(tree):
    return t.Team(tree.nb)


@pytest.fixture
def filed(team):
    return t.drive(team, to=State.FILED, party=person(1))


def pages_of(case: Case) -> list[str]:
    party = case.parties.get()
    return [
        f"/cases/{case.ref}/",
        f"/clues/{case.clue_id}/",
        f"/subjects/{party.pk}/",
        f"/cases/{case.ref}/steps/assign/",
        f"/clues/{case.clue_id}/steps/case_file/",
    ]


def test_every_page_answers_the_insider(client, team, filed):
    signed_in(client, team.head)
    for url in ["/", "/cases/", "/clues/", "/measures/", "/subjects/", "/search/?q=某平台", *pages_of(filed)]:
        response = client.get(url)
        # The clue's "file a case" is refused (it is filed already): its page answers the refusal.
        assert response.status_code in (200, 422), url
        assert response.status_code == 200 or "steps/case_file" in url


def test_a_sibling_office_gets_404_identical_to_a_never_used_id(client, team, sibling, filed):
    signed_in(client, sibling.head)
    never = client.get("/cases/NEVER-USED/")
    assert never.status_code == 404
    for url in pages_of(filed):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.content == never.content
    assert client.get("/clues/999999/").content == never.content
    assert client.post(f"/cases/{filed.ref}/steps/assign/", {"on": "2024-03-04"}).status_code == 404
    assert Case.objects.get(pk=filed.pk).version == filed.version


def test_unauthenticated_goes_to_sign_in(client, filed):
    response = client.get(f"/cases/{filed.ref}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_nothing_of_the_sibling_in_lists_search_and_exports(client, team, sibling):
    mine = t.drive(team, to=State.FILED)
    theirs = t.drive(sibling, to=State.FILED)
    Case.objects.filter(pk=theirs.pk).update(title=f"{MARK} 案")
    Clue.objects.filter(pk=theirs.clue_id).update(summary=f"{MARK} 线索")
    signed_in(client, team.head)
    for url in ["/", "/cases/", "/clues/", "/search/?q=" + MARK, "/cases/?export=csv", "/clues/?export=csv"]:
        body = client.get(url).content.decode()
        # The query itself is echoed in the search box: what must be absent is the sibling's records.
        assert f"{MARK} 案" not in body and f"{MARK} 线索" not in body and theirs.ref not in body, url
    assert mine.ref in client.get("/cases/").content.decode()
    assert mine.ref in client.get("/search/?q=" + mine.ref).content.decode()
    xlsx = client.get("/cases/?export=xlsx").content
    assert theirs.ref.encode() not in xlsx
    # The sibling's own officer does find it: the search works, the scope hides it.
    signed_in(client, sibling.head)
    assert theirs.ref in client.get("/search/?q=" + MARK).content.decode()


def test_search_finds_a_persons_number_only_in_full(client, team):
    party = person(7)
    t.drive(team, to=State.FILED, party=party)
    signed_in(client, team.a)
    assert f"/subjects/{party.pk}/" in client.get("/search/", {"q": party.identifier}).content.decode()
    assert f"/subjects/{party.pk}/" not in client.get("/search/", {"q": party.identifier[:10]}).content.decode()
    listed = client.get("/subjects/", {"q": party.identifier[:10]}).context["rows"]
    assert f"/subjects/{party.pk}/" not in str(listed)
    assert f"/subjects/{party.pk}/" in str(client.get("/subjects/", {"q": party.identifier}).context["rows"])
    page = client.get(f"/subjects/{party.pk}/").content.decode()
    assert party.identifier not in page and party.display_identifier in page


def _today(case):
    return local_date(timezone.now(), case.office.time_zone)


def test_steps_carry_data_step_and_the_gates_reason(client, team, filed):
    signed_in(client, team.a)
    html = client.get(f"/cases/{filed.ref}/").content.decode()
    steps = case_steps.available_steps(filed, team.a, on=_today(filed))
    assert steps
    for s in steps:
        assert f'data-step="{s.step.name}"' in html
        if not s.allowed:
            tag = re.search(rf'<a[^>]*data-step="{s.step.name}"[^>]*>', html).group(0)
            assert 'aria-disabled="true"' in tag and "href" not in tag
            assert f'title="{escape(s.reason)}"' in tag
    assert any(not s.allowed for s in steps)


def test_taking_steps_through_the_page_is_done_and_audited(client, team, filed):
    signed_in(client, team.head)
    day = filed.filed_on.isoformat()
    html = client.get(f"/cases/{filed.ref}/").content.decode()
    assert re.search(r'<a[^>]*data-step="assign"[^>]*href=', html)
    form = client.get(f"/cases/{filed.ref}/steps/assign/")
    assert form.status_code == 200
    response = client.post(
        f"/cases/{filed.ref}/steps/assign/",
        {"on": day, "officers": [team.a.pk, team.b.pk], "version": filed.version},
    )
    assert response.status_code == 302 and response["Location"] == f"/cases/{filed.ref}/"
    case = Case.objects.get(pk=filed.pk)
    assert set(case.assignments.filter(active=True).values_list("officer_id", flat=True)) == {team.a.pk, team.b.pk}
    response = client.post(
        f"/cases/{filed.ref}/steps/investigation_start/", {"on": day, "version": case.version}, follow=True
    )
    assert response.status_code == 200
    assert Case.objects.get(pk=filed.pk).state == State.INVESTIGATING
    actions = set(
        AuditEntry.objects.filter(object_type="cases.case", object_id=str(filed.pk)).values_list("action", flat=True)
    )
    assert any("assign" in a for a in actions) and any("investigation" in a for a in actions)
    # The timeline on the page reads the same trail.
    assert "investigation" in response.content.decode()


def test_a_refused_step_shows_its_reason_and_changes_nothing(client, team, filed):
    signed_in(client, team.a)
    today = _today(filed)
    refused = {s.step.name: s.reason for s in case_steps.available_steps(filed, team.a, on=today) if not s.allowed}
    assert "assign" in refused
    before = AuditEntry.objects.filter(outcome="ok").count()
    response = client.post(
        f"/cases/{filed.ref}/steps/assign/",
        {"on": filed.filed_on.isoformat(), "officers": [team.a.pk], "version": filed.version},
    )
    assert response.status_code in (403, 422)
    assert escape(refused["assign"]) in response.content.decode()
    assert not Case.objects.get(pk=filed.pk).assignments.exists()
    assert AuditEntry.objects.filter(outcome="ok").count() == before
    # A procedure gate (not a role) answers 422.
    signed_in(client, team.head)
    response = client.get(f"/cases/{filed.ref}/steps/decide/")
    assert response.status_code == 422


def test_a_stale_form_answers_409_and_changes_nothing(client, team, filed):
    signed_in(client, team.head)
    seen = filed.version
    assert f'name="version" value="{seen}"' in client.get(f"/cases/{filed.ref}/steps/assign/").content.decode()
    # Someone else assigns meanwhile.
    cs.case_assign(actor=team.head, case=filed, officers=[team.a], on=filed.filed_on, now=timezone.now())
    response = client.post(
        f"/cases/{filed.ref}/steps/assign/",
        {"on": filed.filed_on.isoformat(), "officers": [team.b.pk], "version": seen},
    )
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    assert not Case.objects.get(pk=filed.pk).assignments.filter(officer=team.b).exists()


def test_invalid_input_names_the_field_as_shown(client, team, filed):
    signed_in(client, team.head)
    response = client.post(f"/cases/{filed.ref}/steps/assign/", {"on": "", "version": filed.version})
    assert response.status_code == 422
    assert "Investigators" in response.content.decode()


def test_exports_neutralise_formulas(client, team):
    case = t.drive(team, to=State.FILED)
    Case.objects.filter(pk=case.pk).update(title='=HYPERLINK("http://x","y")')
    signed_in(client, team.a)
    text = client.get("/cases/?export=csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][1] == '\'=HYPERLINK("http://x","y")'
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(client.get("/cases/?export=xlsx").content))
    sheet = book.worksheets[0]
    assert sheet.cell(row=2, column=2).value == '\'=HYPERLINK("http://x","y")'
    assert sheet.cell(row=2, column=2).data_type == "s"


def test_filters_narrow_the_list(client, team):
    filed = t.drive(team, to=State.FILED)
    investigating = t.drive(team, to=State.INVESTIGATING)
    signed_in(client, team.a)
    body = client.get("/cases/", {"state": State.INVESTIGATING}).content.decode()
    assert investigating.ref in body and filed.ref not in body
    assert client.get("/cases/", {"order": "due"}).status_code == 200


def _count(client, url):
    return client.get(url).context["page"].paginator.count


def test_dashboard_numbers_equal_the_lists_they_link_to(client, team):
    for to in [State.FILED, State.FILED, State.INVESTIGATING]:
        t.drive(team, to=to)
    head = team.head
    head.roles.create(role=Role.CASE_OFFICER)
    signed_in(client, head)
    context = client.get("/").context
    assert sum(s["count"] for s in context["by_state"]) == 3
    for s in context["by_state"]:
        assert _count(client, s["url"]) == s["count"]
    # Investigators a and b are on the one investigating case.
    assert {s["label"]: s["count"] for s in context["by_officer"]} == {team.a.username: 1, team.b.username: 1}
    for s in context["by_officer"]:
        assert _count(client, s["url"]) == s["count"]
    assert context["panels"]
    for p in context["panels"]:
        assert _count(client, p["url"]) == p["count"]
    signed_in(client, team.a)
    context = client.get("/").context
    mine = next(p for p in context["panels"] if p["kind"] == "case")
    assert mine["count"] == 1 and _count(client, mine["url"]) == 1


def test_the_statistician_sees_no_individual_case(client, tree, team):
    case = t.drive(team, to=State.FILED)
    statistician = t.officer(tree.hz, Role.STATISTICIAN)
    signed_in(client, statistician)
    body = client.get("/").content.decode()
    assert case.ref not in body and "/reports/" in body
    assert case.ref not in client.get("/cases/").content.decode()
    assert client.get(f"/cases/{case.ref}/").status_code == 404


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/", "/cases/", "/clues/", "/subjects/", "/measures/", "/search/?q=某平台"])
def test_the_number_of_queries_does_not_grow_with_rows(client, team, url):
    t.drive(team, to=State.INVESTIGATING)
    signed_in(client, team.a)
    client.get(url)
    one = _queries(client, url)
    for _ in range(6):
        t.drive(team, to=State.INVESTIGATING)
    assert _queries(client, url) == one


def test_the_case_page_queries_do_not_grow_with_its_records(client, team):
    small = t.drive(team, to=State.INVESTIGATING)
    large = t.drive(team, to=State.INVESTIGATING)
    for _n in range(5):
        large.parties.add(t.organisation())
    signed_in(client, team.a)
    client.get(f"/cases/{small.ref}/")
    assert _queries(client, f"/cases/{large.ref}/") == _queries(client, f"/cases/{small.ref}/")


def test_a_decision_is_drafted_through_the_measures_form(client, team):
    import datetime as dt

    from docket.evidence.services import evidence_add

    party = t.organisation()
    case = t.drive(team, to=State.INVESTIGATING, party=party)
    category, provision = t.taxonomy()
    now = timezone.now()
    cs.violation_set(actor=team.a, case=case, category=category, provisions=[provision], facts="事实", now=now)
    evidence_add(
        actor=team.a,
        case=case,
        content=b"screenshot",
        name="shot.txt",
        content_type="text/plain",
        collected_on=case.filed_on + dt.timedelta(days=1),
        collectors=[team.a, team.b],
        method="远程勘验",
        description="页面截图",
        now=now,
    )
    case.refresh_from_db()
    signed_in(client, team.a)
    url = f"/cases/{case.ref}/steps/draft_propose/"
    form = client.get(url + "?measure=fine").content.decode()
    assert 'name="penalties-TOTAL_FORMS"' in form and 'name="penalties-0-measure"' in form
    data = {
        "outcome": "penalty",
        "facts": "查明事实",
        "legal_basis": "《网络安全法》第六十八条",
        "discretion": "一般",
        "version": case.version,
        "penalties-TOTAL_FORMS": "1",
        "penalties-INITIAL_FORMS": "0",
        "penalties-MIN_NUM_FORMS": "0",
        "penalties-MAX_NUM_FORMS": "50",
        "penalties-0-measure": "fine",
        "penalties-0-subject": party.pk,
        "penalties-0-amount": "100000.00",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    case.refresh_from_db()
    assert case.state == State.PROPOSED and case.proposed_penalties


def test_the_clue_page_takes_its_steps(client, team, monkeypatch):
    from docket.clues.models import Source
    from docket.clues.services import clue_register
    from docket.web import views

    # The page's "today" is the office's date of the real clock; here a fixed one, within the check period.
    monkeypatch.setattr(views, "_today", lambda office: t.NOW.date())

    clue = clue_register(
        actor=team.a,
        source=Source.INSPECTION,
        received_on=t.NOW.date() - timezone.timedelta(days=1),
        summary="巡查发现",
        subjects=[t.organisation()],
        now=t.NOW,
    )
    signed_in(client, team.a)
    html = client.get(f"/clues/{clue.pk}/").content.decode()
    assert 'data-step="case_file"' in html and 'aria-disabled="true"' in html
    signed_in(client, team.head)
    html = client.get(f"/clues/{clue.pk}/").content.decode()
    assert re.search(r'<a[^>]*data-step="case_file"[^>]*href=', html)
    response = client.post(
        f"/clues/{clue.pk}/steps/case_file/",
        {"on": t.NOW.date().isoformat(), "title": "页面立案", "version": ""},
    )
    assert response.status_code == 302
    case = Case.objects.get(clue=clue)
    assert case.title == "页面立案"
    assert client.get(f"/cases/{case.ref}/").status_code == 200


def test_urgency_marks_overdue_and_due_soon(client, team, monkeypatch):
    from docket.web import views
    from docket.workdays.calendar import add_working_days

    soon, late, far = (t.drive(team, to=State.INVESTIGATING) for _ in range(3))
    # A fixed "today" whose year has its holidays loaded.
    today = t.NOW.date() - timezone.timedelta(days=60)
    monkeypatch.setattr(views, "_today", lambda office: today)
    Case.objects.filter(pk=soon.pk).update(due_on=add_working_days(today, 1))
    Case.objects.filter(pk=late.pk).update(due_on=today - timezone.timedelta(days=1))
    Case.objects.filter(pk=far.pk).update(due_on=add_working_days(today, 30))
    signed_in(client, team.a)
    mine = next(p for p in client.get("/").context["panels"] if p["kind"] == "case")
    marks = {row.ref: row.urgency for row in mine["rows"]}
    assert marks == {soon.ref: "soon", late.ref: "overdue", far.ref: ""}
    assert [row.ref for row in mine["rows"]] == [late.ref, soon.ref, far.ref]


def test_a_missing_calendar_shows_dates_unmarked_with_a_warning(client, team, monkeypatch):
    from docket.core.errors import CalendarMissing
    from docket.web import views

    case = t.drive(team, to=State.INVESTIGATING)
    Case.objects.filter(pk=case.pk).update(due_on=_today(case) - timezone.timedelta(days=1))

    def missing(start, n):
        raise CalendarMissing(start.year)

    monkeypatch.setattr(views, "add_working_days", missing)
    signed_in(client, team.a)
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["calendar_missing"]
    assert 'class="warning"' in response.content.decode()
    assert "overdue" not in {row.urgency for p in response.context["panels"] for row in p["rows"]}


def test_the_inspector_sees_overdue_cases_of_the_jurisdiction(client, tree, team, sibling):
    late = t.drive(team, to=State.INVESTIGATING)
    theirs = t.drive(t.Team(tree.gd), to=State.INVESTIGATING)
    for c in (late, theirs):
        Case.objects.filter(pk=c.pk).update(due_on=_today(c) - timezone.timedelta(days=2))
    inspector = t.officer(tree.zj, Role.INSPECTOR)
    signed_in(client, inspector)
    context = client.get("/").context
    overdue = context["panels"][0]
    assert [row.ref for row in overdue["rows"]] == [late.ref]
    assert _count(client, overdue["url"]) == overdue["count"] == 1


@pytest.mark.parametrize("which", ["case", "clue", "subject"])
def test_object_pages_queries_do_not_grow_with_related_rows(client, team, which):
    small = t.drive(team, to=State.INVESTIGATING)
    large = t.drive(team, to=State.INVESTIGATING)
    extra = [t.organisation() for _ in range(5)]
    large.parties.add(*extra)
    large.clue.subjects.add(*extra)
    urls = {
        "case": lambda c: f"/cases/{c.ref}/",
        "clue": lambda c: f"/clues/{c.clue_id}/",
        "subject": lambda c: f"/subjects/{c.parties.order_by('id').first().pk}/",
    }[which]
    signed_in(client, team.a)
    client.get(urls(small))
    assert _queries(client, urls(large)) == _queries(client, urls(small))


def test_the_figures_page_is_for_figure_readers(client, tree, team):
    t.drive(team, to=State.FILED)
    statistician = t.officer(tree.hz, Role.STATISTICIAN)
    signed_in(client, statistician)
    year = _today(t.drive(team, to=State.FILED)).year
    dashboard = client.get("/").content.decode()
    assert f'href="/reports/{year}/"' in dashboard
    response = client.get(f"/reports/{year}/")
    assert response.status_code == 200
    assert tree.hz.name_en in response.content.decode() or tree.hz.name in response.content.decode()
    assert client.get(f"/reports/{year + 1}/").status_code == 404
    signed_in(client, team.a)
    refused = client.get(f"/reports/{year}/")
    assert refused.status_code == 403
    assert "Statistician" in refused.content.decode()


def test_the_heads_dashboard_queries_do_not_grow_with_cases(client, team):
    t.drive(team, to=State.INVESTIGATING)
    signed_in(client, team.head)
    client.get("/")
    one = _queries(client, "/")
    for to in [State.FILED, State.INVESTIGATING, State.INVESTIGATING, State.FILED]:
        t.drive(team, to=to)
    assert _queries(client, "/") == one
