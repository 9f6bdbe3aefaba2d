"""``docket remind``: deadlines due within three working days and overdue ones, told once to the right officers,
by e-mail and in their list."""

import datetime as dt
import io
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import CommandError, call_command
from django.db import connection

from docket import testing as t
from docket.audit.models import AuditEntry
from docket.cases.models import Case, State
from docket.clues.models import Clue, Source
from docket.clues.services import clue_register
from docket.core.errors import NotFound
from docket.measures.models import FinePayment, Measure
from docket.measures.services import measure_record
from docket.officers.models import Officer, Role
from docket.reminders.models import Kind, Reminder
from docket.reminders.queries import reminders_of, unread_count
from docket.reminders.services import reminder_read, reminders_send

pytestmark = pytest.mark.django_db

NOW = t.NOW
# A Monday before the National Day holidays (1-7 October 2024): three working days later is 10 October, where
# counting weekdays alone would say 3 October.
ON = dt.date(2024, 9, 30)
SOON = dt.date(2024, 10, 10)


@pytest.fixture
def sibling(tree):
    return t.Team(tree.nb)


def due(case: Case, day: dt.date) -> Case:
    Case.objects.filter(pk=case.pk).update(due_on=day, due_clock="decision")
    case.refresh_from_db()
    return case


def mine(officer: Officer) -> set[tuple[str, int | None, dt.date, str]]:
    return {
        (("case", r.case_id) if r.case_id else ("clue", r.clue_id) if r.clue_id else ("measure", r.measure_id))
        + (r.due_on, r.kind)
        for r in Reminder.objects.filter(officer=officer)
    }


def send(capture, on=ON, **kw):
    # The e-mails go when the transaction commits: the captured callbacks run as the block ends, before the return.
    with capture(execute=True):
        return reminders_send(on=on, now=NOW, **kw)


def test_due_soon_and_overdue_counted_in_working_days_across_a_holiday(team, django_capture_on_commit_callbacks):
    soon = due(t.drive(team, to=State.INVESTIGATING), SOON)
    later = due(t.drive(team, to=State.INVESTIGATING), SOON + dt.timedelta(days=1))
    today = due(t.drive(team, to=State.INVESTIGATING), ON)
    late = due(t.drive(team, to=State.INVESTIGATING), ON - dt.timedelta(days=3))
    old = due(t.drive(team, to=State.INVESTIGATING), ON - dt.timedelta(days=400))
    sent = send(django_capture_on_commit_callbacks)
    assert sent.soon_until == SOON
    expected = {
        ("case", soon.pk, SOON, Kind.DUE_SOON),
        ("case", today.pk, ON, Kind.DUE_SOON),
        ("case", late.pk, late.due_on, Kind.OVERDUE),
    }
    # The investigators are told; the case due a day too late and the one overdue for long are not.
    assert mine(team.a) == expected and mine(team.b) == expected
    assert later.pk not in {r.case_id for r in Reminder.objects.all()}
    assert old.pk not in {r.case_id for r in Reminder.objects.all()}
    assert sent.created == 6 and sent.officers == 2
    assert mine(team.head) == set()


def test_a_case_without_investigators_goes_to_the_heads_of_its_office(tree, team, django_capture_on_commit_callbacks):
    filed = due(t.drive(team, to=State.FILED), SOON)
    province_head = t.officer(tree.zj, Role.OFFICE_HEAD)
    send(django_capture_on_commit_callbacks)
    assert mine(team.head) == {("case", filed.pk, SOON, Kind.DUE_SOON)}
    assert mine(province_head) == set() and mine(team.a) == set()


def test_clues_and_unsettled_measures(team, django_capture_on_commit_callbacks):
    clue = clue_register(
        actor=team.b,
        source=Source.INSPECTION,
        received_on=dt.date(2024, 9, 20),
        summary="巡查发现",
        subjects=[t.organisation()],
        now=NOW,
    )
    Clue.objects.filter(pk=clue.pk).update(due_on=ON + dt.timedelta(days=1))
    order = measure_record(
        actor=team.a,
        type="rectification_order",
        taken_on=dt.date(2024, 9, 1),
        subjects=[t.organisation()],
        due_on=ON - dt.timedelta(days=1),
        details={"requirements": "整改"},
        now=NOW,
    )
    verified = measure_record(
        actor=team.a,
        type="rectification_order",
        taken_on=dt.date(2024, 9, 1),
        subjects=[t.organisation()],
        due_on=ON - dt.timedelta(days=1),
        details={"requirements": "整改"},
        now=NOW,
    )
    Measure.objects.filter(pk=verified.pk).update(verified_on=ON, verification="complied")
    fined = t.drive(team, to=State.SERVED)
    fine = Measure.objects.get(case=fined, type="fine")
    Measure.objects.filter(pk=fine.pk).update(due_on=SOON)
    paid = t.drive(team, to=State.SERVED)
    paid_fine = Measure.objects.get(case=paid, type="fine")
    Measure.objects.filter(pk=paid_fine.pk).update(due_on=SOON)
    FinePayment.objects.create(measure=paid_fine, paid_on=ON, amount=paid_fine.amount, recorded_by=team.a)
    send(django_capture_on_commit_callbacks)
    # The clue to whoever registered it; the order to whoever recorded it; the fine to the case's investigators.
    assert ("clue", clue.pk, ON + dt.timedelta(days=1), Kind.DUE_SOON) in mine(team.b)
    assert ("measure", order.pk, ON - dt.timedelta(days=1), Kind.OVERDUE) in mine(team.a)
    assert ("measure", fine.pk, SOON, Kind.DUE_SOON) in mine(team.a) & mine(team.b)
    told = {r.measure_id for r in Reminder.objects.filter(measure__isnull=False)}
    assert verified.pk not in told and paid_fine.pk not in told


