"""Pushing orders to platforms: the outbox written with the order, signed deliveries, backoff, restarts."""

import datetime as dt
import json
import os
import signal
import threading
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from docket import testing as t
from docket.audit.models import AuditEntry
from docket.core.errors import Denied, InvalidInput, NotFound
from docket.measures.models import Measure
from docket.measures.services import measure_record
from docket.officers.actors import SYSTEM
from docket.officers.models import Role
from docket.subjects.models import Subject
from docket.webhooks import delivery
from docket.webhooks.delivery import Policy, backoff, claim, run_round
from docket.webhooks.models import OutboxMessage, WebhookEndpoint
from docket.webhooks.services import webhook_endpoint_set
from docket.webhooks.signing import verify
from docket.webhooks.tests.conftest import accounts, platform, platform_client

NOW = dt.datetime(2024, 6, 3, 2, 0, tzinfo=dt.UTC)
POLICY = Policy(timeout=5)


def order(team, org, n=3, now=NOW):
    return measure_record(
        actor=team.head,
        type="account_closure_order",
        taken_on=now.date(),
        subjects=accounts(org.runs_platform, n) if isinstance(n, int) else n,
        addressee=org,
        due_on=now.date() + dt.timedelta(days=5),
        now=now,
    )


def endpoint_for(org, url):
    return webhook_endpoint_set(actor=SYSTEM, platform=org, url=url, now=NOW - dt.timedelta(days=1))


class Clock:
    def __init__(self, at=NOW):
        self.at = at

    def __call__(self):
        return self.at


# --- the outbox is written with the order ----------------------------------------------------------------------


def test_an_order_to_a_platform_writes_its_push_in_the_same_transaction(team, receiver):
    org = platform()
    endpoint_for(org, receiver.url)
    measure = order(team, org)
    message = OutboxMessage.objects.get()
    assert message.event == "order.created" and message.endpoint.platform == org
    assert message.payload["order"]["id"] == measure.pk and message.payload["order"]["items_count"] == 3
    assert message.next_attempt_at == measure.created_at and message.delivered_at is None

    # An order that does not commit leaves no push behind.
    with pytest.raises(RuntimeError), transaction.atomic():
        order(team, org)
        assert OutboxMessage.objects.count() == 2
        raise RuntimeError("the caller's transaction fails after the order")
    assert OutboxMessage.objects.count() == 1 and Measure.objects.count() == 1


def test_no_push_without_an_endpoint_or_an_addressee(team):
    org = platform()
    order(team, org)
    assert Measure.objects.count() == 1 and not OutboxMessage.objects.exists()


def test_a_refused_order_writes_no_push(team, receiver):
    org = platform()
    endpoint_for(org, receiver.url)
    other = platform("douyin")
    mixed = accounts("weibo", 1) + accounts("douyin", 1)
    with pytest.raises(InvalidInput):
        order(team, other, n=mixed)
    assert not OutboxMessage.objects.exists()


# --- delivery and signature ---------------------------------------------------------------------------------------


def test_the_push_is_signed_and_a_tampered_body_fails_verification(team, receiver):
    org = platform()
    secret = endpoint_for(org, receiver.url).secret
    measure = order(team, org)
    clock = Clock(NOW + dt.timedelta(seconds=5))
    result = run_round(clock=clock, policy=POLICY)
    assert (result.claimed, result.delivered) == (1, 1)
    [got] = receiver.got
    message = OutboxMessage.objects.get()
    assert message.delivered_at == clock.at and message.attempts == 1 and message.last_status == 200
    assert got.headers["Docket-Event"] == "order.created" and got.headers["Docket-Delivery"] == str(message.pk)
    header = got.headers["Docket-Signature"]
    ts = int(clock.at.timestamp())
    assert header.startswith(f"t={ts},v1=")
    assert verify(secret, header, got.body, now=ts)
    body = json.loads(got.body)
    assert body["id"] == str(message.pk) and body["data"]["order"]["id"] == measure.pk
    assert sorted(i["identifier"] for i in body["data"]["order"]["items"]) == ["weibo-u0", "weibo-u1", "weibo-u2"]

    tampered = got.body.replace(b"weibo-u0", b"weibo-u9")
    assert tampered != got.body and not verify(secret, header, tampered, now=ts)
    assert not verify("whsec_" + "x" * 43, header, got.body, now=ts)
    # A captured push replayed later is refused for its age, although its signature is right.
    assert not verify(secret, header, got.body, now=ts + 3600)
    assert not verify(secret, "v1=" + header.rpartition("v1=")[2], got.body, now=ts)


