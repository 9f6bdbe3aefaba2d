"""One clue to an archived penalty case, through the pages, in headless Chromium.

Officers of one office take the clue through intake, filing, assignment, evidence (uploaded by two officers),
the draft, legal review, the prior notice, the party's statement, the decision, service, payment, closing and
archiving — each by the step buttons (``data-step``) of the case page and the forms they open. On the way every
gate met is shown refused on the page with its reason, two tabs meet the stale-form conflict, the office head
enrols a second factor and the legal reviewer signs in with one. Then an officer of a sibling office finds
nothing of the case anywhere (404 on each of its pages, absent from lists, search and exports); an account is
locked after five failed sign-ins; a session ends after its idle time.

A screenshot of each page is kept in ``DOCKET_ARTEFACTS`` (default ``var/artefacts/journey/``).
"""

from __future__ import annotations

import base64
import faulthandler
import hashlib
import io
import os
import re
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from docket import testing as t
from docket.cases.models import Case, State
from docket.cases.tests.test_admin_browser import ARGS, CHROMIUM, server  # noqa: F401 - fixture
from docket.clues.models import Clue
from docket.core.dates import local_date
from docket.evidence.models import EvidenceItem
from docket.measures.models import Measure
from docket.officers.actors import SYSTEM
from docket.officers.models import Officer, Role
from docket.workdays.services import calendar_year_load
from docket.workdays.tests import notices

expect.set_options(timeout=30_000)
ARTEFACTS = Path(os.environ.get("DOCKET_ARTEFACTS", "var/artefacts/journey"))
PASSWORD = "Journey-pass-42"
PARTY = "杭州某某网络科技有限公司"
TITLE = "某平台未落实信息内容管理主体责任案"
SUMMARY = "巡查发现某平台传播违法信息，未及时处置。"


class Journey:
    """The browser pages of the officers, and the screenshots taken on the way."""

    def __init__(self, browser: Any, base: str):
        self.browser = browser
        self.server = base
        self.shots: list[Path] = []
        self.pages: list[Page] = []
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        for old in ARTEFACTS.glob("*.png"):
            old.unlink()

    def page(self) -> Page:
        context = self.browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        # A machine shared with other work answers slowly at times: wait for it rather than fail.
        context.set_default_timeout(60_000)
        page = context.new_page()
        self.pages.append(page)
        return page

    def shot(self, page: Page, name: str) -> None:
        path = ARTEFACTS / f"{len(self.shots) + 1:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.shots.append(path)

    def go(self, page: Page, path: str) -> Any:
        return page.goto(f"{self.server}{path}")


def code(key: bytes, later: int = 0) -> str:
    totp = TOTP(key)
    totp.time = totp.time + 30 * later
    return f"{totp.token():06d}"


def sign_in(j: Journey, page: Page, officer: Officer, *, name: str, device: TOTPDevice | None = None) -> None:
    j.go(page, "/")
    page.wait_for_url(re.compile(r".*/login/.*"))
    page.locator("#id_username").fill(officer.username)
    page.locator("#id_password").fill(PASSWORD)
    page.keyboard.press("Enter")
    if device is not None:
        page.wait_for_url(re.compile(r".*/login/verify/.*"))
        # A wrong code first: refused, and the page says so.
        page.locator("#id_token").fill("000000" if code(device.bin_key) != "000000" else "111111")
        page.keyboard.press("Enter")
        expect(page.locator("p.alert, .error").first).to_be_visible()
        j.shot(page, f"{name}-second-factor-refused")
        # After a wrong code the device takes the next one only after a pause (django-otp's throttling).
        page.wait_for_timeout(2500)
        page.locator("#id_token").fill(code(device.bin_key))
        page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login/" not in url and "/two-factor/" not in url)
    j.shot(page, f"{name}-dashboard")


def refusal(page: Page, action: str) -> str:
    """The reason a disabled step gives on the page (its ``title``), asserting it is shown disabled."""
    button = page.locator(f"a[data-step={action}]")
    expect(button).to_have_count(1)
    assert button.get_attribute("aria-disabled") == "true", action
    assert button.get_attribute("href") is None, action
    reason = button.get_attribute("title") or ""
    assert reason.strip(), action
    return reason


def open_step(j: Journey, page: Page, case_url: str, action: str) -> None:
    # Always the page as it is now: another officer may have changed the case since this one last looked.
    j.go(page, case_url)
    button = page.locator(f"a[data-step={action}]")
    expect(button).to_have_count(1)
    assert button.get_attribute("aria-disabled") is None, f"{action}: {button.get_attribute('title')}"
    button.click()
    page.wait_for_url(re.compile(rf".*/steps/{action}/$"))