def test_a_case_due_on_its_fine_is_told_of_once_through_the_fine(team, django_capture_on_commit_callbacks):
    fined = t.drive(team, to=State.SERVED)
    fine = Measure.objects.get(case=fined, type="fine")
    Measure.objects.filter(pk=fine.pk).update(due_on=SOON)
    Case.objects.filter(pk=fined.pk).update(due_on=SOON, due_clock="fine_payment")
    send(django_capture_on_commit_callbacks)
    assert ("measure", fine.pk, SOON, Kind.DUE_SOON) in mine(team.a)
    assert not Reminder.objects.filter(case=fined).exists()


def test_e_mail_once_and_a_second_run_sends_nothing(team, django_capture_on_commit_callbacks):
    Officer.objects.filter(pk__in=[team.a.pk, team.b.pk]).update(email="x@example.org")
    Officer.objects.filter(pk=team.b.pk).update(email="b@example.org")
    case = due(t.drive(team, to=State.INVESTIGATING), dt.date(2024, 10, 8))
    sent = send(django_capture_on_commit_callbacks)
    assert sent.mailed == 2 and sent.mail_failed == []
    assert sorted(m.to[0] for m in mail.outbox) == ["b@example.org", "x@example.org"]
    assert case.ref in mail.outbox[0].body and "2024-10-08" in mail.outbox[0].body
    assert Reminder.objects.filter(mailed_at__isnull=True).count() == 0
    again = send(django_capture_on_commit_callbacks)
    assert again.created == 0 and again.mailed == 0 and len(mail.outbox) == 2
    assert Reminder.objects.count() == 2
    # Once the date passes it is overdue: told once more, as overdue.
    later = send(django_capture_on_commit_callbacks, on=dt.date(2024, 10, 9))
    assert later.created == 2 and len(mail.outbox) == 4
    assert AuditEntry.objects.filter(action="reminders.send").count() == 3


class FailingFor(EmailBackend):
    def send_messages(self, messages):
        if any("fail@" in m.to[0] for m in messages):
            raise smtplib.SMTPRecipientsRefused({"fail@example.org": (550, b"no")})
        return super().send_messages(messages)


