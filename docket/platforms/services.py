"""The platform channel's writes: platforms' API clients registered and deactivated, and what a platform reports
back on the orders addressed to it.

``order_items_report`` takes a batch of items (up to 1,000), each naming the platform's own item id, the target
of the order it is about, the outcome (disposed, refused, not found), a reason and the day. The batch is all or
nothing: every bad item is named by its position and field, and nothing is written while one is bad. It is
idempotent by the platform's item id: an item already stored with the same content is a replay, skipped and
named as such; the same id with other content is refused. The items are appended to the reported items' table
(COPY on PostgreSQL), the order's targets take their new status in one set-based UPDATE, and an order whose
quantity is the number of items disposed (account-closure orders) has its quantity recounted and its
aggregate cells changed in the same transaction (``cells_remove`` / ``cells_add``), as ``account_closures_report``
does. A platform's reports are taken one batch at a time (a lock per platform), so an item id is checked against
every month's partition before it is written and the same batch sent twenty times at once is stored once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from docket.audit.services import audit_record, service
from docket.core.bulk import bulk_update
from docket.core.dates import local_date
from docket.core.errors import Conflict, Denied, FieldError, GateRefused, InvalidInput, NotFound
from docket.core.vocabulary import Kind
from docket.measures.cells import cells_requantify
from docket.measures.models import Measure, MeasureTarget, TargetStatus
from docket.measures.queries import targets_and_subjects_sql
from docket.measures.services import measure_lock
from docket.measures.types import PLATFORM_ORDER_TYPES
from docket.officers.actors import Actor, SystemActor
from docket.officers.models import Officer, OfficerRole, Role
from docket.officers.permissions import require_role
from docket.platforms.models import ITEM_ID_MAX, REASON_MAX, Outcome, ReportedItem
from docket.platforms.partitions import ensure_partition, month_of
from docket.platforms.queries import QUANTITY_IS_DISPOSED, platform_of
from docket.subjects.models import Subject

MAX_ITEMS = 1000
TARGET_MAX = 200
ITEM_FIELDS = frozenset({"item_id", "target", "outcome", "reason", "on"})
OUTCOMES = frozenset(Outcome.values)
# What a target becomes when the platform answers for it: each outcome its own status, so reconciliation and
# every count by status tell an item refused from one the platform did not find.
TARGET_STATUS: dict[str, str] = {
    Outcome.DISPOSED: TargetStatus.DONE,
    Outcome.REFUSED: TargetStatus.REFUSED,
    Outcome.NOT_FOUND: TargetStatus.NOT_FOUND,
}
# A platform's reports are taken one batch at a time: (this class, the platform's id) names its advisory lock.
PLATFORM_TURN = 0x50464D31
REPORTED_COLUMNS = (
    "platform_id",
    "measure_id",
    "subject_id",
    "item_id",
    "outcome",
    "reason",
    "on",
    "received_at",
    "month",
)
# The reported items' foreign keys (migration 0001), deferred by default.
REPORTED_FKS = ("reported_item_target_fk", "reported_item_platform_fk")


# --- platforms' API clients -----------------------------------------------------------------------------------


def _may_manage_platforms(actor: Actor, doing: str) -> None:
    """The system, or an administrator of the national office: a platform's client belongs to no office."""
    if isinstance(actor, SystemActor):
        return
    require_role(actor, Role.ADMINISTRATOR, doing=doing)
    office = getattr(actor, "office", None)
    if office is None or office.parent_id is not None:
        raise Denied(_("%(what)s is for the administrators of the national office.") % {"what": doing})


