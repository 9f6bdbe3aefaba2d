"""`docket import measures`: historical measures from a legacy system, all or nothing.

Every row is validated first and every bad row reported (row, field, reason); only a clean file is
written, in one transaction, with its subjects matched or created, and the aggregate cells updated with it.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from docket.audit.services import audit_record
from docket.campaigns.models import Campaign
from docket.cases.models import Case
from docket.core.bulk import bulk_insert
from docket.core.dates import local_date
from docket.core.errors import FieldError, InvalidInput
from docket.measures.models import Measure, MeasureTarget
from docket.measures.types import SPECS, Authority, MeasureType
from docket.offices.models import Office
from docket.reports.aggregates import Fact, _apply, deltas, scopes_of
from docket.subjects.models import Kind, Subject
from docket.subjects.services import subjects_insert
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
KINDS = frozenset(Kind.values)


@dataclass
class Row:
    number: int
    office_id: int
    path: str
    date: dt.date
    measure: str
    kind: str
    identifier: str
    platform: str
    name: str
    quantity: int | None
    amount: Decimal | None
    campaign_id: int | None
    case_id: int | None
    legal_basis: str
    category: str


def measures_import(*, actor: Any, data: bytes, now: dt.datetime, progress: Any = None) -> dict[str, int]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(FieldError("file", _("not UTF-8 text (byte %(start)s)") % {"start": exc.start})) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
    if missing or unknown:
        raise InvalidInput(
            [FieldError(c, _("required column missing"), 1) for c in missing]
            + [FieldError(c, _("unknown column"), 1) for c in unknown]
        )
    col = {name: i for i, name in enumerate(header)}
    width = len(header)
    if progress is not None:
        progress.reset(total=2 * max(0, text.count("\n") - 1))

    offices = {code: (pk, path) for code, pk, path in Office.objects.values_list("code", "id", "path")}
    campaigns = dict(Campaign.objects.values_list("slug", "id"))
    categories = set(ViolationCategory.objects.values_list("code", flat=True))
    case_refs: dict[str, int] = {}
    wanted_cases = set()
    today = local_date(now)
    identities: dict[tuple[str, str, str], tuple[str, str] | InvalidIdentifier] = {}
    errors: list[FieldError] = []
    rows: list[Row] = []
    seen: dict[tuple[Any, ...], int] = {}
    raw_rows = list(reader)
    if "case_ref" in col:
        wanted_cases = {r[col["case_ref"]].strip() for r in raw_rows if len(r) == width and r[col["case_ref"]].strip()}
        case_refs = dict(Case.objects.filter(ref__in=wanted_cases).values_list("ref", "id"))
        case_offices = dict(Case.objects.filter(ref__in=wanted_cases).values_list("ref", "office_id"))

    def get(r: list[str], name: str) -> str:
        i = col.get(name)
        return r[i].strip() if i is not None else ""

    for number, r in enumerate(raw_rows, start=2):
        if progress is not None and number % 10000 == 0:
            progress.update(10000)
        if len(r) != width:
            if not any(v.strip() for v in r):
                continue
            errors.append(
                FieldError("row", _("%(n)d fields where the header has %(w)d") % {"n": len(r), "w": width}, number)
            )
            continue
        bad = len(errors)
        office = offices.get(get(r, "office_code"))
        if office is None:
            errors.append(
                FieldError("office_code", _("no office with code %(c)r") % {"c": get(r, "office_code")}, number)
            )
        try:
            date = dt.date.fromisoformat(get(r, "date"))
            if date > today:
                errors.append(FieldError("date", _("%(d)s is in the future") % {"d": date}, number))
        except ValueError:
            date = today
            errors.append(FieldError("date", _("not a date (YYYY-MM-DD): %(v)r") % {"v": get(r, "date")}, number))
        measure = get(r, "measure")
        spec = SPECS.get(measure)
        if spec is None:
            errors.append(FieldError("measure", _("unknown measure %(m)r") % {"m": measure}, number))
        kind = get(r, "subject_kind")
        if kind not in KINDS:
            errors.append(FieldError("subject_kind", _("unknown kind %(k)r") % {"k": kind}, number))
        elif (
            spec is not None
            and kind not in spec.kinds
            and not (measure == MeasureType.ACCOUNT_CLOSURE_ORDER and kind == Kind.ORGANISATION)
        ):
            errors.append(
                FieldError("subject_kind", _("a %(m)s cannot be aimed at a %(k)s") % {"m": measure, "k": kind}, number)
            )
        identity = (kind, get(r, "subject_identifier"), get(r, "subject_platform"))
        if kind in KINDS:
            if identity not in identities:
                try:
                    identities[identity] = normalise_identifier(*identity)
                except InvalidIdentifier as exc:
                    identities[identity] = exc
            result = identities[identity]
            if isinstance(result, InvalidIdentifier):
                field = "subject_platform" if result.field == "platform" else "subject_identifier"
                errors.append(FieldError(field, str(result), number))
        quantity = None
        if get(r, "quantity"):
            try:
                quantity = int(get(r, "quantity"))
                if quantity < 0:
                    errors.append(FieldError("quantity", _("a quantity is not negative"), number))
            except ValueError:
                errors.append(FieldError("quantity", _("a whole number"), number))
        amount = None
        if get(r, "amount"):
            try:
                amount = Decimal(get(r, "amount"))
                if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
                    errors.append(FieldError("amount", _("a positive amount in yuan and fen"), number))
            except InvalidOperation:
                errors.append(FieldError("amount", _("not an amount: %(v)r") % {"v": get(r, "amount")}, number))
            if spec is not None and not spec.amount:
                errors.append(FieldError("amount", _("a %(m)s has no amount") % {"m": measure}, number))
        campaign = get(r, "campaign")
        if campaign and campaign not in campaigns:
            errors.append(FieldError("campaign", _("no campaign %(c)r") % {"c": campaign}, number))
        case_ref = get(r, "case_ref")
        if case_ref and case_ref not in case_refs:
            errors.append(FieldError("case_ref", _("no case %(c)r") % {"c": case_ref}, number))
        elif case_ref and office is not None and case_offices[case_ref] != office[0]:
            errors.append(FieldError("case_ref", _("case %(c)r belongs to another office") % {"c": case_ref}, number))
        category = get(r, "category")
        if category and category not in categories:
            errors.append(FieldError("category", _("no violation category %(c)r") % {"c": category}, number))
        if len(errors) > bad:
            continue
        assert office is not None and spec is not None
        ident, platform = identities[identity]  # type: ignore[misc]
        key = (office[0], date, measure, kind, ident, platform, quantity, amount, campaign, case_ref)
        if key in seen:
            errors.append(FieldError("row", _("the same measure as row %(r)d") % {"r": seen[key]}, number))
            continue
        seen[key] = number
        rows.append(
            Row(
                number,
                office[0],
                office[1],
                date,
                measure,
                kind,
                ident,
                platform,
                get(r, "subject_name") or ident,
                quantity,
                amount,
                campaigns[campaign] if campaign else None,
                case_refs[case_ref] if case_ref else None,
                get(r, "legal_basis"),
                category,
            )
        )
    if errors:
        raise InvalidInput(errors)

    with transaction.atomic():
        subject_ids = _subjects(rows, now)
        ids = _insert(rows, subject_ids, now)
        if progress is not None:
            progress.update(len(rows))
        _apply(deltas(_facts(rows, ids, subject_ids)), +1, set())
        summary = {"rows": len(rows), "measures": len(rows), "subjects_created": subject_ids.created}
        audit_record(
            actor=actor,
            action="measure.import",
            object_type="measures.measure",
            now=now,
            detail={**summary, "sha256": hashlib.sha256(data).hexdigest()},
        )
    return summary


class _SubjectIds(dict[tuple[str, str, str], int]):
    created = 0


def _subjects(rows: list[Row], now: dt.datetime) -> _SubjectIds:
    """Match subjects by identity; create the missing ones (named as the file names them)."""
    wanted: dict[tuple[str, str, str], str] = {}
    for row in rows:
        wanted.setdefault((row.kind, row.platform, row.identifier), row.name)
    out = _SubjectIds()
    by_kind: dict[tuple[str, str], list[str]] = defaultdict(list)
    for kind, platform, ident in wanted:
        by_kind[(kind, platform)].append(ident)
    for (kind, platform), idents in by_kind.items():
        for i in range(0, len(idents), 900):
            for ident, pk in Subject.objects.filter(
                kind=kind, platform=platform, identifier__in=idents[i : i + 900]
            ).values_list("identifier", "id"):
                out[(kind, platform, ident)] = pk
    missing = [
        {"kind": k, "platform": p, "identifier": i, "name": wanted[(k, p, i)][:300]}
        for (k, p, i) in wanted
        if (k, p, i) not in out
    ]
    if missing:
        subjects_insert(missing, {}, now, None)
        for kind, platform in {(m["kind"], m["platform"]) for m in missing}:
            idents = [m["identifier"] for m in missing if m["kind"] == kind and m["platform"] == platform]
            for i in range(0, len(idents), 900):
                for ident, pk in Subject.objects.filter(
                    kind=kind, platform=platform, identifier__in=idents[i : i + 900]
                ).values_list("identifier", "id"):
                    out[(kind, platform, ident)] = pk
    out.created = len(missing)
    return out


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


def _insert(rows: list[Row], subject_ids: dict[tuple[str, str, str], int], now: dt.datetime) -> list[int]:
    """Write measures with ids taken in one block, then their targets and campaign tags."""
    quote = connection.ops.quote_name
    table = Measure._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {quote(table)} IN EXCLUSIVE MODE")
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {quote(table)}")  # noqa: S608
        first = int(cursor.fetchone()[0]) + 1
    ids = list(range(first, first + len(rows)))
    created_at = Measure._meta.get_field("created_at").get_db_prep_value(now, connection)
    measures, targets, tags = [], [], []
    for mid, row in zip(ids, rows, strict=True):
        subject = subject_ids[(row.kind, row.platform, row.identifier)]
        addressed = row.measure == MeasureType.ACCOUNT_CLOSURE_ORDER and row.kind == Kind.ORGANISATION
        details = (
            {"category": row.category, "imported_row": row.number} if row.category else {"imported_row": row.number}
        )
        measures.append(
            (
                mid,
                row.office_id,
                row.measure,
                row.date,
                row.case_id,
                subject if addressed else None,
                row.amount,
                row.quantity,
                # A legacy transfer names no destination Docket knows: it is recorded as to "another authority".
                Authority.OTHER if row.measure == MeasureType.TRANSFER else "",
                "",
                "",
                "",
                False,
                row.legal_basis,
                json.dumps(details),
                created_at,
            )
        )
        if not addressed:
            targets.append((mid, subject, "ordered", None, ""))
        if row.campaign_id:
            tags.append((mid, row.campaign_id))
    bulk_insert(Measure._meta.db_table, MEASURE_COLUMNS, measures)
    bulk_insert(MeasureTarget._meta.db_table, ("measure_id", "subject_id", "status", "done_on", "note"), targets)
    bulk_insert(Measure.campaigns.through._meta.db_table, ("measure_id", "campaign_id"), tags)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Ids were taken by hand: move the sequence past them.
            sql = f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT MAX(id) FROM {quote(table)}))"  # noqa: S608
            cursor.execute(sql, [table])
    return ids


def _facts(rows: list[Row], ids: list[int], subject_ids: dict[tuple[str, str, str], int]) -> list[Fact]:
    scopes = scopes_of(row.path for row in rows)
    out = []
    for mid, row in zip(ids, rows, strict=True):
        sid = subject_ids[(row.kind, row.platform, row.identifier)]
        out.append(
            Fact(
                id=mid,
                scopes=scopes[row.path],
                month=row.date.replace(day=1),
                type=row.measure,
                quantity=row.quantity or 0,
                campaigns=(row.campaign_id,) if row.campaign_id else (),
                subjects=((sid, row.kind),),
            )
        )
    return out
