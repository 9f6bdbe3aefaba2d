"""Measures that stand alone or follow a decision: recording, confirming, verifying, paying, reporting.

Measures are written here only: ``measure_create`` makes every measure (recorded, imposed by a decision,
a transfer) with its targets, campaign tags, aggregate cells and audit entry, inside the calling service's
transaction. The cells belong to reports (above measures); they change in the same transaction as the measure
through the keeper reports registers (``measures.cells``): the measure's owner keeps the figures exact, and
imports nothing above it.

Every step on an existing measure decides on the measure's row locked for the transaction
(``measure_lock``): payments are checked against what remains owed under that lock, and of simultaneous
confirmations, verifications, receipts or deletions exactly one lands.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.utils.translation import gettext as _

from docket.audit.services import audit_record, service
from docket.campaigns.models import Campaign
from docket.cases.due import case_due_refresh
from docket.clues.models import Source
from docket.clues.services import clue_create
from docket.core.dates import local_date
from docket.core.errors import Conflict, FieldError, GateRefused, InvalidInput, NotFound
from docket.core.vocabulary import Kind, MeasureType
from docket.measures.cells import cells_add, cells_remove, cells_requantify
from docket.measures.models import FinePayment, Measure, MeasureTarget, TargetStatus, Verification
from docket.measures.types import PLATFORM_ORDER_TYPES, SPECS
from docket.officers.actors import Actor
from docket.officers.models import Officer, Role
from docket.officers.permissions import require_role, require_within
from docket.offices.models import Office
from docket.subjects.models import Subject
from docket.workdays.clocks import default_profile

if TYPE_CHECKING:
    from docket.cases.models import Case
    from docket.clues.models import Clue

CENT = Decimal("0.01")

# Cells of a new period, type or kind are created by the first measure that needs them; two such measures
# at once would both insert the same cell. The services' cell writers take their turn here first: after the
# rows they decide on and their numbers, before any cell row and the audit head (the lock order of every
# service). Cells are shared up to the national office, whose row every measure of a month updates anyway,
# so this queues nothing that was not already queued. Bulk writers hold the measures table instead.
CELLS_TURN = 0x446F636B_43656C6C


def cells_turn() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CELLS_TURN])


def measure_create(
    office: Office,
    *,
    type: str,
    taken_on: dt.date,
    subjects: Iterable[Subject | int],
    actor: Actor,
    now: dt.datetime,
    case: Case | None = None,
    clue: Clue | None = None,
    campaigns: Iterable[Campaign] | None = None,
    amount: Decimal | None = None,
    quantity: int | None = None,
    due_on: dt.date | None = None,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    addressee: Subject | None = None,
    authority: str = "",
    to_office: Office | None = None,
    legal_basis: str = "",
    details: dict[str, Any] | None = None,
    audit: dict[str, Any] | None = None,
) -> Measure:
    """The one place a measure is made: the measure, its targets and campaign tags, then its aggregate
    cells and its audit entry (``measure.record``). Called inside a service's transaction, after the
    caller's checks; ``audit`` adds to the entry's detail (the case's reference, a transfer's destination).
    Bulk writers (the measures import, the demo) write rows in blocks and merge cells themselves, and announce
    their orders to platforms through ``measures.outbox.orders_addressed`` once per batch."""
    measure = Measure.objects.create(
        office=office,
        type=type,
        taken_on=taken_on,
        case=case,
        clue=clue,
        amount=amount,
        quantity=quantity,
        due_on=due_on,
        starts_on=starts_on,
        ends_on=ends_on,
        addressee=addressee,
        authority=authority,
        to_office=to_office,
        legal_basis=legal_basis,
        details=details or {},
        created_by=actor if isinstance(actor, Officer) else None,
        created_at=now,
    )
    ids = list(dict.fromkeys(s if isinstance(s, int) else s.pk for s in subjects))
    MeasureTarget.objects.bulk_create([MeasureTarget(measure=measure, subject_id=i) for i in ids], batch_size=2000)
    # Tags before the cells: the cells count a measure under each of its campaigns.
    measure.campaigns.set(list(campaigns or []))
    cells_turn()
    cells_add([measure.id])
    audit_record(
        actor=actor,
        action="measure.record",
        obj=measure,
        now=now,
        detail={"type": type, "subjects": len(ids), **(audit or {})},
    )
    if addressee is not None:
        # The push to the platform is written in this transaction: it exists if and only if the order does.
        from docket.measures.outbox import order_addressed

        order_addressed(measure)
    return measure


def measure_lock(measure: Measure) -> Measure:
    """The measure's row locked for the rest of the transaction; decide on this copy, not the caller's."""
    try:
        return Measure.objects.select_for_update(of=("self",)).select_related("office").get(pk=measure.pk)
    except Measure.DoesNotExist:
        raise Conflict(_("The measure was deleted meanwhile.")) from None


def measure_record_gate(*, actor: Actor, on: dt.date) -> None:
    """Officers and heads record measures of their own office."""
    require_role(actor, Role.CASE_OFFICER, Role.OFFICE_HEAD, doing=_("Recording a measure"))


@service
def measure_record(
    *,
    actor: Actor,
    type: str,
    taken_on: dt.date,
    subjects: list[Subject],
    now: dt.datetime,
    campaigns: list[Campaign] | None = None,
    due_on: dt.date | None = None,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    addressee: Subject | None = None,
    legal_basis: str = "",
    details: dict[str, Any] | None = None,
    clue: Clue | None = None,
) -> Measure:
    """Record a measure that needs no penalty decision (an interview, an order, a closure, ...), on its own or
    taken from a clue (the clue must be within the officer's jurisdiction: outside it, it does not exist)."""
    measure_record_gate(actor=actor, on=taken_on)
    assert actor.office is not None
    if clue is not None:
        require_within(actor, clue.office, doing=_("Recording a measure"))
    errors: list[FieldError] = []
    if type not in SPECS:
        raise InvalidInput(FieldError("type", _("unknown measure type %(t)r") % {"t": type}))
    spec = SPECS[type]
    if spec.penalty:
        raise GateRefused(_("A %(t)s is an administrative penalty: it is imposed by a case decision.") % {"t": type})
    if type == MeasureType.TRANSFER:
        raise InvalidInput(FieldError("type", _("transfers are made from their clue or case")))
    if taken_on > local_date(now, actor.office.time_zone):
        errors.append(FieldError("taken_on", _("%(d)s is in the future") % {"d": taken_on}))
    if len(subjects) < spec.min_subjects:
        errors.append(FieldError("subjects", _("aim the measure at at least one subject")))
    errors += [
        FieldError("subjects", _("a %(t)s cannot be aimed at a %(k)s") % {"t": type, "k": s.kind})
        for s in subjects
        if s.kind not in spec.kinds
    ]
    if spec.due_date and due_on is None:
        errors.append(FieldError("due_on", _("required")))
    if due_on is not None and due_on < taken_on:
        errors.append(FieldError("due_on", _("cannot precede the measure")))
    if spec.period and starts_on is None:
        errors.append(FieldError("starts_on", _("required")))
    if starts_on and ends_on and ends_on < starts_on:
        errors.append(FieldError("ends_on", _("cannot precede the start")))
    if type == MeasureType.ACCOUNT_CLOSURE_ORDER:
        if addressee is None or addressee.kind != Kind.ORGANISATION:
            errors.append(FieldError("addressee", _("an order names the platform operator it goes to")))
        platforms = {s.platform for s in subjects}
        if len(platforms) > 1:
            errors.append(FieldError("subjects", _("one order covers accounts of one platform")))
    elif addressee is not None and type not in PLATFORM_ORDER_TYPES:
        errors.append(FieldError("addressee", _("only orders a platform carries out are addressed to a platform")))
    elif addressee is not None and not addressee.runs_platform:
        errors.append(FieldError("addressee", _("%(o)s runs no platform") % {"o": addressee.name}))
    unknown = set(details or {}) - set(spec.details)
    if unknown:
        errors.append(
            FieldError("details", _("unknown for %(t)s: %(k)s") % {"t": type, "k": ", ".join(sorted(unknown))})
        )
    if type == MeasureType.INTERVIEW:
        missing = [k for k in ("reason", "time", "place", "attendees") if not (details or {}).get(k)]
        if missing:
            errors.append(FieldError("details", _("an interview notice gives %(k)s") % {"k": ", ".join(missing)}))
    if errors:
        raise InvalidInput(errors)
    assert actor.office is not None
    return measure_create(
        actor.office,
        type=type,
        taken_on=taken_on,
        subjects=subjects,
        actor=actor,
        now=now,
        campaigns=campaigns,
        due_on=due_on,
        starts_on=starts_on,
        ends_on=ends_on,
        addressee=addressee,
        legal_basis=legal_basis,
        details=details,
        quantity=0 if type == MeasureType.ACCOUNT_CLOSURE_ORDER else None,
        clue=clue,
    )


def _require_own(actor: Actor, measure: Measure, doing: str) -> None:
    require_role(actor, Role.CASE_OFFICER, Role.OFFICE_HEAD, office=measure.office, obj=measure, doing=doing)


def measure_confirm_gate(*, actor: Actor, measure: Measure, on: dt.date) -> None:
    _require_own(actor, measure, _("Recording a confirmation"))
    if not SPECS[measure.type].confirmation:
        raise GateRefused(
            _("“%(type)s” is not carried out by a third party, so there is no third-party confirmation to record.")
            % {"type": measure.get_type_display()}
        )
    if measure.confirmed_on is not None:
        raise GateRefused(_("Already confirmed on %(d)s.") % {"d": measure.confirmed_on})


@service
def measure_confirm(
    *, actor: Actor, measure: Measure, confirmed_on: dt.date, confirmation: str, now: dt.datetime
) -> None:
    """The third party (store, host platform, telecom regulator) confirmed the measure carried out."""
    measure_confirm_gate(actor=actor, measure=measure, on=confirmed_on)
    locked = measure_lock(measure)
    measure_confirm_gate(actor=actor, measure=locked, on=confirmed_on)
    if confirmed_on < locked.taken_on or not confirmation.strip():
        raise InvalidInput(FieldError("confirmation", _("who confirmed, on a date not before the measure")))
    n = Measure.objects.filter(pk=locked.pk, confirmed_on__isnull=True).update(
        confirmed_on=confirmed_on, confirmation=confirmation
    )
    if n != 1:
        raise Conflict(_("The measure was confirmed meanwhile."))
    measure.confirmed_on, measure.confirmation = confirmed_on, confirmation
    audit_record(actor=actor, action="measure.confirm", obj=measure, now=now, detail={"by": confirmation})


def rectification_verify_gate(*, actor: Actor, measure: Measure, on: dt.date) -> None:
    _require_own(actor, measure, _("Verifying a rectification"))
    if measure.type != MeasureType.RECTIFICATION_ORDER:
        raise GateRefused(_("Only rectification orders are verified."))
    if measure.verification:
        raise GateRefused(_("Already verified on %(d)s.") % {"d": measure.verified_on})


@service
def rectification_verify(
    *, actor: Actor, measure: Measure, verified_on: dt.date, complied: bool, note: str, now: dt.datetime
) -> Clue | None:
    """Verify a rectification order; a missed one escalates into a new clue of the same office."""
    rectification_verify_gate(actor=actor, measure=measure, on=verified_on)
    locked = measure_lock(measure)
    rectification_verify_gate(actor=actor, measure=locked, on=verified_on)
    assert locked.due_on is not None
    if complied is False and verified_on <= locked.due_on:
        raise GateRefused(_("Non-compliance is found after the due date (%(d)s).") % {"d": locked.due_on})
    if verified_on < locked.taken_on:
        raise InvalidInput(FieldError("verified_on", _("cannot precede the order")))
    result = Verification.COMPLIED if complied else Verification.NOT_COMPLIED
    n = Measure.objects.filter(pk=locked.pk, verification="").update(
        verified_on=verified_on, verification=result, escalated=not complied
    )
    if n != 1:
        raise Conflict(_("The order was verified meanwhile."))
    measure.verified_on, measure.verification, measure.escalated = verified_on, result, not complied
    case_due_refresh(locked.case_id)
    follow_up = None
    if not complied:
        follow_up = clue_create(
            locked.office,
            source=Source.INSPECTION,
            received_on=verified_on,
            summary=_("Rectification order of %(d)s not complied with by its due date %(due)s. %(note)s")
            % {"d": locked.taken_on, "due": locked.due_on, "note": note},
            subjects=list(locked.subjects.all()),
            registered_by=actor,
            now=now,
        )
    audit_record(
        actor=actor,
        action="measure.verify",
        obj=measure,
        now=now,
        detail={"result": result, "note": note, "follow_up": follow_up.ref if follow_up else ""},
    )
    return follow_up


@dataclass(frozen=True)
class Balance:
    principal: Decimal
    surcharge: Decimal
    paid: Decimal
    outstanding: Decimal


def fine_balance(measure: Measure, as_of: dt.date) -> Balance:
    """What is owed on a fine or confiscation on ``as_of``.

    From the day after the due date, 3 % of the unpaid principal is added per day (APL art. 72),
    never more in total than the principal itself. Payments pay the principal first.
    """
    principal = measure.amount or Decimal(0)
    profile = measure.case.profile if measure.case is not None else default_profile()
    rate = profile.late_payment_daily_rate
    payments = sorted((p.paid_on, p.amount) for p in measure.payments.all() if p.paid_on <= as_of)
    paid = sum((a for _d, a in payments), Decimal(0))
    unpaid = principal
    surcharge = Decimal(0)
    if measure.due_on is not None:
        day = measure.due_on
        events = iter(payments)
        pending = next(events, None)
        applied = Decimal(0)
        while pending is not None and pending[0] <= day:
            applied += pending[1]
            pending = next(events, None)
        unpaid = max(Decimal(0), principal - applied)
        while day < as_of and unpaid > 0 and surcharge < principal:
            day += dt.timedelta(days=1)
            surcharge = min(principal, surcharge + unpaid * rate)
            while pending is not None and pending[0] <= day:
                applied += pending[1]
                pending = next(events, None)
            unpaid = max(Decimal(0), principal - applied)
    surcharge = surcharge.quantize(CENT, rounding=ROUND_HALF_UP)
    outstanding = max(Decimal(0), principal + surcharge - paid)
    return Balance(principal, surcharge, paid, outstanding.quantize(CENT))


def fine_payment_record_gate(*, actor: Actor, measure: Measure, on: dt.date) -> None:
    _require_own(actor, measure, _("Recording a payment"))
    if not SPECS[measure.type].amount:
        raise GateRefused(_("Only fines and confiscations are paid."))
    if on >= measure.taken_on and fine_balance(measure, on).outstanding <= 0:
        raise GateRefused(_("Nothing is owed on %(d)s: the fine is paid.") % {"d": on})


@service
def fine_payment_record(
    *, actor: Actor, measure: Measure, paid_on: dt.date, amount: Decimal, reference: str, now: dt.datetime
) -> FinePayment:
    fine_payment_record_gate(actor=actor, measure=measure, on=paid_on)
    # Every payment of a fine is recorded under the fine's row lock, so what is owed is read after the
    # payments before this one have committed: twenty cashiers at once never take more than the balance.
    locked = measure_lock(measure)
    fine_payment_record_gate(actor=actor, measure=locked, on=paid_on)
    errors = []
    if amount <= 0 or amount != amount.quantize(CENT):
        errors.append(FieldError("amount", _("a positive amount in yuan and fen")))
    if paid_on < locked.taken_on:
        errors.append(FieldError("paid_on", _("cannot precede the decision")))
    if paid_on > local_date(now, locked.office.time_zone):
        errors.append(FieldError("paid_on", _("%(d)s is in the future") % {"d": paid_on}))
    if errors:
        raise InvalidInput(errors)
    owed = fine_balance(locked, paid_on).outstanding
    if amount > owed:
        raise InvalidInput(FieldError("amount", _("only %(o)s is owed on %(d)s") % {"o": owed, "d": paid_on}))
    assert isinstance(actor, Officer)  # the system holds no role, so only an officer gets here
    payment = FinePayment.objects.create(
        measure=locked, paid_on=paid_on, amount=amount, reference=reference, recorded_by=actor
    )
    case_due_refresh(locked.case_id)
    audit_record(
        actor=actor,
        action="measure.payment",
        obj=measure,
        now=now,
        detail={"amount": amount, "paid_on": paid_on, "reference": reference},
    )
    return payment


def transfer_receipt_record_gate(*, actor: Actor, measure: Measure, on: dt.date) -> None:
    _require_own(actor, measure, _("Recording a transfer receipt"))
    if measure.type != MeasureType.TRANSFER:
        raise GateRefused(_("Only transfers have receipts."))
    if measure.receipt_on is not None:
        raise GateRefused(_("The receipt was recorded on %(d)s.") % {"d": measure.receipt_on})


@service
def transfer_receipt_record(
    *, actor: Actor, measure: Measure, receipt_on: dt.date, receipt_ref: str, now: dt.datetime
) -> None:
    transfer_receipt_record_gate(actor=actor, measure=measure, on=receipt_on)
    locked = measure_lock(measure)
    transfer_receipt_record_gate(actor=actor, measure=locked, on=receipt_on)
    if receipt_on < locked.taken_on or not receipt_ref.strip():
        raise InvalidInput(FieldError("receipt_ref", _("the receipt's reference, dated not before the transfer")))
    n = Measure.objects.filter(pk=locked.pk, receipt_on__isnull=True).update(
        receipt_on=receipt_on, receipt_ref=receipt_ref
    )
    if n != 1:
        raise Conflict(_("The receipt was recorded meanwhile."))
    measure.receipt_on, measure.receipt_ref = receipt_on, receipt_ref
    audit_record(actor=actor, action="measure.receipt", obj=measure, now=now, detail={"ref": receipt_ref})


@service
def account_closures_report(
    *, actor: Actor, measure: Measure, closed: list[str], refused: dict[str, str], on: dt.date, now: dt.datetime
) -> int:
    """The platform reports which accounts of an order it closed (and which it refused, with why).

    An account reported closed stays closed: reporting it again is refused, so a report sent twice (or by
    two of the platform's clients at once) counts its accounts once.
    """
    require_role(actor, Role.PLATFORM, doing=_("Reporting account closures"))
    platform_id = getattr(actor, "platform_id", None)
    if (
        measure.type != MeasureType.ACCOUNT_CLOSURE_ORDER
        or measure.addressee_id is None
        or platform_id != measure.addressee_id
    ):
        raise NotFound(_("No such order addressed to you."))
    locked = measure_lock(measure)
    if on < locked.taken_on:
        raise InvalidInput(FieldError("on", _("cannot precede the order")))
    targets = {t.subject.identifier: t for t in locked.targets.select_related("subject")}
    unknown = [i for i in [*closed, *refused] if i not in targets]
    if unknown:
        raise InvalidInput([FieldError("accounts", _("%(a)s is not in this order") % {"a": a}) for a in unknown[:50]])
    both = sorted(set(closed) & set(refused))
    if both:
        raise InvalidInput(FieldError("accounts", _("reported both closed and refused: %(a)s") % {"a": both[0]}))
    again = [i for i in [*closed, *refused] if targets[i].status == TargetStatus.DONE]
    if again:
        raise GateRefused(
            _("%(n)d of these accounts were reported closed already (%(a)s).") % {"n": len(again), "a": again[0]}
        )
    for ident in closed:
        t = targets[ident]
        t.status, t.done_on, t.note = TargetStatus.DONE, on, ""
    for ident, why in refused.items():
        t = targets[ident]
        t.status, t.done_on, t.note = TargetStatus.REFUSED, on, why[:300]
    MeasureTarget.objects.bulk_update(
        [targets[i] for i in [*closed, *refused]], ["status", "done_on", "note"], batch_size=2000
    )
    count = locked.targets.filter(status=TargetStatus.DONE).count()
    Measure.objects.filter(pk=locked.pk).update(quantity=count)
    # Only the quantity changed: the cells take the difference (the order is locked, so it is exact).
    cells_requantify({locked.id: count - (locked.quantity or 0)})
    measure.quantity = count
    audit_record(
        actor=actor,
        action="measure.platform_report",
        obj=measure,
        now=now,
        detail={"closed": len(closed), "refused": len(refused), "total_closed": count},
    )
    return count


def measure_correct_gate(*, actor: Actor, measure: Measure, on: dt.date) -> None:
    require_role(actor, Role.OFFICE_HEAD, office=measure.office, obj=measure, doing=_("Correcting a measure"))


@service
def measure_correct(
    *,
    actor: Actor,
    measure: Measure,
    reason: str,
    now: dt.datetime,
    taken_on: dt.date | None = None,
    quantity: int | None = None,
    subjects: list[Subject] | None = None,
    campaigns: list[Campaign] | None = None,
) -> Measure:
    """Correct a recorded measure (its date, count, targets or campaign tags); the figures follow at once.

    Corrections queue on the measure's row lock: each one starts from what the one before it left.
    """
    measure_correct_gate(actor=actor, measure=measure, on=taken_on or measure.taken_on)
    locked = measure_lock(measure)
    spec = SPECS[locked.type]
    errors = []
    if not reason.strip():
        errors.append(FieldError("reason", _("a correction states its reason")))
    if taken_on is not None and taken_on > local_date(now, locked.office.time_zone):
        errors.append(FieldError("taken_on", _("%(d)s is in the future") % {"d": taken_on}))
    if quantity is not None and quantity < 0:
        errors.append(FieldError("quantity", _("a quantity is not negative")))
    if subjects is not None:
        if len(subjects) < spec.min_subjects:
            errors.append(FieldError("subjects", _("aim the measure at at least one subject")))
        errors += [
            FieldError("subjects", _("a %(t)s cannot be aimed at a %(k)s") % {"t": locked.type, "k": s.kind})
            for s in subjects
            if s.kind not in spec.kinds
        ]
        kept = {s.pk for s in subjects}
        reported = (
            locked.reported_items.exclude(subject_id__in=kept)
            .values_list("subject__identifier", flat=True)
            .distinct()
            .order_by("subject__identifier")[:5]
        )
        if reported:
            # The platform's reports name the order's targets (reported_item_target_fk): what it reported on stays.
            errors.append(
                FieldError(
                    "subjects",
                    _("the platform has reported on %(ids)s: a target reported on stays on the order")
                    % {"ids": ", ".join(reported)},
                )
            )
    if errors:
        raise InvalidInput(errors)
    before = {
        "taken_on": locked.taken_on,
        "quantity": locked.quantity,
        "subjects": sorted(locked.targets.values_list("subject_id", flat=True)),
        "campaigns": sorted(locked.campaigns.values_list("id", flat=True)),
    }
    cells_turn()
    cells_remove([locked.id])
    if taken_on is not None:
        locked.taken_on = taken_on
    if quantity is not None:
        locked.quantity = quantity
    locked.save(update_fields=["taken_on", "quantity"])
    if subjects is not None:
        locked.targets.exclude(subject__in=subjects).delete()
        have = set(locked.targets.values_list("subject_id", flat=True))
        MeasureTarget.objects.bulk_create(
            [MeasureTarget(measure=locked, subject=s) for s in subjects if s.pk not in have], batch_size=2000
        )
    if campaigns is not None:
        locked.campaigns.set(campaigns)
    cells_add([locked.id])
    measure.taken_on, measure.quantity = locked.taken_on, locked.quantity
    if locked.addressee_id is not None:
        # The platform is told of the corrected order in this transaction, as it was told of the order.
        from docket.measures.outbox import CHANGED, order_addressed

        order_addressed(locked, event=CHANGED, now=now)
    audit_record(
        actor=actor,
        action="measure.correct",
        obj=measure,
        now=now,
        detail={
            "reason": reason,
            "before": before,
            "after": {"taken_on": locked.taken_on, "quantity": locked.quantity},
        },
    )
    return measure


def measure_delete_gate(*, actor: Actor, measure: Measure, on: dt.date) -> None:
    require_role(actor, Role.OFFICE_HEAD, office=measure.office, obj=measure, doing=_("Deleting a measure"))
    if measure.case_id is not None and measure.type != MeasureType.TRANSFER:
        raise GateRefused(_("A measure imposed by a decision changes only with the decision."))
    if measure.payments.exists():
        raise GateRefused(_("Payments were recorded against this measure."))
    # The platform channel's append-only record of what a platform did (``platforms.ReportedItem``) keeps its order.
    reported = getattr(measure, "reported_items", None)
    if reported is not None and reported.exists():
        raise GateRefused(_("The platform has reported on this order: it stays, with what was reported."))


@service
def measure_delete(*, actor: Actor, measure: Measure, reason: str, now: dt.datetime) -> None:
    """Delete a measure recorded in error. One a decision imposed, or one already paid, stays."""
    measure_delete_gate(actor=actor, measure=measure, on=measure.taken_on)
    if not reason.strip():
        raise InvalidInput(FieldError("reason", _("a deletion states its reason")))
    # Payments lock the measure before they are written, so none can slip in between this check and the delete.
    locked = measure_lock(measure)
    measure_delete_gate(actor=actor, measure=locked, on=locked.taken_on)
    cells_turn()
    cells_remove([locked.id])
    detail = {"reason": reason, "type": locked.type, "taken_on": locked.taken_on, "office": locked.office.code}
    pk = locked.pk
    if locked.addressee_id is not None:
        # Before the rows go: the push names the order the platform need no longer carry out.
        from docket.measures.outbox import WITHDRAWN, order_addressed

        order_addressed(locked, event=WITHDRAWN, now=now)
    locked.targets.all().delete()
    locked.campaigns.clear()
    locked.delete()
    audit_record(
        actor=actor, action="measure.delete", object_type="measures.measure", object_id=pk, now=now, detail=detail
    )
