"""`docket import measures`: historical measures from a legacy system, all or nothing.

The file is read into DuckDB and checked there as whole columns — offices, measures, kinds, dates,
quantities, amounts, campaigns, cases and categories by joins, duplicates by a window — with each subject
identifier normalised once however many rows repeat it. Every bad row is reported (row, field, reason). Only
a clean file is written, in one transaction: its subjects matched or created, the measures in the order of
their main index (office, date, type) so the index grows at its end, their targets and campaign tags, the
aggregate cells merged in one pass, the audit entry and the import's record (``core.imports``): a file is
in once, entirely or not at all.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import IO, Any

import duckdb
from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from docket.audit.services import audit_record
from docket.campaigns.models import Campaign
from docket.cases.models import Case
from docket.core.bulk import analyze, bulk_insert, lock_tables, reserve_ids
from docket.core.columnar import (
    Upload,
    copy_to_table,
    count,
    duck,
    load_csv,
    read_header,
    register,
    spool,
    workspace,
)
from docket.core.dates import local_date
from docket.core.errors import FieldError, InvalidInput
from docket.core.imports import Run, import_run
from docket.measures import cells
from docket.measures.models import Measure, MeasureTarget
from docket.measures.outbox import orders_addressed
from docket.measures.types import SPECS, Authority, MeasureType
from docket.officers.actors import Actor
from docket.officers.models import Role
from docket.officers.permissions import require_role
from docket.offices.models import Office
from docket.subjects.models import Kind, Subject
from docket.subjects.validators import InvalidIdentifier, normalise_identifier
from docket.taxonomy.models import ViolationCategory

REQUIRED = ("office_code", "date", "measure", "subject_kind", "subject_identifier")
OPTIONAL = (
    "subject_name",
    "subject_platform",
    "quantity",
    "amount",
    "campaign",
    "case_ref",
    "legal_basis",
    "category",
)
# Columns that may hold tabs and line breaks; every other refuses them.
FREE_TEXT = ("legal_basis", "subject_name")
MAX_QUANTITY = 2**31 - 1  # the database's integer
# No online measure predates the internet in China (1994): an earlier year is a typing error (and the
# databases disagree on years before 1 AD).
EARLIEST = dt.date(1990, 1, 1)
MEASURE_COLUMNS = (
    "id",
    "office_id",
    "type",
    "taken_on",
    "case_id",
    "addressee_id",
    "amount",
    "quantity",
    "authority",
    "receipt_ref",
    "confirmation",
    "verification",
    "escalated",
    "legal_basis",
    "details",
    "created_at",
)


def measures_import(
    *,
    actor: Actor | None,
    data: bytes | IO[bytes],
    now: dt.datetime,
    progress: Any = None,
    system: bool = False,
    name: str = "",
    again: bool = False,
) -> dict[str, int]:
    """Import a CSV of measures, all or nothing. Raises InvalidInput listing every bad row, AlreadyImported
    (a Conflict) when the same file is in already and ``again`` is not given.

    An office head imports the records of their office's jurisdiction: an office or case outside it reads
    as unknown. ``system`` (the ``docket import`` command, run by whoever runs the server) may import for
    any office. ``data`` is read as a stream, within the import limits; ``name`` is the file's name for the
    import record.
    """
    offices = Office.objects.all()
    cases = Case.objects.all()
    if not system:
        require_role(actor, Role.OFFICE_HEAD, doing=_("Importing measures"))
        assert actor is not None and actor.office is not None  # noqa: S101 - require_role refuses the rest
        offices = offices.filter(path__subtree=actor.office.path)
        cases = cases.visible_to(actor)
    with workspace() as tmp:
        upload = spool(data, tmp)
        with (
            import_run(kind="measures", upload=upload, name=name, actor=actor, now=now, again=again) as run,
            duck(tmp) as con,
        ):
            summary, filled = _checked_and_written(con, upload, run, actor, now, offices, cases, progress)
    # Fresh planner statistics for the tables just filled, once the rows are in (outside the locks); the cells
    # are analysed by cells_merge itself when it wrote many.
    analyze(*filled)
    return summary


def _checked_and_written(
    con: duckdb.DuckDBPyConnection,
    upload: Upload,
    run: Run,
    actor: Actor | None,
    now: dt.datetime,
    offices: QuerySet[Office],
    cases: QuerySet[Case],
    progress: Any,
) -> tuple[dict[str, int], list[Any]]:
    """The import proper: read, check, write. Returns its summary and the tables it filled."""
    header = read_header(upload, REQUIRED, OPTIONAL)
    errors = load_csv(con, upload, header, free_text=FREE_TEXT)
    for column in OPTIONAL:
        if column not in header:
            con.execute(f"ALTER TABLE raw ADD COLUMN {column} VARCHAR DEFAULT ''")
    rows = count(con, "SELECT count(*) FROM raw")

    def step() -> None:
        # Six steps of one file's worth each: read, check, subjects, measures, targets, cells.
        if progress is not None:
            progress.update(rows)

    if progress is not None:
        progress.reset(total=6 * rows)
    step()
    errors += _validate(con, today=local_date(now), offices=offices, cases=cases)
    if errors:
        errors.sort(key=lambda e: (e.row or 0, e.field))
        raise InvalidInput(errors)
    step()
    with run.commit():
        summary = _write(con, now, step)
        audit_record(
            actor=actor,
            action="measure.import",
            object_type="measures.measure",
            now=now,
            detail={**summary, "sha256": upload.sha256, "import": run.record.pk},
        )
        run.done(rows=summary["rows"], result=summary)
    tagged = count(con, "SELECT count(*) FROM m WHERE campaign_id IS NOT NULL")
    filled = [Measure, MeasureTarget] + [Subject] * bool(summary["subjects_created"])
    return summary, filled + [Measure.campaigns.through] * bool(tagged)


def _validate(
    con: duckdb.DuckDBPyConnection, *, today: dt.date, offices: QuerySet[Office], cases: QuerySet[Case]
) -> list[FieldError]:
    """Join the rows to what they name (among ``offices`` and ``cases``); return every error.

    Leaves table ``v``: one checked row per row.
    """
    register(con, "offices", {"code": "VARCHAR", "office_id": "BIGINT"}, list(offices.values_list("code", "id")))
    pairs = [(m, k) for m, spec in SPECS.items() for k in sorted(spec.kinds)]
    # An order to close accounts is addressed to the platform (an organisation) that closes them.
    pairs.append((MeasureType.ACCOUNT_CLOSURE_ORDER, Kind.ORGANISATION))
    register(con, "pairs", {"measure": "VARCHAR", "kind": "VARCHAR"}, pairs)
    register(con, "specs", {"measure": "VARCHAR", "has_amount": "BOOLEAN"}, [(m, s.amount) for m, s in SPECS.items()])
    register(con, "kinds", {"kind": "VARCHAR"}, [(k,) for k in Kind.values])
    campaigns = list(Campaign.objects.values_list("slug", "id"))
    register(con, "campaigns", {"slug": "VARCHAR", "campaign_id": "BIGINT"}, campaigns)
    codes = ViolationCategory.objects.values_list("code", flat=True)
    categories = [(c, json.dumps(c, ensure_ascii=False)) for c in codes]
    register(con, "categories", {"code": "VARCHAR", "json": "VARCHAR"}, categories)
    refs = [r[0] for r in con.execute("SELECT DISTINCT case_ref FROM raw WHERE case_ref <> ''").fetchall()]
    named: list[tuple[str, int, int]] = []
    for i in range(0, len(refs), 900):
        named += cases.filter(ref__in=refs[i : i + 900]).values_list("ref", "id", "office_id")
    register(con, "cases", {"ref": "VARCHAR", "case_id": "BIGINT", "case_office": "BIGINT"}, named)
    _identities(con)
    con.execute(
        r"""
        CREATE TABLE v AS SELECT r.*, o.office_id,
            CASE WHEN regexp_full_match(r.date, '\d{4}-\d{2}-\d{2}') THEN try_cast(r.date AS DATE) END AS taken_on,
            s.measure IS NOT NULL AS measure_ok, coalesce(s.has_amount, false) AS has_amount,
            k.kind IS NOT NULL AS kind_ok, p.kind IS NOT NULL AS pair_ok,
            i.ident, i.plat, i.field AS id_field, i.message AS id_message,
            CASE WHEN regexp_full_match(r.quantity, '[+-]?\d{1,12}') THEN CAST(r.quantity AS BIGINT) END AS qty,
            regexp_full_match(r.amount, '\d{1,12}(\.\d{1,2})?') AS amount_ok,
            try_cast(r.amount AS DOUBLE) AS amount_number,
            c.campaign_id, cs.case_id, cs.case_office, cat.json AS category_json,
            r.measure = 'account_closure_order' AND r.subject_kind = 'organisation' AS addressed
        FROM raw r
        LEFT JOIN offices o ON o.code = r.office_code
        LEFT JOIN specs s ON s.measure = r.measure
        LEFT JOIN kinds k ON k.kind = r.subject_kind
        LEFT JOIN pairs p ON p.measure = r.measure AND p.kind = r.subject_kind
        LEFT JOIN idn i ON i.kind = r.subject_kind AND i.identifier = r.subject_identifier
            AND i.platform = r.subject_platform
        LEFT JOIN campaigns c ON c.slug = r.campaign
        LEFT JOIN cases cs ON cs.ref = r.case_ref
        LEFT JOIN categories cat ON cat.code = r.category
        """
    )
    con.execute(
        """
        CREATE TABLE errs AS
        SELECT n, 'office_code' AS field, 'office' AS code, office_code AS arg FROM v WHERE office_id IS NULL
        UNION ALL SELECT n, 'date', 'date', date FROM v WHERE taken_on IS NULL
        UNION ALL SELECT n, 'date', 'future', date FROM v WHERE taken_on > ?
        UNION ALL SELECT n, 'date', 'early', date FROM v WHERE taken_on < ?
        UNION ALL SELECT n, 'measure', 'measure', measure FROM v WHERE NOT measure_ok
        UNION ALL SELECT n, 'subject_kind', 'kind', subject_kind FROM v WHERE NOT kind_ok
        UNION ALL SELECT n, 'subject_kind', 'pair', measure || ' ' || subject_kind FROM v
            WHERE kind_ok AND measure_ok AND NOT pair_ok
        UNION ALL SELECT n, id_field, 'identifier', id_message FROM v WHERE id_field IS NOT NULL
        UNION ALL SELECT n, 'quantity', 'quantity', quantity FROM v WHERE quantity <> '' AND qty IS NULL
        UNION ALL SELECT n, 'quantity', 'negative', quantity FROM v WHERE qty < 0
        UNION ALL SELECT n, 'quantity', 'too_large', quantity FROM v WHERE qty > ?
        UNION ALL SELECT n, 'amount', 'amount', amount FROM v WHERE amount <> '' AND amount_number IS NULL
        UNION ALL SELECT n, 'amount', 'yuan', amount FROM v
            WHERE amount <> '' AND amount_number IS NOT NULL AND (NOT amount_ok OR amount_number <= 0)
        UNION ALL SELECT n, 'amount', 'no_amount', measure FROM v WHERE amount <> '' AND measure_ok AND NOT has_amount
        UNION ALL SELECT n, 'campaign', 'campaign', campaign FROM v WHERE campaign <> '' AND campaign_id IS NULL
        UNION ALL SELECT n, 'case_ref', 'case', case_ref FROM v WHERE case_ref <> '' AND case_id IS NULL
        UNION ALL SELECT n, 'case_ref', 'case_office', case_ref FROM v WHERE case_office <> office_id
        UNION ALL SELECT n, 'category', 'category', category FROM v WHERE category <> '' AND category_json IS NULL
        """,
        [today, EARLIEST, MAX_QUANTITY],
    )
    # Two rows saying the same thing are one measure recorded twice: the later is refused, naming the first.
    con.execute(
        """
        INSERT INTO errs SELECT n, 'row', 'duplicate', CAST(first AS VARCHAR) FROM (
            SELECT n, min(n) OVER (PARTITION BY office_id, taken_on, measure, subject_kind, ident, plat, qty,
                                   try_cast(amount AS DECIMAL(14, 2)), campaign, case_ref) AS first
            FROM v WHERE n NOT IN (SELECT n FROM errs)
        ) WHERE n > first
        """
    )
    return [
        FieldError(field, _message(code, arg), n)
        for n, field, code, arg in con.execute("SELECT n, field, code, arg FROM errs ORDER BY n, field").fetchall()
    ]


def _message(code: str, arg: str) -> str:
    if code == "office":
        return _("no office with code %(c)r") % {"c": arg}
    if code == "date":
        return _("not a date (YYYY-MM-DD): %(v)r") % {"v": arg}
    if code == "future":
        return _("%(d)s is in the future") % {"d": arg}
    if code == "early":
        return _("%(d)s is before %(year)s") % {"d": arg, "year": EARLIEST.year}
    if code == "measure":
        return _("unknown measure %(m)r") % {"m": arg}
    if code == "kind":
        return _("unknown kind %(k)r") % {"k": arg}
    if code == "pair":
        measure, kind = arg.split(" ", 1)
        return _("a %(m)s cannot be aimed at a %(k)s") % {"m": measure, "k": kind}
    if code == "identifier":
        return arg
    if code == "quantity":
        return _("a whole number")
    if code == "negative":
        return _("a quantity is not negative")
    if code == "too_large":
        return _("at most %(n)s") % {"n": f"{MAX_QUANTITY:,}"}
    if code == "amount":
        return _("not an amount: %(v)r") % {"v": arg}
    if code == "yuan":
        return _("a positive amount in yuan and fen")
    if code == "no_amount":
        return _("a %(m)s has no amount") % {"m": arg}
    if code == "campaign":
        return _("no campaign %(c)r") % {"c": arg}
    if code == "case":
        return _("no case %(c)r") % {"c": arg}
    if code == "case_office":
        return _("case %(c)r belongs to another office") % {"c": arg}
    if code == "category":
        return _("no violation category %(c)r") % {"c": arg}
    return _("the same measure as row %(r)s") % {"r": arg}


def _identities(con: duckdb.DuckDBPyConnection) -> None:
    """Table ``idn``: each distinct (kind, identifier, platform) of the file, normalised once, or its error."""
    distinct = con.execute(
        "SELECT DISTINCT subject_kind, subject_identifier, subject_platform FROM raw "
        "WHERE subject_kind IN (SELECT kind FROM kinds)"
    ).fetchall()
    rows: list[tuple[str, str, str, str | None, str | None, str | None, str | None]] = []
    for kind, ident, platform in distinct:
        # Either the normalised identity, or the field at fault and why.
        try:
            value, plat = normalise_identifier(kind, ident, platform)
            if len(value) > 200:
                raise InvalidIdentifier(_("at most %(n)s characters") % {"n": 200})
            rows.append((kind, ident, platform, value, plat, None, None))
        except InvalidIdentifier as exc:
            field = "subject_platform" if exc.field == "platform" else "subject_identifier"
            rows.append((kind, ident, platform, None, None, field, str(exc)))
    columns = ("kind", "identifier", "platform", "ident", "plat", "field", "message")
    register(con, "idn", dict.fromkeys(columns, "VARCHAR"), rows)


def _write(con: duckdb.DuckDBPyConnection, now: dt.datetime, step: Callable[[], None]) -> dict[str, int]:
    created_at = str(Measure._meta.get_field("created_at").get_db_prep_value(now, connection))
    lock_tables([Subject, Measure, MeasureTarget])
    created = _subjects(con, created_at)
    step()
    n = count(con, "SELECT count(*) FROM v")
    first = reserve_ids(Measure, n)
    con.execute(
        """
        CREATE TABLE m AS SELECT ? - 1 + row_number() OVER (ORDER BY office_id, taken_on, measure, n) AS id,
            v.*, s.subject_id
        FROM v JOIN subj s ON s.kind = v.subject_kind AND s.platform = v.plat AND s.identifier = v.ident
        """,
        [first],
    )
    copy_to_table(
        con,
        Measure._meta.db_table,
        MEASURE_COLUMNS,
        f"""
        SELECT id, office_id, measure, strftime(taken_on, '%Y-%m-%d'), case_id,
            CASE WHEN addressed THEN subject_id END, CAST(try_cast(amount AS DECIMAL(14, 2)) AS VARCHAR), qty,
            -- a legacy transfer names no destination Docket knows: it went to "another authority"
            CASE WHEN measure = 'transfer' THEN '{Authority.OTHER.value}' ELSE '' END,
            '', '', '', false, legal_basis,
            CASE WHEN category_json IS NULL THEN '{{"imported_row": ' || n || '}}'
                 ELSE '{{"category": ' || category_json || ', "imported_row": ' || n || '}}' END,
            ? FROM m ORDER BY id
        """,
        [created_at],
    )
    step()
    targets = count(con, "SELECT count(*) FROM m WHERE NOT addressed")
    first_target = reserve_ids(MeasureTarget, targets)
    copy_to_table(
        con,
        MeasureTarget._meta.db_table,
        ("id", "measure_id", "subject_id", "status", "done_on", "note"),
        "SELECT ? - 1 + row_number() OVER (ORDER BY id), id, subject_id, 'ordered', NULL, '' FROM m "
        "WHERE NOT addressed ORDER BY id",
        [first_target],
    )
    step()
    copy_to_table(
        con,
        Measure.campaigns.through._meta.db_table,
        ("measure_id", "campaign_id"),
        "SELECT id, campaign_id FROM m WHERE campaign_id IS NOT NULL ORDER BY id",
    )
    _cells(con)
    _announce(con, now)
    step()
    return {"rows": n, "measures": n, "subjects_created": created}


# Orders announced to the outbox per call: each call costs one query when no addressee has a webhook endpoint.
ANNOUNCED = 50_000


def _announce(con: duckdb.DuckDBPyConnection, now: dt.datetime) -> None:
    """The orders addressed to a platform, handed to the outbox in this transaction like any other order's."""
    cursor = con.execute("SELECT id, subject_id FROM m WHERE addressed ORDER BY id")
    while rows := cursor.fetchmany(ANNOUNCED):
        orders_addressed([(int(m), int(a)) for m, a in rows], now=now)


