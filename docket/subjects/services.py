import datetime as dt
import json
from collections.abc import Iterable
from typing import IO, Any

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from docket.audit.services import audit_record, service
from docket.core.bulk import analyze, lock_tables
from docket.core.columnar import read_header, read_records, spool, workspace
from docket.core.errors import Conflict, FieldError, InvalidInput
from docket.core.imports import Run, import_run
from docket.officers.actors import Actor
from docket.officers.models import CASE_READERS, Role
from docket.officers.permissions import require_role
from docket.subjects.models import AccountType, Kind, Subject
from docket.subjects.validators import (
    InvalidIdentifier,
    normalise_icp_filing,
    normalise_icp_licence,
    normalise_identifier,
    normalise_platform,
    normalise_uscc,
)

KINDS = frozenset(Kind.values)
ACCOUNT_TYPES = frozenset(AccountType.values)
REGISTRARS = (*CASE_READERS, Role.ADMINISTRATOR)

# Columns of `docket import subjects`; README documents each.
REQUIRED_COLUMNS = ("kind", "name", "identifier")
OPTIONAL_COLUMNS = (
    "platform",
    "runs_platform",
    "operator",
    "legal_representative",
    "icp_number",
    "licence_number",
    "stores",
    "account_type",
    "handle",
    "position",
)
# Columns that may hold tabs and line breaks; every other refuses them.
FREE_TEXT = ("name", "legal_representative", "position")


def _clean(kind: str, data: dict[str, str], row: int | None) -> tuple[dict[str, Any], list[FieldError]]:
    """Validate one subject's fields. Returns the normalised values and every error found."""
    errors: list[FieldError] = []
    out: dict[str, Any] = {}
    if kind not in KINDS:
        return out, [
            FieldError(
                "kind",
                _("unknown kind %(kind)r; one of %(value)s") % {"kind": kind, "value": ", ".join(Kind.values)},
                row,
            )
        ]
    out["kind"] = kind
    name = (data.get("name") or "").strip()
    if not name:
        errors.append(FieldError("name", _("required"), row))
    elif len(name) > 300:
        errors.append(FieldError("name", _("at most 300 characters"), row))
    out["name"] = name
    try:
        out["identifier"], out["platform"] = normalise_identifier(
            kind, data.get("identifier", ""), data.get("platform", "") or ""
        )
    except InvalidIdentifier as exc:
        errors.append(FieldError(exc.field, str(exc), row))
    for field, fn, kinds in (
        ("icp_number", normalise_icp_filing, {Kind.WEBSITE}),
        ("licence_number", normalise_icp_licence, {Kind.WEBSITE, Kind.ORGANISATION}),
    ):
        value = (data.get(field) or "").strip()
        if value:
            if kind not in kinds:
                errors.append(FieldError(field, _("only for %(value)s") % {"value": ", ".join(sorted(kinds))}, row))
                continue
            try:
                out[field] = fn(value)
            except InvalidIdentifier as exc:
                errors.append(FieldError(field, str(exc), row))
    operator = (data.get("operator") or "").strip()
    if operator:
        if kind == Kind.ORGANISATION:
            errors.append(FieldError("operator", _("an organisation has no operator"), row))
        else:
            try:
                out["operator"] = normalise_uscc(operator)
            except InvalidIdentifier as exc:
                errors.append(FieldError("operator", str(exc), row))
    runs = (data.get("runs_platform") or "").strip()
    if runs:
        if kind != Kind.ORGANISATION:
            errors.append(FieldError("runs_platform", _("only an organisation runs a platform"), row))
        else:
            try:
                out["runs_platform"] = normalise_platform(runs)
            except InvalidIdentifier as exc:
                errors.append(FieldError("runs_platform", str(exc), row))
    stores = (data.get("stores") or "").strip()
    if stores:
        if kind != Kind.APP:
            errors.append(FieldError("stores", _("only for apps"), row))
        else:
            out["stores"] = [s.strip() for s in stores.split(";") if s.strip()]
    account_type = (data.get("account_type") or "").strip()
    if account_type:
        if kind != Kind.ACCOUNT:
            errors.append(FieldError("account_type", _("only for accounts"), row))
        elif account_type not in ACCOUNT_TYPES:
            errors.append(
                FieldError("account_type", _("one of %(value)s") % {"value": ", ".join(AccountType.values)}, row)
            )
        else:
            out["account_type"] = account_type
    for field, limit in (("legal_representative", 100), ("handle", 200), ("position", 100)):
        value = (data.get(field) or "").strip()
        if len(value) > limit:
            errors.append(FieldError(field, _("at most %(limit)s characters") % {"limit": limit}, row))
        elif value:
            out[field] = value
    return out, errors