def test_the_documented_receiver_snippet_verifies_a_real_push(team, receiver):
    """docs/webhooks.md's code, run as a platform would run it."""
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[3] / "docs" / "webhooks.md").read_text(encoding="utf-8")
    code = doc.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(compile(code, "webhooks.md", "exec"), namespace)  # noqa: S102 - the documentation's own snippet
    org = platform()
    secret = endpoint_for(org, receiver.url).secret
    order(team, org)
    run_round(clock=timezone.now, policy=POLICY)
    [got] = receiver.got
    check = namespace["verify_docket_signature"]
    assert check(secret, got.headers["Docket-Signature"], got.body)
    assert not check(secret, got.headers["Docket-Signature"], got.body + b" ")


def test_retried_after_500s_with_growing_backoff_then_delivered_once(team, receiver):
    receiver.statuses = [500, 503, 200]
    org = platform()
    endpoint_for(org, receiver.url)
    order(team, org)
    clock = Clock(NOW)
    waits = []
    for expected in ("retry", "retry"):
        result = run_round(clock=clock, policy=POLICY)
        assert getattr(result, expected) == 1
        message = OutboxMessage.objects.get()
        waits.append(message.next_attempt_at - clock.at)
        # Not due before its time: a round in between claims nothing.
        assert run_round(clock=clock, policy=POLICY).claimed == 0
        clock.at = message.next_attempt_at
    assert dt.timedelta(seconds=15) <= waits[0] <= dt.timedelta(seconds=30)
    assert dt.timedelta(seconds=30) <= waits[1] <= dt.timedelta(seconds=60)
    assert message.last_status == 503 and "503" in message.last_error
    assert run_round(clock=clock, policy=POLICY).delivered == 1
    message.refresh_from_db()
    assert message.attempts == 3 and message.delivered_at == clock.at and message.last_error == ""
    # Every attempt carried the same delivery id and the same bytes, so the platform can drop a repeat.
    assert len({(g.headers["Docket-Delivery"], g.body) for g in receiver.got}) == 1 and len(receiver.got) == 3
    clock.at += dt.timedelta(days=1)
    assert run_round(clock=clock, policy=POLICY).claimed == 0 and len(receiver.got) == 3