@service
def platform_register(*, actor: Actor, organisation: Subject, username: str, now: dt.datetime) -> Officer:
    """A new API client for the platform ``organisation`` runs: an officer of no office, bound to that platform,
    holding the platform role and nothing else. Its tokens are made as every officer's (``token_create``)."""
    _may_manage_platforms(actor, _("Registering a platform"))
    username = (username or "").strip()
    errors = []
    if not username:
        errors.append(FieldError("username", _("Give the client a username.")))
    else:
        try:
            Officer.username_validator(username)
        except Exception as exc:  # noqa: BLE001 - Django's validator says why in its own words
            errors.append(FieldError("username", " ".join(getattr(exc, "messages", [str(exc)]))))
        if len(username) > 150:
            errors.append(FieldError("username", _("At most 150 characters.")))
    if errors:
        raise InvalidInput(errors)
    org = Subject.objects.filter(pk=organisation.pk).first()
    if org is None:
        raise NotFound(_("subject not found"))
    if org.kind != Kind.ORGANISATION or not org.runs_platform:
        raise GateRefused(
            _("%(o)s runs no platform: record the platform it runs before registering its client.") % {"o": org.name}
        )
    if Officer.objects.filter(username=username).exists():
        raise Conflict(_("The username %(u)s is taken.") % {"u": username})
    try:
        with transaction.atomic():
            client = Officer(
                username=username,
                display_name=_("%(platform)s API client") % {"platform": org.name},
                platform=org,
                office=None,
                is_staff=False,
            )
            client.set_unusable_password()
            client.save()
    except IntegrityError:
        raise Conflict(_("The username %(u)s is taken.") % {"u": username}) from None
    OfficerRole.objects.create(officer=client, role=Role.PLATFORM)
    audit_record(
        actor=actor,
        action="platform.register",
        obj=client,
        now=now,
        detail={"organisation": org.pk, "runs_platform": org.runs_platform, "username": username},
    )
    return client


@service
def platform_deactivate(*, actor: Actor, officer: Officer, now: dt.datetime) -> Officer:
    """Stop a platform's client: its tokens stop working at once (a deactivated officer's token is refused)."""
    if not isinstance(actor, SystemActor):
        office = getattr(actor, "office", None)
        # A platform's client belongs to no office: outside the national office, it is in no jurisdiction.
        if office is None or office.parent_id is not None:
            raise NotFound(_("officer not found"))
    _may_manage_platforms(actor, _("Deactivating a platform's client"))
    client: Officer | None = Officer.objects.select_for_update().filter(pk=officer.pk, platform__isnull=False).first()
    if client is None:
        raise NotFound(_("No such platform client."))
    if not client.is_active:
        raise Conflict(_("%(u)s is deactivated already.") % {"u": client.username})
    client.is_active = False
    client.save(update_fields=["is_active"])
    officer.is_active = False
    audit_record(
        actor=actor,
        action="platform.deactivate",
        obj=client,
        now=now,
        detail={"username": client.username, "platform": client.platform_id},
    )
    return client


# --- reports on orders ----------------------------------------------------------------------------------------


class ReportItem(NamedTuple):
    """One item of a platform's report, as the service takes it (a JSON object of the API is turned into one).

    A named tuple rather than a frozen dataclass: a batch makes a thousand of them, and a frozen dataclass's
    ``__init__`` (2.3 µs) cost four times a tuple's (0.6 µs made by position)."""

    item_id: str
    target: str
    outcome: str
    on: dt.date
    reason: str = ""


@dataclass(frozen=True)
class OrderReport:
    """What one batch did: how many items were stored, which were replays of items stored before."""

    order: int
    received: int
    stored: int
    # Positions in the batch of the items already stored with the same content (replays: not stored again).
    already_stored: list[int] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    quantity: int | None = None


def _item_error(i: int, name: str, message: str) -> FieldError:
    return FieldError(f"items.{i}.{name}" if name else f"items.{i}", message)


