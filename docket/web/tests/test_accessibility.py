"""axe-core on every page, in headless Chromium: no serious or critical violation.

The officers of each role that sees different pages sign in through the real sign-in pages (password, and the
second factor where their role requires it) and visit every page of the workspace and of the sign-in, with real
objects: cases in several states, a clue, subjects, measures, a year's figures; every step form each of them may
open, and the refusals they meet. The pages are found in the URL resolver: a page with neither visits below nor
an entry in ``NOT_CHECKED`` fails the test, so a new page is checked from the day it exists.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import sync_playwright

from docket import testing as t
from docket.cases import services as cs
from docket.cases import steps as case_steps
from docket.cases.models import Case, State
from docket.cases.tests.test_admin_browser import ARGS, CHROMIUM, server  # noqa: F401 - fixture
from docket.clues import steps as clue_steps
from docket.clues.models import Clue, Source
from docket.clues.services import clue_register
from docket.core.dates import local_date
from docket.evidence.services import clue_material_add
from docket.measures.models import Measure
from docket.measures.services import fine_payment_record, measure_record
from docket.officers.models import Officer, OfficerRole, Role
from docket.subjects.models import Kind, Subject

PASSWORD = "Accessible-pass-42"
SEVERE = {"serious", "critical"}
DAY = dt.date(2024, 3, 4)

# Pages deliberately not checked by axe, and why. Everything else the resolver knows (outside the admin and the
# API, which have their own checks) must have visits in ``VISITS``.
NOT_CHECKED: dict[str, str] = {
    "logout": "POST only: signs out and redirects to the sign-in page (checked)",
    "admin/login/": "redirects to Docket's sign-in page (checked)",
    "set_language": "POST only: stores the language and redirects back",
    "web-case-evidence": "",  # visited below when the case is being investigated (an upload form)
    "web-evidence-download": "a file, sent as an attachment",
    "web-document-pdf": "a PDF file",
    "web-document-render": "POST only: renders a document and redirects to the case page",
    "web-measure-notice": "POST only: renders a notice and redirects to the measure page",
    "web-queue-save": "POST only: saves and redirects to the list (checked after saving, in _interactions)",
    "web-queue-delete": "POST only: deletes and redirects to the list",
    "web-cases-reassign": "",  # POST only: its result page is checked after a reassignment, in _interactions
    "web-subject-identifier": "",  # POST only: its answer is checked after asking for a number, in _interactions
    "web-reminder-read": "POST only: marks a reminder read and redirects to the reminders",
}


@dataclass
class Site:
    """The records the pages show, and the officers of each role (with their second factor where required)."""

    team: t.Team
    inspector: Officer
    statistician: Officer
    enrolling: Officer
    sibling: Officer
    cases: dict[str, Case] = field(default_factory=dict)
    clue: Clue = field(init=False)
    subject: Subject = field(init=False)
    person: Subject = field(init=False)
    fine: Measure = field(init=False)
    order: Measure = field(init=False)
    devices: dict[int, TOTPDevice] = field(default_factory=dict)

    @property
    def roles(self) -> dict[str, Officer]:
        team = self.team
        return {
            "case officer": team.a,
            "office head": team.head,
            "legal reviewer": team.reviewer,
            "inspector": self.inspector,
            "statistician": self.statistician,
        }


def _with_password(officer: Officer) -> Officer:
    officer.set_password(PASSWORD)
    officer.save()
    return officer


def build_site(tree: Any) -> Site:
    team = t.Team(tree.hz)
    site = Site(
        team=team,
        inspector=t.officer(tree.zj, Role.INSPECTOR),
        statistician=t.officer(tree.hz, Role.STATISTICIAN),
        enrolling=t.officer(tree.hz, Role.OFFICE_HEAD),
        sibling=t.officer(tree.nb, Role.CASE_OFFICER),
    )
    for officer in [*site.roles.values(), site.enrolling, site.sibling]:
        _with_password(officer)
    for officer in (team.head, team.reviewer):
        site.devices[officer.pk] = TOTPDevice.objects.create(user=officer, name="app", confirmed=True)
    site.subject = t.organisation(name="某网络科技有限公司")
    # A natural person's number, shown in full to the case officer who holds the role for it (a form's answer).
    site.person = Subject.objects.create(kind=Kind.RESPONSIBLE_PERSON, name="张三", identifier=t.valid_resident_id(5))
    OfficerRole.objects.create(officer=site.roles["case officer"], role=Role.PERSONAL_DATA)
    t.website("example.cn", operator=site.subject)
    for state in (State.FILED, State.INVESTIGATING, State.PROPOSED, State.NOTIFIED, State.DECIDED):
        site.cases[state] = t.drive(team, to=state, party=site.subject)
    site.cases[State.FILED].parties.add(site.person)
    archived = t.drive(team, to=State.EXECUTING, party=site.subject)
    site.fine = Measure.objects.get(case=archived, type="fine")
    paid = site.fine.taken_on + dt.timedelta(days=3)
    fine_payment_record(
        actor=team.a, measure=site.fine, paid_on=paid, amount=Decimal("100000.00"), reference="PAY-1", now=t.NOW
    )
    site.cases["executing"] = t.drive(team, to=State.EXECUTING, party=site.subject)
    archived.refresh_from_db()
    cs.close(actor=team.head, case=archived, on=paid + dt.timedelta(days=1), now=t.NOW)
    cs.archive(actor=team.a, case=archived, on=paid + dt.timedelta(days=2), now=t.NOW)
    site.cases[State.ARCHIVED] = archived
    site.clue = clue_register(
        actor=team.a,
        source=Source.PUBLIC_REPORT,
        received_on=timezone.localdate(),
        summary="举报某网站传播违法信息",
        subjects=[site.subject],
        now=timezone.now(),
    )
    clue_material_add(
        actor=team.a,
        clue=site.clue,
        content="举报材料".encode(),
        name="举报.txt",
        content_type="text/plain",
        received_on=timezone.localdate(),
        description="举报人提供",
        now=timezone.now(),
    )
    site.order = measure_record(
        actor=team.a,
        type="rectification_order",
        taken_on=DAY,
        subjects=[site.subject],
        due_on=DAY + dt.timedelta(days=30),
        details={"requirements": "限期整改"},
        now=t.NOW,
    )
    # Reminders of the deadlines those cases have missed, for the reminders page.
    from django.core.management import call_command

    call_command("remind", stdout=io.StringIO())
    return site


# --- the visits of each page ------------------------------------------------------------------------------------

Visit = tuple[str, str, int]  # (role, url, expected status)


def _today(obj: Any) -> dt.date:
    return local_date(timezone.now(), obj.office.time_zone)


def _steps(site: Site, objects: list[Any], listing: Callable[..., Any], url: Callable[[Any, str], str]) -> list[Visit]:
    """Each step form once (as the first role that may open it), and each role's first refusal page."""
    visits: list[Visit] = []
    opened: set[str] = set()
    for role, officer in site.roles.items():
        if role == "statistician":
            continue  # reads figures only: no case, clue or measure exists for them (404, checked elsewhere)
        refused_seen = False
        for obj in objects:
            for s in listing(obj, officer, on=_today(obj)):
                if s.allowed and s.step.name not in opened:
                    opened.add(s.step.name)
                    visits.append((role, url(obj, s.step.name), 200))
                elif not s.allowed and not refused_seen:
                    refused_seen = True
                    visits.append((role, url(obj, s.step.name), 0))
    return visits