def test_backoff_is_exponential_capped_and_jittered():
    policy = Policy()
    top = [backoff(n, policy, rand=lambda: 1.0) for n in range(1, 12)]
    assert top[:4] == [dt.timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert max(top) == dt.timedelta(hours=6) and top[-1] == dt.timedelta(hours=6)
    assert backoff(3, policy, rand=lambda: 0.0) == dt.timedelta(seconds=60)
    assert backoff(50, policy, rand=lambda: 0.0) == dt.timedelta(hours=3)


def test_a_redirect_or_an_unreachable_platform_is_not_an_acknowledgement(team, receiver):
    receiver.statuses = [302]
    org = platform()
    endpoint_for(org, receiver.url)
    order(team, org)
    assert run_round(clock=Clock(), policy=POLICY).retry == 1
    assert OutboxMessage.objects.get().last_status == 302 and len(receiver.got) == 1

    WebhookEndpoint.objects.update(url="http://127.0.0.1:9/nothing")  # the discard port: nobody listens
    clock = Clock(OutboxMessage.objects.get().next_attempt_at)
    assert run_round(clock=clock, policy=Policy(timeout=2)).retry == 1
    message = OutboxMessage.objects.get()
    assert message.last_status is None and message.last_error and message.attempts == 2


def test_given_up_after_the_maximum_age(team, receiver):
    receiver.statuses = [500]
    org = platform()
    endpoint_for(org, receiver.url)
    order(team, org)
    policy = Policy(timeout=5, max_age=dt.timedelta(hours=1))
    assert run_round(clock=Clock(NOW + dt.timedelta(minutes=10)), policy=policy).retry == 1
    assert run_round(clock=Clock(NOW + dt.timedelta(hours=2)), policy=policy).dead == 1
    message = OutboxMessage.objects.get()
    assert message.dead_at == NOW + dt.timedelta(hours=2) and message.delivered_at is None
    assert run_round(clock=Clock(NOW + dt.timedelta(days=9)), policy=policy).claimed == 0


# --- restarts ----------------------------------------------------------------------------------------------------


def test_a_push_undelivered_when_the_worker_stops_is_delivered_by_a_new_worker(team, receiver, settings):
    receiver.statuses = [500, 200]
    settings.DOCKET_WEBHOOKS_FIRST_DELAY = 0.01
    org = platform()
    endpoint_for(org, receiver.url)
    order(team, org, now=timezone.now())
    # The first worker gets a 500 and is stopped.
    out = StringIO()
    call_command("worker", "--once", stdout=out)
    assert "retry 1" in out.getvalue() and OutboxMessage.objects.get().delivered_at is None
    time.sleep(0.05)
    # A new worker process (nothing but the database in common) finds it due and delivers it.
    out = StringIO()
    call_command("worker", "--once", stdout=out)
    assert "delivered 1" in out.getvalue()
    assert OutboxMessage.objects.get().delivered_at is not None and len(receiver.got) == 2


def test_a_worker_that_died_holding_a_claim_loses_it_when_the_lease_lapses(team, receiver):
    org = platform()
    endpoint_for(org, receiver.url)
    order(team, org)
    [claimed] = claim(now=NOW, policy=POLICY)  # ... and the worker dies before it POSTs
    assert run_round(clock=Clock(NOW + dt.timedelta(seconds=5)), policy=POLICY).claimed == 0
    later = Clock(NOW + POLICY.lease)
    assert run_round(clock=later, policy=POLICY).delivered == 1
    assert OutboxMessage.objects.get().attempts == 2 and len(receiver.got) == 1
    # The dead worker's late answer, had it come, changes nothing.
    assert delivery.record(claimed, delivery.Outcome(500), now=later.at, policy=POLICY) == "stale"


def test_a_stopping_worker_hands_back_what_it_did_not_attempt(team, receiver):
    org = platform()
    endpoint_for(org, receiver.url)
    order(team, org)
    order(team, org)
    stop = threading.Event()
    stop.set()
    result = run_round(clock=Clock(), policy=POLICY, stop=stop)
    assert result.claimed == 2 and result.delivered == 0 and not receiver.got
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {0}
    assert run_round(clock=Clock(), policy=POLICY).delivered == 2


def test_the_worker_command_stops_on_sigterm(db):
    timer = threading.Timer(0.3, os.kill, args=(os.getpid(), signal.SIGTERM))
    before = signal.getsignal(signal.SIGTERM)
    out = StringIO()
    started = time.monotonic()
    timer.start()
    try:
        call_command("worker", "--interval", "0.05", stdout=out)
    finally:
        timer.cancel()
    assert "stopped" in out.getvalue() and time.monotonic() - started < 10
    assert signal.getsignal(signal.SIGTERM) == before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_race_twenty_workers_deliver_each_push_once(tree, receiver):
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL (SQLite runs one worker)")
    team = t.Team(tree.hz)
    org = platform()
    endpoint_for(org, receiver.url)
    for _ in range(12):
        order(team, org, n=2)
    assert OutboxMessage.objects.count() == 12
    policy = Policy(timeout=5, batch=2)

    def work(i):
        rounds = 0
        while run_round(clock=timezone.now, policy=policy).claimed:
            rounds += 1
        return rounds

    results = t.race(work)
    assert not [r for r in results if isinstance(r, Exception)], results
    deliveries = [g.headers["Docket-Delivery"] for g in receiver.got]
    assert sorted(deliveries) == sorted(str(pk) for pk in OutboxMessage.objects.values_list("pk", flat=True))
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}
    assert not OutboxMessage.objects.filter(delivered_at__isnull=True).exists()


