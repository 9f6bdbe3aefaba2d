"""Factories and a case-driver for tests: real objects made through the real services."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Callable
from typing import Any, cast

import factory
from stdnum.cn import ric, uscc

from docket.cases import services as cs
from docket.cases.models import Case, State
from docket.clues.models import Source
from docket.clues.services import clue_register
from docket.evidence.services import evidence_add
from docket.officers.models import Officer, OfficerRole, Role
from docket.offices.models import Office
from docket.subjects.models import Kind, Subject
from docket.taxonomy.models import Provision, ViolationCategory

NOW = dt.datetime(2024, 12, 31, 8, 0, tzinfo=dt.UTC)
_seq = itertools.count(1)


def valid_uscc(n: int) -> str:
    """A well-formed unified social credit code (GB 32100-2015) for serial ``n``."""
    body = f"91{110000 + n % 800000:06d}{n:09d}"[:17]
    body = body[:8] + f"{n:09d}"
    return body + uscc.calc_check_digit(body)


def valid_resident_id(n: int) -> str:
    body = f"110105{1960 + n % 40:04d}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # it reads the first 17 of 18


def office(code: str, name: str, parent: Office | None, level: str) -> Office:
    return Office.objects.create(
        code=code, name=name, level=level, parent=parent, path=f"{parent.path if parent else '/'}{code}/"
    )


class OfficerFactory(factory.django.DjangoModelFactory):  # type: ignore[type-arg]
    class Meta:
        model = Officer
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"officer{n}")
    display_name = factory.LazyAttribute(lambda o: o.username)
    certificate_number = factory.Sequence(lambda n: f"ZF{n:08d}")
    certificate_valid_from = dt.date(2020, 1, 1)
    certificate_valid_until = dt.date(2030, 12, 31)
    is_staff = True

    @factory.post_generation
    def roles(self: Any, create: bool, extracted: list[str] | None, **kwargs: Any) -> None:  # noqa: FBT001 - factory-boy's hook
        for role in extracted or []:
            OfficerRole.objects.create(officer=self, role=role)
        self._role_cache = None


def officer(office: Office | None, *roles: str, certified: bool = True, **kw: Any) -> Officer:
    if not certified:
        kw.update(certificate_number="", certificate_valid_from=None, certificate_valid_until=None)
    return cast(Officer, OfficerFactory(office=office, roles=list(roles), **kw))


def organisation(n: int | None = None, name: str | None = None) -> Subject:
    n = next(_seq) if n is None else n
    return Subject.objects.create(kind=Kind.ORGANISATION, name=name or f"公司{n}", identifier=valid_uscc(n))


def website(domain: str, operator: Subject | None = None) -> Subject:
    return Subject.objects.create(kind=Kind.WEBSITE, name=domain, identifier=domain, operator=operator)


def taxonomy() -> tuple[ViolationCategory, Provision]:
    provision, _ = Provision.objects.get_or_create(
        law="中华人民共和国网络安全法",
        article=68,
        paragraph=1,
        defaults={
            "measures": ["warning", "fine", "confiscation", "suspension", "licence_cancellation", "website_closure"],
            "fine_min": 50000,
            "fine_max": 500000,
        },
    )
    category, _ = ViolationCategory.objects.get_or_create(
        version="2023", code="content-management", defaults={"name": "未履行信息内容管理义务"}
    )
    category.provisions.add(provision)
    return category, provision


class Team:
    """One office's staff: a head, two certified investigators, a legal reviewer, and a hearing chair."""

    def __init__(self, office: Office):
        self.office = office
        self.head = officer(office, Role.OFFICE_HEAD)
        self.a = officer(office, Role.CASE_OFFICER)
        self.b = officer(office, Role.CASE_OFFICER)
        self.reviewer = officer(office, Role.LEGAL_REVIEWER)
        self.chair = officer(office, Role.CASE_OFFICER)


