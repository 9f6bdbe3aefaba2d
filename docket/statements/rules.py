"""The DSA Transparency Database's validation of a statement of reasons, ported rule for rule.

A platform that already sends its statements to the European Commission may send the same JSON to Docket, and
must be accepted or refused exactly as the Commission's API would. The source of truth is the Transparency
Database's code (``app/Http/Requests/StatementStoreRequest.php`` for ``POST /api/v1/statement``,
``app/Services/GroupedSubmissionsService.php`` for ``POST /api/v1/statements``; commit 69e80a0b, Laravel 12), so
the rules are kept here as that code states them: one row per field, each a list of Laravel rules, run by a small
evaluator with Laravel's semantics:

- the input is first trimmed and empty strings become null (Laravel's global ``TrimStrings`` and
  ``ConvertEmptyStringsToNull``, applied at every depth);
- the fields are checked in the order of the table, their rules in order; an absent field is checked only by the
  "implicit" rules (``required…``), and a null one too when it is ``nullable``; a failed implicit rule ends that
  field's checks;
- a field whose ``exclude…`` condition holds is dropped with any error it had;
- unknown fields are ignored;
- the messages are Laravel 12's English ones (with the Transparency Database's own where it has them) and the
  ``message`` of a refusal is the first error, followed by ``(and N more errors)``.

The enumerations (decision groups, grounds, categories, keywords, content types, languages, EEA countries) are
the Commission's tables, in ``data/transparency_database.json``.

Where Docket deliberately departs (each only where the Transparency Database would answer 500 or store garbage,
or where Docket needs a field of its own), the row says ``docket``:

- a text field given an array or an object is refused (``must be a string``): Laravel's ``max`` counts an
  array's items and the insert then fails with a server error;
- an ``array`` field must be a JSON array, not an object;
- ``in:null,…`` (Laravel's idiom for a nullable enumeration) does not accept the four-letter string ``"null"``;
- when the format of a date fails, its range is not reported as well (Laravel parses the text loosely with
  PHP's ``strtotime`` to compare it; the Transparency Database's own test expects the format message alone);
- ``url`` is checked for a scheme and a host (Laravel's own pattern is longer; every case of its tests agrees);
- ``docket_order`` and ``docket_target`` name the order and the item a statement reports on (see ``services``).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

DATA = Path(__file__).resolve().parent / "data" / "transparency_database.json"


@functools.cache
def tables() -> dict[str, Any]:
    """The Commission's enumerations, by name (``decision_visibilities``, ``keywords``, ``languages``, …)."""
    data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return data


def keys(table: str) -> list[str]:
    """The values the API takes from a table (its keys, or its items for the Yes/No lists and countries)."""
    return list(tables()[table])


# Fields stored as arrays (JSON lists); all others are one value.
ARRAY_FIELDS = (
    "decision_visibility",
    "category_addition",
    "category_specification",
    "content_type",
    "territorial_scope",
)
DATE_FIELDS = (
    "content_date",
    "application_date",
    "end_date_account_restriction",
    "end_date_monetary_restriction",
    "end_date_service_restriction",
    "end_date_visibility_restriction",
)
# Every field of a stored statement, in the Transparency Database's order.
FIELDS = (
    "decision_visibility",
    "decision_visibility_other",
    "decision_monetary",
    "decision_monetary_other",
    "decision_provision",
    "decision_account",
    "account_type",
    "category_specification",
    "category_specification_other",
    "decision_ground",
    "decision_ground_reference_url",
    "illegal_content_legal_ground",
    "illegal_content_explanation",
    "incompatible_content_ground",
    "incompatible_content_explanation",
    "incompatible_content_illegal",
    "content_type",
    "content_type_other",
    "category",
    "category_addition",
    "territorial_scope",
    "content_language",
    "content_date",
    "application_date",
    "end_date_account_restriction",
    "end_date_monetary_restriction",
    "end_date_service_restriction",
    "end_date_visibility_restriction",
    "decision_facts",
    "source_type",
    "source_identity",
    "automated_detection",
    "automated_decision",
    "puid",
    "content_id_ean",
)

