"""PostgreSQL roles that keep the audit trail out of the application's reach.

Docket runs as an *application role* that owns nothing: it reads and writes every table except that it may
only SELECT and INSERT the audit trail. Migrations run as the *owner role*, which owns the tables. Only an
owner or a superuser can UPDATE, DELETE or TRUNCATE the trail or disable its append-only trigger, so a
compromised application cannot rewrite history; a compromised owner is caught by the signed checkpoints.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from psycopg import sql

AUDIT_TABLE = "audit_auditentry"
AUDIT_TRIGGER = "audit_entry_no_update_delete"
APP_TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
APP_SEQUENCE_PRIVILEGES = "USAGE, SELECT, UPDATE"
ANALYZE_FUNCTION = "docket_analyze"


def grant_statements(*, app: str, owner: str, database: str, schema: str = "public") -> list[sql.Composed]:
    """The grants, in order. Idempotent: run again after every `docket migrate`."""
    ids = {
        "app": sql.Identifier(app),
        "owner": sql.Identifier(owner),
        "db": sql.Identifier(database),
        "schema": sql.Identifier(schema),
        "audit": sql.Identifier(schema, AUDIT_TABLE),
        "tables": sql.SQL(APP_TABLE_PRIVILEGES),
        "sequences": sql.SQL(APP_SEQUENCE_PRIVILEGES),
        "analyze": sql.Identifier(schema, ANALYZE_FUNCTION),
    }
    texts = [
        "GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {app}",
        "GRANT USAGE ON SCHEMA {schema} TO {app}",
        "GRANT {tables} ON ALL TABLES IN SCHEMA {schema} TO {app}",
        "GRANT {sequences} ON ALL SEQUENCES IN SCHEMA {schema} TO {app}",
        # Tables the owner creates later (new migrations) are usable at once; the trail is revoked below.
        "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} GRANT {tables} ON TABLES TO {app}",
        "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} GRANT {sequences} ON SEQUENCES TO {app}",
        "REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {audit} FROM {app}",
        "REVOKE UPDATE, DELETE, TRUNCATE ON {audit} FROM PUBLIC",
        "GRANT SELECT, INSERT ON {audit} TO {app}",
        # The bulk loads' ANALYZE, which only the tables' owner may run (migration core.0002).
        "GRANT EXECUTE ON FUNCTION {analyze}(regclass[]) TO {app}",
    ]
    return [sql.SQL(text).format(**ids) for text in texts]


def apply_grants(cursor: Any, *, app: str, owner: str, schema: str = "public") -> None:
    cursor.execute("SELECT current_database()")
    database = cursor.fetchone()[0]
    for statement in grant_statements(app=app, owner=owner, database=database, schema=schema):
        cursor.execute(statement.as_string(cursor.connection))


def app_role_problems(cursor: Any, *, app: str, schema: str = "public") -> list[str]:
    """Why the application role could still rewrite the trail; empty when it cannot."""
    cursor.execute(
        "SELECT rolsuper, rolcreaterole, rolreplication, rolbypassrls FROM pg_roles WHERE rolname = %s", [app]
    )
    row = cursor.fetchone()
    if row is None:
        return [_("the role %(role)s does not exist") % {"role": app}]
    problems = []
    if row[0]:
        problems.append(_("%(role)s is a superuser") % {"role": app})
    if row[1]:
        # Since PostgreSQL 15 a CREATEROLE role may grant itself the owner's membership.
        problems.append(_("%(role)s may create roles") % {"role": app})
    if row[2] or row[3]:
        problems.append(_("%(role)s has the REPLICATION or BYPASSRLS attribute") % {"role": app})
    cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND pg_has_role(%s, c.relowner, 'MEMBER') ORDER BY 1",
        [schema, app],
    )
    owned = [r[0] for r in cursor.fetchall()]
    if owned:
        problems.append(
            _("%(role)s owns (or acts as the owner of) %(count)s objects, among them %(names)s")
            % {"role": app, "count": len(owned), "names": ", ".join(owned[:5])}
        )
    table = f"{schema}.{AUDIT_TABLE}"
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
    if not cursor.fetchone()[0]:
        return [*problems, _("the audit table %(table)s does not exist: run `docket migrate` first") % {"table": table}]
    for privilege in ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER"):
        cursor.execute("SELECT has_table_privilege(%s, %s, %s)", [app, table, privilege])
        if cursor.fetchone()[0]:
            problems.append(
                _("%(role)s has %(privilege)s on %(table)s") % {"role": app, "privilege": privilege, "table": table}
            )
    for privilege in ("SELECT", "INSERT"):
        cursor.execute("SELECT has_table_privilege(%s, %s, %s)", [app, table, privilege])
        if not cursor.fetchone()[0]:
            problems.append(
                _("%(role)s lacks %(privilege)s on %(table)s: Docket cannot write its trail")
                % {"role": app, "privilege": privilege, "table": table}
            )
    function = f"{schema}.{ANALYZE_FUNCTION}(regclass[])"
    cursor.execute(
        "SELECT to_regprocedure(%s) IS NOT NULL AND has_function_privilege(%s, %s, 'EXECUTE')",
        [function, app, function],
    )
    if not cursor.fetchone()[0]:
        problems.append(
            _("%(role)s may not run %(function)s: the statistics of bulk loads are not refreshed")
            % {"role": app, "function": function}
        )
    cursor.execute("SELECT has_parameter_privilege(%s, 'session_replication_role', 'SET')", [app])
    if cursor.fetchone()[0]:
        problems.append(_("%(role)s may set session_replication_role (which skips triggers)") % {"role": app})
    cursor.execute(
        "SELECT t.tgenabled FROM pg_trigger t WHERE t.tgrelid = %s::regclass AND t.tgname = %s", [table, AUDIT_TRIGGER]
    )
    trigger = cursor.fetchone()
    if trigger is None or trigger[0] != "O":
        problems.append(_("the append-only trigger on %(table)s is missing or disabled") % {"table": table})
    return problems
