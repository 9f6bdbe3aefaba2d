"""The one search box: a substring of case titles and references, clue summaries and references, subject names
and identifiers, in Chinese or English, always within the reader's jurisdiction.

Every group starts from the scoping path (``visible_to``), so a record outside the jurisdiction is never found.
A term with a run of three or more letters or digits is answered from the substring indexes
(``docket.search.indexes``: trigram GIN on PostgreSQL, FTS5 trigram on SQLite); a shorter one (a two-character
Chinese name, "ab") has no trigram to look up and is matched by a plain ``icontains`` over the same scoped rows.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from docket.cases.models import Case
from docket.clues.models import Clue
from docket.search.indexes import CASES, CLUES, SUBJECTS, Indexed
from docket.subjects.models import Subject, identifier_search

# Longer input is cut: nobody types a whole document into a search box, and a long LIKE costs for nothing.
MAX_QUERY = 200
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# The shortest run of letters or digits a trigram index can look up.
TRIGRAM = 3

GROUPS = ("cases", "clues", "subjects")


@dataclass(frozen=True)
class Group:
    kind: str
    rows: list[Any]
    # More rows matched than were returned.
    more: bool


@dataclass(frozen=True)
class Results:
    q: str
    # Answered from the substring indexes (else by a plain scan of the reader's scoped rows).
    indexed: bool
    groups: tuple[Group, ...]

    def __getitem__(self, kind: str) -> Group:
        return next(g for g in self.groups if g.kind == kind)


def normalise(q: str) -> str:
    """What is searched for: full-width letters and digits typed on a Chinese keyboard read as the ASCII ones
    references and identifiers are stored in; surrounding space dropped; at most ``MAX_QUERY`` characters."""
    return unicodedata.normalize("NFKC", q).strip()[:MAX_QUERY]


def indexed(q: str) -> bool:
    return any(len(run) >= TRIGRAM for run in re.findall(r"\w+", q))


def _fts_phrase(q: str, column: str | None = None) -> str:
    # An FTS5 string: the whole term as one phrase (a substring, for the trigram tokenizer), quotes doubled.
    phrase = '"' + q.replace('"', '""') + '"'
    return f"{column} : {phrase}" if column else phrase


def _fts(source: Indexed, q: str, column: str | None = None) -> Q:
    sql = f"SELECT rowid FROM {source.fts} WHERE {source.fts} MATCH %s"  # noqa: S608 - fixed table names
    # The term is a parameter, quoted as an FTS5 string by _fts_phrase.
    return Q(pk__in=RawSQL(sql, (_fts_phrase(q, column),)))  # noqa: S611


def _contains(source: Indexed, q: str, *columns: str, use_index: bool) -> Q:
    """Rows where one of ``columns`` contains ``q``, ignoring case."""
    if use_index and connection.vendor == "sqlite":
        # One FTS query over all the table's indexed columns when all are asked for.
        if set(columns) == set(source.columns):
            return _fts(source, q)
        found = Q()
        for column in columns:
            found |= _fts(source, q, column)
        return found
    # PostgreSQL: icontains is UPPER(column) LIKE UPPER('%q%'), which the trigram indexes on UPPER(column) answer.
    found = Q()
    for column in columns:
        found |= Q(**{f"{column}__icontains": q})
    return found


def search(actor: Any, q: str, *, limit: int = DEFAULT_LIMIT) -> Results:
    """Cases, clues and subjects the actor may see that contain ``q``, newest first, ``limit`` of each."""
    q = normalise(q)
    limit = max(1, min(limit, MAX_LIMIT))
    use_index = indexed(q)
    if not q:
        return Results(q, use_index, tuple(Group(kind, [], more=False) for kind in GROUPS))
    cases = (
        Case.objects.visible_to(actor)
        .filter(_contains(CASES, q, "ref", "title", use_index=use_index))
        .only("id", "ref", "title", "state", "filed_on")
        .order_by("-filed_on", "-id")
    )
    clues = (
        Clue.objects.visible_to(actor)
        .filter(_contains(CLUES, q, "ref", "summary", use_index=use_index))
        .only("id", "ref", "summary", "status", "received_on")
        .order_by("-received_on", "-id")
    )
    # A natural person's number matches only typed in full (``identifier_search``, the registry's rule); the
    # substring condition beside it is what the index answers, and holds for every row the rule lets through.
    named = _contains(SUBJECTS, q, "name", use_index=use_index)
    identified = _contains(SUBJECTS, q, "identifier", use_index=use_index) & identifier_search(q)
    subjects = (
        Subject.objects.visible_to(actor)
        .filter(named | identified)
        .only("id", "kind", "name", "identifier", "platform")
        .order_by("-id")
    )
    groups = []
    for kind, qs in (("cases", cases), ("clues", clues), ("subjects", subjects)):
        rows = list(qs[: limit + 1])
        groups.append(Group(kind, rows[:limit], more=len(rows) > limit))
    return Results(q, use_index, tuple(groups))