def _operators(identifiers: Iterable[str]) -> dict[str, int]:
    ids = set(identifiers)
    found: dict[str, int] = {}
    chunk = list(ids)
    for i in range(0, len(chunk), 500):
        found.update(
            Subject.objects.filter(kind=Kind.ORGANISATION, platform="", identifier__in=chunk[i : i + 500]).values_list(
                "identifier", "id"
            )
        )
    return found


@service
def subject_register(*, actor: Actor, kind: str, now: dt.datetime, **fields: str) -> tuple[Subject, bool]:
    """Register a subject, or return the one already registered under the same identity."""
    require_role(actor, *REGISTRARS, doing=_("Registering subjects"))
    data, errors = _clean(kind, fields, None)
    if errors:
        raise InvalidInput(errors)
    existing = Subject.objects.filter(
        kind=data["kind"], platform=data["platform"], identifier=data["identifier"]
    ).first()
    if existing is not None:
        return existing, False
    runs = data.get("runs_platform")
    if runs and Subject.objects.filter(runs_platform=runs).exists():
        raise InvalidInput(FieldError("runs_platform", _("%(key)s is run by another organisation") % {"key": runs}))
    operator_code = data.pop("operator", None)
    if operator_code:
        operator_id = _operators([operator_code]).get(operator_code)
        if operator_id is None:
            raise InvalidInput(
                FieldError(
                    "operator", _("no organisation %(operator_code)s is registered") % {"operator_code": operator_code}
                )
            )
        data["operator_id"] = operator_id
    try:
        with transaction.atomic():
            subject = Subject.objects.create(**data)
    except IntegrityError:
        # Registered meanwhile by someone else: the identity's unique constraint decided, and the one
        # registered is returned like any subject already known. Otherwise the platform was claimed.
        existing = Subject.objects.filter(
            kind=data["kind"], platform=data["platform"], identifier=data["identifier"]
        ).first()
        if existing is not None:
            return existing, False
        raise Conflict(_("%(key)s is run by another organisation") % {"key": runs}) from None
    audit_record(
        actor=actor,
        action="subject.register",
        obj=subject,
        detail={"kind": kind, "identifier": subject.display_identifier},
        now=now,
    )
    return subject, True


def subjects_import(
    *,
    actor: "Actor | None",
    data: bytes | IO[bytes],
    now: dt.datetime,
    progress: Any = None,
    system: bool = False,
    name: str = "",
    again: bool = False,
) -> dict[str, int]:
    """Import a CSV of subjects, all or nothing. Raises InvalidInput listing every bad row, AlreadyImported
    (a Conflict) when the same file is in already and ``again`` is not given."""
    if not system:
        require_role(actor, *REGISTRARS, doing=_("Importing subjects"))
    with workspace() as tmp:
        upload = spool(data, tmp)
        with import_run(kind="subjects", upload=upload, name=name, actor=actor, now=now, again=again) as run:
            header = read_header(upload, REQUIRED_COLUMNS, OPTIONAL_COLUMNS)
            # Row by row in Python (each identifier has its own rules): no DuckDB table in between.
            records, errors = read_records(upload, header, free_text=FREE_TEXT)
            result = _import_rows(actor, records, header, errors, now, progress, run)
    analyze(Subject)
    return result


