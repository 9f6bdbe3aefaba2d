"""Rate limits per token and per address, in Redis when ``DOCKET_REDIS_URL`` is set (so they hold across server
processes), else in this process's memory."""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
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
        from django.core.cache.backends.redis import RedisCache

        return RedisCache(url, {"KEY_PREFIX": "docket-api"})
    return LocMemCache("docket-api-throttle", {"OPTIONS": {"MAX_ENTRIES": 100_000}})


def throttle_store() -> BaseCache:
    return _store(getattr(settings, "DOCKET_REDIS_URL", "") or "")


class _DocketThrottle(SimpleRateThrottle):
    setting = ""

    def __init__(self) -> None:
        # Read at each request (not at import) so the settings may change in a running test.
        self.cache = throttle_store()
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def get_rate(self) -> str | None:
        return str(getattr(settings, self.setting, "") or "") or None


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
