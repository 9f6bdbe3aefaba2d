"""Run the test suite as Docket's application role on PostgreSQL (``pytest -p docket.pytest_roles``).

With ``DOCKET_DB_OWNER_URL`` set (the owner role's URL on the same server; its database name is ignored) and
``DATABASE_URL`` naming the application role, the tests connect as the application role, as production does,
while what only the owner may do runs as the owner: creating, migrating and dropping the test database
(then granting the application role with `docket db roles`' grants), and the flush with which transactional
tests end (a TRUNCATE of every table, which the application role may not do to the audit trail).
Tests that tamper with the trail, as a database administrator would, use :func:`owner_cursor`.

Without ``DOCKET_DB_OWNER_URL`` the plugin does nothing and everything runs as ``DATABASE_URL``'s role.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

OWNER_URL_VAR = "DOCKET_DB_OWNER_URL"


def owner_credentials() -> dict[str, str] | None:
    """USER and PASSWORD of the owner role, or None when the suite runs as a single role."""
    url = os.environ.get(OWNER_URL_VAR)
    if not url or connection.vendor != "postgresql":
        return None
    parts = urlsplit(url)
    return {"USER": unquote(parts.username or ""), "PASSWORD": unquote(parts.password or "")}


def roles_split() -> bool:
    """True when the tests' connections are the application role's and an owner role exists beside it."""
    return owner_credentials() is not None


@contextmanager
def connected_as(conn: BaseDatabaseWrapper, credentials: dict[str, str]) -> Iterator[None]:
    """Reconnect ``conn`` under other credentials for the block, then reconnect as before.

    The settings dict is shared with the connections other threads open, so call this only when no other
    thread is using the database (fixture setup and teardown, a test's own tampering step).
    """
    if conn.in_atomic_block:
        raise RuntimeError("cannot change the database role inside a transaction: use a transactional test")
    saved = {key: conn.settings_dict.get(key, "") for key in credentials}
    conn.close()
    conn.settings_dict.update(credentials)
    try:
        yield
    finally:
        conn.close()
        conn.settings_dict.update(saved)


@contextmanager
def owner_cursor() -> Iterator[Any]:
    """A cursor of the database owner, in a transaction committed at the end of the block.

    When the roles are split the default connection is reopened as the owner, so the test must be
    transactional (what it tampers with must be committed to be seen); otherwise the connection already
    belongs to an owner (SQLite, or PostgreSQL's superuser) and is used as it is.
    """
    credentials = owner_credentials()
    if credentials is None:
        with transaction.atomic(), connection.cursor() as cursor:
            yield cursor
        return
    with connected_as(connection, credentials), transaction.atomic(), connection.cursor() as cursor:
        yield cursor


def _as_owner(fn: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> Any:
        credentials = owner_credentials()
        if credentials is None:
            return fn(*args, **kwargs)
        with connected_as(connection, credentials):
            return fn(*args, **kwargs)

    return run


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    if not os.environ.get(OWNER_URL_VAR):
        return
    import django.test.utils
    from django.db.backends.postgresql.operations import DatabaseOperations

    from docket.audit.roles import apply_grants

    setup_databases = django.test.utils.setup_databases
    app_user = connection.settings_dict["USER"]

    def setup(*args: Any, **kwargs: Any) -> Any:
        credentials = owner_credentials()
        if credentials is None:
            return setup_databases(*args, **kwargs)
        if credentials["USER"] == app_user:
            raise pytest.UsageError(f"{OWNER_URL_VAR} and DATABASE_URL name the same role {app_user}")
        with connected_as(connection, credentials):
            result = setup_databases(*args, **kwargs)
            with transaction.atomic(), connection.cursor() as cursor:
                apply_grants(cursor, app=app_user, owner=credentials["USER"])
        return result

    # pytest-django imports these when its django_db_setup fixture runs, so replacing them here is enough.
    django.test.utils.setup_databases = setup
    django.test.utils.teardown_databases = _as_owner(django.test.utils.teardown_databases)

    flush = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self: DatabaseOperations, sql_list: list[str]) -> None:
        credentials = owner_credentials()
        if credentials is None:
            flush(self, sql_list)
            return
        with connected_as(self.connection, credentials):
            flush(self, sql_list)

    DatabaseOperations.execute_sql_flush = execute_sql_flush  # type: ignore[method-assign, assignment]
