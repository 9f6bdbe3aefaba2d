"""The one mapping from Docket's refusals to answers, shared by the admin, the pages, the API and commands.

A service raises; an interface asks ``answer_for`` what to say. The status follows HTTP (404 absent or
outside the jurisdiction, 403 not allowed, 422 input or procedure, 409 someone was first), the title is
translated, and field errors carry the label the user saw on the form, never a model's internal name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from docket.core.errors import CalendarMissing, Conflict, Denied, DocketError, GateRefused, InvalidInput, NotFound


@dataclass(frozen=True)
class FieldProblem:
    field: str
    label: str
    message: str
    row: int | None = None

    def __str__(self) -> str:
        where = _("row %(n)d, ") % {"n": self.row} if self.row is not None else ""
        return f"{where}{self.label}: {self.message}"


@dataclass(frozen=True)
class Answer:
    status: int
    kind: str
    title: str
    detail: str
    errors: list[FieldProblem] = field(default_factory=list)

    def messages(self) -> list[str]:
        """What to show a person: the field problems, or the refusal itself."""
        return [str(e) for e in self.errors] or [self.detail]

    def problem(self) -> dict[str, Any]:
        """RFC 9457 problem details."""
        body: dict[str, Any] = {
            "type": f"https://docket.invalid/problems/{self.kind}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if self.errors:
            body["errors"] = [
                {"field": e.field, "label": e.label, "message": e.message, **({"row": e.row} if e.row else {})}
                for e in self.errors
            ]
        return body


# (status, kind) per refusal; the first matching class wins, so subclasses come first.
_STATUS: list[tuple[type[DocketError], int, str]] = [
    (NotFound, 404, "not-found"),
    (Denied, 403, "denied"),
    (InvalidInput, 422, "invalid-input"),
    (CalendarMissing, 422, "calendar-missing"),
    (GateRefused, 422, "gate-refused"),
    (Conflict, 409, "conflict"),
]


def _titles() -> dict[str, str]:
    return {
        "not-found": _("Not found"),
        "denied": _("Not allowed"),
        "invalid-input": _("Please correct the input"),
        "calendar-missing": _("Working-day calendar missing"),
        "gate-refused": _("This step is not possible yet"),
        "conflict": _("Changed meanwhile"),
        "refused": _("Refused"),
    }


def answer_for(exc: DocketError, *, labels: Mapping[str, Any] | None = None) -> Answer:
    """The answer to a refusal. ``labels`` maps a service's argument names to what the form called them."""
    status, kind = 400, "refused"
    for cls, code, name in _STATUS:
        if isinstance(exc, cls):
            status, kind = code, name
            break
    errors: list[FieldProblem] = []
    if isinstance(exc, InvalidInput):
        for e in exc.errors:
            label = (labels or {}).get(e.field) or _field_label(e.field)
            errors.append(FieldProblem(e.field, str(label), e.message, e.row))
    detail = "; ".join(str(e) for e in errors) if errors else str(exc)
    return Answer(status, kind, _titles()[kind], detail, errors)


def _field_label(name: str) -> str:
    """A readable name for an argument no form labelled: words, not an identifier."""
    return name.replace("_", " ").strip().capitalize()


def command_error(exc: DocketError) -> Exception:
    """A service's refusal as a management command's error: its messages on one line, no traceback."""
    from django.core.management.base import CommandError

    return CommandError("; ".join(answer_for(exc).messages()))