EAN13 = r"^[0-9]{13}$"
PUID = r"^[a-zA-Z0-9\-_]+\Z"
DECISIONS = ("decision_visibility", "decision_monetary", "decision_provision", "decision_account")

R = tuple[Any, ...]


def _others(field: str) -> R:
    return ("required_without_all", tuple(d for d in DECISIONS if d != field))


def _dates(*, after: str | None, required: bool) -> list[R]:
    rules: list[R] = [("required",)] if required else []
    rules.append(("date_format",))
    if after:
        rules.append(("after_or_equal", after))
    rules.append(("before_or_equal", "2038-01-01"))
    if not required:
        rules.append(("nullable",))
    return rules


# StatementStoreRequest::rules(), in its order. ("docket", …) rows are Docket's additions (see the module text).
SINGLE: dict[str, list[R]] = {
    # A PHP "array" here is a JSON object (``{"EAN-13": …}``).
    "content_id": [("object",), ("nullable",)],
    "content_id.EAN-13": [("string",), ("regex", EAN13)],
    "content_id_ean": [("nullable",), ("string",), ("regex", EAN13)],
    "decision_visibility": [
        ("array",),
        ("in", "decision_visibilities"),
        _others("decision_visibility"),
        ("nullable",),
    ],
    "decision_visibility_other": [
        ("max", 500),
        ("required_if_contains", "decision_visibility", "DECISION_VISIBILITY_OTHER"),
        ("exclude_unless_contains", "decision_visibility", "DECISION_VISIBILITY_OTHER"),
        ("docket", "text"),
    ],
    "decision_monetary": [("in", "decision_monetaries"), _others("decision_monetary"), ("nullable",)],
    "decision_monetary_other": [
        ("required_if", "decision_monetary", "DECISION_MONETARY_OTHER"),
        ("exclude_unless", "decision_monetary", "DECISION_MONETARY_OTHER"),
        ("max", 500),
        ("docket", "text"),
    ],
    "decision_provision": [("in", "decision_provisions"), _others("decision_provision"), ("nullable",)],
    "decision_account": [("in", "decision_accounts"), _others("decision_account"), ("nullable",)],
    "account_type": [("in", "account_types"), ("nullable",)],
    "category_specification": [("array",), ("in", "keywords"), ("nullable",)],
    "category_specification_other": [("max", 500), ("docket", "text")],
    "decision_ground": [("required",), ("in", "decision_grounds")],
    "decision_ground_reference_url": [("url",), ("nullable",), ("max", 500)],
    "illegal_content_legal_ground": [
        ("required_if", "decision_ground", "DECISION_GROUND_ILLEGAL_CONTENT"),
        ("exclude_unless", "decision_ground", "DECISION_GROUND_ILLEGAL_CONTENT"),
        ("max", 500),
        ("docket", "text"),
    ],
    "illegal_content_explanation": [
        ("required_if", "decision_ground", "DECISION_GROUND_ILLEGAL_CONTENT"),
        ("exclude_unless", "decision_ground", "DECISION_GROUND_ILLEGAL_CONTENT"),
        ("max", 2000),
        ("docket", "text"),
    ],
    "incompatible_content_ground": [
        ("required_if", "decision_ground", "DECISION_GROUND_INCOMPATIBLE_CONTENT"),
        ("exclude_unless", "decision_ground", "DECISION_GROUND_INCOMPATIBLE_CONTENT"),
        ("max", 500),
        ("docket", "text"),
    ],
    "incompatible_content_explanation": [
        ("required_if", "decision_ground", "DECISION_GROUND_INCOMPATIBLE_CONTENT"),
        ("exclude_unless", "decision_ground", "DECISION_GROUND_INCOMPATIBLE_CONTENT"),
        ("max", 2000),
        ("docket", "text"),
    ],
    "incompatible_content_illegal": [
        ("in", "incompatible_content_illegals", False),
        ("exclude_unless", "decision_ground", "DECISION_GROUND_INCOMPATIBLE_CONTENT"),
    ],
    "content_type": [("array",), ("required",), ("in", "content_types", False)],
    "content_type_other": [
        ("max", 500),
        ("required_if_contains", "content_type", "CONTENT_TYPE_OTHER"),
        ("exclude_unless_contains", "content_type", "CONTENT_TYPE_OTHER"),
        ("docket", "text"),
    ],
    "category": [("required",), ("in", "categories", False)],
    "category_addition": [("array",), ("in", "categories", False)],
    "territorial_scope": [("array",), ("nullable",), ("in", "territorial_scope", False)],
    "content_language": [("in", "languages", False), ("nullable",)],
    "content_date": _dates(after="2000-01-01", required=True),
    "application_date": _dates(after="2020-01-01", required=True),
    "end_date_account_restriction": _dates(after=None, required=False),
    "end_date_monetary_restriction": _dates(after=None, required=False),
    "end_date_service_restriction": _dates(after=None, required=False),
    "end_date_visibility_restriction": _dates(after=None, required=False),
    "decision_facts": [("required",), ("max", 5000), ("docket", "text")],
    "source_type": [("required",), ("in", "source_types", False)],
    "source_identity": [("max", 500), ("exclude_if", "source_type", "SOURCE_VOLUNTARY"), ("docket", "text")],
    "automated_detection": [("required",), ("in", "automated_detections", False)],
    "automated_decision": [("required",), ("in", "automated_decisions", False)],
    "puid": [("required",), ("max", 500), ("regex", PUID)],
    # Docket's own: the order (its id, as the orders list gives it) and the item of it this statement reports.
    "docket_order": [("nullable",), ("docket", "order")],
    "docket_target": [("required_with", "docket_order"), ("nullable",), ("max", 200), ("docket", "text")],
}


