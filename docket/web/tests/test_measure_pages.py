"""The measure pages: a measure's deadline, execution, targets and next steps; its steps; recording a measure
outside a penalty case, on its own or from a clue, with the subjects picked from the registry."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from docket import testing as t
from docket.audit.models import AuditEntry
from docket.cases.models import State
from docket.clues.models import Clue, Source
from docket.clues.services import clue_register
from docket.core.dates import local_date
from docket.measures import services as ms
from docket.measures import steps as measure_steps
from docket.measures.forms import RecordForm
from docket.measures.models import FinePayment, Measure, MeasureTarget, TargetStatus
from docket.subjects.models import Kind, Subject
from docket.web import measure_views
from docket.web.templatetags.workspace import money

pytestmark = pytest.mark.django_db

D = dt.date
# The page's "today" in the deadline tests: Monday 3 June 2024, a week before the Dragon Boat Festival
# (Monday 10 June, a holiday), so working days and calendar days differ.
MONDAY = D(2024, 6, 3)


def signed_in(client, officer):
    t.verified_login(client, officer)
    return client


@pytest.fixture
def sibling(tree):
    return t.Team(tree.nb)


@pytest.fixture
def on_monday(monkeypatch):
    monkeypatch.setattr(measure_views, "_today", lambda office: MONDAY)
    return MONDAY


def _today(team):
    return local_date(timezone.now(), team.office.time_zone)


MAY_20 = D(2024, 5, 20)


def rectification(team, *, due_on, site=None, taken_on=MAY_20):
    return ms.measure_record(
        actor=team.a,
        type="rectification_order",
        taken_on=taken_on,
        due_on=due_on,
        subjects=[site or t.website(f"r{next(t._seq)}.example.cn")],
        now=t.NOW,
        details={"requirements": "删除违法信息"},
    )


def platform_with_accounts(n, *, key="weibo"):
    platform = Subject.objects.create(
        kind=Kind.ORGANISATION, name=f"{key}运营公司", identifier=t.valid_uscc(next(t._seq)), runs_platform=key
    )
    accounts = Subject.objects.bulk_create(
        [Subject(kind=Kind.ACCOUNT, name=f"{key}账号{i}", identifier=f"{key}-u{i}", platform=key) for i in range(n)]
    )
    return platform, accounts


def closure_order(team, n, *, key="weibo"):
    platform, accounts = platform_with_accounts(n, key=key)
    return ms.measure_record(
        actor=team.a,
        type="account_closure_order",
        taken_on=D(2024, 5, 20),
        subjects=accounts,
        addressee=platform,
        now=t.NOW,
        details={"grounds": "发布违法信息"},
    )


def step_tag(html, action):
    return re.search(rf'<a[^>]*data-step="{action}"[^>]*>', html).group(0)


# --- the measure page ----------------------------------------------------------------------------------------


def test_page_shows_the_deadline_in_working_days_the_targets_and_the_steps(client, team, on_monday):
    site = t.website("deadline.example.cn")
    order = rectification(team, due_on=D(2024, 6, 17), site=site)
    signed_in(client, team.a)
    response = client.get(f"/measures/{order.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    # 4 June to 17 June without the Dragon Boat Festival and the weekends: 9 working days.
    assert "2024-06-17" in html and "9 working days left" in html
    assert f'href="/subjects/{site.pk}/"' in html and "deadline.example.cn" in html
    assert "删除违法信息" in html and "not yet verified" in html
    assert "measure.record" in html  # the timeline, from the audit trail
    steps = measure_steps.available_steps(order, team.a, on=MONDAY)
    assert {s.step.name for s in steps} == set(measure_steps.STEPS)
    for s in steps:
        tag = step_tag(html, s.step.name)
        if s.allowed:
            assert f'href="/measures/{order.pk}/steps/{s.step.name}/"' in tag
        else:
            assert 'aria-disabled="true"' in tag and "href" not in tag
            assert f'title="{escape(s.reason)}"' in tag
    assert 'aria-disabled="true"' not in step_tag(html, "rectification_verify")


def test_a_deadline_near_or_past_is_marked(client, team, on_monday):
    soon = rectification(team, due_on=D(2024, 6, 5))
    late = rectification(team, due_on=D(2024, 5, 31))
    signed_in(client, team.a)
    html = client.get(f"/measures/{soon.pk}/").content.decode()
    assert 'class="due soon"' in html and "2 working days left" in html
    html = client.get(f"/measures/{late.pk}/").content.decode()
    # Saturday 1 and Sunday 2 June are not counted: one working day late on the Monday.
    assert 'class="due overdue"' in html and "1 working day overdue" in html
    # Verified, the order's deadline is history, not urgency.
    ms.rectification_verify(actor=team.a, measure=late, verified_on=MONDAY, complied=True, note="", now=t.NOW)
    html = client.get(f"/measures/{late.pk}/").content.decode()
    assert "overdue" not in html and "Complied" in html


def test_a_refused_step_shows_its_gates_own_reason(client, team):
    order = rectification(team, due_on=D(2024, 6, 17))
    ms.rectification_verify(actor=team.a, measure=order, verified_on=D(2024, 6, 3), complied=True, note="", now=t.NOW)
    signed_in(client, team.a)
    html = client.get(f"/measures/{order.pk}/").content.decode()
    verify = step_tag(html, "rectification_verify")
    assert 'aria-disabled="true"' in verify and 'title="Already verified on 2024-06-03."' in verify
    confirm = step_tag(html, "measure_confirm")
    assert "not carried out by a third party" in confirm
    # An officer may not correct or delete: the role gate says so, in its words.
    reason = next(
        s.reason
        for s in measure_steps.available_steps(order, team.a, on=_today(team))
        if s.step.name == "measure_delete"
    )
    assert reason and f'title="{escape(reason)}"' in step_tag(html, "measure_delete")
    # The step's own page answers the refusal and changes nothing.
    response = client.post(
        f"/measures/{order.pk}/steps/rectification_verify/", {"verified_on": "2024-06-20", "complied": "0"}
    )
    assert response.status_code == 422 and "Already verified on 2024-06-03." in response.content.decode()
    assert Measure.objects.get(pk=order.pk).verification == "complied"


def test_a_step_is_taken_through_its_form_and_audited(client, team):
    order = rectification(team, due_on=D(2024, 6, 17))
    signed_in(client, team.a)
    assert client.get(f"/measures/{order.pk}/steps/rectification_verify/").status_code == 200
    response = client.post(
        f"/measures/{order.pk}/steps/rectification_verify/",
        {"verified_on": "2024-06-18", "complied": "0", "note": "仍未删除"},
    )
    assert response.status_code == 302 and response["Location"] == f"/measures/{order.pk}/"
    order.refresh_from_db()
    assert order.verification == "not_complied" and order.escalated
    assert AuditEntry.objects.filter(object_type="measures.measure", object_id=str(order.pk), action="measure.verify")
    # A missed order escalates into a new clue of the office; the page says so.
    assert Clue.objects.filter(office=team.office, summary__contains="仍未删除").exists()
    assert "escalated to a new clue" in client.get(f"/measures/{order.pk}/").content.decode()


def test_a_fine_shows_its_payments_and_balance(client, team):
    case = t.drive(team, to=State.SERVED)
    fine = Measure.objects.get(case=case, type="fine")
    paid_on = fine.taken_on + dt.timedelta(days=1)
    ms.fine_payment_record(
        actor=team.a, measure=fine, paid_on=paid_on, amount=Decimal("40000.00"), reference="RCPT-1", now=t.NOW
    )
    signed_in(client, team.a)
    html = client.get(f"/measures/{fine.pk}/").content.decode()
    balance = ms.fine_balance(Measure.objects.get(pk=fine.pk), _today(team))
    assert "RCPT-1" in html and f">{money(balance.outstanding)}<" in html and f">{money(balance.paid)}<" in html
    assert balance.paid == 40000 and balance.outstanding > 0
    assert f'href="/cases/{case.ref}/"' in html
    assert 'aria-disabled="true"' not in step_tag(html, "fine_payment_record")


def test_an_account_closure_order_counts_its_targets(client, team):
    order = closure_order(team, 5)
    client_actor = t.officer(None, "platform", platform=order.addressee)
    ms.account_closures_report(
        actor=client_actor,
        measure=order,
        closed=["weibo-u0", "weibo-u1"],
        refused={"weibo-u2": "已注销"},
        on=D(2024, 5, 21),
        now=t.NOW,
    )
    signed_in(client, team.a)
    response = client.get(f"/measures/{order.pk}/")
    html = response.content.decode()
    assert response.context["target_total"] == 5 and response.context["outstanding"] == 2
    assert dict((str(label), n) for label, n in response.context["target_counts"]) == {
        str(TargetStatus.DONE.label): 2,
        str(TargetStatus.REFUSED.label): 1,
        str(TargetStatus.NOT_FOUND.label): 0,
    }
    # The platform channel's reconciliation of the order, beside each account's own status.
    assert re.search(r'data-count="ordered">5<', html) and re.search(r'data-count="outstanding">2<', html)
    assert re.search(r'data-count="disposed">2<', html) and re.search(r'data-count="refused">1<', html)
    assert html.count('class="status-done"') == 2 and html.count('class="status-refused"') == 1
    assert "已注销" in html and order.addressee.name in html


def test_the_page_makes_as_many_queries_for_3_targets_as_for_30(client, team):
    small, large = closure_order(team, 3, key="weibo"), closure_order(team, 30, key="douyin")
    signed_in(client, team.a)
    client.get(f"/measures/{small.pk}/")  # warm the session and the calendar

    def queries(measure):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/measures/{measure.pk}/")
        assert response.status_code == 200 and len(response.context["targets"]) == measure.targets.count()
        return len(ctx)

    assert queries(small) == queries(large)
    fine = Measure.objects.get(case=t.drive(team, to=State.SERVED), type="fine")
    for _ in range(3):
        FinePayment.objects.create(measure=fine, paid_on=fine.taken_on, amount="1.00", recorded_by=team.a)
    with_payments = queries(fine)
    FinePayment.objects.create(measure=fine, paid_on=fine.taken_on, amount="1.00", recorded_by=team.a)
    assert queries(fine) == with_payments


def test_another_office_gets_404_identical_to_an_unused_id(client, team, sibling):
    order = rectification(team, due_on=D(2024, 6, 17))
    clue = clue_register(
        actor=team.a, source=Source.INSPECTION, received_on=D(2024, 5, 6), summary="线索", subjects=[], now=t.NOW
    )
    signed_in(client, sibling.head)
    never = client.get("/measures/999999/")
    assert never.status_code == 404
    for url in [
        f"/measures/{order.pk}/",
        f"/measures/{order.pk}/steps/measure_delete/",
        f"/measures/{order.pk}/steps/rectification_verify/",
        f"/measures/new/?clue={clue.pk}",
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.content == never.content, url
    assert client.get("/measures/999999/steps/measure_delete/").content == never.content
    response = client.post(f"/measures/{order.pk}/steps/measure_delete/", {"reason": "x"})
    assert response.status_code == 404
    assert Measure.objects.filter(pk=order.pk).exists()


def test_the_measure_list_links_each_row_to_its_page(client, team):
    order = rectification(team, due_on=D(2024, 6, 17))
    signed_in(client, team.a)
    assert f'href="/measures/{order.pk}/"' in client.get("/measures/").content.decode()


# --- recording a measure outside a penalty case ---------------------------------------------------------------


def test_record_an_interview_on_its_own_with_the_subject_by_its_credit_code(client, team):
    org = t.organisation(name="某直播平台公司")
    signed_in(client, team.a)
    choose = client.get("/measures/new/").content.decode()
    assert 'href="?type=interview"' in choose and 'data-type="warning"' not in choose
    page = client.get("/measures/new/?type=interview").content.decode()
    assert 'name="detail_place"' in page and 'name="due_on"' not in page and 'name="addressee"' not in page
    response = client.post(
        "/measures/new/?type=interview",
        {
            "type": "interview",
            "taken_on": "2024-06-03",
            "subjects": org.identifier.lower(),  # typed in lower case: still the same credit code
            "detail_reason": "未履行主体责任",
            "detail_time": "2024-06-03 10:00",
            "detail_place": "市网信办",
            "detail_attendees": "法定代表人",
        },
    )
    measure = Measure.objects.get(type="interview")
    assert response.status_code == 302 and response["Location"] == f"/measures/{measure.pk}/"
    assert list(measure.subjects.all()) == [org] and measure.case is None and measure.office == team.office
    assert measure.details["place"] == "市网信办"
    assert "某直播平台公司" in client.get(response["Location"]).content.decode()


def test_a_warning_is_not_recorded_outside_a_case(client, team):
    org = t.organisation()
    signed_in(client, team.a)
    response = client.post("/measures/new/", {"type": "warning", "taken_on": "2024-06-03", "subjects": f"#{org.pk}"})
    assert response.status_code == 422
    assert "Measure" in response.content.decode() and "warning is not one of the available choices" in (
        response.content.decode()
    )
    assert not Measure.objects.exists()


def test_record_a_rectification_order_from_a_clue_with_its_subjects_offered(client, team):
    site = t.website("clue-site.example.cn")
    clue = clue_register(
        actor=team.a, source=Source.INSPECTION, received_on=D(2024, 5, 6), summary="线索", subjects=[site], now=t.NOW
    )
    signed_in(client, team.a)
    assert f'href="/measures/new/?clue={clue.pk}"' in client.get(f"/clues/{clue.pk}/").content.decode()
    choose = client.get(f"/measures/new/?clue={clue.pk}").content.decode()
    assert f"clue={clue.pk}&amp;type=rectification_order" in choose
    form = client.get(f"/measures/new/?clue={clue.pk}&type=rectification_order")
    html = form.content.decode()
    assert clue.ref in html and 'name="due_on"' in html
    # The clue's subjects are offered, by registry number.
    assert f"#{site.pk} clue-site.example.cn [Website clue-site.example.cn]" in html
    response = client.post(
        f"/measures/new/?clue={clue.pk}&type=rectification_order",
        {
            "type": "rectification_order",
            "taken_on": "2024-05-20",
            "due_on": "2024-06-17",
            "subjects": f"#{site.pk} clue-site.example.cn [Website clue-site.example.cn]",
            "detail_requirements": "删除违法信息",
            "clue": str(clue.pk),
        },
    )
    assert response.status_code == 302
    measure = Measure.objects.get(type="rectification_order")
    assert list(measure.subjects.all()) == [site] and measure.due_on == D(2024, 6, 17)
    assert measure.clue == clue  # taken from the clue: listed with it
    assert measure.details == {"requirements": "删除违法信息"}


def test_record_an_account_closure_order_to_a_platform_by_its_key(client, team):
    platform, accounts = platform_with_accounts(3)
    signed_in(client, team.a)
    page = client.get("/measures/new/?type=account_closure_order").content.decode()
    assert 'name="addressee"' in page and 'name="detail_grounds"' in page
    response = client.post(
        "/measures/new/?type=account_closure_order",
        {
            "type": "account_closure_order",
            "taken_on": "2024-05-20",
            "subjects": "weibo:weibo-u0\nweibo-u1, weibo账号2",  # platform:id, an id, and a name on one line
            "addressee": "weibo",
            "detail_grounds": "发布违法信息",
        },
    )
    assert response.status_code == 302
    order = Measure.objects.get(type="account_closure_order")
    assert order.addressee == platform and set(order.subjects.all()) == set(accounts) and order.quantity == 0
    html = client.get(f"/measures/{order.pk}/").content.decode()
    assert re.search(r'data-count="ordered">3<', html) and re.search(r'data-count="outstanding">3<', html)


def test_record_from_a_clue_and_on_its_own_of_every_kind_asked(client, team):
    """Interview, rectification order and account-closure order, each from a clue and on its own."""
    org = t.organisation()
    site = t.website("both.example.cn")
    _platform, accounts = platform_with_accounts(2, key="kuaishou")
    clue = clue_register(
        actor=team.a,
        source=Source.INSPECTION,
        received_on=D(2024, 5, 6),
        summary="线索",
        subjects=[org, site, *accounts],
        now=t.NOW,
    )
    inputs = {
        "interview": {
            "subjects": f"#{org.pk}",
            "detail_reason": "r",
            "detail_time": "t",
            "detail_place": "p",
            "detail_attendees": "a",
        },
        "rectification_order": {"subjects": "both.example.cn", "due_on": "2024-06-17"},
        "account_closure_order": {"subjects": "kuaishou:kuaishou-u0\nkuaishou:kuaishou-u1", "addressee": "kuaishou"},
    }
    signed_in(client, team.a)
    for source in ["", f"clue={clue.pk}&"]:
        for kind, data in inputs.items():
            linked = {"clue": str(clue.pk)} if source else {}
            response = client.post(
                f"/measures/new/?{source}type={kind}", {"type": kind, "taken_on": "2024-05-20", **data, **linked}
            )
            assert response.status_code == 302, (source, kind, response.content.decode()[-2000:])
    assert Measure.objects.filter(office=team.office, case=None).count() == 6
    assert Measure.objects.filter(clue=clue).count() == 3


# --- bad input names the field and stores nothing -------------------------------------------------------------


def test_an_unknown_subject_is_named_and_nothing_is_stored(client, team):
    org = t.organisation()
    signed_in(client, team.a)
    response = client.post(
        "/measures/new/?type=public_notice",
        {"type": "public_notice", "taken_on": "2024-05-20", "subjects": f"#{org.pk}\nnosuch.example.cn\n不存在的公司"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "“nosuch.example.cn” is not in the registry" in html and "“不存在的公司” is not in the registry" in html
    assert not Measure.objects.exists()


def test_a_missing_due_date_is_named_and_nothing_is_stored(client, team):
    site = t.website("nodue.example.cn")
    signed_in(client, team.a)
    response = client.post(
        "/measures/new/?type=rectification_order",
        {"type": "rectification_order", "taken_on": "2024-05-20", "subjects": "nodue.example.cn"},
    )
    assert response.status_code == 422
    assert "Due on: required" in response.content.decode()
    assert not Measure.objects.exists() and not MeasureTarget.objects.filter(subject=site).exists()


def test_a_subject_of_the_wrong_kind_and_a_future_date_are_named(client, team):
    site = t.website("kind.example.cn")
    signed_in(client, team.a)
    response = client.post(
        "/measures/new/?type=account_closure_order",
        {"type": "account_closure_order", "taken_on": "2099-01-01", "subjects": "kind.example.cn", "addressee": ""},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Taken on: 2099-01-01 is in the future" in html
    assert "Aimed at: a account_closure_order cannot be aimed at a website" in html
    assert "Addressed to (platform operator): an order names the platform operator" in html
    assert not Measure.objects.exists() and not MeasureTarget.objects.filter(subject=site).exists()


def test_a_payment_beyond_what_is_owed_is_named_and_not_stored(client, team):
    fine = Measure.objects.get(case=t.drive(team, to=State.SERVED), type="fine")
    signed_in(client, team.a)
    url = f"/measures/{fine.pk}/steps/fine_payment_record/"
    paid_on = (fine.taken_on + dt.timedelta(days=1)).isoformat()
    response = client.post(url, {"paid_on": paid_on, "amount": "999999999.00"})
    assert response.status_code == 422 and "Amount (CNY): only" in response.content.decode()
    response = client.post(url, {"paid_on": paid_on, "amount": "0"})
    assert response.status_code == 422 and "Amount (CNY)" in response.content.decode()
    assert not FinePayment.objects.exists()


def test_a_subject_outside_the_jurisdiction_is_unknown(client, team, sibling):
    # A responsible person is personal data: seen only where a clue, case or measure about them is.
    person = Subject.objects.create(kind=Kind.RESPONSIBLE_PERSON, name="李四", identifier=t.valid_resident_id(4))
    clue_register(
        actor=sibling.a,
        source=Source.INSPECTION,
        received_on=D(2024, 5, 6),
        summary="线索",
        subjects=[person],
        now=t.NOW,
    )
    signed_in(client, team.a)
    response = client.post(
        "/measures/new/?type=public_notice",
        {"type": "public_notice", "taken_on": "2024-05-20", "subjects": person.identifier},
    )
    assert response.status_code == 422 and "is not in the registry" in response.content.decode()
    assert not Measure.objects.exists()


# --- the form the page, the admin and the API share -----------------------------------------------------------


def _form(team, **data):
    query = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, list):
            query.setlist(key, value)
        else:
            query[key] = value
    return RecordForm(query, obj=None, actor=team.a, on=D(2024, 6, 3))


def test_an_ambiguous_entry_asks_for_the_registry_number(team):
    a = Subject.objects.create(kind=Kind.ACCOUNT, name="同名", identifier="12345", platform="weibo")
    b = Subject.objects.create(kind=Kind.ACCOUNT, name="同名", identifier="12345", platform="douyin")
    form = _form(team, type="public_notice", taken_on="2024-06-03", subjects="12345")
    assert not form.is_valid()
    assert "names 2 subjects" in str(form.errors["subjects"]) and f"#{a.pk}" in str(form.errors["subjects"])
    form = _form(team, type="public_notice", taken_on="2024-06-03", subjects="douyin:12345")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["subjects"] == [b]


def test_ids_as_before_and_as_a_list_still_work(team):
    one, two = t.organisation(), t.organisation()
    form = _form(team, type="public_notice", taken_on="2024-06-03", subjects=f"{one.pk},{two.pk}")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["subjects"] == [one, two]
    form = _form(team, type="public_notice", taken_on="2024-06-03", subjects=[str(one.pk), str(two.pk)])
    assert form.is_valid(), form.errors
    assert form.cleaned_data["subjects"] == [one, two]


def test_a_name_holding_a_comma_is_found_whole(team):
    org = t.organisation(name="Example Media, Inc.")
    form = _form(team, type="public_notice", taken_on="2024-06-03", subjects="Example Media, Inc.")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["subjects"] == [org]


def test_who_may_not_record_is_told_why(client, team):
    statistician = t.officer(team.office, "statistician")
    signed_in(client, statistician)
    response = client.get("/measures/new/?type=interview")
    assert response.status_code == 403
    assert "Recording a measure needs the role" in response.content.decode()
    assert 'name="subjects"' not in response.content.decode()
    response = client.post("/measures/new/", {"type": "interview", "taken_on": "2024-05-20"})
    assert response.status_code == 403 and not Measure.objects.exists()


def test_an_interview_offers_its_notice_and_lists_it_once_rendered(client, team):
    from docket.documents.defaults import install_defaults
    from docket.documents.models import DocumentTemplate, RenderedDocument

    install_defaults(DocumentTemplate)
    interview = ms.measure_record(
        actor=team.a,
        type="interview",
        taken_on=D(2024, 5, 6),
        subjects=[t.organisation()],
        details={"reason": "平台未落实主体责任", "time": "上午9时", "place": "本机关", "attendees": "负责人"},
        now=t.NOW,
    )
    signed_in(client, team.a)
    html = client.get(f"/measures/{interview.pk}/").content.decode()
    assert f'action="/measures/{interview.pk}/notice/"' in html and "Not rendered yet." in html
    response = client.post(f"/measures/{interview.pk}/notice/", {"language": "zh-hans"}, follow=True)
    row = RenderedDocument.objects.get(measure=interview)
    html = response.content.decode()
    assert f'href="/documents/{row.pk}/pdf/"' in html and row.number in html and row.sha256 in html
    # Rendered in Chinese: only the English rendering is still offered.
    assert 'name="language" value="en"' in html and 'name="language" value="zh-hans"' not in html
    # An order to a platform carries no notice of its own: nothing is offered.
    order = closure_order(team, 1)
    assert "/notice/" not in client.get(f"/measures/{order.pk}/").content.decode()
