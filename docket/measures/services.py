"""Measures that stand alone or follow a decision: recording, confirming, verifying, paying, reporting."""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from docket.audit.services import audit_record, service
from docket.campaigns.models import Campaign
from docket.core.dates import local_date
from docket.core.errors import FieldError, GateRefused, InvalidInput
from docket.measures.models import FinePayment, Measure, MeasureTarget, TargetStatus, Verification
from docket.measures.types import SPECS, MeasureType
from docket.officers.models import Role
from docket.officers.permissions import require_role
from docket.offices.models import Office
from docket.reports.aggregates import cells_add, cells_remove
from docket.subjects.models import Kind, Subject
from docket.workdays.clocks import default_profile

CENT = Decimal("0.01")


@service
def measure_record(
    *,
    actor: Any,
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
) -> Measure:
    """Record a measure that needs no penalty decision (an interview, an order, a closure, ...)."""
    require_role(actor, Role.CASE_OFFICER, Role.OFFICE_HEAD, doing=_("Recording a measure"))
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
    elif addressee is not None:
        errors.append(FieldError("addressee", _("only account-closure orders are addressed to a platform")))
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
    measure = Measure.objects.create(
        office=actor.office,
        type=type,
        taken_on=taken_on,
        due_on=due_on,
        starts_on=starts_on,
        ends_on=ends_on,
        addressee=addressee,
        legal_basis=legal_basis,
        details=details or {},
        created_by=actor,
        created_at=now,
        quantity=0 if type == MeasureType.ACCOUNT_CLOSURE_ORDER else None,
    )
    MeasureTarget.objects.bulk_create([MeasureTarget(measure=measure, subject=s) for s in subjects], batch_size=2000)
    measure.campaigns.set(campaigns or [])
    cells_add([measure.id])
    audit_record(
        actor=actor, action="measure.record", obj=measure, now=now, detail={"type": type, "subjects": len(subjects)}
    )
    return measure


def _require_own(actor: Any, measure: Measure, doing: str) -> None:
    require_role(actor, Role.CASE_OFFICER, Role.OFFICE_HEAD, office=measure.office, doing=doing)


@service
def measure_confirm(
    *, actor: Any, measure: Measure, confirmed_on: dt.date, confirmation: str, now: dt.datetime
) -> None:
    """The third party (store, host platform, telecom regulator) confirmed the measure carried out."""
    _require_own(actor, measure, _("Recording a confirmation"))
    if not SPECS[measure.type].confirmation:
        raise GateRefused(_("A %(t)s is not carried out by a third party.") % {"t": measure.get_type_display()})
    if measure.confirmed_on is not None:
        raise GateRefused(_("Already confirmed on %(d)s.") % {"d": measure.confirmed_on})
    if confirmed_on < measure.taken_on or not confirmation.strip():
        raise InvalidInput(FieldError("confirmation", _("who confirmed, on a date not before the measure")))
    n = Measure.objects.filter(pk=measure.pk, confirmed_on__isnull=True).update(
        confirmed_on=confirmed_on, confirmation=confirmation
    )
    if n != 1:
        raise GateRefused(_("Already confirmed."))
    measure.confirmed_on, measure.confirmation = confirmed_on, confirmation
    audit_record(actor=actor, action="measure.confirm", obj=measure, now=now, detail={"by": confirmation})


@service
def rectification_verify(
    *, actor: Any, measure: Measure, verified_on: dt.date, complied: bool, note: str, now: dt.datetime
) -> Any:
    """Verify a rectification order; a missed one escalates into a new clue of the same office."""
    _require_own(actor, measure, _("Verifying a rectification"))
    if measure.type != MeasureType.RECTIFICATION_ORDER:
        raise GateRefused(_("Only rectification orders are verified."))
    if measure.verification:
        raise GateRefused(_("Already verified."))
    assert measure.due_on is not None
    if complied is False and verified_on <= measure.due_on:
        raise GateRefused(_("Non-compliance is found after the due date (%(d)s).") % {"d": measure.due_on})
    if verified_on < measure.taken_on:
        raise InvalidInput(FieldError("verified_on", _("cannot precede the order")))
    result = Verification.COMPLIED if complied else Verification.NOT_COMPLIED
    Measure.objects.filter(pk=measure.pk).update(verified_on=verified_on, verification=result, escalated=not complied)
    measure.verified_on, measure.verification, measure.escalated = verified_on, result, not complied
    follow_up = None
    if not complied:
        from docket.clues.models import Clue, Source
        from docket.core.numbering import next_number

        Office.objects.select_for_update().filter(pk=measure.office_id).first()
        follow_up = Clue.objects.create(
            office=measure.office,
            ref=next_number(Clue, "ref", f"XS-{measure.office.code}-{verified_on.year}-"),
            source=Source.INSPECTION,
            received_on=verified_on,
            profile=default_profile(),
            registered_by=actor,
            summary=_("Rectification order of %(d)s not complied with by its due date %(due)s. %(note)s")
            % {"d": measure.taken_on, "due": measure.due_on, "note": note},
            created_at=now,
        )
        follow_up.subjects.set(measure.subjects.all())
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