def _batch_rules() -> dict[str, list[R]]:
    """GroupedSubmissionsService::multi_rules(): the same rules but three, and ``content_id`` checked last."""
    rules = {k: list(v) for k, v in SINGLE.items() if not k.startswith("content_id")}
    # The batch keeps source_identity through validation and clears it afterwards for voluntary sources.
    rules["source_identity"] = [("max", 500), ("nullable",), ("docket", "text")]
    rules["content_id"] = SINGLE["content_id"]
    rules["content_id.EAN-13"] = SINGLE["content_id.EAN-13"]
    order = [k for k in SINGLE if not k.startswith("content_id") and not k.startswith("docket_")]
    order += ["content_id", "content_id.EAN-13", "docket_order", "docket_target"]
    return {k: rules[k] for k in order}


BATCH: dict[str, list[R]] = _batch_rules()

IMPLICIT = frozenset({"required", "required_if", "required_with", "required_without_all", "required_if_contains"})
EXCLUDING = frozenset({"exclude_if", "exclude_unless", "exclude_unless_contains"})


def _messages() -> dict[str, str]:
    """Laravel 12's English validation lines (``lang/en/validation.php``), as Docket's translatable texts."""
    return {
        "required": _("The %(attribute)s field is required."),
        "required_with": _("The %(attribute)s field is required when %(values)s is present."),
        "required_without_all": _("The %(attribute)s field is required when none of %(values)s are present."),
        "required_if": _("The %(attribute)s field is required when %(other)s is %(value)s."),
        "array": _("The %(attribute)s field must be an array."),
        "string": _("The %(attribute)s field must be a string."),
        "in": _("The selected %(attribute)s is invalid."),
        "max.string": _("The %(attribute)s field must not be greater than %(max)s characters."),
        "max.array": _("The %(attribute)s field must not have more than %(max)s items."),
        "regex": _("The %(attribute)s field format is invalid."),
        "url": _("The %(attribute)s field must be a valid URL."),
        "date_format": _("The %(attribute)s field must match the format %(format)s."),
        "after_or_equal": _("The %(attribute)s field must be a date after or equal to %(date)s."),
        "before_or_equal": _("The %(attribute)s field must be a date before or equal to %(date)s."),
        "between.array": _("The %(attribute)s field must have between %(min)s and %(max)s items."),
        "docket.text": _("The %(attribute)s field must be a string."),
        "docket.order": _("The %(attribute)s field must be the id of an order."),
    }