def _subjects(con: duckdb.DuckDBPyConnection, created_at: str) -> int:
    """Table ``subj`` (kind, platform, identifier → subject_id): the file's subjects, matched or created."""
    con.execute(
        "CREATE TABLE wanted AS SELECT subject_kind AS kind, plat AS platform, ident AS identifier, "
        "left(arg_min(CASE WHEN subject_name <> '' THEN subject_name ELSE ident END, n), 300) AS name "
        "FROM v GROUP BY ALL"
    )
    matched: list[tuple[str, str, str, int]] = []
    if Subject.objects.exists():  # a first load into an empty registry has nothing to match
        matched = _match_subjects(con.execute("SELECT kind, platform, identifier FROM wanted").fetchall())
    types = {"kind": "VARCHAR", "platform": "VARCHAR", "identifier": "VARCHAR", "subject_id": "BIGINT"}
    register(con, "matched", types, matched)
    new = count(con, "SELECT count(*) FROM wanted") - len(matched)
    first = reserve_ids(Subject, new)
    con.execute(
        """
        CREATE TABLE subj AS
        SELECT w.kind, w.platform, w.identifier, w.name, m.subject_id IS NULL AS new,
            coalesce(m.subject_id, ? - 1 + row_number() OVER (PARTITION BY m.subject_id IS NULL
                                                             ORDER BY w.kind, w.platform, w.identifier)) AS subject_id
        FROM wanted w LEFT JOIN matched m USING (kind, platform, identifier)
        """,
        [first],
    )
    copy_to_table(
        con,
        Subject._meta.db_table,
        (
            "id",
            "kind",
            "name",
            "identifier",
            "platform",
            "operator_id",
            "runs_platform",
            "legal_representative",
            "icp_number",
            "licence_number",
            "stores",
            "account_type",
            "handle",
            "position",
            "created_at",
        ),
        "SELECT subject_id, kind, name, identifier, platform, NULL, '', '', '', '', '[]', '', '', '', ? "
        "FROM subj WHERE new ORDER BY subject_id",
        [created_at],
    )
    return new


