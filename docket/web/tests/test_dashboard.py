"""The dashboards, one per role: each number links to the list behind it, and that list holds exactly that many."""

import datetime as dt
import re
from html import unescape

import pytest
from django.utils import timezone

from docket import testing as t
from docket.cases import services as cs
from docket.cases.models import Case, State, Step
from docket.cases.queries import supervised_queue, supervising_queue
from docket.cases.steps import STEPS as CASE_STEPS
from docket.clues.models import Source
from docket.clues.services import clue_register
from docket.clues.steps import STEPS as CLUE_STEPS
from docket.core.dates import local_date
from docket.officers.models import Role
from docket.workdays.calendar import add_working_days

pytestmark = pytest.mark.django_db

NUMBER = re.compile(r'<a[^>]*href="([^"]+)"[^>]*data-count="(\d+)"|<a[^>]*data-count="(\d+)"[^>]*href="([^"]+)"')


def signed_in(client, officer):
    t.verified_login(client, officer)
    return client


def numbers(html: str) -> list[tuple[str, int]]:
    """Every number the dashboard shows as a link: (the link, the number)."""
    out = []
    for m in NUMBER.finditer(html):
        href, count = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        out.append((unescape(href), int(count)))
    return out


def listed(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page"].paginator.count


def assert_every_number_is_its_list(client) -> list[tuple[str, int]]:
    html = client.get("/").content.decode()
    found = numbers(html)
    for url, count in found:
        assert listed(client, url) == count, url
    return found


def _today(case):
    return local_date(timezone.now(), case.office.time_zone)


def inspection_clue(actor, summary: str):
    """An open clue of the actor's office, awaiting the head's filing decision."""
    return clue_register(
        actor=actor,
        source=Source.INSPECTION,
        received_on=dt.date(2024, 3, 1),
        summary=summary,
        subjects=[t.organisation()],
        now=t.NOW,
    )


@pytest.fixture
def office_work(tree, team):
    """An office with something in every queue of its head."""
    inspection_clue(team.a, "巡查发现")
    filed = t.drive(team, to=State.FILED)
    investigating = t.drive(team, to=State.INVESTIGATING)
    notified = t.drive(team, to=State.NOTIFIED)
    suspended = t.drive(team, to=State.INVESTIGATING)
    cs.clock_suspend(
        actor=team.head, case=suspended, reason="expert_testing", note="", starts_on=suspended.filed_on, now=t.NOW
    )
    # One case whose decision period ends tomorrow: at risk, and a candidate for an extension.
    soon = t.drive(team, to=State.INVESTIGATING)
    Case.objects.filter(pk=soon.pk).update(due_on=add_working_days(_today(soon), 1))
    inspector = t.officer(tree.zj, Role.INSPECTOR)
    cs.case_supervise(
        actor=inspector,
        case=investigating,
        kind=Step.INSTRUCTION,
        instructions="请于月底前报告查处进展",
        on=investigating.filed_on,
        now=t.NOW,
    )
    return type(
        "Work",
        (),
        {
            "filed": filed,
            "investigating": investigating,
            "notified": notified,
            "suspended": suspended,
            "soon": soon,
            "inspector": inspector,
        },
    )


def test_the_heads_approvals_come_from_the_steps_registry(client, team, office_work):
    signed_in(client, team.head)
    context = client.get("/").context
    approvals = {a["key"]: a for a in context["approvals"]}
    assert set(approvals) == {"case_file", "decide", "decision_extend", "clock_resume"}
    for key, a in approvals.items():
        step = (CLUE_STEPS if key == "case_file" else CASE_STEPS)[key]
        assert Role.OFFICE_HEAD in step.roles
        # The list filters exactly the states the registry gives the step.
        wanted = ("status=" if key == "case_file" else "state=") + "%2C".join(
            s for s in (sorted(step.states) if key == "case_file" else [x for x in State.values if x in step.states])
        )
        assert wanted in a["url"], (key, a["url"])
    assert approvals["case_file"]["count"] == 1
    assert approvals["decide"]["count"] == 1  # the notified case
    assert approvals["clock_resume"]["count"] == 1
    assert approvals["decision_extend"]["count"] == 1
    assert office_work.soon.ref in {r.ref for p in context["panels"] if p["key"] == "at_risk" for r in p["rows"]}


def test_every_number_of_the_heads_dashboard_is_its_list(client, team, office_work):
    signed_in(client, team.head)
    found = assert_every_number_is_its_list(client)
    # Approvals (4), states (filed, investigating, notified), investigators (a, b), deadlines at risk, cases
    # supervised by a higher office: all followed.
    assert len(found) == 4 + 3 + 2 + 1 + 1
    assert any(count > 1 for _url, count in found)


def test_the_head_sees_the_instructions_received(client, team, office_work):
    signed_in(client, team.head)
    response = client.get("/")
    oversight = response.context["oversight"]
    assert not oversight["given"]
    assert [r.case.ref for r in oversight["rows"]] == [office_work.investigating.ref]
    html = response.content.decode()
    assert "请于月底前报告查处进展" in html and office_work.inspector.office.name in html


def test_the_inspector_sees_overdue_cases_supervised_and_figures(client, tree, team, office_work):
    late = office_work.filed
    Case.objects.filter(pk=late.pk).update(due_on=_today(late) - dt.timedelta(days=3))
    signed_in(client, office_work.inspector)
    response = client.get("/")
    context = response.context
    assert context["panels"][0]["key"] == "overdue"
    assert late.ref in {r.ref for r in context["panels"][0]["rows"]}
    assert context["oversight"]["given"]
    assert [r.case.ref for r in context["oversight"]["rows"]] == [office_work.investigating.ref]
    assert context["figures_year"] == _today(late).year
    assert not context["approvals"] and not context["by_state"]
    assert_every_number_is_its_list(client)


def test_the_legal_reviewer_sees_drafts_with_their_clock(client, team):
    proposed = t.drive(team, to=State.PROPOSED)
    t.drive(team, to=State.INVESTIGATING)
    signed_in(client, team.reviewer)
    response = client.get("/")
    (panel,) = response.context["panels"]
    assert panel["key"] == "review"
    assert [r.ref for r in panel["rows"]] == [proposed.ref]
    assert panel["rows"][0].clock_label == "Decision period"
    assert "Decision period" in response.content.decode()
    assert (
        "state=" + "%2C".join(s for s in State.values if s in CASE_STEPS["legal_review_approve"].states)
        in (panel["url"])
    )
    assert_every_number_is_its_list(client)


def test_the_case_officer_sees_their_cases_and_clues(client, team, office_work):
    signed_in(client, team.a)
    context = client.get("/").context
    keys = [p["key"] for p in context["panels"]]
    assert keys == ["mine", "clues"]
    found = assert_every_number_is_its_list(client)
    assert dict((u, c) for u, c in found)  # the numbers were there to follow


def test_the_statistician_sees_figures_and_no_case(client, tree, team, office_work):
    statistician = t.officer(tree.hz, Role.STATISTICIAN)
    signed_in(client, statistician)
    response = client.get("/")
    html = response.content.decode()
    for case in (office_work.filed, office_work.notified, office_work.soon):
        assert case.ref not in html
    assert "请于月底前报告查处进展" not in html
    assert not response.context["panels"] and not response.context["approvals"]
    assert response.context["oversight"] is None
    assert f"/reports/{response.context['today'].year}/" in html
    assert numbers(html) == []


def test_the_heads_queues_are_the_offices_own_work(client, tree, team, office_work):
    """A lower office's clue awaiting filing and its draft awaiting decision are its own head's to take (the
    steps refuse a higher office's head): they appear on that head's dashboard, not on the one above."""
    below = t.Team(tree.xh)
    inspection_clue(below.a, "区级巡查发现")
    theirs = t.drive(below, to=State.NOTIFIED)
    signed_in(client, team.head)
    context = client.get("/").context
    approvals = {a["key"]: a["count"] for a in context["approvals"]}
    assert approvals["case_file"] == 1 and approvals["decide"] == 1
    shown = {r.ref for p in context["panels"] for r in p["rows"]}
    assert theirs.ref not in shown
    own_open = Case.objects.filter(office=team.office).exclude(state__in=["closed", "archived"]).count()
    assert sum(s["count"] for s in context["by_state"]) == own_open
    assert {o["label"] for o in context["by_officer"]} <= {team.a.username, team.b.username}
    assert_every_number_is_its_list(client)
    client.logout()
    signed_in(client, below.head)
    context = client.get("/").context
    approvals = {a["key"]: a["count"] for a in context["approvals"]}
    assert approvals["case_file"] == 1 and approvals["decide"] == 1
    assert sum(s["count"] for s in context["by_state"]) == 1


def test_the_officers_open_clues_are_their_offices_own(client, tree, team, office_work):
    below = t.Team(tree.xh)
    theirs = inspection_clue(below.a, "区级巡查发现")
    signed_in(client, team.a)
    panel = next(p for p in client.get("/").context["panels"] if p["key"] == "clues")
    assert panel["count"] == 1 and theirs.ref not in {r.ref for r in panel["rows"]}
    assert listed(client, panel["url"]) == 1


def test_a_sibling_offices_head_counts_none_of_ours(client, tree, team, office_work):
    sibling = t.Team(tree.nb)
    signed_in(client, sibling.head)
    context = client.get("/").context
    assert all(a["count"] == 0 for a in context["approvals"])
    assert not context["by_state"] and not context["by_officer"]
    assert not context["oversight"]["rows"]
    assert all(p["count"] == 0 for p in context["panels"])


@pytest.fixture
def supervised_below(tree, office_work):
    """A case of the office below (Xihu) that the province supervised: the Hangzhou head's jurisdiction, not
    the Hangzhou office's own."""
    case = t.drive(t.Team(tree.xh), to=State.FILED)
    cs.case_supervise(
        actor=office_work.inspector,
        case=case,
        kind=Step.SUPERVISION,
        instructions="挂牌督办",
        on=case.filed_on,
        now=t.NOW,
    )
    return case


def _number(context, key):
    number = context["oversight"]["number"]
    assert number["key"] == key
    return number


def test_the_heads_supervised_cases_are_the_offices_own(client, team, office_work, supervised_below):
    signed_in(client, team.head)
    context = client.get("/").context
    number = _number(context, "supervised")
    # The received rows are the office's own cases; the number counts those cases, and its list holds them.
    assert {r.case.ref for r in context["oversight"]["rows"]} == {office_work.investigating.ref}
    assert number["count"] == 1
    assert "below=false" in number["url"] and "supervised=true" in number["url"]
    response = client.get(number["url"])
    assert [c.ref for c in response.context["page"].object_list] == [office_work.investigating.ref]
    # The same filter with the offices below holds the Xihu case too.
    wider = client.get(number["url"].replace("below=false", "below=true")).context["page"].object_list
    assert {c.ref for c in wider} == {office_work.investigating.ref, supervised_below.ref}
    assert_every_number_is_its_list(client)


def test_the_inspectors_supervised_and_overdue_numbers_are_their_lists(client, team, office_work, supervised_below):
    late = office_work.filed
    Case.objects.filter(pk=late.pk).update(due_on=_today(late) - dt.timedelta(days=3))
    signed_in(client, office_work.inspector)
    context = client.get("/").context
    number = _number(context, "supervising")
    assert number["count"] == 2
    assert {r.case.ref for r in context["oversight"]["rows"]} == {office_work.investigating.ref, supervised_below.ref}
    found = dict(assert_every_number_is_its_list(client))
    assert found[number["url"]] == 2
    overdue = context["panels"][0]
    assert overdue["key"] == "overdue" and found[overdue["url"]] == overdue["count"] >= 1


def test_the_oversight_filters(team, tree, office_work, supervised_below):
    from docket.cases.filtersets import CaseFilterSet

    cases = Case.objects.all()

    def refs(**params):
        return {c.ref for c in CaseFilterSet(params, queryset=cases).qs}

    everything = set(cases.values_list("ref", flat=True))
    supervised = {office_work.investigating.ref, supervised_below.ref}
    assert refs(supervised="true") == supervised
    assert refs(supervised="false") == everything - supervised
    assert refs(supervised_by=tree.zj.code) == supervised
    assert refs(supervised_by=tree.hz.code) == set()
    assert refs(office=tree.hz.code) == everything
    assert refs(office=tree.hz.code, below="false") == everything - {supervised_below.ref}
    assert refs(office=tree.xh.code, below="false") == {supervised_below.ref}
    assert refs(office=tree.hz.code, below="false", supervised="true") == {office_work.investigating.ref}
    # The queues the dashboards link to are these filters.
    assert supervised_queue(tree.hz).params["below"] == "false"
    assert supervising_queue(tree.zj).params == {"supervised_by": tree.zj.code, "order": "due"}


HEADERS = re.compile(r"<thead>(.*?)</thead>", re.S)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_no_two_column_headers_of_a_dashboard_table_read_the_same(client, team, office_work, language):
    late = office_work.filed
    Case.objects.filter(pk=late.pk).update(due_on=_today(late) - dt.timedelta(days=3))
    for officer in (team.head, team.a, office_work.inspector):
        signed_in(client, officer)
        html = client.get("/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        tables = HEADERS.findall(html)
        assert tables, officer
        for head in tables:
            names = [unescape(h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", head, re.S)]
            assert len(names) == len(set(names)), (language, names)