def _case_steps(site: Site) -> list[Visit]:
    return _steps(
        site,
        list(site.cases.values()),
        case_steps.available_steps,
        lambda c, a: f"/cases/{c.ref}/steps/{a}/",
    )


def _clue_steps(site: Site) -> list[Visit]:
    return _steps(site, [site.clue], clue_steps.available_steps, lambda c, a: f"/clues/{c.pk}/steps/{a}/")


def _measure_steps(site: Site) -> list[Visit]:
    from docket.measures import steps as measure_steps

    return _steps(
        site, [site.fine, site.order], measure_steps.available_steps, lambda m, a: f"/measures/{m.pk}/steps/{a}/"
    )


def _measure_new(site: Site) -> list[Visit]:
    from docket.measures.forms import STANDALONE

    visits: list[Visit] = [
        ("case officer", "/measures/new/", 200),
        ("case officer", f"/measures/new/?clue={site.clue.pk}", 200),
    ]
    visits += [("case officer", f"/measures/new/?type={value}", 200) for value, _label in STANDALONE]
    return visits


EVERY_ROLE = ("case officer", "office head", "legal reviewer", "inspector", "statistician")
CASE_READERS = ("case officer", "office head", "legal reviewer", "inspector")


def _for(roles: tuple[str, ...], *urls: str) -> list[Visit]:
    return [(role, url, 200) for role in roles for url in urls]