def _match_subjects(wanted: list[tuple[str, str, str]]) -> list[tuple[str, str, str, int]]:
    """The subjects already registered among ``wanted``, by a join against a temporary table."""
    quote = connection.ops.quote_name
    # PostgreSQL drops the table with the transaction, even a failed one; SQLite's is dropped by hand.
    drop = " ON COMMIT DROP" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE import_identity "
            f"(kind varchar(20), platform varchar(40), identifier varchar(200)){drop}"
        )
        bulk_insert("import_identity", ("kind", "platform", "identifier"), wanted)
        cursor.execute(
            "SELECT t.kind, t.platform, t.identifier, s.id FROM import_identity t "
            f"JOIN {quote(Subject._meta.db_table)} s "
            "ON s.kind = t.kind AND s.platform = t.platform AND s.identifier = t.identifier"
        )
        found = [tuple(r) for r in cursor.fetchall()]
        if not drop:
            cursor.execute("DROP TABLE import_identity")
    return found


def _cells(con: duckdb.DuckDBPyConnection) -> None:
    """Merge the new measures into the aggregate cells, by Docket's one counting rule (``CELLS_SQL``)."""
    cells.keeper().add_from_duckdb(
        con,
        measures="SELECT id, office_id, taken_on, measure AS type, qty AS quantity, "
        "CASE WHEN addressed THEN subject_id END AS addressee_id, "
        "CASE WHEN addressed THEN subject_kind END AS addressee_kind FROM m",
        targets="SELECT id AS measure_id, subject_id, subject_kind AS kind FROM m WHERE NOT addressed",
        campaigns="SELECT id AS measure_id, campaign_id FROM m WHERE campaign_id IS NOT NULL",
    )
