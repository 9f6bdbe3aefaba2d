"""What a document template may print: plain strings, numbers, lists and dicts read from the records.

Templates are edited by administrators, so they never see a model instance (a template could otherwise call
its methods or walk its relations to data the document must not show): every value here is built from the
records and formatted for the document's language, and a natural person's identity number is masked.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import translation

from docket.cases.models import Case, Document, DocumentKind, Outcome
from docket.core.vocabulary import Kind as SubjectKind
from docket.core.vocabulary import MeasureType
from docket.documents.models import DocumentTemplate, Kind, Language
from docket.evidence.models import EvidenceItem
from docket.measures.models import Measure, MeasureTarget
from docket.officers.models import Officer
from docket.subjects.models import Subject, mask_identifier

# The party's remedies and the payment terms every penalty decision states (Administrative Reconsideration
# Law art. 20: 60 days; Administrative Litigation Law art. 46: 6 months; Administrative Penalty Law art. 67:
# 15 days to pay, art. 72: a surcharge of 3% of the fine a day when late).
REVIEW_DAYS = 60
LITIGATION_MONTHS = 6
PAYMENT_DAYS = 15
SURCHARGE_PERCENT = 3

# Series of the notices measures carry in the office's numbering (a case document's series is its kind).
MEASURE_SERIES = {MeasureType.INTERVIEW: "YT", MeasureType.RECTIFICATION_ORDER: "ZG"}
MEASURE_KINDS = {
    MeasureType.INTERVIEW: Kind.INTERVIEW_NOTICE,
    MeasureType.RECTIFICATION_ORDER: Kind.RECTIFICATION_ORDER,
}

# Every name a template may use (a name outside it is refused when the template is saved).
NAMES: dict[str, str] = {
    "office": "the issuing office's name",
    "office_code": "the issuing office's division code",
    "number": "the document number",
    "issued_on": "the date of issue",
    "case_ref": "the case reference",
    "case_title": "the case title",
    "filed_on": "the filing date",
    "clue_ref": "the clue the case was filed from",
    "approved_by": "who approved the filing",
    "parties": "list: name, kind, identifier (a person's number masked), address",
    "party_names": "the parties' names, joined",
    "facts": "the facts found",
    "violations": "list of the violations found",
    "legal_basis": "the legal basis",
    "discretion": "the discretion benchmark applied",
    "measures": "list: label, subject, amount, due_on, starts_on, ends_on",
    "has_fine": "whether a fine or confiscation is imposed",
    "fines_total": "the total of fines and confiscations (CNY)",
    "evidence": "list: name, sha256 (first 16 digits), collected_on, method, description",
    "outcome": "the decision's outcome",
    "no_penalty_reason": "why no penalty is imposed",
    "statement_due": "last day to state and defend",
    "hearing_offered": "whether a hearing is offered",
    "hearing_request_due": "last day to request a hearing",
    "hearing_on": "the hearing date",
    "chair": "the hearing chair",
    "served_on": "the date of service",
    "service_method": "how it was served",
    "service_proof": "the proof of service",
    "party_present": "whether the party was present",
    "served_number": "the number of the document served",
    "served_title": "the title of the document served",
    "subjects": "list: name, kind, identifier (a measure's subjects)",
    "reason": "the interview's reason",
    "time": "the interview's time",
    "place": "the interview's place",
    "attendees": "who is to attend",
    "requirements": "what must be rectified",
    "due_on": "the rectification deadline",
    "review_days": "days to apply for administrative review (60)",
    "litigation_months": "months to bring an administrative lawsuit (6)",
    "payment_days": "days to pay a fine (15)",
    "surcharge_percent": "daily surcharge on late payment (3)",
}

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def format_date(day: dt.date | str | None, language: str) -> str:
    if not day:
        return ""
    if isinstance(day, str):
        try:
            day = dt.date.fromisoformat(day)
        except ValueError:
            return str(day)
    if language == Language.ZH:
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def format_amount(value: Any) -> str:
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return ""


def _yes_no(value: bool, language: str) -> str:  # noqa: FBT001
    if language == Language.ZH:
        return "是" if value else "否"
    return "yes" if value else "no"


def office_name(office: Any, language: str) -> str:
    return str(office.name_en or office.name) if language == Language.EN else str(office.name)


def _subject(subject: Subject) -> dict[str, str]:
    return {
        "name": subject.name,
        "kind": str(subject.get_kind_display()),
        "identifier": mask_identifier(subject.kind, subject.identifier),
        "address": str(getattr(subject, "address", "") or ""),
        "person": "yes" if subject.kind == SubjectKind.RESPONSIBLE_PERSON else "",
    }


def _officer_name(pk: Any) -> str:
    officer = Officer.objects.filter(pk=pk).first() if pk else None
    return str(officer) if officer is not None else ""


def _measures(items: list[dict[str, Any]], subjects: dict[int, Subject], language: str) -> list[dict[str, str]]:
    labels = {t.value: str(t.label) for t in MeasureType}
    out = []
    for item in items:
        subject = subjects.get(int(item.get("subject") or 0))
        out.append(
            {
                "label": labels.get(item.get("measure", ""), str(item.get("measure", ""))),
                "subject": subject.name if subject else "",
                "amount": format_amount(item["amount"]) if item.get("amount") else "",
                "due_on": format_date(item.get("due_on"), language),
                "starts_on": format_date(item.get("starts_on"), language),
                "ends_on": format_date(item.get("ends_on"), language),
            }
        )
    return out


def _fines_total(items: list[dict[str, Any]]) -> Decimal:
    total = Decimal("0")
    for item in items:
        if item.get("measure") in (MeasureType.FINE, MeasureType.CONFISCATION) and item.get("amount"):
            total += Decimal(str(item["amount"]))
    return total


def _evidence(case: Case, language: str) -> list[dict[str, str]]:
    return [
        {
            "name": e.name,
            "sha256": e.sha256[:16],
            "collected_on": format_date(e.collected_on, language),
            "method": e.method,
            "description": e.description,
        }
        for e in EvidenceItem.objects.filter(case=case).order_by("collected_on", "id")
    ]


def _common(language: str, office: Any, number: str, issued_on: dt.date) -> dict[str, Any]:
    return {
        "office": office_name(office, language),
        "office_code": office.code,
        "number": number,
        "issued_on": format_date(issued_on, language),
        "review_days": REVIEW_DAYS,
        "litigation_months": LITIGATION_MONTHS,
        "payment_days": PAYMENT_DAYS,
        "surcharge_percent": SURCHARGE_PERCENT,
    }


def _title_of(kind: Kind, language: str, on: dt.date) -> str:
    template = template_in_force(kind, language, on)
    return template.title if template is not None else str(kind.label)


def template_in_force(kind: str, language: str, on: dt.date) -> DocumentTemplate | None:
    """The template a document issued on ``on`` is laid out with: the latest active version valid by then."""
    return (
        DocumentTemplate.objects.filter(kind=kind, language=language, active=True, valid_from__lte=on)
        .order_by("-valid_from", "-version")
        .first()
    )


def document_kind(document: Document) -> Kind | None:
    """The statutory document a case document is laid out as (None: Docket has no template for it)."""
    if document.kind == DocumentKind.DECISION:
        outcome = (document.body or {}).get("outcome")
        if outcome == Outcome.PENALTY:
            return Kind.PENALTY_DECISION
        if outcome in (Outcome.NO_PENALTY, Outcome.NOT_ESTABLISHED):
            return Kind.NO_PENALTY_DECISION
        return None
    return {
        DocumentKind.FILING: Kind.FILING,
        DocumentKind.PRIOR_NOTICE: Kind.PRIOR_NOTICE,
        DocumentKind.HEARING_NOTICE: Kind.HEARING_NOTICE,
        DocumentKind.SERVICE: Kind.SERVICE_RECEIPT,
    }.get(DocumentKind(document.kind))


def document_context(document: Document, language: str) -> dict[str, Any]:
    """The data of a case document, formatted for ``language``."""
    case = document.case
    body = document.body or {}
    with translation.override(language):
        parties = list(case.parties.order_by("pk"))
        by_pk = {s.pk: s for s in parties}
        items = list(body.get("penalties") or [])
        total = _fines_total(items)
        decision = case.documents.filter(kind=DocumentKind.DECISION).order_by("-issued_on", "-id").first()
        served_kind = document_kind(decision) if decision is not None else None
        outcome = body.get("outcome", "")
        return {
            **_common(language, case.office, document.number, document.issued_on),
            "case_ref": case.ref,
            "case_title": case.title,
            "filed_on": format_date(case.filed_on, language),
            "clue_ref": body.get("clue") or (case.clue.ref if case.clue is not None else ""),
            "approved_by": _officer_name(body.get("approved_by") or case.filed_by_id),
            "parties": [_subject(s) for s in parties],
            "party_names": ("、" if language == Language.ZH else "; ").join(s.name for s in parties),
            "facts": body.get("facts") or case.proposed_facts,
            "violations": [
                {"category": str(v.category), "facts": v.facts}
                for v in case.violations.select_related("category").order_by("pk")
            ],
            "legal_basis": body.get("legal_basis") or case.decision_legal_basis or case.proposed_legal_basis,
            "discretion": body.get("discretion") or case.decision_discretion or case.proposed_discretion,
            "measures": _measures(items, by_pk, language),
            "has_fine": total > 0,
            "fines_total": format_amount(total) if total else "",
            "evidence": _evidence(case, language),
            "outcome": str(Outcome(outcome).label) if outcome in Outcome.values else "",
            "no_penalty_reason": str(Outcome(outcome).label) if outcome in Outcome.values else "",
            "statement_due": format_date(body.get("statement_due"), language),
            "hearing_offered": bool(body.get("hearing_offered")),
            "hearing_request_due": format_date(body.get("hearing_request_due"), language),
            "hearing_on": format_date(body.get("held_on"), language),
            "chair": _officer_name(body.get("chair")),
            "served_on": format_date(case.served_on or document.issued_on, language)
            if document.kind == DocumentKind.SERVICE
            else format_date(body.get("served_on"), language),
            "service_method": body.get("method", ""),
            "service_proof": body.get("proof", ""),
            "party_present": _yes_no(bool(body.get("present")), language),
            "served_number": decision.number if decision is not None else "",
            "served_title": _title_of(served_kind, language, decision.issued_on) if decision and served_kind else "",
        }


def measure_context(measure: Measure, number: str, language: str) -> dict[str, Any]:
    """The data of an interview notice or a rectification order."""
    details = measure.details or {}
    with translation.override(language):
        subjects = [
            t.subject
            for t in MeasureTarget.objects.filter(measure=measure).select_related("subject").order_by("subject_id")
        ]
        attendees = details.get("attendees", "")
        if isinstance(attendees, list):
            attendees = ("、" if language == Language.ZH else ", ").join(str(a) for a in attendees)
        case = measure.case
        return {
            **_common(language, measure.office, number, measure.taken_on),
            "case_ref": case.ref if case else "",
            "case_title": case.title if case else "",
            "subjects": [_subject(s) for s in subjects],
            "parties": [_subject(s) for s in subjects],
            "party_names": ("、" if language == Language.ZH else "; ").join(s.name for s in subjects),
            "legal_basis": measure.legal_basis,
            "reason": str(details.get("reason", "")),
            "time": str(details.get("time", "")),
            "place": str(details.get("place", "")),
            "attendees": str(attendees),
            "requirements": str(details.get("requirements", "")),
            "due_on": format_date(measure.due_on, language),
        }


def sample_context(language: str) -> dict[str, Any]:
    """Made-up data for checking a template when it is saved: every name filled, lists of two."""
    person = {"name": "张三", "kind": "", "identifier": "1101**********0011", "address": "", "person": "yes"}
    company = {
        "name": "某网络科技有限公司",
        "kind": "",
        "identifier": "91330100MA2XXXXXX1",
        "address": "",
        "person": "",
    }
    values: dict[str, Any] = {name: "…" for name in NAMES}
    values.update(
        _common(
            language,
            type("O", (), {"name": "某市网信办", "name_en": "", "code": "000000"})(),
            "000000-X-2024-00001",
            dt.date(2024, 1, 2),
        )
    )
    values.update(
        parties=[company, person],
        subjects=[company, person],
        violations=[{"category": "…", "facts": "…"}],
        measures=[{"label": "…", "subject": "…", "amount": "1.00", "due_on": "", "starts_on": "", "ends_on": ""}] * 2,
        evidence=[{"name": "a.png", "sha256": "0" * 16, "collected_on": "", "method": "", "description": ""}] * 2,
        has_fine=True,
        hearing_offered=True,
    )
    return values