def _text(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return ""
    if not isinstance(value, str) or "\x00" in value:
        return None
    return value.strip()


def _parse(i: int, raw: object, errors: list[FieldError]) -> ReportItem | None:
    """One item's shape, or None with its errors appended (every field checked, not only the first bad one)."""
    if isinstance(raw, ReportItem):
        raw = {"item_id": raw.item_id, "target": raw.target, "outcome": raw.outcome, "reason": raw.reason, "on": raw.on}
    if not isinstance(raw, Mapping):
        errors.append(_item_error(i, "", _("An item is an object with item_id, target, outcome and on.")))
        return None
    bad = len(errors)
    for key in raw:
        if key not in ITEM_FIELDS:
            errors.append(_item_error(i, str(key), _("Unknown field.")))
    item_id = _text(raw, "item_id")
    if not item_id or len(item_id) > ITEM_ID_MAX:
        errors.append(
            _item_error(
                i, "item_id", _("Required: your own id of the item, at most %(n)d characters.") % {"n": ITEM_ID_MAX}
            )
        )
    target = _text(raw, "target")
    if not target or len(target) > TARGET_MAX:
        errors.append(_item_error(i, "target", _("Required: the identifier of a target of this order.")))
    outcome = raw.get("outcome")
    if not isinstance(outcome, str) or outcome not in OUTCOMES:
        errors.append(_item_error(i, "outcome", _("One of: disposed, refused, not_found.")))
    reason = _text(raw, "reason")
    if reason is None or len(reason) > REASON_MAX:
        errors.append(_item_error(i, "reason", _("Text of at most %(n)d characters.") % {"n": REASON_MAX}))
    elif outcome == Outcome.REFUSED and not reason:
        errors.append(_item_error(i, "reason", _("Required when the item is refused: say why.")))
    on = raw.get("on")
    if isinstance(on, str):
        try:
            on = dt.date.fromisoformat(on) if len(on) == 10 else None
        except ValueError:
            on = None
    if not isinstance(on, dt.date) or isinstance(on, dt.datetime):
        errors.append(_item_error(i, "on", _("The day it was done, as YYYY-MM-DD.")))
    if len(errors) > bad:
        return None
    return ReportItem(item_id=item_id or "", target=target or "", outcome=str(outcome), on=on, reason=reason or "")  # type: ignore[arg-type]


# Days as the batches send them (the same few days over and over): parsed once per process.
_DAYS: dict[str, dt.date] = {}


def _day(text: str) -> dt.date | None:
    day = _DAYS.get(text)
    if day is None and len(text) == 10:
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            return None
        if len(_DAYS) < 4096:
            _DAYS[text] = day
    return day


def _parse_all(items: Sequence[object], errors: list[FieldError]) -> list[ReportItem | None]:
    """Every item's shape. A well-formed item (the usual case) is taken in a few dictionary look-ups; anything
    else goes through ``_parse``, which names each of its faults, so the errors are the same either way."""
    parsed: list[ReportItem | None] = []
    append = parsed.append
    fields = ITEM_FIELDS
    for i, raw in enumerate(items):
        if type(raw) is dict and raw.keys() <= fields:
            item_id, target, outcome, on = raw.get("item_id"), raw.get("target"), raw.get("outcome"), raw.get("on")
            reason = raw.get("reason", "")
            if (
                type(item_id) is str
                and type(target) is str
                and type(on) is str
                and type(reason) is str
                and type(outcome) is str
                and outcome in OUTCOMES
            ):
                item_id, target, reason = item_id.strip(), target.strip(), reason.strip()
                day = _day(on)
                if (
                    day is not None
                    and "\x00" not in item_id + target + reason
                    and item_id
                    and len(item_id) <= ITEM_ID_MAX
                    and target
                    and len(target) <= TARGET_MAX
                    and len(reason) <= REASON_MAX
                    and (reason or outcome != Outcome.REFUSED)
                ):
                    append(ReportItem(item_id, target, outcome, day, reason))
                    continue
        append(_parse(i, raw, errors))
    return parsed


def order_items_report_gate(*, actor: Actor, measure: Measure, on: dt.date) -> None:
    """Only a platform's client reports, and only on an order addressed to its platform (any other order does
    not exist for it)."""
    require_role(actor, Role.PLATFORM, doing=_("Reporting on an order"))
    platform_id = platform_of(actor)
    if platform_id is None or measure.addressee_id != platform_id or measure.type not in PLATFORM_ORDER_TYPES:
        raise NotFound(_("No such order addressed to you."))


def _platform_turn(platform_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [PLATFORM_TURN, platform_id % 2**31])


class _Target(NamedTuple):
    pk: int
    subject_id: int
    status: str
    done_on: dt.date | None


def _targets(measure: Measure, names: set[str]) -> tuple[dict[str, _Target], set[str]]:
    """The order's targets named in the batch (by identifier, or ``kind:identifier``), and the names that are
    ambiguous (two targets of the order share the identifier)."""
    lookup = set(names)
    # Read once: a Choices' values are a new list at each reading.
    kinds = set(Kind.values)
    for name in names:
        kind, sep, ident = name.partition(":")
        if sep and kind in kinds:
            lookup.add(ident)
    match, params = _among("s.identifier", sorted(lookup))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.id, t.subject_id, t.status, t.done_on, s.identifier, s.kind "  # noqa: S608
            f"FROM {targets_and_subjects_sql()} WHERE t.measure_id = %s AND {match}",
            [measure.pk, *params],
        )
        rows = cursor.fetchall()
    found: dict[str, _Target] = {}
    ambiguous: set[str] = set()
    for pk, sid, status, done_on, ident, kind in rows:
        target = _Target(pk, sid, status, done_on)
        for key in (ident, f"{kind}:{ident}"):
            if key in found and found[key].pk != pk:
                ambiguous.add(key)
            found[key] = target
    return found, ambiguous


