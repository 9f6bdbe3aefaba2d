"""The substring indexes the one search box reads, over the tables of cases, clues and subjects.

PostgreSQL: GIN trigram indexes (``pg_trgm``) on ``UPPER(column)``, the very expression Django's ``icontains``
compares, so the search and the lists' ``q`` filters are both answered from them for terms of three characters
or more. A trigram index finds nothing to look up in a shorter term, and two characters are the commonest Chinese
search ("网信", "直播", a surname and a given name), so beside it a GIN index over the column's bigrams
(``docket_bigrams(UPPER(column))``, every two consecutive characters: a text contains a term of two characters or
more only if it holds all of the term's bigrams) answers those; the search rechecks the substring itself.
``pg_bigm`` would do the same but is not a contrib module, so it cannot be counted on.

SQLite: one FTS5 table per source table with the ``trigram`` tokenizer, an external-content index (the text stays
in the source table) kept up to date by triggers on the source table. FTS5's trigram tokenizer cannot look up
fewer than three characters either; there a two-character term scans the reader's rows (SQLite is the small,
embedded database: the scan stays well within the page's time at the sizes it serves).

SQLite drops a table's triggers when Django rebuilds the table (``_remake_table``, for many a later migration of
cases, clues or subjects), so after every ``migrate`` the triggers are checked and, when one is missing, made
again and the index rebuilt (``ensure_sqlite``, run on ``post_migrate``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper


@dataclass(frozen=True)
class Indexed:
    """A source table and the text columns searched in it."""

    key: str
    table: str
    columns: tuple[str, ...]

    @property
    def fts(self) -> str:
        return f"search_{self.key}_fts"

    def trigram_index(self, column: str) -> str:
        return f"search_{self.key}_{column}_trgm"

    def bigram_index(self, column: str) -> str:
        return f"search_{self.key}_{column}_bigram"

    @property
    def triggers(self) -> tuple[str, str, str]:
        return (f"{self.fts}_insert", f"{self.fts}_delete", f"{self.fts}_update")


CASES = Indexed("case", "cases_case", ("ref", "title"))
CLUES = Indexed("clue", "clues_clue", ("ref", "summary"))
SUBJECTS = Indexed("subject", "subjects_subject", ("name", "identifier"))
ALL = (CASES, CLUES, SUBJECTS)


# --- PostgreSQL -------------------------------------------------------------------------------------------------


def postgres_create(source: Indexed) -> list[str]:
    # ``::text`` as Django writes it for icontains on a varchar, so the planner sees the same expression.
    return [
        f"CREATE INDEX IF NOT EXISTS {source.trigram_index(c)} ON {source.table} "
        f"USING gin ((UPPER({c}::text)) gin_trgm_ops)"
        for c in source.columns
    ]


def postgres_drop(source: Indexed) -> list[str]:
    return [f"DROP INDEX IF EXISTS {source.trigram_index(c)}" for c in source.columns]


BIGRAMS = "docket_bigrams"

# Every two consecutive characters of a text, repeats kept (GIN keeps each key of a row once). IMMUTABLE, as an
# index expression must be; the built-ins it calls are found in pg_catalog whatever the search_path. PL/pgSQL:
# twice as fast as the same in one SQL statement, which a function in an index expression cannot have inlined.
BIGRAMS_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {BIGRAMS}(t text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    found text[] := '{{}}';
BEGIN
    FOR i IN 1 .. char_length(t) - 1 LOOP
        found := found || substr(t, i, 2);
    END LOOP;
    RETURN found;
END
$$"""


def postgres_bigram_function() -> list[str]:
    return [BIGRAMS_FUNCTION, f"COMMENT ON FUNCTION {BIGRAMS}(text) IS 'Docket search: the bigrams of a text'"]


# References (``AJ-330100-2024-00001``) are what officers search for most, and the worst terms for a trigram index:
# every reference shares most of its trigrams (``AJ-``, ``-20``, ``202``, the office's code) with a million others,
# and the lookup reads all their entries (50 ms at 1,000,000 cases for one reference). A text holds a term at its
# start or after its first character, so the reference column is also indexed both ways: its start by a B-tree
# (a prefix lookup), the rest by trigrams of the text after the first character, where the series' letters
# (``AJ``) no longer stand at a word's start — a full reference then has a trigram no other row's rest holds.
REFERENCED = ("case", "clue")


def reference_prefix_index(source: Indexed) -> str:
    return f"search_{source.key}_ref_prefix"


def reference_rest_index(source: Indexed) -> str:
    return f"search_{source.key}_ref_rest_trgm"


def postgres_reference_create(source: Indexed) -> list[str]:
    # The expressions Django writes for ``ref__istartswith`` and for ``IContains(Substr("ref", 2), q)``.
    return [
        f"CREATE INDEX IF NOT EXISTS {reference_prefix_index(source)} ON {source.table} "
        f"((UPPER(ref::text)) text_pattern_ops)",
        f"CREATE INDEX IF NOT EXISTS {reference_rest_index(source)} ON {source.table} "
        f"USING gin ((UPPER(SUBSTRING(ref, 2)::text)) gin_trgm_ops)",
    ]


def postgres_reference_drop(source: Indexed) -> list[str]:
    return [f"DROP INDEX IF EXISTS {name}" for name in (reference_prefix_index(source), reference_rest_index(source))]


