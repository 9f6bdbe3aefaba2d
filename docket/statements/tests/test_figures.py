"""The platforms' statements of reasons counted per platform, for the regulator: the figures follow the same scope
and filters as the list of statements, so a figure and the list behind it agree."""

import datetime as dt

from django.contrib.admin.sites import site
from django.db import connection
from django.test.utils import CaptureQueriesContext

from docket import testing as t
from docket.api.tests.conftest import api_as
from docket.officers.models import Role
from docket.statements.filtersets import StatementFilterSet
from docket.statements.models import Statement
from docket.statements.queries import statement_figures
from docket.statements.services import statements_store
from docket.statements.tests.conftest import platform_client, required
from docket.statements.tests.test_statements import accounts, order_to

FIGURES = "/api/v1/statements/figures/"
RECEIVED = dt.datetime(2024, 12, 10, 2, 0, tzinfo=dt.UTC)
ILLEGAL = "DECISION_GROUND_ILLEGAL_CONTENT"
INCOMPATIBLE = "DECISION_GROUND_INCOMPATIBLE_CONTENT"


def _incompatible(**changes):
    return required(
        decision_ground=INCOMPATIBLE,
        illegal_content_legal_ground=None,
        illegal_content_explanation=None,
        incompatible_content_ground="terms",
        incompatible_content_explanation="against the terms",
        **changes,
    )


def _store(client, statements):
    return statements_store(actor=client, data={"statements": statements}, now=RECEIVED)


def _setup(team):
    weibo, douyin = platform_client("weibo"), platform_client("douyin")
    order_to(team, weibo, accounts("weibo", 2))
    order_to(team, douyin, accounts("douyin", 1))
    _store(
        weibo,
        [
            required(puid="w1", category="STATEMENT_CATEGORY_SCAMS_AND_FRAUD", application_date="2024-11-02"),
            required(
                puid="w2",
                category="STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
                decision_account="DECISION_ACCOUNT_SUSPENDED",
                automated_detection="Yes",
                application_date="2024-11-20",
            ),
            _incompatible(
                puid="w3",
                decision_visibility=None,
                decision_account="DECISION_ACCOUNT_TERMINATED",
                application_date="2024-12-03",
            ),
        ],
    )
    _store(douyin, [required(puid="d1", decision_monetary="DECISION_MONETARY_SUSPENSION")])
    return weibo, douyin


def test_statements_are_counted_per_platform_by_group_ground_and_category(team):
    weibo, douyin = _setup(team)
    officer = team.head
    with CaptureQueriesContext(connection) as queries:
        figures = statement_figures(Statement.objects.visible_to(officer))
    assert len(queries.captured_queries) == 6  # the visible platforms, then the totals, names and three groupings
    w, d = figures
    assert (w.platform, w.runs_platform, w.total, d.platform, d.total) == (
        weibo.platform_id,
        "weibo",
        3,
        douyin.platform_id,
        1,
    )
    assert w.decision_groups == {
        "decision_visibility": 2,
        "decision_monetary": 0,
        "decision_provision": 0,
        "decision_account": 2,
    }
    assert w.decisions["decision_account"] == {"DECISION_ACCOUNT_SUSPENDED": 1, "DECISION_ACCOUNT_TERMINATED": 1}
    assert w.grounds == {ILLEGAL: 2, INCOMPATIBLE: 1}
    assert w.categories == {"STATEMENT_CATEGORY_SCAMS_AND_FRAUD": 2, "STATEMENT_CATEGORY_ANIMAL_WELFARE": 1}
    assert (w.automated_detection, w.on_orders) == (1, 0)
    assert (w.first_applied, w.last_applied) == (dt.date(2024, 11, 2), dt.date(2024, 12, 3))
    assert d.decisions["decision_monetary"] == {"DECISION_MONETARY_SUSPENSION": 1}
    # The figures equal a direct count of the rows.
    for f in figures:
        assert f.total == Statement.objects.filter(platform_id=f.platform).count()
        assert sum(f.categories.values()) == f.total == sum(f.grounds.values())


def test_the_api_gives_the_figures_of_a_period_as_the_list_gives_its_rows(team):
    weibo, _douyin = _setup(team)
    api = api_as(team.head)
    period = "?applied_from=2024-11-01&applied_to=2024-11-30"
    answer = api.get(FIGURES + period)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["total"] == 2 and [p["runs_platform"] for p in body["platforms"]] == ["weibo"]
    assert body["platforms"][0]["categories"] == {"STATEMENT_CATEGORY_SCAMS_AND_FRAUD": 2}
    listed = api.get("/api/v1/statements/" + period).json()["results"]
    assert len(listed) == body["total"]
    # One platform, by its subject id, and one category: the same parameters as the list.
    only = api.get(f"{FIGURES}?platform={weibo.platform_id}&category=STATEMENT_CATEGORY_ANIMAL_WELFARE").json()
    assert only["total"] == 1 and only["platforms"][0]["platform"] == weibo.platform_id
    assert api.get(FIGURES + "?applied_from=").status_code == 422
    # An unknown category matches nothing, in the figures as in the list.
    assert api.get(FIGURES + "?category=NOT_A_CATEGORY").json() == {"total": 0, "platforms": []}


def test_each_reader_counts_only_what_it_may_read(team, tree):
    weibo, douyin = _setup(team)
    # A sibling office gave neither platform an order: it counts nothing.
    sibling = api_as(t.officer(tree.gd, Role.CASE_OFFICER))
    assert sibling.get(FIGURES).json() == {"total": 0, "platforms": []}
    # A platform counts its own statements only.
    own = api_as(weibo).get(FIGURES).json()
    assert own["total"] == 3 and [p["platform"] for p in own["platforms"]] == [weibo.platform_id]
    # The national office reads every platform an office of its tree gave orders to.
    national = api_as(t.officer(tree.national, Role.CASE_OFFICER)).get(FIGURES).json()
    assert national["total"] == 4


def test_statements_on_an_orders_items_are_counted_as_such(team):
    weibo = platform_client("weibo")
    order = order_to(team, weibo, accounts("weibo", 2))
    _store(
        weibo,
        [
            required(puid="o1", docket_order=order.pk, docket_target="weibo0", application_date="2024-12-03"),
            required(puid="free"),
        ],
    )
    [w] = statement_figures(Statement.objects.visible_to(team.head))
    assert (w.total, w.on_orders) == (2, 1)


def test_the_admin_lists_statements_through_the_filterset(client, team, tree):
    _setup(team)
    assert site._registry[Statement].filterset_class is StatementFilterSet
    t.verified_login(client, t.officer(tree.national, Role.ADMINISTRATOR, Role.CASE_OFFICER))
    page = client.get("/admin/statements/statement/?category=STATEMENT_CATEGORY_SCAMS_AND_FRAUD")
    assert page.status_code == 200
    html = page.content.decode()
    assert "w1" in html and "w2" in html and "d1" not in html