@service
def fine_payment_record(
    *, actor: Any, measure: Measure, paid_on: dt.date, amount: Decimal, reference: str, now: dt.datetime
) -> FinePayment:
    _require_own(actor, measure, _("Recording a payment"))
    if not SPECS[measure.type].amount:
        raise GateRefused(_("Only fines and confiscations are paid."))
    errors = []
    if amount <= 0 or amount != amount.quantize(CENT):
        errors.append(FieldError("amount", _("a positive amount in yuan and fen")))
    if paid_on < measure.taken_on:
        errors.append(FieldError("paid_on", _("cannot precede the decision")))
    if paid_on > local_date(now, measure.office.time_zone):
        errors.append(FieldError("paid_on", _("%(d)s is in the future") % {"d": paid_on}))
    if errors:
        raise InvalidInput(errors)
    owed = fine_balance(measure, paid_on).outstanding
    if amount > owed:
        raise InvalidInput(FieldError("amount", _("only %(o)s is owed on %(d)s") % {"o": owed, "d": paid_on}))
    payment = FinePayment.objects.create(
        measure=measure, paid_on=paid_on, amount=amount, reference=reference, recorded_by=actor
    )
    audit_record(
        actor=actor,
        action="measure.payment",
        obj=measure,
        now=now,
        detail={"amount": amount, "paid_on": paid_on, "reference": reference},
    )
    return payment


@service
def transfer_receipt_record(
    *, actor: Any, measure: Measure, receipt_on: dt.date, receipt_ref: str, now: dt.datetime
) -> None:
    _require_own(actor, measure, _("Recording a transfer receipt"))
    if measure.type != MeasureType.TRANSFER:
        raise GateRefused(_("Only transfers have receipts."))
    if measure.receipt_on is not None:
        raise GateRefused(_("The receipt was recorded on %(d)s.") % {"d": measure.receipt_on})
    if receipt_on < measure.taken_on or not receipt_ref.strip():
        raise InvalidInput(FieldError("receipt_ref", _("the receipt's reference, dated not before the transfer")))
    Measure.objects.filter(pk=measure.pk).update(receipt_on=receipt_on, receipt_ref=receipt_ref)
    measure.receipt_on, measure.receipt_ref = receipt_on, receipt_ref
    audit_record(actor=actor, action="measure.receipt", obj=measure, now=now, detail={"ref": receipt_ref})


@service
def account_closures_report(
    *, actor: Any, measure: Measure, closed: list[str], refused: dict[str, str], on: dt.date, now: dt.datetime
) -> int:
    """The platform reports which accounts of an order it closed (and which it refused, with why)."""
    require_role(actor, Role.PLATFORM, doing=_("Reporting account closures"))
    if (
        measure.type != MeasureType.ACCOUNT_CLOSURE_ORDER
        or measure.addressee_id is None
        or actor.platform_id != measure.addressee_id
    ):
        from docket.core.errors import NotFound

        raise NotFound(_("No such order addressed to you."))
    if on < measure.taken_on:
        raise InvalidInput(FieldError("on", _("cannot precede the order")))
    targets = {t.subject.identifier: t for t in measure.targets.select_related("subject")}
    unknown = [i for i in [*closed, *refused] if i not in targets]
    if unknown:
        raise InvalidInput([FieldError("accounts", _("%(a)s is not in this order") % {"a": a}) for a in unknown[:50]])
    for ident in closed:
        t = targets[ident]
        t.status, t.done_on, t.note = TargetStatus.DONE, on, ""
    for ident, why in refused.items():
        t = targets[ident]
        t.status, t.done_on, t.note = TargetStatus.REFUSED, on, why[:300]
    MeasureTarget.objects.bulk_update(
        [targets[i] for i in [*closed, *refused]], ["status", "done_on", "note"], batch_size=2000
    )
    count = measure.targets.filter(status=TargetStatus.DONE).count()
    cells_remove([measure.id])
    Measure.objects.filter(pk=measure.pk).update(quantity=count)
    cells_add([measure.id])
    measure.quantity = count
    audit_record(
        actor=actor,
        action="measure.platform_report",
        obj=measure,
        now=now,
        detail={"closed": len(closed), "refused": len(refused), "total_closed": count},
    )
    return count