# --- the endpoint service -----------------------------------------------------------------------------------------


def test_the_platform_sets_its_endpoint_and_the_secret_is_shown_once(db):
    org = platform()
    client = platform_client(org)
    first = webhook_endpoint_set(actor=client, platform=org, url="http://127.0.0.1:8/in", now=NOW)
    assert first.secret.startswith("whsec_") and first.endpoint.secret_prefix == first.secret[:12]
    entry = AuditEntry.objects.get(action="webhook_endpoint.set")
    assert first.secret not in json.dumps(entry.detail) and entry.detail["secret_prefix"] == first.secret[:12]
    again = webhook_endpoint_set(actor=client, platform=org, url="https://hooks.example.com/docket", now=NOW)
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.url == "https://hooks.example.com/docket" and endpoint.secret == again.secret != first.secret


def test_bad_urls_and_actors_are_refused(db, settings):
    settings.DOCKET_WEBHOOKS_ALLOW_HTTP = False
    org = platform()
    client = platform_client(org)
    bad = ["", "http://hooks.example.com/", "ftp://x/", "https://user:pw@x.example/", "https:///path", "https://x/ y"]
    for url in bad:
        with pytest.raises(InvalidInput) as info:
            webhook_endpoint_set(actor=client, platform=org, url=url, now=NOW)
        assert [e.field for e in info.value.errors] == ["url"], url
    officer = t.officer(t.office("110000", "北京", None, "national"), Role.CASE_OFFICER)
    with pytest.raises(Denied):
        webhook_endpoint_set(actor=officer, platform=org, url="https://x.example/", now=NOW)
    with pytest.raises(InvalidInput) as info:
        webhook_endpoint_set(actor=SYSTEM, platform=t.organisation(), url="https://x.example/", now=NOW)
    assert info.value.errors[0].field == "platform"
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.jurisdiction("webhook_endpoint_set")
def test_another_platforms_endpoint_is_not_found(db):
    mine, theirs = platform("weibo"), platform("douyin")
    webhook_endpoint_set(actor=SYSTEM, platform=theirs, url="https://theirs.example/", now=NOW)
    with pytest.raises(NotFound):
        webhook_endpoint_set(actor=platform_client(mine), platform=theirs, url="https://mine.example/", now=NOW)
    assert WebhookEndpoint.objects.get().url == "https://theirs.example/"
    assert AuditEntry.objects.filter(action="webhook_endpoint_set", outcome="denied").count() == 1


@pytest.mark.race("webhook_endpoint_set")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_race_twenty_settings_of_one_endpoint_leave_one_row(tree):
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL")
    org_pk = platform().pk
    results = t.race(
        lambda i: webhook_endpoint_set(
            actor=SYSTEM, platform=Subject.objects.get(pk=org_pk), url=f"https://h{i}.example/", now=NOW
        )
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    endpoint = WebhookEndpoint.objects.get()
    # The last one to commit holds the row: its URL with its own secret, never one setting's URL and another's.
    assert (endpoint.url, endpoint.secret) in {(r.endpoint.url, r.secret) for r in results}
    assert AuditEntry.objects.filter(action="webhook_endpoint.set").count() == 20
