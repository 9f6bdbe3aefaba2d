"""``Authorization: Bearer <token>``: the only way into /api/v1/ (no session cookie is accepted there)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from docket.api.models import ApiToken
from docket.api.services import TOKEN_MARK, hash_secret

# last_used_at is a hint for the owner, not a log: written at most once a minute per token, so reading a list
# does not become a write per request.
LAST_USED_GRAIN = dt.timedelta(minutes=1)


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("The Authorization header must be: Bearer <token>."))
        try:
            secret = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not secret.startswith(TOKEN_MARK):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token = (
            ApiToken.objects.select_related("officer", "officer__office")
            .filter(secret_hash=hash_secret(secret))
            .first()
        )
        now = timezone.now()
        # One answer for every reason: a caller learns nothing about which tokens exist.
        if token is None or not token.usable(now) or not token.officer.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_GRAIN:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.officer, token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'