@service
def measure_correct(
    *,
    actor: Any,
    measure: Measure,
    reason: str,
    now: dt.datetime,
    taken_on: dt.date | None = None,
    quantity: int | None = None,
    subjects: list[Subject] | None = None,
    campaigns: list[Campaign] | None = None,
) -> Measure:
    """Correct a recorded measure (its date, count, targets or campaign tags); the figures follow at once."""
    require_role(actor, Role.OFFICE_HEAD, office=measure.office, doing=_("Correcting a measure"))
    spec = SPECS[measure.type]
    errors = []
    if not reason.strip():
        errors.append(FieldError("reason", _("a correction states its reason")))
    if taken_on is not None and taken_on > local_date(now, measure.office.time_zone):
        errors.append(FieldError("taken_on", _("%(d)s is in the future") % {"d": taken_on}))
    if quantity is not None and quantity < 0:
        errors.append(FieldError("quantity", _("a quantity is not negative")))
    if subjects is not None:
        if len(subjects) < spec.min_subjects:
            errors.append(FieldError("subjects", _("aim the measure at at least one subject")))
        errors += [
            FieldError("subjects", _("a %(t)s cannot be aimed at a %(k)s") % {"t": measure.type, "k": s.kind})
            for s in subjects
            if s.kind not in spec.kinds
        ]
    if errors:
        raise InvalidInput(errors)
    before = {
        "taken_on": measure.taken_on,
        "quantity": measure.quantity,
        "subjects": sorted(measure.targets.values_list("subject_id", flat=True)),
        "campaigns": sorted(measure.campaigns.values_list("id", flat=True)),
    }
    cells_remove([measure.id])
    if taken_on is not None:
        measure.taken_on = taken_on
    if quantity is not None:
        measure.quantity = quantity
    measure.save(update_fields=["taken_on", "quantity"])
    if subjects is not None:
        measure.targets.exclude(subject__in=subjects).delete()
        have = set(measure.targets.values_list("subject_id", flat=True))
        MeasureTarget.objects.bulk_create(
            [MeasureTarget(measure=measure, subject=s) for s in subjects if s.pk not in have], batch_size=2000
        )
    if campaigns is not None:
        measure.campaigns.set(campaigns)
    cells_add([measure.id])
    audit_record(
        actor=actor,
        action="measure.correct",
        obj=measure,
        now=now,
        detail={
            "reason": reason,
            "before": before,
            "after": {"taken_on": measure.taken_on, "quantity": measure.quantity},
        },
    )
    return measure


@service
def measure_delete(*, actor: Any, measure: Measure, reason: str, now: dt.datetime) -> None:
    """Delete a measure recorded in error. One a decision imposed, or one already paid, stays."""
    require_role(actor, Role.OFFICE_HEAD, office=measure.office, doing=_("Deleting a measure"))
    if not reason.strip():
        raise InvalidInput(FieldError("reason", _("a deletion states its reason")))
    if measure.case_id is not None and measure.type != MeasureType.TRANSFER:
        raise GateRefused(_("A measure imposed by a decision changes only with the decision."))
    if measure.payments.exists():
        raise GateRefused(_("Payments were recorded against this measure."))
    cells_remove([measure.id])
    detail = {"reason": reason, "type": measure.type, "taken_on": measure.taken_on, "office": measure.office.code}
    pk = measure.pk
    measure.targets.all().delete()
    measure.campaigns.clear()
    measure.delete()
    audit_record(
        actor=actor, action="measure.delete", object_type="measures.measure", object_id=pk, now=now, detail=detail
    )