def _custom() -> dict[str, str]:
    """The Transparency Database's own messages (``StatementStoreRequest::messages()``)."""
    return {
        "decision_monetary_other.required_if": _(
            "The decision monetary other field is required when decision monetary is other."
        ),
        "illegal_content_legal_ground.required_if": _(
            "The illegal content legal ground field is required when decision ground is illegal content."
        ),
        "illegal_content_explanation.required_if": _(
            "The illegal content explanation field is required when decision ground is illegal content."
        ),
        "incompatible_content_ground.required_if": _(
            "The incompatible content ground field is required when decision ground is incompatible content."
        ),
        "incompatible_content_explanation.required_if": _(
            "The incompatible content explanation field is required when decision ground is incompatible content."
        ),
        "content_date.date_format": _("The content date does not match the format YYYY-MM-DD."),
        "application_date.date_format": _("The application date does not match the format YYYY-MM-DD."),
        "end_date_account_restriction.date_format": _(
            "The end date of account restriction does not match the format YYYY-MM-DD."
        ),
        "end_date_monetary_restriction.date_format": _(
            "The end date of monetary restriction does not match the format YYYY-MM-DD."
        ),
        "end_date_service_restriction.date_format": _(
            "The end date of service restriction does not match the format YYYY-MM-DD."
        ),
        "end_date_visibility_restriction.date_format": _(
            "The end date of visibility restriction does not match the format YYYY-MM-DD."
        ),
        "puid.regex": _("The puid format is invalid."),
    }


def displayable(attribute: str) -> str:
    """Laravel's name of a field in a message: ``str_replace('_', ' ', Str::snake($attribute))``.

    ``content_id.EAN-13`` comes out as ``content id. e a n-13``, exactly as the Transparency Database says it.
    """
    text = attribute
    if not (text.isalpha() and text.islower()):
        text = re.sub(r"\s+", "", " ".join(w[:1].upper() + w[1:] for w in text.split(" ")))
        text = re.sub(r"(.)(?=[A-Z])", r"\1_", text).lower()
    return text.replace("_", " ")


# --- the evaluator ----------------------------------------------------------------------------------------------

_MISSING = object()