def drive(
    team: Team,
    *,
    to: str,
    party: Subject | None = None,
    received_on: dt.date = dt.date(2024, 3, 1),
    fine: str = "100000.00",
    flags: list[str] | None = None,
    now: dt.datetime = NOW,
    campaigns: list[Any] | None = None,
) -> Case:
    """Take a new case through the procedure up to state ``to`` (a penalty case with a fine)."""
    party = party or organisation()
    clue = clue_register(
        actor=team.a,
        source=Source.INSPECTION,
        received_on=received_on,
        summary="巡查发现违法信息",
        subjects=[party],
        now=now,
        campaigns=campaigns,
    )
    case = cs.case_file(
        actor=team.head,
        clue=clue,
        title="某平台未履行管理义务案",
        on=received_on + dt.timedelta(days=3),
        now=now,
        flags=flags,
    )
    if to == State.FILED:
        return case
    day = case.filed_on
    cs.case_assign(actor=team.head, case=case, officers=[team.a, team.b], on=day, now=now)
    cs.investigation_start(actor=team.a, case=case, on=day, now=now)
    if to == State.INVESTIGATING:
        return case
    category, provision = taxonomy()
    cs.violation_set(actor=team.a, case=case, category=category, provisions=[provision], facts="事实", now=now)
    evidence_add(
        actor=team.a,
        case=case,
        content=f"截图 {case.ref}".encode(),
        name="shot.txt",
        content_type="text/plain",
        collected_on=day + dt.timedelta(days=1),
        collectors=[team.a, team.b],
        method="远程勘验",
        description="页面截图",
        now=now,
    )
    penalties = [{"measure": "fine", "subject": party.pk, "amount": fine}]
    cs.draft_propose(
        actor=team.a,
        case=case,
        outcome="penalty",
        facts="查明事实",
        legal_basis="《网络安全法》第六十八条",
        discretion="一般",
        penalties=penalties,
        now=now,
    )
    if to == State.PROPOSED:
        return case
    cs.legal_review_record(
        actor=team.reviewer, case=case, approved=True, opinion="同意", on=day + dt.timedelta(days=10), now=now
    )
    notice_day = day + dt.timedelta(days=12)
    cs.notice_issue(actor=team.a, case=case, served_on=notice_day, now=now)
    if to == State.NOTIFIED:
        return case
    cs.statement_record(actor=team.a, case=case, content="", waives_hearing=True, recheck="", on=notice_day, now=now)
    decide_day = notice_day + dt.timedelta(days=10)
    cs.decide(
        actor=team.head,
        case=case,
        outcome="penalty",
        legal_basis="《网络安全法》第六十八条",
        discretion="一般",
        on=decide_day,
        now=now,
    )
    if to == State.DECIDED:
        return case
    cs.serve(
        actor=team.a, case=case, served_on=decide_day, method="直接送达", party_present=True, proof="签收回执", now=now
    )
    return case


RACERS = 20


def race(call: Callable[[int], Any], n: int = RACERS) -> list[Any]:
    """Run ``call(i)`` in ``n`` threads released together; each result is the return value or the exception.

    Each thread has its own database connection (closed at the end), so on PostgreSQL the calls really
    overlap. Callers load their objects inside ``call`` (or pass copies) so no thread sees another's state.
    """
    from django.db import connections

    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = call(i)
        except Exception as exc:  # noqa: BLE001 - the outcome is what the race test inspects
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return results


def verified_login(client: Any, officer: Officer) -> Any:
    """Sign ``officer`` in on the test client as having passed the second factor (a confirmed TOTP device).

    ``client.force_login`` alone leaves an office head, legal reviewer or administrator at the enrolment page,
    as the real sign-in would.
    """
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=officer, confirmed=True).first() or TOTPDevice.objects.create(
        user=officer, name="test", confirmed=True
    )
    client.force_login(officer)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


# --- query counts held by the page and endpoint tests -----------------------------------------------------------


def held_count(held: dict[str, int | dict[str, int]], name: str) -> int | None:
    """The number of queries ``name`` is held to, on this database (a number that differs by vendor is a dict)."""
    from django.db import connection

    number = held.get(name)
    return number.get(connection.vendor) if isinstance(number, dict) else number


def count_problem(name: str, few: tuple[int, list[str]], many: tuple[int, list[str]], held: int | None) -> str | None:
    """What is wrong with ``name``'s query counts, with few rows and with many: a count that grows with the rows
    (naming the queries repeated, told apart from their literal values), or one other than the number it is held
    to; None when neither."""
    import re
    from collections import Counter

    (small, _sql), (large, large_sql) = few, many
    if small != large:
        shapes = Counter(re.sub(r"'[^']*'|\b\d+\b", "?", q) for q in large_sql)
        repeated = "; ".join(f"{n}× {q[:300]}" for q, n in shapes.most_common(3) if n > 1)
        return f"{name}: {small} queries with few rows, {large} with many; repeated: {repeated}"
    if small != held:
        return f"{name}: {small} queries, held to {held}"
    return None
