"""The bulk loads' ANALYZE takes effect as the application role, which owns no table (PostgreSQL only: SQLite
has no planner statistics to refresh)."""

import pytest
from django.db import DatabaseError, connection, transaction

from docket import testing as t
from docket.audit.roles import app_role_problems
from docket.core.bulk import analyze
from docket.offices.models import Level, Office
from docket.pytest_roles import owner_credentials, owner_cursor

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics are PostgreSQL's")


def _reltuples(table: str) -> float:
    with connection.cursor() as cur:
        cur.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        return float(cur.fetchone()[0])


@pytest.mark.django_db
def test_a_bulk_load_s_analyze_counts_the_rows_it_wrote():
    national = t.office("000000", "国家网信办", None, Level.NATIONAL)
    for i in range(120):
        t.office(f"{110000 + i * 100}", f"办公室{i}", national, Level.PROVINCE)
    with connection.cursor() as cur:
        cur.execute("SELECT current_user")
        user = cur.fetchone()[0]
        # As the application role a plain ANALYZE is a warning and nothing done: the function runs as the owner.
        cur.execute(
            "SELECT pg_has_role(%s, (SELECT relowner FROM pg_class WHERE relname = 'offices_office'), 'MEMBER')",
            [user],
        )
        owns = cur.fetchone()[0]
    analyze(Office)
    assert _reltuples("offices_office") == Office.objects.count() == 121
    if owner_credentials() is not None:
        # The suite runs as the application role (CI): it owns no table, and the ANALYZE above still took effect.
        assert not owns


@pytest.mark.django_db
def test_the_analyze_function_refuses_tables_not_docket_s():
    with pytest.raises(DatabaseError, match="not one of the tables"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT docket_analyze(ARRAY['pg_catalog.pg_class']::regclass[])")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_application_role_without_the_function_is_reported():
    credentials = owner_credentials()
    if credentials is None:
        pytest.skip("the suite runs as a superuser: the application role's grants are tested in test_db_roles")
    app = connection.settings_dict["USER"]
    with owner_cursor() as cur:
        assert app_role_problems(cur, app=app) == []
        cur.execute(f'REVOKE EXECUTE ON FUNCTION docket_analyze(regclass[]) FROM "{app}"')  # noqa: S608 - our role
        try:
            assert any("docket_analyze" in p for p in app_role_problems(cur, app=app))
        finally:
            cur.execute(f'GRANT EXECUTE ON FUNCTION docket_analyze(regclass[]) TO "{app}"')  # noqa: S608
