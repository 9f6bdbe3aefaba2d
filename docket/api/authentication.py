"""``Authorization: Bearer <token>``: the only way into /api/v1/ (no session cookie is accepted there)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from docket.api.models import ApiToken
from docket.api.services import TOKEN_MARK, hash_secret
from docket.audit.models import AuditHead
from docket.officers.models import Officer, OfficerRole
from docket.offices.models import Office

# last_used_at is a hint for the owner, not a log: written at most once a minute per token, so reading a list
# does not become a write per request.
LAST_USED_GRAIN = dt.timedelta(minutes=1)


class _Lookup:
    """The token, its officer, the officer's office and roles, and the audit chain's head in one query, its SQL
    written once per process.

    One indexed query a request, on purpose not cached: a revoked or expired token and a deactivated officer are
    refused at the very next request, in every server process, with nothing to invalidate. Its SQL is built from
    the models once rather than compiled by the ORM at each request (on a short list, compiling this query cost as
    much as running it); the values go through the same converters the ORM applies. The head's hash names the
    state of the records this request starts from: the lists keep their answers under it (docket.api.listcache)."""

    def __init__(self) -> None:
        qn = connection.ops.quote_name
        self.parts: list[tuple[type[Model], list[str], list[tuple[Any, list[Any]]]]] = []
        columns: list[str] = []
        for model, alias in ((ApiToken, "t"), (Officer, "o"), (Office, "f")):
            fields = list(model._meta.concrete_fields)
            converters = []
            for f in fields:
                col = f.get_col(alias)
                converters.append((col, connection.ops.get_db_converters(col) + col.get_db_converters(connection)))
            self.parts.append((model, [f.attname for f in fields], converters))
            columns += [f"{alias}.{qn(str(f.column))}" for f in fields]
        # Names from the models, quoted; the hash is a parameter.
        head = f"(SELECT h.{qn('hash')} FROM {qn(AuditHead._meta.db_table)} h WHERE h.{qn('id')} = 1)"  # noqa: S608
        self.sql = (
            f"SELECT {', '.join(columns)}, {head}, r.{qn('role')}"  # noqa: S608
            f" FROM {qn(ApiToken._meta.db_table)} t"
            f" INNER JOIN {qn(Officer._meta.db_table)} o ON o.{qn('id')} = t.{qn('officer_id')}"
            f" LEFT OUTER JOIN {qn(Office._meta.db_table)} f ON f.{qn('id')} = o.{qn('office_id')}"
            f" LEFT OUTER JOIN {qn(OfficerRole._meta.db_table)} r ON r.{qn('officer_id')} = o.{qn('id')}"
            f" WHERE t.{qn('secret_hash')} = %s"
        )

    def __call__(self, secret_hash: str) -> ApiToken | None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                _prepare(self.sql)
                cursor.execute(f"EXECUTE {PREPARED}(%s)", [secret_hash])
            else:
                cursor.execute(self.sql, [secret_hash])
            rows = cursor.fetchall()
        if not rows:
            return None
        row, start = rows[0], 0
        made: list[Any] = []
        for model, names, converters in self.parts:
            values = list(row[start : start + len(names)])
            start += len(names)
            for i, (col, chain) in enumerate(converters):
                for convert in chain:
                    values[i] = convert(values[i], col, connection)
            made.append(None if values[0] is None else model.from_db(connection.alias, names, values))
        token: ApiToken = made[0]
        officer, office = made[1], made[2]
        officer._state.fields_cache["office"] = office
        # Officer.role_set's own cache, filled as it would fill it.
        officer._role_cache = frozenset(r[-1] for r in rows if r[-1])
        token._state.fields_cache["officer"] = officer
        token.audit_head = row[-2]  # type: ignore[attr-defined]
        return token


# On PostgreSQL the lookup is a prepared statement of each connection: planning it cost four times as much as
# running it (0.33 against 0.07 ms), on every request of the API; its plan (a token by its unique hash, joined by
# keys) is the same for every token, so the generic plan PostgreSQL settles on loses nothing.
PREPARED = "docket_token_lookup"


def _prepare(sql: str) -> None:
    """Prepare the lookup on this connection at its first request: the statement lives as long as the connection,
    whatever the transactions around it do."""
    raw = connection.connection
    if getattr(connection, "_docket_token_prepared", None) is not raw:
        # Through the driver, not Django's cursor: preparing is the connection's set-up, not a query of the request.
        raw.execute(f"PREPARE {PREPARED}(text) AS {sql.replace('%s', '$1')}")
        connection._docket_token_prepared = raw  # type: ignore[attr-defined]


_lookups: dict[str, _Lookup] = {}


def token_by_hash(secret_hash: str) -> ApiToken | None:
    """The live or dead token of that hash, with its officer, office and roles; None for no such token."""
    lookup = _lookups.get(connection.vendor)
    if lookup is None:
        lookup = _lookups[connection.vendor] = _Lookup()
    return lookup(secret_hash)


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
        token = token_by_hash(hash_secret(secret))
        now = timezone.now()
        # One answer for every reason: a caller learns nothing about which tokens exist.
        if token is None or not token.usable(now) or not token.officer.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_GRAIN:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.officer, token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'
