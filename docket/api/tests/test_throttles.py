"""The rate limits' sliding window: requests counted per window, the previous window weighted by what the sliding
window still covers, refusals not counted, and the wait until a request fits; in memory and in Redis alike."""

import os

import pytest
from django.test import RequestFactory
from rest_framework.request import Request

from docket.api import throttles
from docket.api.throttles import AddressRateThrottle, throttle_store

REDIS = os.environ.get("DOCKET_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=0.2).ping())
    except Exception:  # noqa: BLE001 - no server, no test
        return False


@pytest.fixture(params=["memory", "redis"])
def store(request, settings):
    if request.param == "redis":
        if not _redis_up():
            pytest.skip("no Redis server")
        settings.DOCKET_REDIS_URL = REDIS
    else:
        settings.DOCKET_REDIS_URL = ""
    throttle_store().clear()
    yield request.param
    throttle_store().clear()
    throttles._store.cache_clear()


class Clock:
    def __init__(self, at: float):
        self.at = at

    def __call__(self) -> float:
        return self.at


class Asked(AddressRateThrottle):
    allowed = False


def ask(clock: Clock) -> Asked:
    throttle = Asked()
    throttle.timer = clock
    request = Request(RequestFactory().get("/api/v1/cases/", REMOTE_ADDR="192.0.2.7"))
    throttle.allowed = throttle.allow_request(request, None)
    return throttle


def test_the_limit_holds_in_a_window_and_refusals_do_not_count(store, settings):
    settings.DOCKET_API_RATE_ADDRESS = "5/min"
    clock = Clock(600_000.0)  # the start of a window
    assert [ask(clock).allowed for _ in range(5)] == [True] * 5
    refused = ask(clock)
    assert not refused.allowed
    # Nothing fits in this window; in the next, the five weigh less than four once 20 % of it is gone: 72 s.
    assert refused.wait() == 72
    assert not ask(clock).allowed and not ask(clock).allowed
    # Half-way into the next window half the previous window's five still count (2.5): two more fit, not three.
    clock.at += 90
    assert [ask(clock).allowed for _ in range(3)] == [True, True, False]


def test_the_wait_is_until_the_previous_window_weighs_little_enough(store, settings):
    settings.DOCKET_API_RATE_ADDRESS = "10/min"
    clock = Clock(600_000.0 + 50)
    assert all(ask(clock).allowed for _ in range(10))
    clock.at = 600_060.0 + 6  # 10 % into the next window: the previous ten weigh 9
    assert ask(clock).allowed
    refused = ask(clock)
    assert not refused.allowed
    # With one request in this window, another fits once the previous ten weigh 8: at 20 % (12 s in), 6 s on.
    assert refused.wait() == 6
    clock.at += 6
    assert ask(clock).allowed


def test_no_rate_no_limit(store, settings):
    settings.DOCKET_API_RATE_ADDRESS = ""
    assert all(ask(Clock(1.0)).allowed for _ in range(50))
