"""What each measure type is: what it may be aimed at, what it must carry, whether it is a penalty."""

from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

from docket.core.vocabulary import Kind
from docket.core.vocabulary import MeasureType as MeasureType

ALL_KINDS = frozenset(Kind.values)
NOT_PERSON = ALL_KINDS - {Kind.RESPONSIBLE_PERSON}


@dataclass(frozen=True)
class MeasureSpec:
    kinds: frozenset[str]
    # An administrative penalty: only a case decision imposes it.
    penalty: bool = False
    amount: bool = False
    due_date: bool = False
    period: bool = False
    # Carried out by a third party (store, host platform, telecom regulator) who must confirm it.
    confirmation: bool = False
    min_subjects: int = 1
    details: tuple[str, ...] = field(default_factory=tuple)


SPECS: dict[str, MeasureSpec] = {
    MeasureType.INTERVIEW: MeasureSpec(
        frozenset({Kind.ORGANISATION, Kind.WEBSITE, Kind.APP}),
        details=("reason", "time", "place", "attendees", "minutes", "commitments", "follow_up"),
    ),
    MeasureType.WARNING: MeasureSpec(NOT_PERSON, penalty=True),
    MeasureType.FINE: MeasureSpec(ALL_KINDS, penalty=True, amount=True),
    MeasureType.CONFISCATION: MeasureSpec(NOT_PERSON, penalty=True, amount=True),
    MeasureType.RECTIFICATION_ORDER: MeasureSpec(NOT_PERSON, due_date=True, details=("requirements",)),
    MeasureType.SUSPENSION: MeasureSpec(
        frozenset({Kind.ORGANISATION, Kind.WEBSITE, Kind.APP, Kind.MINI_PROGRAM}),
        period=True,
        details=("functions",),
    ),
    MeasureType.APP_REMOVAL: MeasureSpec(frozenset({Kind.APP}), confirmation=True, details=("stores",)),
    MeasureType.MINI_PROGRAM_SHUTDOWN: MeasureSpec(frozenset({Kind.MINI_PROGRAM}), confirmation=True),
    MeasureType.LICENCE_CANCELLATION: MeasureSpec(
        frozenset({Kind.WEBSITE, Kind.ORGANISATION}), penalty=True, confirmation=True
    ),
    MeasureType.WEBSITE_CLOSURE: MeasureSpec(frozenset({Kind.WEBSITE}), confirmation=True),
    MeasureType.ACCOUNT_CLOSURE_ORDER: MeasureSpec(
        frozenset({Kind.ACCOUNT, Kind.LIVE_ROOM, Kind.STORE, Kind.GROUP}), details=("grounds",)
    ),
    MeasureType.RESPONSIBLE_PERSON: MeasureSpec(frozenset({Kind.RESPONSIBLE_PERSON}), details=("action",)),
    MeasureType.PUBLIC_NOTICE: MeasureSpec(ALL_KINDS, details=("channel",)),
    MeasureType.TRANSFER: MeasureSpec(ALL_KINDS, min_subjects=0, details=("reason",)),
}

PENALTY_TYPES = frozenset(k for k, s in SPECS.items() if s.penalty)
# What a case decision may impose besides penalties (orders that accompany a penalty decision).
# The measures an office may address to a platform for it to carry out, each item (account, app, mini program,
# the operator itself) reported back one by one through the platform channel.
PLATFORM_ORDER_TYPES = frozenset(
    {
        MeasureType.ACCOUNT_CLOSURE_ORDER,
        MeasureType.SUSPENSION,
        MeasureType.APP_REMOVAL,
        MeasureType.MINI_PROGRAM_SHUTDOWN,
        MeasureType.RECTIFICATION_ORDER,
    }
)
DECISION_TYPES = PENALTY_TYPES | {
    MeasureType.RECTIFICATION_ORDER,
    MeasureType.SUSPENSION,
    MeasureType.APP_REMOVAL,
    MeasureType.MINI_PROGRAM_SHUTDOWN,
    MeasureType.WEBSITE_CLOSURE,
    MeasureType.RESPONSIBLE_PERSON,
    MeasureType.PUBLIC_NOTICE,
    MeasureType.ACCOUNT_CLOSURE_ORDER,
}


class Authority(models.TextChoices):
    TELECOM = "telecom", _("Telecom regulator")
    PUBLIC_SECURITY = "public_security", _("Public security")
    MARKET = "market", _("Market regulator")
    PROCURATORATE = "procuratorate", _("Procuratorate / judicial authority")
    OTHER = "other", _("Other authority")
