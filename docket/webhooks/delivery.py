"""Delivering the outbox: claim what is due, POST it signed, record the answer, retry with backoff.

A worker claims a batch in one short transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so any number of
workers share the outbox without waiting on each other; SQLite runs one worker) and moves each claimed
message's ``next_attempt_at`` past its own attempt: the claim holds without a transaction kept open through
the HTTP call, and lapses by itself if the worker dies. Delivery is at least once (a worker that dies after the
platform answered leaves the message to be pushed again), so every push carries its ``Docket-Delivery`` id for
the platform to drop a repeat.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import F

from docket.webhooks.models import OutboxMessage
from docket.webhooks.signing import HEADER, signature

logger = logging.getLogger(__name__)

USER_AGENT = "Docket-Webhooks/1"


@dataclass(frozen=True)
class Policy:
    timeout: float = 10.0
    # Backoff: the first retry after about this long, doubling up to ``max_delay``, with jitter so that the
    # pushes of an endpoint that was down do not all come back at the same second.
    first_delay: dt.timedelta = dt.timedelta(seconds=30)
    max_delay: dt.timedelta = dt.timedelta(hours=6)
    # After this long unacknowledged a push is given up (dead) and left for the platform to pull.
    max_age: dt.timedelta = dt.timedelta(days=3)
    batch: int = 20

    @property
    def lease(self) -> dt.timedelta:
        # Longer than any one attempt can take, so a live worker's claim never lapses under it.
        return dt.timedelta(seconds=self.timeout * 2 + 30)


def policy_from_settings() -> Policy:
    return Policy(
        timeout=float(getattr(settings, "DOCKET_WEBHOOKS_TIMEOUT", 10)),
        first_delay=dt.timedelta(seconds=float(getattr(settings, "DOCKET_WEBHOOKS_FIRST_DELAY", 30))),
        max_delay=dt.timedelta(seconds=float(getattr(settings, "DOCKET_WEBHOOKS_MAX_DELAY", 6 * 3600))),
        max_age=dt.timedelta(seconds=float(getattr(settings, "DOCKET_WEBHOOKS_MAX_AGE", 3 * 86400))),
        batch=int(getattr(settings, "DOCKET_WEBHOOKS_BATCH", 20)),
    )


def backoff(attempts: int, policy: Policy, rand: Callable[[], float] = random.random) -> dt.timedelta:
    """The wait after the ``attempts``-th failed attempt: exponential, capped, and half of it random."""
    doubled = policy.first_delay.total_seconds() * 2.0 ** max(0, min(attempts - 1, 30))
    ceiling = min(policy.max_delay.total_seconds(), doubled)
    return dt.timedelta(seconds=ceiling / 2 + ceiling / 2 * rand())


@dataclass(frozen=True)
class Claimed:
    pk: int
    attempts: int
    created_at: dt.datetime
    event: str
    url: str
    secret: str
    body: bytes


def body_of(message: OutboxMessage) -> bytes:
    """The bytes POSTed (and signed): the same for every attempt of one message."""
    envelope = {
        "id": str(message.pk),
        "event": message.event,
        "created_at": message.created_at.astimezone(dt.UTC).isoformat(),
        "data": message.payload,
    }
    return json.dumps(envelope, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def claim(*, now: dt.datetime, policy: Policy, limit: int | None = None) -> list[Claimed]:
    """Due messages, claimed for this worker until ``now + lease``; each counts one more attempt."""
    with transaction.atomic():
        rows = list(
            OutboxMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .filter(delivered_at__isnull=True, dead_at__isnull=True, next_attempt_at__lte=now, endpoint__active=True)
            .order_by("next_attempt_at", "id")[: limit or policy.batch]
        )
        if not rows:
            return []
        OutboxMessage.objects.filter(pk__in=[m.pk for m in rows]).update(
            next_attempt_at=now + policy.lease, attempts=F("attempts") + 1
        )
    return [
        Claimed(m.pk, m.attempts + 1, m.created_at, m.event, m.endpoint.url, m.endpoint.secret, body_of(m))
        for m in rows
    ]


@dataclass(frozen=True)
class Outcome:
    status: int | None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirected POST may become a GET of another page whose 200 would read as an acknowledgement: a
    # redirect is an answer like any other non-2xx, and the endpoint's URL is what the platform must fix.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post(message: Claimed, *, timestamp: int, timeout: float) -> Outcome:
    """One attempt: the signed POST, and what came back."""
    request = urllib.request.Request(  # noqa: S310 - the URL's scheme was checked when the endpoint was set
        message.url,
        data=message.body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            HEADER: signature(message.secret, timestamp, message.body),
            "Docket-Event": message.event,
            "Docket-Delivery": str(message.pk),
        },
    )
    try:
        with _opener.open(request, timeout=timeout) as response:
            response.read(4096)
            return Outcome(response.status)
    except urllib.error.HTTPError as exc:
        return Outcome(exc.code, f"HTTP {exc.code} {exc.reason}"[:500])
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return Outcome(None, f"{type(exc).__name__}: {reason}"[:500])


def record(
    message: Claimed, outcome: Outcome, *, now: dt.datetime, policy: Policy, rand: Callable[[], float] = random.random
) -> str:
    """Store an attempt's answer: ``delivered``, ``retry`` or ``dead`` (or ``stale`` when a later claim of the
    same message owns it now)."""
    pending = OutboxMessage.objects.filter(pk=message.pk, delivered_at__isnull=True, dead_at__isnull=True)
    if outcome.ok:
        # An acknowledgement counts whoever holds the claim now: the platform has the push.
        pending.update(delivered_at=now, last_status=outcome.status, last_error="")
        return "delivered"
    mine = pending.filter(attempts=message.attempts)
    if now - message.created_at >= policy.max_age:
        n = mine.update(dead_at=now, last_status=outcome.status, last_error=outcome.error)
        if n:
            logger.error("webhook %s given up after %d attempts: %s", message.pk, message.attempts, outcome.error)
        return "dead" if n else "stale"
    n = mine.update(
        next_attempt_at=now + backoff(message.attempts, policy, rand),
        last_status=outcome.status,
        last_error=outcome.error,
    )
    if n:
        logger.warning("webhook %s failed (attempt %d): %s", message.pk, message.attempts, outcome.error)
    return "retry" if n else "stale"


@dataclass
class Round:
    claimed: int = 0
    delivered: int = 0
    retry: int = 0
    dead: int = 0


def run_round(*, clock: Callable[[], dt.datetime], policy: Policy, stop: threading.Event | None = None) -> Round:
    """Claim one batch and attempt each message; a stop request lets the current attempt finish, and the
    messages not attempted are left to lapse back (their claim expires with the lease)."""
    result = Round()
    claimed = claim(now=clock(), policy=policy)
    result.claimed = len(claimed)
    for message in claimed:
        if stop is not None and stop.is_set():
            # Hand the rest back at once rather than after the lease, so the next worker needs no wait.
            OutboxMessage.objects.filter(pk=message.pk, attempts=message.attempts, delivered_at__isnull=True).update(
                next_attempt_at=message.created_at, attempts=F("attempts") - 1
            )
            continue
        now = clock()
        outcome = post(message, timestamp=int(now.timestamp()), timeout=policy.timeout)
        state = record(message, outcome, now=clock(), policy=policy)
        if state in ("delivered", "retry", "dead"):
            setattr(result, state, getattr(result, state) + 1)
    return result


def run_worker(
    *,
    clock: Callable[[], dt.datetime],
    policy: Policy,
    stop: threading.Event,
    interval: float = 2.0,
    once: bool = False,
    on_round: Callable[[Round], None] | None = None,
) -> None:
    """Rounds until ``stop`` is set (or one round with ``once``); waits ``interval`` seconds when idle."""
    while not stop.is_set():
        # A long-running process: drop a connection the database closed (a restart, a failover) before a round;
        # never inside a caller's transaction (a test's), which closing would abort.
        if not connection.in_atomic_block:
            close_old_connections()
        result = run_round(clock=clock, policy=policy, stop=stop)
        if on_round is not None:
            on_round(result)
        if once:
            return
        if result.claimed < policy.batch:
            stop.wait(interval)
