"""The procedure's data-driven rules: penalties, statutory ranges, and the triggers of mandatory steps."""

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from docket.cases.models import Case, Outcome
from docket.core.errors import FieldError
from docket.measures.types import DECISION_TYPES, SPECS, MeasureType
from docket.subjects.models import Kind, Subject
from docket.taxonomy.models import Provision


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def clean_penalties(case: Case, items: list[dict[str, Any]], field: str = "penalties") -> list[dict[str, Any]]:
    """Validate the measures a draft or decision imposes; return them normalised (JSON-safe)."""
    errors: list[FieldError] = []
    parties = {s.pk: s for s in case.parties.all()}
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, int]] = set()
    for i, item in enumerate(items, start=1):
        where = f"{field}[{i}]"
        measure = item.get("measure")
        if measure not in DECISION_TYPES:
            errors.append(
                FieldError(where, _("%(measure)r is not a measure a decision imposes") % {"measure": measure})
            )
            continue
        spec = SPECS[measure]
        subject = parties.get(int(item.get("subject") or 0))
        if subject is None:
            errors.append(FieldError(where, _("the subject must be a party of the case")))
            continue
        if subject.kind not in spec.kinds:
            errors.append(
                FieldError(
                    where, _("a %(measure)s cannot be aimed at a %(kind)s") % {"measure": measure, "kind": subject.kind}
                )
            )
            continue
        if (measure, subject.pk) in seen:
            errors.append(FieldError(where, _("the same measure twice for one subject")))
            continue
        seen.add((measure, subject.pk))
        clean: dict[str, Any] = {"measure": measure, "subject": subject.pk}
        if spec.amount:
            try:
                amount = Decimal(str(item.get("amount")))
            except (InvalidOperation, ValueError):
                errors.append(FieldError(where, _("an amount in CNY is required")))
                continue
            if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
                errors.append(FieldError(where, _("the amount must be positive, in yuan and fen")))
                continue
            clean["amount"] = str(amount.quantize(Decimal("0.01")))
        try:
            if spec.due_date:
                due = _date(item.get("due_on"))
                if due is None:
                    errors.append(FieldError(where, _("a rectification order needs its due date")))
                    continue
                clean["due_on"] = due.isoformat()
            if spec.period:
                starts, ends = _date(item.get("starts_on")), _date(item.get("ends_on"))
                if starts is None or (ends is not None and ends < starts):
                    errors.append(FieldError(where, _("a suspension needs a start and an end not before it")))
                    continue
                clean["starts_on"] = starts.isoformat()
                clean["ends_on"] = ends.isoformat() if ends else None
        except ValueError:
            errors.append(FieldError(where, _("dates are YYYY-MM-DD")))
            continue
        details = {k: item["details"][k] for k in spec.details if k in (item.get("details") or {})}
        if details:
            clean["details"] = details
        out.append(clean)
    if errors:
        from docket.core.errors import InvalidInput

        raise InvalidInput(errors)
    return out


def cited_provisions(case: Case) -> list[Provision]:
    return list(
        Provision.objects.filter(categories__isnull=False, pk__in=case.violations.values("provisions")).distinct()
    )


def range_errors(case: Case, items: list[dict[str, Any]]) -> list[str]:
    """What in ``items`` the cited provisions do not allow (statutory ranges and penalty kinds)."""
    provisions = cited_provisions(case)
    problems = []
    for item in items:
        measure = item["measure"]
        if not SPECS[measure].penalty:
            continue
        allowing = [p for p in provisions if measure in (p.measures or [])]
        if not allowing:
            problems.append(_("no cited provision allows a %(m)s") % {"m": MeasureType(measure).label})
            continue
        if measure == MeasureType.FINE:
            if any(p.fine_relative for p in allowing):
                continue
            amount = Decimal(item["amount"])
            lows = [p.fine_min for p in allowing if p.fine_min is not None]
            highs = [p.fine_max for p in allowing if p.fine_max is not None]
            if lows and amount < min(lows):
                problems.append(
                    _("a fine of %(a)s is below the statutory minimum %(m)s") % {"a": amount, "m": min(lows)}
                )
            if highs and amount > max(highs):
                problems.append(
                    _("a fine of %(a)s is above the statutory maximum %(m)s") % {"a": amount, "m": max(highs)}
                )
    return problems


def _threshold(rules: dict[str, Any], key: str) -> Decimal | None:
    value = rules.get(key)
    return Decimal(str(value)) if value not in (None, "") else None


def _measures_trigger(rules: dict[str, Any], items: list[dict[str, Any]]) -> bool:
    wanted = set(rules.get("measures") or [])
    fine_at_least = _threshold(rules, "fine_at_least")
    for item in items:
        if item["measure"] in wanted:
            return True
        if (
            fine_at_least is not None
            and item["measure"] == MeasureType.FINE
            and Decimal(item["amount"]) >= fine_at_least
        ):
            return True
    return False


def legal_review_required(case: Case, items: list[dict[str, Any]], *, hearing_held: bool) -> bool:
    rules = case.profile.legal_review_triggers or {}
    if set(case.flags or []) & set(rules.get("flags") or []):
        return True
    if hearing_held and rules.get("hearing_held"):
        return True
    return _measures_trigger(rules, items)


def discussion_required(case: Case, items: list[dict[str, Any]]) -> bool:
    rules = case.profile.discussion_triggers or {}
    if set(case.flags or []) & set(rules.get("flags") or []):
        return True
    return _measures_trigger(rules, items)


def hearing_offered(case: Case, items: list[dict[str, Any]]) -> bool:
    """Whether the proposed penalty reaches a threshold that gives the party a right to a hearing."""
    rules = case.profile.hearing_thresholds or {}
    wanted = set(rules.get("measures") or [])
    subjects = {s.pk: s for s in Subject.objects.filter(pk__in=[i["subject"] for i in items])}
    for item in items:
        if item["measure"] in wanted:
            return True
        if item["measure"] == MeasureType.FINE:
            person = subjects[item["subject"]].kind == Kind.RESPONSIBLE_PERSON
            limit = _threshold(rules, "fine_at_least_individual" if person else "fine_at_least_organisation")
            if limit is not None and Decimal(item["amount"]) >= limit:
                return True
        if item["measure"] == MeasureType.CONFISCATION:
            limit = _threshold(rules, "confiscation_at_least")
            if limit is not None and Decimal(item["amount"]) >= limit:
                return True
    return False


def raised_beyond_notice(noticed: list[dict[str, Any]], decided: list[dict[str, Any]]) -> list[str]:
    """A decision may lighten what the prior notice proposed, never add to it or raise it."""
    by_key = {(i["measure"], i["subject"]): i for i in noticed}
    names = dict(Subject.objects.filter(pk__in=[i["subject"] for i in decided]).values_list("pk", "name"))
    problems = []
    for item in decided:
        before = by_key.get((item["measure"], item["subject"]))
        what = {"m": MeasureType(item["measure"]).label, "s": names.get(item["subject"], "")}
        if before is None:
            problems.append(_("a %(m)s against %(s)s was not in the prior notice") % what)
        elif "amount" in item and Decimal(item["amount"]) > Decimal(before["amount"]):
            problems.append(
                _("a %(m)s of %(a)s against %(s)s exceeds the %(b)s of the prior notice")
                % {**what, "a": item["amount"], "b": before["amount"]}
            )
    return problems


PENALISING = frozenset({Outcome.PENALTY})
