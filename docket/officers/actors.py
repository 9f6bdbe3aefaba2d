"""Who acts: a signed-in officer, or a named system actor (a command, a worker) that is nobody's account."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TypeAlias

if TYPE_CHECKING:
    from docket.officers.models import Officer


@dataclass(frozen=True)
class SystemActor:
    """A command or worker acting for the system. It holds no role and belongs to no office, so every
    service that requires a role or an office refuses it; only services written for the system accept it."""

    name: str
    pk: None = None
    office: None = None
    office_id: None = None
    is_authenticated: Literal[True] = True
    is_active: Literal[True] = True

    def has_role(self, *roles: str) -> bool:
        return False

    def get_username(self) -> str:
        return f"system:{self.name}"

    def __str__(self) -> str:
        return self.get_username()


SYSTEM = SystemActor("system")

Actor: TypeAlias = "Officer | SystemActor"


def officer_of(actor: Actor) -> Officer:
    """The officer behind an actor who passed a role check (the system actor holds no role, so never does)."""
    from docket.core.errors import Denied
    from docket.officers.models import Officer

    if not isinstance(actor, Officer):
        raise Denied(f"{actor} acts for no office")
    return actor