def _import_rows(
    actor: "Actor | None",
    records: list[tuple[int, list[str]]],
    header: list[str],
    errors: list[FieldError],
    now: dt.datetime,
    progress: Any,
    run: Run,
) -> dict[str, int]:
    if progress is not None:
        # One pass validates, one inserts: the bar covers both.
        progress.reset(total=2 * len(records))
    rows: list[tuple[int, dict[str, Any]]] = []
    seen: dict[tuple[str, str, str], int] = {}
    runners: dict[str, int] = {}
    for i, (rownum, values) in enumerate(records, start=1):
        raw = dict(zip(header, values, strict=True))
        kind = (raw.get("kind") or "").strip()
        clean, errs = _clean(kind, raw, rownum)
        if errs:
            errors.extend(errs)
        else:
            key = (clean["kind"], clean["platform"], clean["identifier"])
            if key in seen:
                errors.append(FieldError("identifier", _("same subject as row %(seen)s") % {"seen": seen[key]}, rownum))
            else:
                seen[key] = rownum
                rows.append((rownum, clean))
        if clean.get("runs_platform"):
            other = runners.setdefault(clean["runs_platform"], rownum)
            if other != rownum:
                errors.append(
                    FieldError("runs_platform", _("row %(other)s runs that platform") % {"other": other}, rownum)
                )
        if progress is not None and i % 5000 == 0:
            progress.update(5000)
    taken = dict(Subject.objects.filter(runs_platform__in=list(runners)).values_list("runs_platform", "identifier"))
    new_orgs = {c["identifier"] for _row, c in rows if c["kind"] == Kind.ORGANISATION}
    wanted_ops = {c["operator"] for _row, c in rows if "operator" in c}
    operator_ids = _operators(wanted_ops)
    for rownum, clean in rows:
        op = clean.get("operator")
        if op and op not in operator_ids and op not in new_orgs:
            errors.append(
                FieldError("operator", _("no organisation %(op)s in the file or the registry") % {"op": op}, rownum)
            )
        runs = clean.get("runs_platform")
        if runs and runs in taken and taken[runs] != clean["identifier"]:
            errors.append(
                FieldError(
                    "runs_platform", _("%(key)s is run by %(org)s already") % {"key": runs, "org": taken[runs]}, rownum
                )
            )
    if errors:
        errors.sort(key=lambda e: e.row or 0)
        raise InvalidInput(errors)

    with run.commit():
        # Other writers of subjects wait: the registry is matched, then added to, as one.
        lock_tables([Subject])
        existing = _existing_keys(seen.keys())
        new = [c for _row, c in rows if (c["kind"], c["platform"], c["identifier"]) not in existing]
        # Organisations first, so that what they operate is inserted with its operator already known.
        orgs = [c for c in new if c["kind"] == Kind.ORGANISATION]
        others = [c for c in new if c["kind"] != Kind.ORGANISATION]
        subjects_insert(orgs, {}, now, progress)
        operator_ids.update(_operators(wanted_ops - operator_ids.keys()))
        subjects_insert(others, operator_ids, now, progress)
        result = {"rows": len(rows), "created": len(new), "matched": len(rows) - len(new)}
        audit_record(
            actor=actor,
            action="subject.import",
            object_type="subjects.subject",
            now=now,
            detail={**result, "sha256": run.record.sha256, "import": run.record.pk},
        )
        run.done(rows=len(rows), result=result)
    return result


# The columns a bulk import writes, in order. Plain executemany: the ORM's per-object work would cost
# several times the insert itself on a 100,000-row file.
_COLUMNS = (
    "runs_platform",
    "kind",
    "name",
    "identifier",
    "platform",
    "operator_id",
    "legal_representative",
    "icp_number",
    "licence_number",
    "stores",
    "account_type",
    "handle",
    "position",
    "created_at",
)


def subjects_insert(
    cleaned: list[dict[str, Any]], operator_ids: dict[str, int], now: dt.datetime, progress: Any
) -> None:
    table = connection.ops.quote_name(Subject._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _COLUMNS)
    rows = (
        (
            c.get("runs_platform", ""),
            c["kind"],
            c["name"],
            c["identifier"],
            c["platform"],
            operator_ids[c["operator"]] if "operator" in c else None,
            c.get("legal_representative", ""),
            c.get("icp_number", ""),
            c.get("licence_number", ""),
            json.dumps(c.get("stores", []), ensure_ascii=False),
            c.get("account_type", ""),
            c.get("handle", ""),
            c.get("position", ""),
            now,
        )
        for c in cleaned
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: one stream instead of a statement per row.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for n, row in enumerate(rows, start=1):
                    copy.write_row(row)
                    if progress is not None and n % 5000 == 0:
                        progress.update(5000)
            if progress is not None:
                progress.update(len(cleaned) % 5000)
            return
        # Elsewhere, multi-row INSERTs of 500 rows (13 columns: well under SQLite's 32,766 parameters).
        created_at = Subject._meta.get_field("created_at").get_db_prep_value(now, connection)
        one = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
        batch: list[Any] = []
        for n, row in enumerate(rows, start=1):
            batch.append((*row[:-1], created_at))
            if len(batch) == 500 or n == len(cleaned):
                sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(batch))}"  # noqa: S608
                cursor.execute(sql, [v for r in batch for v in r])
                if progress is not None:
                    progress.update(len(batch))
                batch = []


def _existing_keys(keys: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str, str], int]:
    """Map identity → id for the keys already registered (queried per kind and platform)."""
    groups: dict[tuple[str, str], list[str]] = {}
    for kind, platform, ident in keys:
        groups.setdefault((kind, platform), []).append(ident)
    found: dict[tuple[str, str, str], int] = {}
    for (kind, platform), idents in groups.items():
        for i in range(0, len(idents), 900):
            qs = Subject.objects.filter(kind=kind, platform=platform, identifier__in=idents[i : i + 900])
            for ident, pk in qs.values_list("identifier", "id"):
                found[(kind, platform, ident)] = pk
    return found