VISITS: dict[str, Callable[[Site], list[Visit]]] = {
    "login": lambda s: [],  # visited while signing in, with and without an error
    "login-verify": lambda s: [],  # visited while signing in with the second factor
    "two-factor": lambda s: [("office head", "/account/two-factor/", 200)],  # enrolment: while signing in
    "web-dashboard": lambda s: _for(EVERY_ROLE, "/"),
    # A list is one template whatever the rows: each list filtered and not, as the office head; the case list
    # also as a case officer (the reassignment controls are the head's) and with a filter it refuses.
    "web-cases": lambda s: [
        *_for(("office head",), "/cases/", f"/cases/?state={State.INVESTIGATING}&order=due", "/cases/?state=nonsense"),
        *_for(("case officer",), "/cases/"),
    ],
    "web-clues": lambda s: _for(("office head",), "/clues/", "/clues/?status=open&order=due"),
    "web-measures": lambda s: _for(("office head",), "/measures/", "/measures/?type=fine"),
    "web-subjects": lambda s: _for(("office head",), "/subjects/", "/subjects/?kind=website"),
    "web-subject": lambda s: _for(("case officer",), f"/subjects/{s.subject.pk}/"),
    "web-search": lambda s: _for(("case officer",), "/search/", "/search/?q=某网络", "/search/?q=nothing-at-all"),
    "web-report": lambda s: [
        ("statistician", f"/reports/{t.NOW.year}/", 200),
        ("case officer", f"/reports/{t.NOW.year}/", 403),
    ],
    "web-case": lambda s: [
        *(("case officer", f"/cases/{c.ref}/", 200) for c in s.cases.values()),
        *_for(("office head", "legal reviewer", "inspector"), f"/cases/{s.cases[State.PROPOSED].ref}/"),
        ("case officer", "/cases/NEVER-USED/", 404),
    ],
    "web-case-step": _case_steps,
    "web-clue": lambda s: _for(("case officer", "office head"), f"/clues/{s.clue.pk}/"),
    "web-clue-step": _clue_steps,
    "web-clue-new": lambda s: _for(("case officer",), "/clues/new/"),
    "web-case-evidence": lambda s: _for(("case officer",), f"/cases/{s.cases[State.INVESTIGATING].ref}/evidence/"),
    "web-measure": lambda s: _for(
        ("case officer", "office head"), f"/measures/{s.fine.pk}/", f"/measures/{s.order.pk}/"
    ),
    "web-measure-new": _measure_new,
    "web-measure-step": _measure_steps,
    "web-tokens": lambda s: _for(("case officer", "office head"), "/tokens/"),
    "web-reminders": lambda s: _for(("case officer", "office head"), "/reminders/"),
}


def _routes(patterns: list[Any], prefix: str = "") -> dict[str, str]:
    """Every page the resolver knows, by its name (or its route when it has none), outside the admin and API."""
    found: dict[str, str] = {}
    for p in patterns:
        route = prefix + str(p.pattern)
        if route.startswith(("admin/", "api/")) and route != "admin/login/":
            continue
        if isinstance(p, URLResolver):
            found.update(_routes(p.url_patterns, route))
        elif isinstance(p, URLPattern):
            found[p.name or route] = route
    return found


def test_every_page_is_visited_or_named_as_not_checked():
    routes = _routes(get_resolver().url_patterns)
    missing = sorted(set(routes) - set(VISITS) - set(NOT_CHECKED))
    assert not missing, (
        f"pages no accessibility check visits: {missing} (add visits to VISITS or a reason to NOT_CHECKED)"
    )
    assert "web-dashboard" in routes and "login" in routes


# --- the browser ------------------------------------------------------------------------------------------------


@dataclass
class Findings:
    checked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def check(self, page: Any, label: str) -> None:
        # axe-core is in every page of the browser context (``_context``), loaded before the page's own scripts.
        results = page.evaluate("axe.run({resultTypes: ['violations']})")
        self.checked.append(label)
        for v in results["violations"]:
            if v.get("impact") not in SEVERE:
                continue
            targets = "; ".join(", ".join(str(x) for x in n["target"]) for n in v["nodes"][:6])
            self.problems.append(f"{label}: {v['id']} ({v['impact']}) at {targets} — {v['help']}")