def postgres_bigram_create(source: Indexed) -> list[str]:
    # The expression the search writes (``queries.Bigrams`` over Django's ``UPPER(column::text)``), to the letter.
    return [
        f"CREATE INDEX IF NOT EXISTS {source.bigram_index(c)} ON {source.table} "
        f"USING gin (({BIGRAMS}(UPPER({c}::text))))"
        for c in source.columns
    ]


def postgres_bigram_drop(source: Indexed) -> list[str]:
    return [f"DROP INDEX IF EXISTS {source.bigram_index(c)}" for c in source.columns]


# --- SQLite -----------------------------------------------------------------------------------------------------


def sqlite_table(source: Indexed) -> str:
    columns = ", ".join(source.columns)
    return (
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {source.fts} USING fts5({columns}, "
        f"content='{source.table}', content_rowid='id', tokenize='trigram')"
    )


def sqlite_triggers(source: Indexed) -> list[str]:
    cols = ", ".join(source.columns)
    new = ", ".join(f"new.{c}" for c in source.columns)
    old = ", ".join(f"old.{c}" for c in source.columns)
    add = f"INSERT INTO {source.fts}(rowid, {cols}) VALUES (new.id, {new});"  # noqa: S608 - fixed names
    # An external-content index forgets a row only when told its old text.
    remove = f"INSERT INTO {source.fts}({source.fts}, rowid, {cols}) VALUES ('delete', old.id, {old});"  # noqa: S608
    insert, delete, update = source.triggers
    return [
        f"CREATE TRIGGER IF NOT EXISTS {insert} AFTER INSERT ON {source.table} BEGIN {add} END",
        f"CREATE TRIGGER IF NOT EXISTS {delete} AFTER DELETE ON {source.table} BEGIN {remove} END",
        # Only a change of the searched text touches the index (a case's state changes often; its title rarely).
        f"CREATE TRIGGER IF NOT EXISTS {update} AFTER UPDATE OF {cols} ON {source.table} BEGIN {remove} {add} END",
    ]


def sqlite_rebuild(source: Indexed) -> str:
    return f"INSERT INTO {source.fts}({source.fts}) VALUES ('rebuild')"  # noqa: S608 - fixed names


def sqlite_drop(source: Indexed) -> list[str]:
    return [*(f"DROP TRIGGER IF EXISTS {t}" for t in source.triggers), f"DROP TABLE IF EXISTS {source.fts}"]


# --- installing -------------------------------------------------------------------------------------------------


def install(connection: BaseDatabaseWrapper) -> None:
    """Create every index (the ``pg_trgm`` extension is the migration's own operation, before this)."""
    with connection.cursor() as cursor:
        for source in ALL:
            if connection.vendor == "postgresql":
                for statement in postgres_create(source):
                    cursor.execute(statement)
            elif connection.vendor == "sqlite":
                cursor.execute(sqlite_table(source))
                for statement in sqlite_triggers(source):
                    cursor.execute(statement)
                cursor.execute(sqlite_rebuild(source))


def install_bigrams(connection: BaseDatabaseWrapper) -> None:
    """The bigram function and indexes (PostgreSQL only: SQLite scans for terms of two characters)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for statement in postgres_bigram_function():
            cursor.execute(statement)
        for source in ALL:
            for statement in postgres_bigram_create(source):
                cursor.execute(statement)
            # The planner weighs a term's bigram by the index expression's statistics, gathered by ANALYZE.
            cursor.execute(f"ANALYZE {source.table}")


def uninstall_bigrams(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for source in ALL:
            for statement in postgres_bigram_drop(source):
                cursor.execute(statement)
        cursor.execute(f"DROP FUNCTION IF EXISTS {BIGRAMS}(text)")


def install_references(connection: BaseDatabaseWrapper) -> None:
    """The reference indexes (PostgreSQL only: SQLite's FTS5 table finds a reference by its own trigrams)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for source in ALL:
            if source.key in REFERENCED:
                for statement in postgres_reference_create(source):
                    cursor.execute(statement)
                cursor.execute(f"ANALYZE {source.table}")


def uninstall_references(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for source in ALL:
            if source.key in REFERENCED:
                for statement in postgres_reference_drop(source):
                    cursor.execute(statement)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for source in ALL:
            statements = {"postgresql": postgres_drop, "sqlite": sqlite_drop}.get(connection.vendor)
            for statement in statements(source) if statements else []:
                cursor.execute(statement)


def _sqlite_names(cursor: Any, kind: str) -> set[str]:
    cursor.execute("SELECT name FROM sqlite_master WHERE type = %s", [kind])
    return {row[0] for row in cursor.fetchall()}


def ensure_sqlite(connection: BaseDatabaseWrapper) -> list[str]:
    """Make again the triggers a rebuilt source table lost, and rebuild that index; the indexes repaired.

    Only where the search migration is applied (its FTS table exists): a database migrated back to before it
    keeps no index."""
    if connection.vendor != "sqlite":
        return []
    repaired = []
    with connection.cursor() as cursor:
        tables, triggers = _sqlite_names(cursor, "table"), _sqlite_names(cursor, "trigger")
        for source in ALL:
            if source.fts not in tables or set(source.triggers) <= triggers:
                continue
            for statement in sqlite_triggers(source):
                cursor.execute(statement)
            cursor.execute(sqlite_rebuild(source))
            repaired.append(source.fts)
    return repaired