def clean(value: Any) -> Any:
    """Laravel's TrimStrings and ConvertEmptyStringsToNull, at every depth."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, list):
        return [clean(v) for v in value]
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    return value


def _php_string(value: Any) -> str:
    """PHP's ``(string)`` of a JSON scalar, as ``in_array((string) $value, …)`` compares it."""
    if value is None or value is False:
        return ""
    if value is True:
        return "1"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _numeric(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _lookup(data: Mapping[str, Any], attribute: str) -> Any:
    head, _dot, tail = attribute.partition(".")
    if not tail:
        return data.get(head, _MISSING)
    inner = data.get(head, _MISSING)
    return inner.get(tail, _MISSING) if isinstance(inner, dict) else _MISSING


def _filled(value: Any) -> bool:
    """Laravel's ``validateRequired``."""
    if value is None or value is _MISSING:
        return False
    if isinstance(value, str) and not value.strip():
        return False
    return not (isinstance(value, (list, dict)) and len(value) == 0)


def _contains(data: Mapping[str, Any], field: str, needle: str, *, batch: bool) -> bool:
    value = data.get(field)
    if batch:
        items = value if isinstance(value, list) else []  # is_array($x) ? $x : []
    else:
        items = [] if value is None else value if isinstance(value, list) else [value]  # (array) $x
    return needle in items


def _equals(data: Mapping[str, Any], field: str, value: str) -> bool:
    other = data.get(field)
    return other is not None and _php_string(other) == value


def _date(value: Any) -> dt.date | None:
    """PHP's ``createFromFormat('!Y-m-d')`` that formats back to the same text: a real date as YYYY-MM-DD."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


URL = re.compile(r"^[a-z][a-z0-9+.\-]*://[^\s/?#@]+(?:@[^\s/?#]+)?(?:[/?#]\S*)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Outcome:
    """What validation left: the accepted fields, or the errors by field (in Laravel's order)."""

    data: dict[str, Any]
    errors: dict[str, list[str]]

    @property
    def message(self) -> str:
        return summarize(self.errors)


def summarize(errors: Mapping[str, list[str]]) -> str:
    """Laravel's ``ValidationException::summarize``: the first message, and how many more there are."""
    messages = [m for field in errors.values() for m in field]
    if not messages:
        return _("The given data was invalid.")
    first, more = messages[0], len(messages) - 1
    if more == 1:
        return _("%(first)s (and 1 more error)") % {"first": first}
    if more:
        return _("%(first)s (and %(n)d more errors)") % {"first": first, "n": more}
    return first


def _size_exceeds(value: Any, limit: int) -> tuple[bool, str]:
    if isinstance(value, (list, dict)):
        return len(value) > limit, "array"
    return len(_php_string(value)) > limit, "string"


def _check(rule: R, value: Any, data: Mapping[str, Any], *, batch: bool) -> tuple[bool, str, dict[str, Any]]:
    """One rule on one value: (passed, message key, replacements)."""
    name = rule[0]
    if name == "required":
        return _filled(value), "required", {}
    if name == "required_if":
        needed = _equals(data, rule[1], rule[2])
        return (not needed or _filled(value)), "required_if", {"other": displayable(rule[1]), "value": rule[2]}
    if name == "required_if_contains":
        needed = _contains(data, rule[1], rule[2], batch=batch)
        return (not needed or _filled(value)), "required", {}
    if name == "required_with":
        needed = _filled(data.get(rule[1]))
        return (not needed or _filled(value)), "required_with", {"values": displayable(rule[1])}
    if name == "required_without_all":
        needed = not any(_filled(data.get(o)) for o in rule[1])
        values = " / ".join(displayable(o) for o in rule[1])
        return (not needed or _filled(value)), "required_without_all", {"values": values}
    if name == "array":
        return isinstance(value, list), "array", {}
    if name == "object":
        return isinstance(value, dict), "array", {}
    if name == "string":
        return isinstance(value, str), "string", {}
    if name == "in":
        allowed = set(keys(rule[1]))
        if isinstance(value, list):
            ok = all(not isinstance(v, (list, dict)) and _php_string(v) in allowed for v in value)
            return ok, "in", {}
        return (not isinstance(value, dict) and _php_string(value) in allowed), "in", {}
    if name == "max":
        over, kind = _size_exceeds(value, rule[1])
        return not over, f"max.{kind}", {"max": rule[1]}
    if name == "regex":
        ok = (isinstance(value, str) or _numeric(value)) and re.search(rule[1], _php_string(value)) is not None
        return ok, "regex", {}
    if name == "url":
        return isinstance(value, str) and URL.match(value) is not None, "url", {}
    if name == "date_format":
        return _date(value) is not None, "date_format", {"format": "Y-m-d"}
    if name in ("after_or_equal", "before_or_equal"):
        day = _date(value)
        if day is None:
            return True, name, {}  # the format's own message says it (see the module text)
        bound = dt.date.fromisoformat(rule[1])
        ok = day >= bound if name == "after_or_equal" else day <= bound
        return ok, name, {"date": rule[1]}
    if name == "docket":
        if rule[1] == "text":
            return not isinstance(value, (list, dict, bool)), "docket.text", {}
        if rule[1] == "order":
            ok = (_numeric(value) and float(value).is_integer() and value > 0) or (
                isinstance(value, str) and value.isdigit()
            )
            return bool(ok), "docket.order", {}
    raise ValueError(f"unknown rule {rule!r}")


def _excluded(rules: list[R], data: Mapping[str, Any], *, batch: bool) -> bool:
    for rule in rules:
        if rule[0] == "exclude_if" and _equals(data, rule[1], rule[2]):
            return True
        if rule[0] == "exclude_unless" and not _equals(data, rule[1], rule[2]):
            return True
        if rule[0] == "exclude_unless_contains" and not _contains(data, rule[1], rule[2], batch=batch):
            return True
    return False


def validate(raw: Any, *, batch: bool = False) -> Outcome:
    """Validate one statement as the Transparency Database does (``batch``: as one of ``POST /statements``)."""
    data: dict[str, Any] = clean(raw) if isinstance(raw, dict) else {}
    table = BATCH if batch else SINGLE
    messages, custom = _messages(), _custom()
    errors: dict[str, list[str]] = {}
    accepted: dict[str, Any] = {}
    for attribute, rules in table.items():
        if _excluded(rules, data, batch=batch):
            continue
        value = _lookup(data, attribute)
        nullable = any(r[0] == "nullable" for r in rules)
        failed: list[str] = []
        for rule in rules:
            name = rule[0]
            if name == "nullable" or name in EXCLUDING:
                continue
            implicit = name in IMPLICIT
            if not implicit and (value is _MISSING or (value is None and nullable)):
                continue
            ok, key, extra = _check(rule, value, data, batch=batch)
            if ok:
                continue
            template = custom.get(f"{attribute}.{key.split('.')[0]}") or messages[key]
            failed.append(template % {"attribute": displayable(attribute), **extra})
            if implicit:
                break
        if failed:
            errors[attribute] = failed
        elif value is not _MISSING and "." not in attribute:
            accepted[attribute] = value
    return Outcome(accepted, errors)


def validate_batch(raw: Any) -> tuple[list[Outcome], dict[str, list[str]]]:
    """``{"statements": [...]}``: the envelope's errors (``required|array|between:1,100``), then each statement's."""
    data = clean(raw) if isinstance(raw, dict) else {}
    statements = data.get("statements", _MISSING)
    messages = _messages()
    name = displayable("statements")
    if not _filled(statements):
        return [], {"statements": [messages["required"] % {"attribute": name}]}
    if not isinstance(statements, list):
        return [], {"statements": [messages["array"] % {"attribute": name}]}
    if len(statements) > BATCH_MAX:
        return [], {"statements": [messages["between.array"] % {"attribute": name, "min": 1, "max": BATCH_MAX}]}
    return [validate(s, batch=True) for s in statements], {}


BATCH_MAX = 100


# --- what is stored -------------------------------------------------------------------------------------------


def _sorted_unique(values: list[Any] | None) -> list[str]:
    return sorted({_php_string(v) for v in values or []})


def normalise(accepted: Mapping[str, Any], *, batch: bool = False) -> dict[str, Any]:
    """The statement as stored: every field (null or [] when not given), arrays deduplicated and sorted, the
    territorial scope reduced to EEA codes, the main category out of the additional ones, the EAN-13 taken from
    ``content_id``, and the "other" texts kept only where their choice asks for them (the Transparency Database's
    ``Sanitizer`` and ``GroupedSubmissionsService::sanitizePayloadStatement``)."""
    out: dict[str, Any] = {f: accepted.get(f) for f in FIELDS}
    for field in ARRAY_FIELDS:
        out[field] = _sorted_unique(accepted.get(field))
    countries = set(keys("territorial_scope"))
    out["territorial_scope"] = [c for c in out["territorial_scope"] if c in countries]
    out["category_addition"] = [c for c in out["category_addition"] if c != out["category"]]
    content_id = accepted.get("content_id")
    if not out["content_id_ean"] and isinstance(content_id, dict) and content_id.get("EAN-13"):
        out["content_id_ean"] = content_id["EAN-13"]
    if batch:
        if "KEYWORD_OTHER" not in out["category_specification"]:
            out["category_specification_other"] = None
        if accepted.get("source_type") == "SOURCE_VOLUNTARY":
            out["source_identity"] = None
    for field in FIELDS:
        value = out[field]
        if value is not None and field not in ARRAY_FIELDS:
            out[field] = _php_string(value)
    for field in DATE_FIELDS:
        out[field] = _date(out[field])
    order = accepted.get("docket_order")
    out["docket_order"] = int(order) if order is not None else None
    target = accepted.get("docket_target")
    out["docket_target"] = _php_string(target) if target is not None else ""
    return out


# --- the OpenAPI description, read from the same rows -------------------------------------------------------------


def json_schema(*, batch: bool = False) -> dict[str, Any]:
    """The JSON schema of one statement as these rules accept it (``batch``: as an item of ``/statements``).

    A field that a condition may drop (``exclude…``) is described as any value: when dropped, whatever it holds is
    ignored, so only the description can say what it must be when it counts.
    """
    table = BATCH if batch else SINGLE
    properties: dict[str, Any] = {}
    required: list[str] = []
    for attribute, rules in table.items():
        if "." in attribute:
            continue
        names = {r[0] for r in rules}
        if names & EXCLUDING:
            properties[attribute] = {"description": _described(attribute, rules)}
            continue
        if "required" in names:
            required.append(attribute)
        properties[attribute] = _property(attribute, rules)
    if "content_id" in properties:
        ean = {"type": "string", "pattern": EAN13}
        properties["content_id"] = {
            "type": "object",
            "nullable": True,
            "properties": {"EAN-13": ean},
            "description": "The content's identifiers; only EAN-13 is kept.",
        }
    return {"type": "object", "properties": properties, "required": required}


def _property(attribute: str, rules: list[R]) -> dict[str, Any]:
    names = {r[0] for r in rules}
    nullable = "nullable" in names or not names & {"required", "array"}
    enum = next((keys(r[1]) for r in rules if r[0] == "in"), None)
    max_length = next((r[1] for r in rules if r[0] == "max"), None)
    prop: dict[str, Any]
    if attribute == "puid":
        prop = {
            "oneOf": [{"type": "string", "pattern": PUID.replace(r"\Z", "$"), "maxLength": 500}, {"type": "integer"}]
        }
    elif attribute == "docket_order":
        prop = {"oneOf": [{"type": "integer", "minimum": 1}, {"type": "string", "pattern": r"^[0-9]+$"}]}
    elif "array" in names:
        items: dict[str, Any] = {"type": "string", "enum": enum} if enum else {"type": "string"}
        prop = {"type": "array", "items": items}
        if "required" in names:
            prop["minItems"] = 1
    elif "date_format" in names:
        prop = {"type": "string", "format": "date", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
    elif enum:
        prop = {"type": "string", "enum": enum}
    else:
        prop = {"type": "string"}
        if max_length:
            prop["maxLength"] = max_length
        if "required" in names:
            prop["minLength"] = 1
        if "regex" in names:
            prop["pattern"] = next(r[1] for r in rules if r[0] == "regex")
    if nullable:
        prop["nullable"] = True
        if "enum" in prop:
            prop["enum"] = [*prop["enum"], None]
    description = _described(attribute, rules)
    if description:
        prop["description"] = description
    return prop


def _described(attribute: str, rules: list[R]) -> str:
    """The conditions and limits a schema keyword cannot say, in words."""
    parts: list[str] = []
    for rule in rules:
        name = rule[0]
        if name == "required_without_all":
            parts.append(f"Required when none of {', '.join(rule[1])} is given.")
        elif name in ("required_if", "required_if_contains"):
            parts.append(f"Required when {rule[1]} {'is' if name == 'required_if' else 'contains'} {rule[2]}.")
        elif name == "required_with":
            parts.append(f"Required with {rule[1]}.")
        elif name == "exclude_if":
            parts.append(f"Ignored when {rule[1]} is {rule[2]}.")
        elif name == "exclude_unless":
            parts.append(f"Ignored unless {rule[1]} is {rule[2]}.")
        elif name == "exclude_unless_contains":
            parts.append(f"Ignored unless {rule[1]} contains {rule[2]}.")
        elif name == "max" and any(r[0] in EXCLUDING for r in rules):
            parts.append(f"At most {rule[1]} characters.")
        elif name == "after_or_equal":
            parts.append(f"Not before {rule[1]}.")
        elif name == "before_or_equal":
            parts.append(f"Not after {rule[1]}.")
        elif name == "in" and any(r[0] in EXCLUDING for r in rules):
            parts.append(f"One of: {', '.join(keys(rule[1]))}.")
    if attribute == "docket_order":
        parts.append("Docket's own: the id of an order addressed to your platform this statement reports on.")
    if attribute == "docket_target":
        parts.append("Docket's own: the item of that order (an account id, an app, ...) as the order names it.")
    return " ".join(parts)
