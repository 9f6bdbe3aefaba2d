"""The offices at depths 1 and 2 above an object's office, kept in the object's own columns by the database.

A model that declares ``jurisdiction_ancestors`` (``ancestor_1``, ``ancestor_2``: its province-level and
city-level offices, itself at its own depth) has them set by a trigger from the path of its office on every
insert and every change of office, so every writer (the services, an import, a bulk load, COPY, SQL by hand)
leaves them right; the scoping path (``offices.scoping``) trusts them. An office's path is its ancestors' codes
(``/000000/610000/610100/``): the office at depth d is the one whose code is the path's (d + 1)-th segment; an
object of an office above depth d has none there (NULL). Offices never change parent (``offices.services``), so an
office's ancestors never change either.

Each table gets the same triggers under its own names (``Kept``), installed by its app's migration.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Kept:
    """One table's ancestor columns: ``name`` prefixes its triggers', function's and statistics' names."""

    table: str
    name: str

    @property
    def trigger_insert(self) -> str:
        return f"{self.name}_ancestors_insert"

    @property
    def trigger_update(self) -> str:
        return f"{self.name}_ancestors_update"

    @property
    def function(self) -> str:
        return f"docket_{self.name}_ancestors"

    @property
    def statistics(self) -> str:
        return f"{self.name}_office_ancestors"

    def postgres_install(self) -> str:
        return f"""
CREATE OR REPLACE FUNCTION {self.function}() RETURNS trigger AS $$
BEGIN
    SELECT a1.id, a2.id INTO NEW.ancestor_1_id, NEW.ancestor_2_id
    FROM offices_office o
    LEFT JOIN offices_office a1 ON a1.code = NULLIF(split_part(o.path, '/', 3), '')
    LEFT JOIN offices_office a2 ON a2.code = NULLIF(split_part(o.path, '/', 4), '')
    WHERE o.id = NEW.office_id;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {self.trigger_insert} BEFORE INSERT ON {self.table}
    FOR EACH ROW EXECUTE FUNCTION {self.function}();
CREATE TRIGGER {self.trigger_update} BEFORE UPDATE OF office_id, ancestor_1_id, ancestor_2_id ON {self.table}
    FOR EACH ROW EXECUTE FUNCTION {self.function}();
{self.postgres_always()}
-- The office decides its ancestors: told so, the planner stops multiplying the selectivities of "ancestor_1 = P"
-- and "office = P" (an office's own due cases, estimated at 3 rows of 519, were read by the wrong index: 28 ms).
CREATE STATISTICS IF NOT EXISTS {self.statistics} (dependencies)
    ON office_id, ancestor_1_id, ancestor_2_id FROM {self.table};
"""  # noqa: S608 - fixed names

    def postgres_always(self, *, always: bool = True) -> str:
        # A bulk load as a superuser turns the foreign keys' triggers off (session_replication_role = replica,
        # docket.demo.scale), and with them every ordinary trigger: these must fire all the same.
        mode = "ENABLE ALWAYS" if always else "ENABLE"
        return "".join(
            f"ALTER TABLE {self.table} {mode} TRIGGER {t};\n" for t in (self.trigger_insert, self.trigger_update)
        )

    def postgres_uninstall(self) -> str:
        return f"""
DROP TRIGGER IF EXISTS {self.trigger_insert} ON {self.table};
DROP TRIGGER IF EXISTS {self.trigger_update} ON {self.table};
DROP FUNCTION IF EXISTS {self.function}();
DROP STATISTICS IF EXISTS {self.statistics};
"""

    def sqlite_install(self) -> list[str]:
        ancestor_1, ancestor_2 = _sqlite_ancestor(1), _sqlite_ancestor(2)
        set_them = (
            f"UPDATE {self.table} SET ancestor_1_id = {ancestor_1}, ancestor_2_id = {ancestor_2} "  # noqa: S608
            "WHERE id = NEW.id;"
        )
        # SQLite's triggers cannot change NEW: the row is set right after it is written. The update of the
        # ancestors fires the update trigger again, which finds them right and stops (recursive triggers are off
        # in any case).
        return [
            f"CREATE TRIGGER IF NOT EXISTS {self.trigger_insert} AFTER INSERT ON {self.table} BEGIN {set_them} END",
            f"CREATE TRIGGER IF NOT EXISTS {self.trigger_update} AFTER UPDATE OF office_id, ancestor_1_id, "
            f"ancestor_2_id ON {self.table} WHEN NEW.ancestor_1_id IS NOT {ancestor_1} "
            f"OR NEW.ancestor_2_id IS NOT {ancestor_2} BEGIN {set_them} END",
        ]

    def sqlite_uninstall(self) -> list[str]:
        return [f"DROP TRIGGER IF EXISTS {self.trigger_insert}", f"DROP TRIGGER IF EXISTS {self.trigger_update}"]

    def install(self, connection: Any) -> None:
        """The triggers, then every existing row's ancestors (a change of office through the update trigger)."""
        _execute(connection, self.postgres_install(), self.sqlite_install())
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {self.table} SET office_id = office_id")  # noqa: S608 - a fixed name

    def uninstall(self, connection: Any) -> None:
        _execute(connection, self.postgres_uninstall(), self.sqlite_uninstall())

    def fire_always(self, connection: Any) -> None:
        """For triggers installed before they fired always: so they do, and the rows a bulk load wrote while
        they did not get their ancestors (the root's own rows have none and are written again as they are)."""
        _execute(
            connection,
            self.postgres_always() + f"UPDATE {self.table} SET office_id = office_id WHERE ancestor_1_id IS NULL;",  # noqa: S608
            [],
        )

    def fire_as_usual(self, connection: Any) -> None:
        _execute(connection, self.postgres_always(always=False), [])

    # The same as migration steps (RunPython's (apps, schema_editor)), for each table's migration.
    def install_step(self, apps: Any, schema_editor: Any) -> None:
        self.install(schema_editor.connection)

    def uninstall_step(self, apps: Any, schema_editor: Any) -> None:
        self.uninstall(schema_editor.connection)

    def fire_always_step(self, apps: Any, schema_editor: Any) -> None:
        self.fire_always(schema_editor.connection)

    def fire_as_usual_step(self, apps: Any, schema_editor: Any) -> None:
        self.fire_as_usual(schema_editor.connection)


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


def _execute(connection: Any, postgres: str, sqlite: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in [postgres] if connection.vendor == "postgresql" else sqlite:
            cursor.execute(statement)


CASES = Kept("cases_case", "case")
CLUES = Kept("clues_clue", "clue")
MEASURES = Kept("measures_measure", "measure")