def submit(j: Journey, page: Page, name: str) -> None:
    j.shot(page, f"{name}-form")
    invalid = page.evaluate(INVALID)
    assert not invalid, f"{name}: the browser would not send the form: {invalid}"
    button = page.locator("form.step button.primary, form[data-step] button.primary").first
    try:
        # By the keyboard, as an officer who does not use a mouse would. (A click right after a full-page
        # screenshot of a form taller than the window is sometimes lost by headless Chromium: no request.)
        with page.expect_navigation():
            button.focus()
            page.keyboard.press("Enter")
    except PlaywrightTimeout:
        # Where the server's threads are when a step never answers.
        faulthandler.dump_traceback(all_threads=True)
        raise
    problems = page.locator(".problems")
    assert problems.count() == 0, f"{name}: {problems.first.inner_text()}"
    expect(page.locator(".messages li.success")).to_have_count(1)
    j.shot(page, f"{name}-done")


# The fields a browser refuses to send (HTML constraint validation), with its message.
INVALID = "() => [...document.querySelectorAll('form :invalid')].map(e => e.name + ': ' + e.validationMessage)"


def state_of(case: Case) -> str:
    return Case.objects.get(pk=case.pk).state


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_clue_becomes_an_archived_penalty_case_through_the_pages(server, tree, settings, monkeypatch):  # noqa: F811, PLR0915
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    team = t.Team(tree.hz)
    sibling = t.officer(tree.nb, Role.CASE_OFFICER)
    locked = t.officer(tree.hz, Role.CASE_OFFICER)
    for officer in (team.a, team.b, team.head, team.reviewer, sibling, locked):
        officer.set_password(PASSWORD)
        officer.save()
    reviewer_device = TOTPDevice.objects.create(user=team.reviewer, name="app", confirmed=True)
    category, provision = t.taxonomy()
    today = local_date(timezone.now(), tree.hz.time_zone).isoformat()
    identifier = t.valid_uscc(424242)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            j = Journey(browser, server)
            a, b, head, reviewer = j.page(), j.page(), j.page(), j.page()

            # --- intake: a case officer registers the clue, the subject on the spot, its material -----------------
            sign_in(j, a, team.a, name="officer-a")
            j.go(a, "/clues/new/")
            a.select_option("#id_source", "inspection")
            a.fill("#id_received_on", today)
            a.fill("#id_summary", SUMMARY)
            a.select_option("#id_new_kind", "organisation")
            a.fill("#id_new_name", PARTY)
            a.fill("#id_new_identifier", identifier)
            material = "巡查记录：2026年某日发现违法信息。".encode()
            a.set_input_files("#id_material", {"name": "巡查记录.txt", "mimeType": "text/plain", "buffer": material})
            j.shot(a, "intake-form")
            a.locator("form.intake button.primary").click()
            a.wait_for_url(re.compile(r".*/clues/\d+/$"))
            j.shot(a, "clue-page")
            clue = Clue.objects.get(pk=int(a.url.rstrip("/").rsplit("/", 1)[1]))
            assert clue.subjects.get().identifier == identifier
            assert hashlib.sha256(material).hexdigest() in a.content()
            # Filing is the head's: the officer sees the step refused, with the reason.
            assert refusal(a, "case_file")

            # --- the head: enrols a second factor at the first sign-in, files the case -----------------------------
            j.go(head, "/")
            head.locator("#id_username").fill(team.head.username)
            head.locator("#id_password").fill(PASSWORD)
            head.keyboard.press("Enter")
            head.wait_for_url(re.compile(r".*/account/two-factor/.*"))
            j.shot(head, "head-enrolment")
            secret = head.locator("#secret").inner_text().replace(" ", "")
            key = base64.b32decode(secret + "=" * (-len(secret) % 8))
            head.fill("#id_token", code(key))
            head.keyboard.press("Enter")
            head.wait_for_selector("ol.codes")
            assert head.locator("ol.codes li").count() == 10
            j.shot(head, "head-recovery-codes")
            assert TOTPDevice.objects.filter(user=team.head, confirmed=True).exists()

            clue_url = f"/clues/{clue.pk}/"
            open_step(j, head, clue_url, "case_file")
            head.fill("#id_on", today)
            head.fill("#id_title", TITLE)
            submit(j, head, "case-file")
            case = Case.objects.get(clue=clue)
            case_url = f"/cases/{case.ref}/"
            j.go(head, case_url)
            j.shot(head, "case-filed")
            reason = refusal(head, "investigation_start")
            assert "0" in reason, reason

            # --- assignment, with the stale-form conflict of two tabs ---------------------------------------------
            open_step(j, head, case_url, "assign")
            other_tab = head.context.new_page()
            j.go(other_tab, f"{case_url}steps/assign/")
            head.fill("#id_on", today)
            head.select_option("#id_officers", [str(team.a.pk), str(team.b.pk)])
            submit(j, head, "assign")
            other_tab.fill("#id_on", today)
            other_tab.select_option("#id_officers", [str(team.a.pk)])
            with other_tab.expect_navigation():
                other_tab.locator("form.step button.primary").click()
            conflict = other_tab.locator(".problems").inner_text()
            assert "他人修改" in conflict or "someone else" in conflict, conflict
            j.shot(other_tab, "assign-stale-tab-conflict")
            other_tab.close()
            assert set(
                Case.objects.get(pk=case.pk).assignments.filter(active=True).values_list("officer", flat=True)
            ) == {
                team.a.pk,
                team.b.pk,
            }

            open_step(j, head, case_url, "investigation_start")
            head.fill("#id_on", today)
            submit(j, head, "investigation-start")
            assert state_of(case) == State.INVESTIGATING

            # --- investigation: a violation; a draft refused without evidence; evidence from two officers ----------
            open_step(j, a, case_url, "violation_set")
            a.select_option("#id_category", str(category.pk))
            a.select_option("#id_provisions", [str(provision.pk)])
            a.fill("#id_facts", "平台未履行信息内容管理义务。")
            submit(j, a, "violation-set")

            def fill_draft(page: Page) -> None:
                # The measure's type first: the page then shows a fine's own fields.
                with page.expect_navigation():
                    page.click("a[data-add-measure=fine]")
                page.select_option("#id_outcome", "penalty")
                page.fill("#id_facts", "经查，当事人未落实信息内容管理主体责任。")
                page.fill("#id_legal_basis", "《中华人民共和国网络安全法》第六十八条第一款")
                page.fill("#id_discretion", "一般情节")
                page.select_option("#id_penalties-0-subject", str(clue.subjects.get().pk))
                page.fill("#id_penalties-0-amount", "100000.00")

            open_step(j, a, case_url, "draft_propose")
            fill_draft(a)
            with a.expect_navigation():
                a.locator("form.step button.primary").click()
            no_evidence = a.locator(".problems").inner_text()
            assert "证据" in no_evidence or "evidence" in no_evidence, no_evidence
            j.shot(a, "draft-refused-without-evidence")
            assert state_of(case) == State.INVESTIGATING

            files = {}
            for page, officer, name in ((a, team.a, "evidence-officer-a"), (b, team.b, "evidence-officer-b")):
                if page is b:
                    sign_in(j, b, team.b, name="officer-b")
                j.go(page, case_url)
                page.locator("details.upload summary").click()
                form = page.locator("form[data-step=evidence_add]").last
                content = page.screenshot()  # the evidence: a picture of what the officer saw
                files[name] = content
                form.locator("input[type=file]").set_input_files(
                    {"name": f"{name}.png", "mimeType": "image/png", "buffer": content}
                )
                form.locator("[name=collected_on]").fill(today)
                form.locator("[name=collectors]").select_option([str(team.a.pk), str(team.b.pk)])
                form.locator("[name=method]").fill("远程勘验")
                form.locator("[name=description]").fill(f"{officer.username} 截取的页面")
                j.shot(page, f"{name}-form")
                with page.expect_navigation():
                    form.locator("button.primary").click()
                expect(page.locator(".messages li.success")).to_have_count(1)
                j.shot(page, f"{name}-stored")
            for content in files.values():
                digest = hashlib.sha256(content).hexdigest()
                assert digest in a.content() or digest in b.content()
                assert EvidenceItem.objects.filter(case=case, sha256=digest).exists()
            j.go(a, case_url)
            for content in files.values():
                assert hashlib.sha256(content).hexdigest() in a.content()

            # --- the draft, and what it may not skip ---------------------------------------------------------------
            open_step(j, a, case_url, "draft_propose")
            fill_draft(a)
            submit(j, a, "draft-propose")
            assert state_of(case) == State.PROPOSED
            j.go(head, case_url)
            decide_refused = refusal(head, "decide")
            j.go(a, case_url)
            notice_refused = refusal(a, "notice_issue")
            assert "法制审核" in notice_refused or "legal review" in notice_refused, notice_refused
            j.shot(a, "proposed-notice-waits-for-legal-review")

            # --- legal review (the reviewer signs in with the second factor) -------------------------------------
            sign_in(j, reviewer, team.reviewer, name="reviewer", device=reviewer_device)
            open_step(j, reviewer, case_url, "legal_review_approve")
            reviewer.fill("#id_on", today)
            reviewer.fill("#id_opinion", "事实清楚，证据确凿，适用法律正确，同意。")
            submit(j, reviewer, "legal-review")

            # --- prior notice, statement, decision ---------------------------------------------------------------
            open_step(j, a, case_url, "notice_issue")
            a.fill("#id_served_on", today)
            submit(j, a, "notice-issue")
            assert state_of(case) == State.NOTIFIED
            j.go(head, case_url)
            waiting = refusal(head, "decide")
            assert waiting != decide_refused
            j.shot(head, "notified-decision-waits-for-the-party")

            open_step(j, a, case_url, "statement_record")
            a.fill("#id_on", today)
            a.fill("#id_content", "当事人表示无异议，放弃陈述申辩和听证。")
            a.check("#id_waives_hearing")
            a.fill("#id_recheck", "经复核，当事人未提出新的事实、理由和证据。")
            submit(j, a, "statement")

            j.go(head, case_url)
            decide = head.locator("a[data-step=decide]")
            if decide.get_attribute("aria-disabled") == "true":
                # Late in a year the decision period runs into the next, whose holidays the State Council
                # publishes around November: until an administrator loads them, no decision can be shown to be
                # within its period, and the page says so.
                missing = refusal(head, "decide")
                assert str(int(today[:4]) + 1) in missing, missing
                j.shot(head, "decision-waits-for-next-years-calendar")
                calendar_year_load(
                    actor=SYSTEM, data=notices.notice(), source="国务院办公厅关于2027年部分节假日安排的通知", now=t.NOW
                )
            open_step(j, head, case_url, "decide")
            head.fill("#id_on", today)
            submit(j, head, "decide")
            assert state_of(case) == State.DECIDED

            # --- service, payment, closing, archiving --------------------------------------------------------------
            open_step(j, a, case_url, "serve")
            a.fill("#id_served_on", today)
            a.fill("#id_method", "直接送达")
            a.check("#id_party_present")
            a.fill("#id_proof", "送达回证")
            submit(j, a, "serve")
            assert state_of(case) == State.EXECUTING
            j.go(head, case_url)
            unpaid = refusal(head, "close")
            assert "100000" in unpaid or "未缴" in unpaid or "unpaid" in unpaid, unpaid
            j.shot(head, "executing-close-waits-for-payment")

            fine = Measure.objects.get(case=case, type="fine")
            j.go(a, case_url)
            link = a.locator(f"a[href='/measures/{fine.pk}/']")
            if link.count():
                link.first.click()
                a.wait_for_url(re.compile(rf".*/measures/{fine.pk}/$"))
            else:
                # The payment is a step of the fine's own page; the case page does not link to it yet.
                print(f"the case page has no link to its fine's page /measures/{fine.pk}/: opened directly")
                j.go(a, f"/measures/{fine.pk}/")
            j.shot(a, "fine-measure-page")
            a.locator("a[data-step=fine_payment_record]").click()
            a.wait_for_url(re.compile(r".*/steps/fine_payment_record/$"))
            a.fill("#id_paid_on", today)
            a.fill("#id_amount", "100000.00")
            a.fill("#id_reference", "缴款书 2026-001")
            submit(j, a, "payment")

            open_step(j, head, case_url, "close")
            head.fill("#id_on", today)
            submit(j, head, "close")
            assert state_of(case) == State.CLOSED
            open_step(j, a, case_url, "archive")
            a.fill("#id_on", today)
            submit(j, a, "archive")
            assert state_of(case) == State.ARCHIVED
            j.go(a, case_url)
            j.shot(a, "archived-case")
            assert a.locator("dd.state").inner_text().strip() == "已归档"

            # --- the statutory documents in Chinese: real glyphs from a CJK font, not empty boxes --------------
            renders = a.locator("form[action$='/render/']:has(input[name=language][value=zh-hans]) button")
            assert renders.count() >= 3, "the filing approval, the prior notice and the decision at least"
            while renders.count():
                with a.expect_navigation():
                    renders.first.focus()
                    a.keyboard.press("Enter")
                expect(a.locator(".messages li.success")).to_have_count(1)
            j.shot(a, "documents-rendered")
            pdfs = [
                a.locator("a[href$='/pdf/']").nth(i).get_attribute("href")
                for i in range(a.locator("a[href$='/pdf/']").count())
            ]
            assert len(pdfs) >= 3, pdfs
            for href in pdfs:
                pdf = a.request.get(f"{server}{href}").body()
                assert pdf.startswith(b"%PDF"), href
                # WeasyPrint embeds the subset of each font it used, under the font's name.
                assert b"CJK" in _inflated(pdf), f"{href}: no CJK font embedded, the Chinese text would be empty boxes"

            # --- the sibling office: nothing of the case, anywhere -------------------------------------------------
            s = j.page()
            sign_in(j, s, sibling, name="sibling")
            evidence = list(EvidenceItem.objects.filter(case=case).values_list("pk", flat=True))
            pages = [
                case_url,
                *(f"{case_url}steps/{action}/" for action in ("assign", "decide", "archive", "close")),
                f"{case_url}evidence/",
                clue_url,
                f"{clue_url}steps/case_file/",
                f"/measures/{fine.pk}/",
                f"/measures/{fine.pk}/steps/fine_payment_record/",
                *(f"/evidence/{pk}/download/" for pk in evidence),
                *pdfs,
            ]
            never = s.request.get(f"{server}/cases/NEVER-USED/")
            assert never.status == 404
            for url in pages:
                response = s.request.get(f"{server}{url}")
                assert response.status == 404, url
                assert response.body() == never.body(), url
            j.go(s, case_url)
            j.shot(s, "sibling-404")
            subject = clue.subjects.get()
            # An organisation is in the national registry: its page exists for every office, without this
            # office's clue and case.
            text = _text(s.request.get(f"{server}/subjects/{subject.pk}/").body())
            for term in (case.ref, clue.ref, TITLE, f"/cases/{case.ref}/", f"/clues/{clue.pk}/"):
                assert term not in text, ("subject page", term)
            # The organisation itself is in the national registry (listed and found by every office); its
            # clue and case, the summary and the title are this office's.
            absent = [case.ref, clue.ref, TITLE, SUMMARY, f"/clues/{clue.pk}/", f"/cases/{case.ref}/"]
            for url in (
                "/",
                "/cases/",
                "/clues/",
                "/measures/",
                "/subjects/",
                f"/search/?q={case.ref}",
                f"/search/?q={PARTY}",
                f"/search/?q={identifier}",
                f"/subjects/?q={identifier}",
                "/cases/?export=csv",
                "/clues/?export=csv",
                "/measures/?export=csv",
                "/subjects/?export=csv",
                "/cases/?export=xlsx",
            ):
                text = _text(s.request.get(f"{server}{url}").body())
                # What was searched for is echoed in the search box; what must be absent is everything else.
                asked = url.split("q=", 1)[1] if "q=" in url else None
                for term in absent:
                    assert term == asked or term not in text, (url, term)

            # --- lockout after five failed sign-ins --------------------------------------------------------------
            lo = j.page()
            for _ in range(5):
                j.go(lo, "/login/")
                lo.locator("#id_username").fill(locked.username)
                lo.locator("#id_password").fill("not-the-password")
                lo.keyboard.press("Enter")
                lo.wait_for_selector("p.alert")
            j.shot(lo, "lockout-fifth-failure")
            j.go(lo, "/login/")
            lo.locator("#id_username").fill(locked.username)
            lo.locator("#id_password").fill(PASSWORD)
            with lo.expect_response(lambda r: r.url.endswith("/login/") and r.request.method == "POST") as answer:
                lo.keyboard.press("Enter")
            assert answer.value.status == 429
            assert "/login/" in lo.url
            j.shot(lo, "lockout-correct-password-refused")

            # --- a session ends after its idle time ---------------------------------------------------------------
            settings.DOCKET_SESSION_IDLE_MINUTES = 0.05  # three seconds
            a.wait_for_timeout(3500)
            j.go(a, case_url)
            a.wait_for_url(re.compile(r".*/login/.*"))
            assert a.locator(".messages li").count() == 1
            j.shot(a, "session-expired")
        except Exception:
            # What each officer's page showed when the journey stopped.
            for n, page in enumerate(j.pages):
                if not page.is_closed():
                    j.shot(page, f"failure-page-{n + 1}")
            raise
        finally:
            browser.close()
            from django.db import connections

            connections.close_all()
    print(f"{len(j.shots)} screenshots in {ARTEFACTS}")


def _inflated(pdf: bytes) -> bytes:
    """A PDF with its compressed streams inflated (font names sit in compressed object streams)."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.DOTALL):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"".join(parts)


def _text(body: bytes) -> str:
    """A page, a CSV or an XLSX file as text to search (an XLSX file is a zip of XML parts)."""
    if body[:2] == b"PK":
        import zipfile

        with zipfile.ZipFile(io.BytesIO(body)) as z:
            return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    return body.decode("utf-8", "replace")
