"""A case of Hangzhou does not exist for Ningbo (a sibling city): every step called by Ningbo's officer, holding
every role a step may need, answers NotFound, is audited as a refused access and changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from docket import testing as t
from docket.cases import services as cs
from docket.cases.models import Case, State
from docket.clues.models import Source
from docket.clues.services import clue_register
from docket.core.tests.races import assert_absent
from docket.officers.models import Role

NOW = t.NOW
D = dt.date
DAY = D(2024, 3, 20)

CALLS: dict[str, Callable[[Any, Any], Any]] = {
    "case_assign": lambda a, w: cs.case_assign(actor=a, case=w.case, officers=[], on=DAY, now=NOW),
    "investigation_start": lambda a, w: cs.investigation_start(actor=a, case=w.case, on=DAY, now=NOW),
    "violation_set": lambda a, w: cs.violation_set(
        actor=a, case=w.case, category=w.category, provisions=[w.provision], facts="f", now=NOW
    ),
    "recusal_request": lambda a, w: cs.recusal_request(
        actor=a, case=w.case, officer=w.team.b, reason="r", by_party=True, on=DAY, now=NOW
    ),
    "recusal_decide": lambda a, w: cs.recusal_decide(actor=a, recusal=w.recusal, granted=True, on=DAY, now=NOW),
    "draft_propose": lambda a, w: cs.draft_propose(
        actor=a, case=w.case, outcome="not_established", facts="f", legal_basis="", discretion="", penalties=[], now=NOW
    ),
    "investigation_reopen": lambda a, w: cs.investigation_reopen(actor=a, case=w.case, reason="r", now=NOW),
    "legal_review_record": lambda a, w: cs.legal_review_record(
        actor=a, case=w.case, approved=True, opinion="o", on=DAY, now=NOW
    ),
    "discussion_record": lambda a, w: cs.discussion_record(
        actor=a, case=w.case, attendees=["a", "b", "c"], minutes="m", conclusion="c", on=DAY, now=NOW
    ),
    "notice_issue": lambda a, w: cs.notice_issue(actor=a, case=w.case, served_on=DAY, now=NOW),
    "statement_record": lambda a, w: cs.statement_record(
        actor=a, case=w.case, content="", waives_hearing=True, recheck="", on=DAY, now=NOW
    ),
    "hearing_request": lambda a, w: cs.hearing_request(actor=a, case=w.case, on=DAY, now=NOW),
    "hearing_record": lambda a, w: cs.hearing_record(
        actor=a, case=w.case, notified_on=DAY, held_on=D(2024, 4, 2), chair=w.team.chair, record="r", now=NOW
    ),
    "decide": lambda a, w: cs.decide(
        actor=a, case=w.case, outcome="not_established", legal_basis="b", discretion="", on=DAY, now=NOW
    ),
    "serve": lambda a, w: cs.serve(
        actor=a, case=w.case, served_on=DAY, method="m", party_present=True, proof="p", now=NOW
    ),
    "close": lambda a, w: cs.close(actor=a, case=w.case, on=DAY, now=NOW),
    "archive": lambda a, w: cs.archive(actor=a, case=w.case, on=DAY, now=NOW),
    "dismiss": lambda a, w: cs.dismiss(actor=a, case=w.case, reason="r", on=DAY, now=NOW),
    "case_transfer": lambda a, w: cs.case_transfer(
        actor=a, case=w.case, reason="r", on=DAY, now=NOW, authority="public_security"
    ),
    "clock_suspend": lambda a, w: cs.clock_suspend(
        actor=a, case=w.case, reason="expert_testing", note="", starts_on=DAY, now=NOW
    ),
    "clock_resume": lambda a, w: cs.clock_resume(actor=a, case=w.case, ends_on=DAY, now=NOW),
    "decision_extend": lambda a, w: cs.decision_extend(actor=a, case=w.case, reason="r", on=DAY, now=NOW),
    "case_supervise": lambda a, w: cs.case_supervise(
        actor=a, case=w.case, kind="supervision", instructions="i", on=DAY, now=NOW
    ),
    "case_file": lambda a, w: cs.case_file(actor=a, clue=w.clue, title="t", on=DAY, now=NOW),
}

# Steps whose code still answers an outsider with Denied; the lead fixes them and removes the entry.
XFAIL: dict[str, str] = {}


@pytest.fixture
def world(tree, team):
    case = t.drive(team, to=State.INVESTIGATING)
    recusal = cs.recusal_request(
        actor=team.a, case=case, officer=team.b, reason="亲属", by_party=True, on=case.filed_on, now=NOW
    )
    category, provision = t.taxonomy()
    clue = clue_register(
        actor=team.a, source=Source.MEDIA, received_on=D(2024, 3, 1), summary="s", subjects=[t.organisation()], now=NOW
    )
    sibling = t.officer(tree.nb, Role.OFFICE_HEAD, Role.CASE_OFFICER, Role.LEGAL_REVIEWER, Role.INSPECTOR)
    return type(
        "World",
        (),
        {
            "team": team,
            "case": Case.objects.get(pk=case.pk),
            "recusal": recusal,
            "category": category,
            "provision": provision,
            "clue": clue,
            "sibling": sibling,
        },
    )


def _param(name: str, mark: Any) -> Any:
    marks = [mark]
    if name in XFAIL:
        marks.append(pytest.mark.xfail(strict=True, reason=f"cases: {XFAIL[name]}"))
    return pytest.param(name, id=name, marks=marks)


@pytest.mark.parametrize(
    "name",
    [
        _param("case_assign", pytest.mark.jurisdiction("case_assign")),
        _param("investigation_start", pytest.mark.jurisdiction("investigation_start")),
        _param("violation_set", pytest.mark.jurisdiction("violation_set")),
        _param("recusal_request", pytest.mark.jurisdiction("recusal_request")),
        _param("recusal_decide", pytest.mark.jurisdiction("recusal_decide")),
        _param("draft_propose", pytest.mark.jurisdiction("draft_propose")),
        _param("investigation_reopen", pytest.mark.jurisdiction("investigation_reopen")),
        _param("legal_review_record", pytest.mark.jurisdiction("legal_review_record")),
        _param("discussion_record", pytest.mark.jurisdiction("discussion_record")),
        _param("notice_issue", pytest.mark.jurisdiction("notice_issue")),
        _param("statement_record", pytest.mark.jurisdiction("statement_record")),
        _param("hearing_request", pytest.mark.jurisdiction("hearing_request")),
        _param("hearing_record", pytest.mark.jurisdiction("hearing_record")),
        _param("decide", pytest.mark.jurisdiction("decide")),
        _param("serve", pytest.mark.jurisdiction("serve")),
        _param("close", pytest.mark.jurisdiction("close")),
        _param("archive", pytest.mark.jurisdiction("archive")),
        _param("dismiss", pytest.mark.jurisdiction("dismiss")),
        _param("case_transfer", pytest.mark.jurisdiction("case_transfer")),
        _param("clock_suspend", pytest.mark.jurisdiction("clock_suspend")),
        _param("clock_resume", pytest.mark.jurisdiction("clock_resume")),
        _param("decision_extend", pytest.mark.jurisdiction("decision_extend")),
        _param("case_supervise", pytest.mark.jurisdiction("case_supervise")),
        _param("case_file", pytest.mark.jurisdiction("case_file")),
    ],
)
def test_a_sibling_office_finds_nothing(world, name):
    assert_absent(lambda: CALLS[name](world.sibling, world), world.case, world.clue, world.recusal)


def test_every_step_is_tried():
    """The table covers every step the procedure has (a new step is added here, or this fails)."""
    from docket.audit.services import SERVICES

    steps = {n for n, info in SERVICES.items() if info.module.startswith("docket.cases.")}
    assert steps <= set(CALLS), sorted(steps - set(CALLS))
