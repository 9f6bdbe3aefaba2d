import datetime as dt

import pytest
from django.db import transaction

from docket import testing as t
from docket.cases.models import Document, DocumentKind, State
from docket.core.vocabulary import Kind
from docket.documents.defaults import install_defaults
from docket.documents.models import DocumentTemplate
from docket.measures.services import measure_record
from docket.offices.numbering import next_number
from docket.subjects.models import Subject


@pytest.fixture
def templates(db):
    # A transactional test elsewhere may have flushed what the data migration loaded.
    install_defaults(DocumentTemplate)


@pytest.fixture
def person():
    return Subject.objects.create(kind=Kind.RESPONSIBLE_PERSON, name="李四", identifier=t.valid_resident_id(7))


@pytest.fixture
def served(team, templates, person):
    """A penalty case of Hangzhou taken to service, with a hearing notice and a no-penalty decision beside it."""
    case = t.drive(team, to=State.SERVED)
    case.parties.add(person)
    with transaction.atomic():
        hearing, no_penalty = _documents(case, team)
    return type("Served", (), {"case": case, "hearing": hearing, "no_penalty": no_penalty})


def _documents(case, team):
    hearing = Document.objects.create(
        case=case,
        kind=DocumentKind.HEARING_NOTICE,
        number=next_number(Document, "number", office=case.office, series="hearing_notice", year=2024),
        issued_on=dt.date(2024, 3, 20),
        body={"held_on": "2024-03-28", "chair": team.chair.pk},
    )
    no_penalty = Document.objects.create(
        case=case,
        kind=DocumentKind.DECISION,
        number=next_number(Document, "number", office=case.office, series="decision", year=2024),
        issued_on=dt.date(2024, 3, 25),
        body={
            "outcome": "no_penalty",
            "legal_basis": "《行政处罚法》第三十三条第一款",
            "discretion": "初次违法且及时改正",
        },
    )
    return hearing, no_penalty


@pytest.fixture
def interview(team, templates):
    party = t.organisation(name="杭州某网络科技有限公司")
    return measure_record(
        actor=team.a,
        type="interview",
        taken_on=dt.date(2024, 5, 6),
        subjects=[party],
        details={
            "reason": "平台未落实信息内容管理主体责任",
            "time": "2024年5月10日上午9时",
            "place": "本机关三楼会议室",
            "attendees": "主要负责人",
        },
        now=t.NOW,
    )


@pytest.fixture
def rectification(team, templates):
    party = t.organisation(name="杭州某信息服务有限公司")
    return measure_record(
        actor=team.a,
        type="rectification_order",
        taken_on=dt.date(2024, 5, 6),
        due_on=dt.date(2024, 5, 20),
        subjects=[party],
        legal_basis="《网络安全法》第四十七条",
        details={"requirements": "删除违法信息，完善审核机制"},
        now=t.NOW,
    )
