"""The case's offices at depths 1 and 2 (``Case.ancestor_1``, ``ancestor_2``), kept by the database.

A trigger sets them from the path of the case's office on every insert and every change of office, so every
writer (the services, a bulk load, COPY, SQL by hand) leaves them right; the scoping path trusts them. An office's
path is its ancestors' codes (``/000000/610000/610100/``): the office at depth d is the one whose code is the
path's (d + 1)-th segment; a case of an office above depth d has none there (NULL). Offices never change parent
(``offices.services``), so an office's ancestors never change either.
"""

from __future__ import annotations

from typing import Any

TRIGGER_INSERT = "case_ancestors_insert"
TRIGGER_UPDATE = "case_ancestors_update"
FUNCTION = "docket_case_ancestors"
STATISTICS = "case_office_ancestors"

POSTGRES_INSTALL = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger AS $$
BEGIN
    SELECT a1.id, a2.id INTO NEW.ancestor_1_id, NEW.ancestor_2_id
    FROM offices_office o
    LEFT JOIN offices_office a1 ON a1.code = NULLIF(split_part(o.path, '/', 3), '')
    LEFT JOIN offices_office a2 ON a2.code = NULLIF(split_part(o.path, '/', 4), '')
    WHERE o.id = NEW.office_id;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {TRIGGER_INSERT} BEFORE INSERT ON cases_case
    FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();
CREATE TRIGGER {TRIGGER_UPDATE} BEFORE UPDATE OF office_id, ancestor_1_id, ancestor_2_id ON cases_case
    FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();
-- The office decides its ancestors: told so, the planner stops multiplying the selectivities of "ancestor_1 = P"
-- and "office = P" (an office's own due cases, estimated at 3 rows of 519, were read by the wrong index: 28 ms).
CREATE STATISTICS IF NOT EXISTS {STATISTICS} (dependencies)
    ON office_id, ancestor_1_id, ancestor_2_id FROM cases_case;
"""  # noqa: S608 - fixed names

POSTGRES_UNINSTALL = f"""
DROP TRIGGER IF EXISTS {TRIGGER_INSERT} ON cases_case;
DROP TRIGGER IF EXISTS {TRIGGER_UPDATE} ON cases_case;
DROP FUNCTION IF EXISTS {FUNCTION}();
DROP STATISTICS IF EXISTS {STATISTICS};
"""


def _sqlite_segment(path: str, depth: int) -> str:
    """SQLite has no split_part: the code at ``depth`` of ``path`` by substr and instr ('' when there is none)."""
    rest = f"substr({path}, 2)"  # "000000/610000/610100/"
    for _ in range(depth):
        rest = f"substr({rest}, instr({rest}, '/') + 1)"
    return f"substr({rest}, 1, instr({rest}, '/') - 1)"


def _sqlite_ancestor(depth: int) -> str:
    code = _sqlite_segment("o.path", depth)
    return (
        f"(SELECT a.id FROM offices_office o JOIN offices_office a ON a.code = NULLIF({code}, '') "  # noqa: S608
        "WHERE o.id = NEW.office_id)"
    )


_SQLITE_SET = (
    f"UPDATE cases_case SET ancestor_1_id = {_sqlite_ancestor(1)}, ancestor_2_id = {_sqlite_ancestor(2)} "  # noqa: S608
    "WHERE id = NEW.id;"
)

# SQLite's triggers cannot change NEW: the row is set right after it is written. The update of the ancestors
# fires the update trigger again, which finds them right and stops (recursive triggers are off in any case).
SQLITE_INSTALL = [
    f"CREATE TRIGGER IF NOT EXISTS {TRIGGER_INSERT} AFTER INSERT ON cases_case BEGIN {_SQLITE_SET} END",
    f"CREATE TRIGGER IF NOT EXISTS {TRIGGER_UPDATE} AFTER UPDATE OF office_id, ancestor_1_id, ancestor_2_id "
    f"ON cases_case WHEN NEW.ancestor_1_id IS NOT {_sqlite_ancestor(1)} "
    f"OR NEW.ancestor_2_id IS NOT {_sqlite_ancestor(2)} BEGIN {_SQLITE_SET} END",
]

SQLITE_UNINSTALL = [f"DROP TRIGGER IF EXISTS {TRIGGER_INSERT}", f"DROP TRIGGER IF EXISTS {TRIGGER_UPDATE}"]


def _execute(connection: Any, postgres: str, sqlite: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in [postgres] if connection.vendor == "postgresql" else sqlite:
            cursor.execute(statement)


def install(connection: Any) -> None:
    """The triggers, then every existing case's ancestors (a change of office through the update trigger)."""
    _execute(connection, POSTGRES_INSTALL, SQLITE_INSTALL)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_case SET office_id = office_id")


def uninstall(connection: Any) -> None:
    _execute(connection, POSTGRES_UNINSTALL, SQLITE_UNINSTALL)
