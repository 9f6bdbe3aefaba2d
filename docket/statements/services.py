"""Storing the DSA statements of reasons a platform sends, one (``statement_store``) or a batch of 1 to 100
(``statements_store``, all or nothing), refused exactly as the Transparency Database refuses them.

A platform's ``puid`` is unique for that platform (``statement_puid_unique_per_platform``). The rows are written
with ``INSERT … ON CONFLICT DO NOTHING`` and read back by puid in the same transaction: a puid that comes back with
another statement's uuid was stored before (or by a request running at the same moment, whose insert this one
waited for), and the whole call is refused naming it, so twenty copies of one statement sent at once are stored
once. Docket's own fields ``docket_order`` (the id of an order addressed to the platform) and ``docket_target``
(the item of that order, as the order names it) make a statement count toward that order: it is reported as the
item disposed of, on the decision's application date, with the statement's puid as the platform's item id.

One audit entry per call, batches included: the audit trail is one hash chain whose head every entry locks, so an
entry per statement would hold that lock a hundred times per batch and make the trail grow with the platforms'
volume (the Transparency Database receives tens of millions a day); the statements are themselves append-only
records of who sent them and when (``submitted_by``, ``received_at``), and the batch's entry names every puid.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections import Counter
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from docket.audit.services import audit_record, service
from docket.core.errors import Denied, FieldError, InvalidInput
from docket.measures.models import Measure
from docket.officers.actors import Actor
from docket.officers.models import Officer, Role
from docket.statements import rules
from docket.statements.models import Method, Statement

# A statement reported on an order becomes one of its items; the platform channel keeps item ids this short.
ITEM_ID_MAX = 100
# An item's fields as the platform channel names them → the statement's field that gave each.
ITEM_FIELDS = {"item_id": "puid", "target": "docket_target", "on": "application_date"}


class StatementsRefused(InvalidInput):
    """A refusal in the Transparency Database's shape: ``{"message": …, "errors": {…}, …}`` (422).

    ``errors`` is keyed by field for one statement, by ``statement_<i>`` (then field) for a batch; ``extra`` holds
    the other keys the Transparency Database adds (``existing`` for a duplicate puid). A batch's validation
    errors come without a ``message``, as there.
    """

    def __init__(self, message: str, errors: Mapping[str, Any], *, extra: Mapping[str, Any] | None = None):
        self.message = message
        self.by_field = dict(errors)
        self.extra = dict(extra or {})
        flat = [FieldError(field, _flatten(value)) for field, value in self.by_field.items()]
        super().__init__(flat or [FieldError("statement", message)])

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message} if self.message else {}
        return {**body, "errors": self.by_field, **self.extra}


def _flatten(value: Any) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_flatten(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def statement_store_gate(*, actor: Actor, on: dt.date) -> None:
    """Only a platform's API client sends statements, and only for its own platform."""
    if not isinstance(actor, Officer) or actor.platform_id is None or not actor.has_role(Role.PLATFORM):
        raise Denied(_("Only a platform's API client sends statements of reasons."))


def _platform_of(actor: Actor, now: dt.datetime) -> int:
    statement_store_gate(actor=actor, on=now.date())
    assert isinstance(actor, Officer) and actor.platform_id is not None  # noqa: S101 - the gate said so
    return actor.platform_id


def _not_unique_single() -> str:
    return _("The identifier given is not unique within this platform.")


def _not_unique_in_call() -> str:
    return _("The platform identifier(s) are not all unique within this call.")


def _stored_before() -> str:
    return _("The platform identifier(s) were already stored for this platform.")


def _build(row: Mapping[str, Any], *, platform_id: int, actor: Officer, method: str, now: dt.datetime) -> Statement:
    fields = {f: row[f] for f in rules.FIELDS}
    return Statement(
        uuid=uuid.uuid4(),
        platform_id=platform_id,
        submitted_by=actor,
        method=method,
        received_at=now,
        docket_order_id=row["docket_order"],
        docket_target=row["docket_target"],
        **fields,
    )


def _orders_named(actor: Actor, rows: list[dict[str, Any]]) -> dict[str, dict[str, list[str]]]:
    """Errors of the rows naming an order that is not addressed to the actor's platform, by row index."""
    wanted = {r["docket_order"] for r in rows if r["docket_order"] is not None}
    if not wanted:
        return {}
    known = set(_orders_of(actor).filter(pk__in=wanted).values_list("pk", flat=True))
    return {
        str(i): {"docket_order": [_("No order %(n)s is addressed to your platform.") % {"n": r["docket_order"]}]}
        for i, r in enumerate(rows)
        if r["docket_order"] is not None and r["docket_order"] not in known
    }


def _orders_of(actor: Actor) -> Any:
    from docket.platforms.queries import orders_for

    return orders_for(actor)


def _insert(statements: list[Statement], platform_id: int) -> list[str]:
    """Write the rows unless their puid is taken; the puids that were (all of them refuse the call)."""
    Statement.objects.bulk_create(statements, ignore_conflicts=True)
    stored = dict(
        Statement.objects.filter(platform_id=platform_id, puid__in=[s.puid for s in statements]).values_list(
            "puid", "uuid"
        )
    )
    ids = dict(Statement.objects.filter(uuid__in=[s.uuid for s in statements]).values_list("uuid", "pk"))
    taken = [s.puid for s in statements if stored.get(s.puid) != s.uuid]
    for s in statements:
        s.pk = ids.get(s.uuid)
    return taken


