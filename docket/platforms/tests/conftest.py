import datetime as dt

import pytest

from docket import testing as t
from docket.api.throttles import throttle_store
from docket.measures import services as ms
from docket.officers.models import Role
from docket.subjects.models import Kind, Subject

D = dt.date
# A Monday: with no holiday that week, the platform clock (3 working days) runs out on Thursday 5 December.
TAKEN = D(2024, 12, 2)


@pytest.fixture(autouse=True)
def _fresh_limits():
    throttle_store().clear()
    yield
    throttle_store().clear()


def platform(name: str, key: str) -> Subject:
    org = t.organisation(name=name)
    org.runs_platform = key
    org.save(update_fields=["runs_platform"])
    return org


def accounts(key: str, n: int, start: int = 0) -> list[Subject]:
    return Subject.objects.bulk_create(
        [
            Subject(kind=Kind.ACCOUNT, name=f"{key}账号{i}", identifier=f"{key}{i}", platform=key)
            for i in range(start, start + n)
        ]
    )


def order(team, org: Subject, subjects: list[Subject], taken_on: dt.date = TAKEN):
    return ms.measure_record(
        actor=team.a,
        type="account_closure_order",
        taken_on=taken_on,
        subjects=subjects,
        addressee=org,
        now=t.NOW,
        details={"grounds": "发布违法信息"},
    )


def client_of(org: Subject):
    return t.officer(None, Role.PLATFORM, platform=org, certified=False)


@pytest.fixture
def weibo(db):
    return platform("微博", "weibo")


@pytest.fixture
def douyin(db):
    return platform("抖音", "douyin")
