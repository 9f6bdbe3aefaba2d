"""Tampering with the audit trail as someone with the database owner's rights would."""

from collections.abc import Sequence
from typing import Any

from django.db import connection

from docket.pytest_roles import owner_cursor

TRIGGER = "audit_entry_no_update_delete"


def tamper(*statements: tuple[str, Sequence[Any]] | str) -> None:
    """Run SQL as the owner with the append-only trigger switched off, as an owner may, in one transaction.

    With the roles split (DOCKET_DB_OWNER_URL) this reconnects as the owner: call it from a transactional test.
    """
    with owner_cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"ALTER TABLE audit_auditentry DISABLE TRIGGER {TRIGGER}")
        for statement in statements:
            sql, params = (statement, ()) if isinstance(statement, str) else statement
            cur.execute(sql, params)
        if connection.vendor == "postgresql":
            cur.execute(f"ALTER TABLE audit_auditentry ENABLE TRIGGER {TRIGGER}")
