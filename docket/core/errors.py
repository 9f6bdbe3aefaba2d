"""The exceptions every service raises. Views, API actions and commands map them to answers."""

from dataclasses import dataclass

from django.utils.translation import gettext as _


class DocketError(Exception):
    """Base of every refusal a service can give."""


class NotFound(DocketError):
    """The object does not exist for this actor (outside the jurisdiction looks exactly like absent)."""


class Denied(DocketError):
    """The actor may not do this (wrong role or office)."""


class GateRefused(DocketError):
    """A procedural gate is not met (the law forbids the step as things stand)."""


class Conflict(DocketError):
    """Someone else changed the object first; reload and try again."""


class CalendarMissing(DocketError):
    """A deadline falls in a year that has no holiday data: never guessed."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(
            _(
                "No working-day calendar for %(year)s: enter that year's holidays and make-up working "
                "days (the State Council's notice) before computing deadlines in it."
            )
            % {"year": year}
        )


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    row: int | None = None

    def __str__(self) -> str:
        where = f"row {self.row}, " if self.row is not None else ""
        return f"{where}{self.field}: {self.message}"


class InvalidInput(DocketError):
    """Input failed validation; ``errors`` says which row and field, and why."""

    def __init__(self, errors: list[FieldError] | FieldError):
        self.errors = errors if isinstance(errors, list) else [errors]
        super().__init__("; ".join(str(e) for e in self.errors))