def _among(column: str, values: list[Any]) -> tuple[str, list[Any]]:
    """``column`` is one of ``values``: one array on PostgreSQL (a thousand placeholders would cost more to bind
    than the query takes to run), a list of placeholders on SQLite."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s::text[])", [_pg_array(values)]
    if not values:
        return "1 = 0", []
    return f"{column} IN ({', '.join(['%s'] * len(values))})", values


# What must be escaped inside a double-quoted element of an array literal.
_ARRAY_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"'})


def _pg_array(values: list[str]) -> str:
    """The text of an array literal of ``values``, passed as one string parameter: the driver's client-side
    binding would otherwise quote each of a thousand elements on its own, which costs more than the query."""
    if not values:
        return "{}"
    # Looked for in the values joined by a separator without a quote: the literal's own separator has one, so
    # looking in the literal escaped every array (0.56 ms for an array of a thousand ids; 0.03 ms as it is now).
    probe = ",".join(values)
    if "\\" in probe or '"' in probe:
        values = [v.translate(_ARRAY_ESCAPES) for v in values]
    return '{"' + '","'.join(values) + '"}'


def _stored(platform_id: int, item_ids: list[str]) -> dict[str, tuple[Any, ...]]:
    """The platform's items already stored under these ids, in every month: (measure, subject, outcome, reason,
    on) by item id."""
    quote = connection.ops.quote_name
    columns = f"item_id, measure_id, subject_id, outcome, reason, {quote('on')}"
    table = quote(ReportedItem._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Each id looked up in the (platform, item id) index of every month, by a lateral subquery the planner
            # may not flatten. As one condition, the planner read every item of the platform in the current month
            # whenever that month's statistics were older than its rows (a new month always starts so): a scan
            # growing with the month, 6 ms a batch after 60,000 items; looked up, a thousand probes a month.
            cursor.execute(
                f"SELECT {columns} FROM unnest(%s::text[]) AS k(id) CROSS JOIN LATERAL "  # noqa: S608
                f"(SELECT {columns} FROM {table} WHERE platform_id = %s AND item_id = k.id OFFSET 0) r",
                [_pg_array(item_ids), platform_id],
            )
        else:
            match, params = _among("item_id", item_ids)
            cursor.execute(
                f"SELECT {columns} FROM {table} WHERE platform_id = %s AND {match}",  # noqa: S608
                [platform_id, *params],
            )
        rows = cursor.fetchall()
    # SQLite gives dates back as text.
    return {
        r[0]: (r[1], r[2], r[3], r[4], r[5] if isinstance(r[5], dt.date) else dt.date.fromisoformat(r[5])) for r in rows
    }


def _update_targets(rows: list[tuple[str, dt.date, str, int]]) -> None:
    """New statuses of targets, (status, done_on, note, target id) each, in one statement."""
    table = connection.ops.quote_name(MeasureTarget._meta.db_table)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            statuses, days, notes, ids = zip(*rows, strict=True)
            id_array = "{" + ",".join(map(str, ids)) + "}"
            # The ids a second time, as a condition on the table itself: joined to the unnested values alone, the
            # planner hashed every target of every order (a sequential scan growing with the table, 20 ms at
            # 120,000 targets, once per batch); named, the thousand rows are read from the primary key (2 ms).
            cursor.execute(
                f"UPDATE {table} AS t SET status = v.status, done_on = v.done_on, note = v.note "  # noqa: S608
                "FROM unnest(%s::varchar[], %s::date[], %s::varchar[], %s::bigint[]) AS v(status, done_on, note, id) "
                "WHERE t.id = v.id AND t.id = ANY(%s::bigint[])",
                [
                    _pg_array(list(statuses)),
                    _pg_array([d.isoformat() for d in days]),
                    _pg_array(list(notes)),
                    id_array,
                    id_array,
                ],
            )
        return
    bulk_update(MeasureTarget._meta.db_table, ("status", "done_on", "note"), rows)


# COPY's text format: these characters of a value are written as escapes.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _store(rows: list[tuple[Any, ...]]) -> None:
    """Append the rows. On PostgreSQL one COPY, its text written here in one piece: the driver's row-by-row
    encoding of a thousand rows costs more than the server takes to store them."""
    if connection.vendor != "postgresql":
        ReportedItem.objects.bulk_create(
            [ReportedItem(**dict(zip(REPORTED_COLUMNS, r, strict=True))) for r in rows], batch_size=500
        )
        return
    esc = _COPY_ESCAPES
    # A batch's rows share their reception time and month, and mostly a few days: each written once.
    texts: dict[Any, str] = {}

    def text(value: dt.date) -> str:
        written = texts.get(value)
        if written is None:
            written = texts[value] = value.isoformat()
        return written

    # Escaped only when an id or a reason of the batch holds one of COPY's special characters (rare): translated
    # one by one, the two thousand strings of every batch cost a quarter of the text's making.
    probe = "".join([r[3] + r[5] for r in rows])
    if "\\" in probe or "\t" in probe or "\n" in probe or "\r" in probe:
        rows = [(p, m, s, i.translate(esc), o, r.translate(esc), on, at, mo) for p, m, s, i, o, r, on, at, mo in rows]
    lines = [
        f"{p}\t{m}\t{s}\t{i}\t{o}\t{r}\t{text(on)}\t{text(at)}\t{text(mo)}\n" for p, m, s, i, o, r, on, at, mo in rows
    ]
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in REPORTED_COLUMNS)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {quote(ReportedItem._meta.db_table)} ({names}) FROM STDIN") as copy:
            copy.write("".join(lines))
        # The references of the rows just written are checked now rather than at commit: the commit comes after
        # the audit entry, when this transaction holds the audit chain's head, which every other write waits for.
        cursor.execute(f"SET CONSTRAINTS {', '.join(REPORTED_FKS)} IMMEDIATE")


def _recount(measure_id: int) -> int:
    """The order's quantity set to its targets disposed of, in one statement; the new quantity."""
    measures = connection.ops.quote_name(Measure._meta.db_table)
    targets = connection.ops.quote_name(MeasureTarget._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {measures} SET quantity = (SELECT COUNT(*) FROM {targets} "  # noqa: S608
            "WHERE measure_id = %s AND status = %s) WHERE id = %s RETURNING quantity",
            [measure_id, TargetStatus.DONE, measure_id],
        )
        return int(cursor.fetchone()[0])


@service
def order_items_report(
    *, actor: Actor, measure: Measure, items: Sequence[ReportItem | Mapping[str, Any]], now: dt.datetime
) -> OrderReport:
    """Store a platform's report on the items of an order addressed to it; all of the batch, or none of it."""
    order_items_report_gate(actor=actor, measure=measure, on=now.date())
    platform_id = measure.addressee_id
    assert platform_id is not None
    if not isinstance(items, Sequence) or isinstance(items, str | bytes) or not 1 <= len(items) <= MAX_ITEMS:
        raise InvalidInput(FieldError("items", _("Send 1 to %(n)d items.") % {"n": MAX_ITEMS}))
    errors: list[FieldError] = []
    parsed = _parse_all(items, errors)
    _platform_turn(platform_id)
    locked = measure_lock(measure)
    today = local_date(now, locked.office.time_zone)
    good = [(i, p) for i, p in enumerate(parsed) if p is not None]
    targets, ambiguous = _targets(locked, {p.target for _i, p in good})
    stored = _stored(platform_id, sorted({p.item_id for _i, p in good}))
    first_id: dict[str, int] = {}
    first_target: dict[int, int] = {}
    new: list[tuple[int, ReportItem, _Target]] = []
    replays: list[int] = []
    for i, p in good:
        bad = len(errors)
        if p.item_id in first_id:
            errors.append(
                _item_error(
                    i,
                    "item_id",
                    _("Duplicate item id: item %(n)d of this batch has it too.") % {"n": first_id[p.item_id]},
                )
            )
        else:
            first_id[p.item_id] = i
        target = targets.get(p.target)
        if p.target in ambiguous:
            errors.append(
                _item_error(
                    i, "target", _("Several targets of this order have this identifier: write kind:identifier.")
                )
            )
        elif target is None:
            errors.append(_item_error(i, "target", _("Not a target of this order.")))
        elif target.pk in first_target:
            errors.append(
                _item_error(
                    i,
                    "target",
                    _("Reported twice in this batch: item %(n)d is about it too.") % {"n": first_target[target.pk]},
                )
            )
        else:
            first_target[target.pk] = i
        if p.on < locked.taken_on:
            errors.append(_item_error(i, "on", _("Cannot precede the order (%(d)s).") % {"d": locked.taken_on}))
        elif p.on > today:
            errors.append(_item_error(i, "on", _("%(d)s is in the future.") % {"d": p.on}))
        if len(errors) > bad or target is None:
            continue
        before = stored.get(p.item_id)
        if before is not None:
            if before == (locked.pk, target.subject_id, p.outcome, p.reason, p.on):
                replays.append(i)
            else:
                errors.append(
                    _item_error(
                        i, "item_id", _("Already stored, with another report: an item id names one report, once.")
                    )
                )
            continue
        if target.status == TargetStatus.DONE:
            errors.append(
                _item_error(
                    i,
                    "target",
                    _("Already reported disposed on %(d)s: a disposal is final.") % {"d": target.done_on or "?"},
                )
            )
            continue
        new.append((i, p, target))
    if errors:
        errors.sort(key=lambda e: int(e.field.split(".")[1]) if e.field.startswith("items.") else -1)
        raise InvalidInput(errors)
    counts = {o: 0 for o in Outcome.values}
    if not new:
        return OrderReport(
            order=locked.pk,
            received=len(items),
            stored=0,
            already_stored=replays,
            counts=counts,
            quantity=locked.quantity,
        )
    month = month_of(now)
    ensure_partition(month)
    rows = []
    updates: list[tuple[str, dt.date, str, int]] = []
    for _i, p, target in new:
        counts[p.outcome] += 1
        rows.append((platform_id, locked.pk, target.subject_id, p.item_id, p.outcome, p.reason, p.on, now, month))
        note = "" if p.outcome == Outcome.DISPOSED else p.reason[:REASON_MAX]
        updates.append((TARGET_STATUS[p.outcome], p.on, note, target.pk))
    # The targets first: the rows' check against them (reported_item_target_fk) then finds each target's row
    # already held by this transaction instead of locking it anew.
    _update_targets(updates)
    _store(rows)
    quantity = locked.quantity
    if locked.type in QUANTITY_IS_DISPOSED and counts[Outcome.DISPOSED]:
        old_quantity = locked.quantity or 0
        quantity = _recount(locked.pk)
        # Only the quantity changed: the cells take the difference (the order is locked, so it is exact). The
        # cells are shared with every order of the same office, day and type, and their rows stay locked until
        # the commit: they come last, with the audit entry.
        cells_requantify({locked.pk: quantity - old_quantity})
        measure.quantity = quantity
    ids = [p.item_id for _i, p, _t in new]
    audit_record(
        actor=actor,
        action="measure.platform_items",
        obj=measure,
        now=now,
        detail={
            "stored": len(new),
            "already_stored": len(replays),
            **counts,
            "quantity": quantity,
            "first_item": ids[0],
            "last_item": ids[-1],
            # Ties the entry to exactly the rows it stored without copying a thousand ids into the trail.
            "items_sha256": hashlib.sha256("\n".join(ids).encode()).hexdigest(),
        },
    )
    return OrderReport(
        order=locked.pk, received=len(items), stored=len(new), already_stored=replays, counts=counts, quantity=quantity
    )