def _token(device: TOTPDevice, later: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + later * device.step if later else totp.time
    return f"{totp.token():0{device.digits}d}"


def _interactions(page: Any, base: str, role: str, findings: Findings, site: Site) -> None:
    """Pages that only a form's answer shows: a saved queue on its list, a bulk reassignment's result, a new
    API token."""
    if role == "office head":
        page.goto(f"{base}/cases/?state={State.INVESTIGATING}")
        page.fill("#queue-name", "调查中")
        page.locator("form.save-queue button[type=submit]").click()
        page.wait_for_selector("nav.queues")
        findings.check(page, "/cases/ (a saved queue)")
        page.goto(f"{base}/cases/")
        page.locator("input[name=cases]").first.check()
        page.locator("#bulk-officer").select_option(index=1)
        page.locator("form#bulk button[type=submit]").click()
        page.wait_for_url(re.compile(r".*/cases/reassign/$"))
        findings.check(page, "/cases/reassign/ (the result)")
    if role == "case officer":
        page.goto(f"{base}/subjects/{site.person.pk}/")
        page.locator("form.inline button[type=submit]").click()
        page.wait_for_url(re.compile(r".*/identifier/$"))
        findings.check(page, "/subjects/<id>/identifier/ (a number in full)")
        page.goto(f"{base}/tokens/")
        page.locator("form.step input[type=text]").first.fill("统计脚本")
        page.locator("form.step button.primary").click()
        page.wait_for_selector("#new-token")
        findings.check(page, "/tokens/ (a new token)")


def _context(browser: Any) -> Any:
    context = browser.new_context(locale="zh-CN")
    context.add_init_script(script=AXE_SCRIPT)
    return context


def _sign_in(page: Any, base: str, officer: Officer, findings: Findings, device: TOTPDevice | None) -> None:
    page.goto(f"{base}/login/")
    page.locator("#id_username").fill(officer.username)
    page.locator("#id_password").fill(PASSWORD)
    page.keyboard.press("Enter")
    if device is not None:
        page.wait_for_url(re.compile(r".*/login/verify/.*"))
        findings.check(page, f"/login/verify/ ({officer.username})")
        page.locator("#id_token").fill(_token(device))
        page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login/" not in url)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_serious_or_critical_violation_on_any_page(server, tree, monkeypatch):  # noqa: F811
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    site = build_site(tree)
    routes = _routes(get_resolver().url_patterns)
    visits = [v for name, make in VISITS.items() if name in routes for v in make(site)]
    findings = Findings()
    wrong_status: list[str] = []
    timings: list[tuple[float, str]] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            # Signed out: the sign-in page, empty and after a failure.
            page = _context(browser).new_page()
            page.goto(f"{server}/login/")
            findings.check(page, "/login/")
            page.locator("#id_username").fill("nobody")
            page.locator("#id_password").fill("wrong")
            page.keyboard.press("Enter")
            page.wait_for_selector("p.alert")
            findings.check(page, "/login/ (failed)")
            # An office head without a second factor: the enrolment page, then the recovery codes.
            _sign_in(page, server, site.enrolling, findings, None)
            page.wait_for_url(re.compile(r".*/account/two-factor/.*"))
            findings.check(page, "/account/two-factor/ (enrolment)")
            page.locator("#id_token").fill("000000")
            page.keyboard.press("Enter")
            page.wait_for_selector(".error, .alert, .messages")
            findings.check(page, "/account/two-factor/ (wrong code)")
            device = TOTPDevice.objects.get(user=site.enrolling, confirmed=False)
            page.locator("#id_token").fill(_token(device))
            page.keyboard.press("Enter")
            page.wait_for_selector("ol.codes")
            findings.check(page, "/account/two-factor/ (recovery codes)")
            page.context.close()
            # A sibling office's officer: the 404 of a case that is not theirs.
            page = _context(browser).new_page()
            _sign_in(page, server, site.sibling, findings, None)
            response = page.goto(f"{server}/cases/{site.cases[State.FILED].ref}/")
            assert response is not None and response.status == 404
            findings.check(page, "/cases/<ref>/ (another office's case: 404)")
            page.context.close()
            for role, officer in site.roles.items():
                page = _context(browser).new_page()
                _sign_in(page, server, officer, findings, site.devices.get(officer.pk))
                for visit_role, url, status in visits:
                    if visit_role != role:
                        continue
                    started = time.perf_counter()
                    response = page.goto(f"{server}{url}")
                    got = response.status if response else 0
                    # A refusal (0 above) is a 403 or 422 page with its reason.
                    if (status and got != status) or (not status and got not in (403, 422)):
                        wrong_status.append(f"{url} ({role}): {got}, expected {status or '403/422'}")
                    findings.check(page, f"{url} ({role})")
                    timings.append((time.perf_counter() - started, url))
                _interactions(page, server, role, findings, site)
                page.context.close()
        finally:
            browser.close()
            from django.db import connections

            connections.close_all()
    print(f"axe-core checked {len(findings.checked)} pages; slowest:", sorted(timings, reverse=True)[:5])
    assert len(findings.checked) >= len(visits)
    report = [f"{len(findings.problems)} serious or critical violations:", *findings.problems]
    if wrong_status:
        report += ["pages that did not answer as expected:", *wrong_status]
    assert not findings.problems and not wrong_status, "\n".join(report)
