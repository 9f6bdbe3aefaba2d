"""The one search box: a substring of case titles and references, clue summaries and references, subject names
and identifiers, in Chinese or English, always within the reader's jurisdiction.

Every group starts from the scoping path (``visible_to``), so a record outside the jurisdiction is never found.
A term with a run of three or more letters or digits is answered from the trigram indexes
(``docket.search.indexes``: GIN ``pg_trgm`` on PostgreSQL, FTS5 trigram on SQLite); a shorter one (a
two-character Chinese name, "ab") from the bigram indexes on PostgreSQL, and by a plain ``icontains`` over the
same scoped rows on SQLite. Whatever answers, the condition is the substring one (``icontains``), so every path
finds the same rows.

A single character is refused (``Results.too_short``): it is in most names or in none, so its answer is either
everything the reader may see or a scan of all of it, and nobody finds a case, a clue or a subject by one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.lookups import DataContains
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F, Func, Q, QuerySet, TextField, Value
from django.db.models.expressions import OrderBy, RawSQL
from django.db.models.functions import Cast, Coalesce, StrIndex, Substr, Upper
from django.db.models.lookups import GreaterThan, IContains
from django.utils.translation import gettext_lazy

from docket.cases.models import Case
from docket.clues.models import Clue
from docket.search.indexes import BIGRAMS, CASES, CLUES, REFERENCED, SUBJECTS, Indexed
from docket.subjects.models import Subject, identifier_search

# Longer input is cut: nobody types a whole document into a search box, and a long LIKE costs for nothing.
MAX_QUERY = 200
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# The shortest run of letters or digits a trigram index can look up.
TRIGRAM = 3
# The shortest term searched for: the bigram indexes look up two characters.
SHORTEST = 2


# The newest matches of a group (``_newest``): the rows of the WINDOW newest primary keys are walked first; if
# fewer than asked match there, every match is found from the substring index and sorted by the database.
WINDOW = 4000

TOO_SHORT = gettext_lazy("Type at least two characters: a single one is in almost every name or in none.")

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
    # The term was a single character: nothing was searched.
    too_short: bool = False

    def __getitem__(self, kind: str) -> Group:
        return next(g for g in self.groups if g.kind == kind)


def normalise(q: str) -> str:
    """What is searched for: full-width letters and digits typed on a Chinese keyboard read as the ASCII ones
    references and identifiers are stored in; surrounding space dropped; at most ``MAX_QUERY`` characters."""
    return unicodedata.normalize("NFKC", q).strip()[:MAX_QUERY]


def trigrams(q: str) -> bool:
    """The trigram indexes can look ``q`` up (pg_trgm and FTS5 take trigrams from runs of letters and digits)."""
    return any(len(run) >= TRIGRAM for run in re.findall(r"\w+", q))


def indexed(q: str) -> bool:
    """``q`` is answered from an index on this database (a two-character term only on PostgreSQL)."""
    return trigrams(q) or (len(q) >= SHORTEST and connection.vendor == "postgresql")


class Bigrams(Func):
    """``docket_bigrams(text)``, the function of the bigram indexes."""

    function = BIGRAMS
    output_field = ArrayField(TextField())


def _bigrams_of(column: str, q: str) -> Q:
    # A text holding the term holds each of its bigrams: what the index finds is a superset, the substring
    # condition beside it (``_contains``) the answer. Both sides through UPPER, as icontains compares.
    column_bigrams = Bigrams(Upper(Cast(F(column), TextField())))
    return Q(DataContains(column_bigrams, Bigrams(Upper(Value(q, output_field=TextField())))))


def _holds(column: str, q: str) -> Q:
    # icontains by position, not LIKE: the trigram index on the column also accepts a LIKE of two characters,
    # and the planner took it — reading all of it (a million entries, 0.26 s) to narrow nothing.
    upper = Upper(Cast(F(column), TextField()))
    return Q(GreaterThan(StrIndex(upper, Upper(Value(q, output_field=TextField()))), 0))


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
    if use_index and connection.vendor == "postgresql" and not trigrams(q):
        found = Q()
        for column in columns:
            # The substring first: where the planner walks the rows in order instead of asking the index, a row
            # that does not hold the term is passed over without computing its bigrams.
            # Two characters are one bigram: holding it is holding the term, and the index's condition alone
            # lets the database skip recomputing each row's bigrams (it would, beside a substring condition).
            found |= _bigrams_of(column, q) if len(q) == SHORTEST else _holds(column, q) & _bigrams_of(column, q)
        return found
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
        if use_index and column == "ref" and source.key in REFERENCED and connection.vendor == "postgresql":
            found |= _reference(q)
        else:
            found |= Q(**{f"{column}__icontains": q})
    return found


def _reference(q: str) -> Q:
    """The reference holds ``q``: at its start, or after its first character — the same rows as ``icontains``,
    each side answered by its own index (``indexes.postgres_reference_create``)."""
    return Q(ref__istartswith=q) | Q(IContains(Substr("ref", 2), q))


def search(actor: Any, q: str, *, limit: int = DEFAULT_LIMIT) -> Results:
    """Cases, clues and subjects the actor may see that contain ``q``, the most recently recorded first, ``limit``
    of each; nothing for a single character (``too_short``)."""
    q = normalise(q)
    limit = max(1, min(limit, MAX_LIMIT))
    use_index = indexed(q)
    if len(q) < SHORTEST:
        nothing = tuple(Group(kind, [], more=False) for kind in GROUPS)
        return Results(q, use_index, nothing, too_short=bool(q))

    def subjects(*, use: bool) -> Q:
        # A natural person's number matches only typed in full (``identifier_search``, the registry's rule); the
        # substring condition beside it is what the index answers, and holds for every row the rule lets through.
        named = _contains(SUBJECTS, q, "name", use_index=use)
        return named | _contains(SUBJECTS, q, "identifier", use_index=use) & identifier_search(q)

    # Each group with its match twice: as the substring index answers it, and plainly (the same rows), for a walk.
    sources: tuple[tuple[str, QuerySet[Any], Q, Q], ...] = (
        (
            "cases",
            Case.objects.visible_to(actor, listed=True).only("id", "ref", "title", "state", "filed_on"),
            _contains(CASES, q, "ref", "title", use_index=use_index),
            _contains(CASES, q, "ref", "title", use_index=False),
        ),
        (
            "clues",
            Clue.objects.visible_to(actor, listed=True).only("id", "ref", "summary", "status", "received_on"),
            _contains(CLUES, q, "ref", "summary", use_index=use_index),
            _contains(CLUES, q, "ref", "summary", use_index=False),
        ),
        (
            "subjects",
            Subject.objects.visible_to(actor).only("id", "kind", "name", "identifier", "platform"),
            subjects(use=use_index),
            subjects(use=False),
        ),
    )
    groups = []
    for kind, scoped, match, plain in sources:
        rows = _newest(scoped, match, plain, limit + 1)
        groups.append(Group(kind, rows[:limit], more=len(rows) > limit))
    return Results(q, use_index, tuple(groups))


def _newest(scoped: QuerySet[Any], match: Q, plain: Q, limit: int) -> list[Any]:
    """The ``limit`` rows of ``scoped`` that ``match`` recorded last (highest primary key first); ``plain`` is the
    same condition without the substring indexes (cheaper on each row of a walk).

    Asked as one ordered query, the planner walks the rows newest first until enough match, costed as if the
    matches were spread evenly. They rarely are: a name given in one year, a number of the early registrations.
    At 1.4 million subjects, a term whose 8,333 matches all lay among the older rows walked 843,000 of them
    (0.5 s). So, exact in both branches:

    1. the rows of the ``WINDOW`` newest primary keys are walked: a common term (one row in a few hundred) is
       met there, for the price of a short walk;
    2. if fewer than ``limit`` match there, all matches are found from the substring index and sorted by the
       database (an expression key, so that no walk is taken). What that costs grows with the matches, not the
       table: a rare term (a reference, a name) is a few index entries; a term of mid frequency whose matches
       all lie further back (tens of thousands) is the dearest case, and is read once.

    An earlier version first probed up to 2,000 matches from the index and sorted them here, and walked 20,000
    rows before sorting: for a term of mid frequency both came on top of the sort (at 1,000,000 cases, a
    provincial search of ``网站10`` spent 85 of its 200 ms there).
    """
    # Both branches go in one statement, so that a search sends the same queries whatever it finds: the sort is
    # gated by the walk's count, a condition the database evaluates once, before it would read a match.
    # The reader's newest row bounds the window (read through the jurisdiction like everything else here). Read
    # first, so the walk's bound is a value the planner sees: as a subquery it guessed a third of the rows above it
    # and walked the province's cases by office instead (a provincial search's median 42 → 64 ms).
    top = scoped.order_by("-pk").values_list("pk", flat=True).first()
    if top is None:
        return []
    walk = scoped.filter(plain, pk__gt=top - WINDOW).order_by("-pk")[:limit]
    everything = scoped.filter(match).order_by(OrderBy(Coalesce(F("pk"), F("pk")), descending=True))[:limit]
    try:
        walk_sql, walk_params = walk.query.sql_with_params()
        all_sql, all_params = everything.query.sql_with_params()
    except EmptyResultSet:  # a reader who may see none of the group
        return []
    sql = (
        f"WITH walk AS ({walk_sql}) SELECT walk.*, 0 AS sorted FROM walk UNION ALL "  # noqa: S608 - Django's SQL
        f"SELECT everything.*, 1 AS sorted FROM ({all_sql}) everything WHERE (SELECT COUNT(*) FROM walk) < %s"
    )
    rows = list(scoped.model._default_manager.raw(sql, [*walk_params, *all_params, limit]))
    walked = [row for row in rows if not row.sorted]
    found = walked if len(walked) == limit else [row for row in rows if row.sorted]
    return sorted(found, key=lambda row: row.pk, reverse=True)