def test_a_refused_e_mail_is_tried_again_by_the_next_run(team, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = f"{__name__}.FailingFor"
    Officer.objects.filter(pk=team.a.pk).update(email="fail@example.org")
    Officer.objects.filter(pk=team.b.pk).update(email="b@example.org")
    due(t.drive(team, to=State.INVESTIGATING), SOON)
    sent = send(django_capture_on_commit_callbacks)
    assert sent.mailed == 1 and sent.mail_failed == [team.a.username]
    assert Reminder.objects.get(officer=team.a).mailed_at is None
    Officer.objects.filter(pk=team.a.pk).update(email="a@example.org")
    again = send(django_capture_on_commit_callbacks, on=ON + dt.timedelta(days=1))
    assert again.created == 0 and again.mailed == 1
    assert [m.to[0] for m in mail.outbox] == ["b@example.org", "a@example.org"]


def test_a_sibling_office_is_never_told_and_never_sees(team, sibling, django_capture_on_commit_callbacks):
    ours = due(t.drive(team, to=State.INVESTIGATING), SOON)
    theirs = due(t.drive(sibling, to=State.INVESTIGATING), SOON)
    send(django_capture_on_commit_callbacks)
    assert {r.case_id for r in Reminder.objects.filter(officer__office=team.office)} == {ours.pk}
    assert {r.case_id for r in Reminder.objects.filter(officer__office=sibling.office)} == {theirs.pk}
    assert {r.case_id for r in reminders_of(team.a)} == {ours.pk}
    assert unread_count(team.a) == 1
    # An officer moved away from the case's office no longer sees its reminder.
    Case.objects.filter(pk=ours.pk).update(office=sibling.office)
    assert list(reminders_of(team.a)) == [] and unread_count(team.a) == 0


def test_reading_marks_once(team, django_capture_on_commit_callbacks):
    due(t.drive(team, to=State.INVESTIGATING), SOON)
    send(django_capture_on_commit_callbacks)
    reminder = Reminder.objects.get(officer=team.a)
    assert reminder_read(actor=team.a, reminder=reminder, now=NOW) is True
    assert reminder_read(actor=team.a, reminder=reminder, now=NOW) is False
    assert Reminder.objects.get(pk=reminder.pk).read_at == NOW
    assert unread_count(team.a) == 0
    assert AuditEntry.objects.filter(action="reminder.read", object_id=str(reminder.pk)).count() == 1


@pytest.mark.jurisdiction("reminder_read")
def test_another_officers_reminder_is_not_found(team, sibling, django_capture_on_commit_callbacks):
    due(t.drive(team, to=State.INVESTIGATING), SOON)
    send(django_capture_on_commit_callbacks)
    reminder = Reminder.objects.get(officer=team.a)
    for other in (team.b, team.head, sibling.a):
        with pytest.raises(NotFound):
            reminder_read(actor=other, reminder=reminder, now=NOW)
    assert Reminder.objects.get(pk=reminder.pk).read_at is None


def test_the_page_lists_mine_and_marks_read(client, team, sibling, django_capture_on_commit_callbacks):
    case = due(t.drive(team, to=State.INVESTIGATING), SOON)
    due(t.drive(sibling, to=State.INVESTIGATING), SOON)
    send(django_capture_on_commit_callbacks)
    t.verified_login(client, team.a)
    body = client.get("/reminders/").content.decode()
    assert case.ref in body and body.count("data-reminder=") == 1
    assert 'data-unread="1"' in client.get("/").content.decode()
    reminder = Reminder.objects.get(officer=team.a)
    theirs = Reminder.objects.filter(officer=sibling.a).get()
    assert client.post(f"/reminders/{theirs.pk}/read/").status_code == 404
    assert client.post("/reminders/999999/read/").status_code == 404
    assert Reminder.objects.get(pk=theirs.pk).read_at is None
    assert client.post(f"/reminders/{reminder.pk}/read/").status_code == 302
    assert Reminder.objects.get(pk=reminder.pk).read_at is not None
    assert 'data-unread="' not in client.get("/reminders/").content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_command_prints_what_it_did(team):
    Officer.objects.filter(pk__in=[team.a.pk, team.b.pk]).update(email="officer@example.org")
    due(t.drive(team, to=State.INVESTIGATING), SOON)
    out = io.StringIO()
    call_command("remind", "--on", ON.isoformat(), stdout=out, stderr=io.StringIO())
    assert out.getvalue().strip() == (
        "reminders for 2024-09-30: 2 new for 2 officers (due up to 2024-10-10), 2 e-mails sent"
    )
    out = io.StringIO()
    call_command("remind", "--on", ON.isoformat(), stdout=out, stderr=io.StringIO())
    assert "0 new for 0 officers" in out.getvalue() and "0 e-mails sent" in out.getvalue()
    assert len(mail.outbox) == 2
    with pytest.raises(CommandError, match="--on"):
        call_command("remind", "--on", "yesterday", stdout=io.StringIO(), stderr=io.StringIO())


# --- races (PostgreSQL) -----------------------------------------------------------------------------------------


@pytest.mark.race("reminders_send")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_race_twenty_runs_at_once_tell_each_reminder_once(team, sibling):
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL")
    for officer in (team.a, team.b, team.head, sibling.a, sibling.b, sibling.head):
        Officer.objects.filter(pk=officer.pk).update(email=f"{officer.username}@example.org")
    for tm in (team, sibling):
        due(t.drive(tm, to=State.INVESTIGATING), SOON)
        due(t.drive(tm, to=State.INVESTIGATING), ON - dt.timedelta(days=2))
        due(t.drive(tm, to=State.FILED), ON)
    results = t.race(lambda i: reminders_send(on=ON, now=NOW))
    assert not [r for r in results if isinstance(r, Exception)], results
    # Two investigators × two cases + the head's unassigned case, in each office.
    assert Reminder.objects.count() == 10
    assert sum(r.created for r in results) == 10
    per_officer = {}
    for m in mail.outbox:
        per_officer.setdefault(m.to[0], []).extend(x for x in m.body.splitlines() if x.startswith("- "))
    assert all(len(v) == len(set(v)) for v in per_officer.values())
    assert sum(len(v) for v in per_officer.values()) == 10
    assert Reminder.objects.filter(mailed_at__isnull=True).count() == 0
    assert AuditEntry.objects.filter(action="reminders.send").count() == t.RACERS


@pytest.mark.race("reminder_read")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_race_twenty_reads_of_one_reminder_mark_it_once(team):
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL")
    due(t.drive(team, to=State.INVESTIGATING), SOON)
    reminders_send(on=ON, now=NOW)
    pk, officer = Reminder.objects.filter(officer=team.a).values_list("pk", "officer_id").get()
    results = t.race(
        lambda i: reminder_read(
            actor=Officer.objects.get(pk=officer), reminder=Reminder.objects.get(pk=pk), now=NOW + dt.timedelta(i)
        )
    )
    assert results.count(True) == 1 and results.count(False) == t.RACERS - 1, results
    assert AuditEntry.objects.filter(action="reminder.read", object_id=str(pk)).count() == 1