def item_id_of(puid: str) -> str:
    """The platform's item id of a statement reported on an order: its puid, or a digest of a long one (still
    one id per puid, so the report stays idempotent)."""
    if len(puid) <= ITEM_ID_MAX:
        return puid
    return "sor-" + hashlib.sha256(puid.encode()).hexdigest()


def _report_on_orders(actor: Actor, statements: list[Statement], now: dt.datetime) -> dict[int, dict[str, list[str]]]:
    """Count each statement that names an order's item toward that order; the errors, by statement index.

    The platform channel's ``order_items_report`` takes one order and its items: each statement becomes the item
    it names, disposed of on the decision's application date, with the same checks as any report (a target of
    the order, not before the order nor in the future, not disposed of already).
    """
    from docket.platforms.services import order_items_report

    by_order: dict[int, list[int]] = {}
    for i, s in enumerate(statements):
        if s.docket_order_id is not None:
            by_order.setdefault(s.docket_order_id, []).append(i)
    errors: dict[int, dict[str, list[str]]] = {}
    orders = {m.pk: m for m in Measure.objects.filter(pk__in=list(by_order))}
    for order_id, positions in sorted(by_order.items()):
        items = [
            {
                "item_id": item_id_of(statements[i].puid),
                "target": statements[i].docket_target,
                "outcome": "disposed",
                "reason": "",
                "on": statements[i].application_date,
            }
            for i in positions
        ]
        try:
            order_items_report(actor=actor, measure=orders[order_id], items=items, now=now)
        except InvalidInput as exc:
            for e in exc.errors:
                # The channel names an item's problems ``items.<i>.<field>``; a statement's are its own fields.
                _items, _dot, rest = e.field.partition(".")
                index, _dot, name = rest.partition(".")
                row = int(index) if index.isdigit() and int(index) < len(positions) else None
                field = ITEM_FIELDS.get(name, "docket_target")
                for i in [positions[row]] if row is not None else positions:
                    errors.setdefault(i, {}).setdefault(field, []).append(e.message)
    return errors


@service
def statement_store(*, actor: Actor, data: Any, now: dt.datetime) -> Statement:
    """``POST /api/v1/statement``: one statement of reasons, validated as the Transparency Database does."""
    platform_id = _platform_of(actor, now)
    outcome = rules.validate(data)
    if outcome.errors:
        raise StatementsRefused(outcome.message, outcome.errors)
    row = rules.normalise(outcome.data)
    wrong = _orders_named(actor, [row])
    if wrong:
        raise StatementsRefused(rules.summarize(wrong["0"]), wrong["0"])
    assert isinstance(actor, Officer)  # noqa: S101 - the gate said so
    statement = _build(row, platform_id=platform_id, actor=actor, method=Method.API, now=now)
    if _insert([statement], platform_id):
        message = _not_unique_single()
        raise StatementsRefused(message, {"puid": [message]}, extra={"existing": {"puid": statement.puid}})
    refused = _report_on_orders(actor, [statement], now)
    if refused:
        raise StatementsRefused(rules.summarize(refused[0]), refused[0])
    audit_record(
        actor=actor,
        action="statement.store",
        obj=statement,
        now=now,
        detail={"puid": statement.puid, "order": statement.docket_order_id},
    )
    return statement


@service
def statements_store(*, actor: Actor, data: Any, now: dt.datetime) -> list[Statement]:
    """``POST /api/v1/statements``: ``{"statements": [...]}``, 1 to 100, stored all or none."""
    platform_id = _platform_of(actor, now)
    outcomes, envelope = rules.validate_batch(data)
    if envelope:
        raise StatementsRefused(rules.summarize(envelope), envelope)
    errors = {f"statement_{i}": o.errors for i, o in enumerate(outcomes) if o.errors}
    if errors:
        raise StatementsRefused("", errors)
    rows = [rules.normalise(o.data, batch=True) for o in outcomes]
    repeated = [p for p, n in Counter(r["puid"] for r in rows).items() if n > 1]
    if repeated:
        message = _not_unique_in_call()
        raise StatementsRefused(message, {"puid": [message], "existing_puids": repeated})
    wrong = _orders_named(actor, rows)
    if wrong:
        raise StatementsRefused("", {f"statement_{i}": e for i, e in wrong.items()})
    assert isinstance(actor, Officer)  # noqa: S101 - the gate said so
    statements = [_build(r, platform_id=platform_id, actor=actor, method=Method.API_MULTI, now=now) for r in rows]
    taken = _insert(statements, platform_id)
    if taken:
        message = _stored_before()
        raise StatementsRefused(message, {"puid": [message], "existing_puids": taken})
    refused = _report_on_orders(actor, statements, now)
    if refused:
        raise StatementsRefused("", {f"statement_{i}": e for i, e in sorted(refused.items())})
    audit_record(
        actor=actor,
        action="statements.store",
        object_type="statements.statement",
        object_id=statements[0].pk or "",
        now=now,
        detail={"count": len(statements), "puids": [s.puid for s in statements]},
    )
    return statements
