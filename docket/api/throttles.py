"""Rate limits per token and per address, in Redis when ``DOCKET_REDIS_URL`` is set (so they hold across server
processes), else in this process's memory.

Counted by a sliding window of two fixed windows (the current one's count plus the previous one's, weighted by how
much of it the sliding window still covers): two counters per client, one round trip to the store per check,
whatever the limit. (A log of every request's time, as REST framework's own throttle keeps, is read and written
whole on each request: its cost grows with the limit, to tens of kilobytes a request at a few thousand a minute.)
"""

from __future__ import annotations

import functools
import math
from typing import Any

from django.conf import settings
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle


@functools.cache
def _store(url: str) -> BaseCache:
    if url:
        try:
            import redis  # noqa: F401 - Django's Redis cache needs the client library
        except ImportError:
            raise ImproperlyConfigured("DOCKET_REDIS_URL is set but the redis package is not installed") from None
        return RedisCache(url, {"KEY_PREFIX": "docket-api"})
    return LocMemCache("docket-api-throttle", {"OPTIONS": {"MAX_ENTRIES": 100_000}})


def throttle_store() -> BaseCache:
    return _store(getattr(settings, "DOCKET_REDIS_URL", "") or "")


def _counts(store: BaseCache, current: str, previous: str, timeout: int) -> tuple[int, int]:
    """Count one more request in ``current``; answer its count and ``previous``'s."""
    if isinstance(store, RedisCache):
        # One round trip: the counter is made by INCR itself, and Django's Redis serializer keeps ints as they are.
        key, prev = store.make_and_validate_key(current), store.make_and_validate_key(previous)
        pipe = store._cache.get_client(key, write=True).pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, timeout)
        pipe.get(prev)
        count, _expiry, before = pipe.execute()
        return int(count), int(before or 0)
    store.add(current, 0, timeout)
    return store.incr(current), int(store.get(previous) or 0)


def _until_allowed(limit: int, duration: int, current: int, previous: int, into: float) -> float:
    """Seconds until one more request fits: while the previous window's weight fades, or in the next window."""
    room = limit - 1
    if previous and current <= room:
        # The current window alone has room: wait for the previous one's weight to fall enough.
        return max((previous * (1 - into) + current - room) / previous * duration, 1.0)
    then = 1 - room / current if current > room else 0.0
    return max((1 - into + then) * duration, 1.0)


class _DocketThrottle(SimpleRateThrottle):
    setting = ""

    def __init__(self) -> None:
        # Read at each request (not at import) so the settings may change in a running test.
        self.cache = throttle_store()
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self._wait = 0.0

    def get_rate(self) -> str | None:
        return str(getattr(settings, self.setting, "") or "") or None

    def allow_request(self, request: Request, view: Any) -> bool:
        limit, duration = self.num_requests, self.duration
        if limit is None or duration is None:
            return True
        ident = self.get_cache_key(request, view)
        if ident is None:
            return True
        now = self.timer()
        window = int(now // duration)
        into = (now - window * duration) / duration  # how far into the current window, 0 to 1
        key = f"{ident}:{window}"
        current, previous = _counts(self.cache, key, f"{ident}:{window - 1}", 2 * duration)
        if previous * (1 - into) + current <= limit:
            return True
        # A refused request does not count against the client: only those answered do.
        self.cache.decr(key)
        self._wait = _until_allowed(limit, duration, current - 1, previous, into)
        return False

    def wait(self) -> float | None:
        return math.ceil(self._wait) if self._wait else None


class TokenRateThrottle(_DocketThrottle):
    """Requests per token: one client's loop does not starve the others."""

    scope = "token"
    setting = "DOCKET_API_RATE_TOKEN"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        token = request.auth
        if token is None or getattr(token, "pk", None) is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.pk}


class AddressRateThrottle(_DocketThrottle):
    """Requests per client address, with or without a token: guessing tokens is throttled too."""

    scope = "address"
    setting = "DOCKET_API_RATE_ADDRESS"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
