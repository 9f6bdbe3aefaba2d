"""Which measures an office may address to a platform for it to carry out (the platform channel's orders)."""

import datetime as dt

import pytest

from docket import testing as t
from docket.core.errors import InvalidInput
from docket.measures import services as ms
from docket.subjects.models import Kind, Subject

D = dt.date


def _operator(runs: str = "weibo") -> Subject:
    return Subject.objects.create(
        kind=Kind.ORGANISATION,
        name=f"{runs or 'plain'}运营公司",
        identifier=t.valid_uscc(next(t._seq)),
        runs_platform=runs,
    )


def _record(team, type, addressee, **kw):
    return ms.measure_record(
        actor=team.a,
        type=type,
        taken_on=D(2024, 6, 3),
        subjects=kw.pop("subjects", [t.website("p.example.cn")]),
        addressee=addressee,
        now=t.NOW,
        **kw,
    )


def test_a_rectification_order_may_be_addressed_to_the_platform_that_carries_it_out(team):
    platform = _operator()
    order = _record(team, "rectification_order", platform, due_on=D(2024, 6, 28))
    assert order.addressee == platform


def test_an_interview_is_addressed_to_no_platform(team):
    with pytest.raises(InvalidInput) as refused:
        _record(
            team,
            "interview",
            _operator(),
            subjects=[t.organisation()],
            details={"reason": "r", "time": "t", "place": "p", "attendees": "a"},
        )
    assert [e.field for e in refused.value.errors] == ["addressee"]


def test_an_order_is_addressed_only_to_an_organisation_running_a_platform(team):
    with pytest.raises(InvalidInput) as refused:
        _record(team, "rectification_order", _operator(runs=""), due_on=D(2024, 6, 28))
    assert [e.field for e in refused.value.errors] == ["addressee"]
    assert "runs no platform" in refused.value.errors[0].message
