"""Helpers of the collected race and jurisdiction tests (``test_races.py``, ``test_jurisdiction_collected.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import models

from docket.audit.models import AuditEntry, Outcome
from docket.core.errors import Conflict, GateRefused, InvalidInput, NotFound
from docket.officers.models import Officer


def tally(results: list[Any], *, taken: str = "") -> tuple[list[Any], list[Any]]:
    """The successes and the refusals of a race; anything else (an IntegrityError, a deadlock) fails the test.

    ``taken`` names a unique field (a code, a slug): a late caller that already sees the first one's row is told
    so on that field (InvalidInput), which counts as a refusal too.
    """

    def refusal(r: Any) -> bool:
        if isinstance(r, Conflict | GateRefused):
            return True
        return bool(taken) and isinstance(r, InvalidInput) and all(e.field == taken for e in r.errors)

    refused = [r for r in results if refusal(r)]
    broken = [r for r in results if isinstance(r, BaseException) and not refusal(r)]
    assert not broken, broken
    return [r for r in results if not isinstance(r, BaseException)], refused


def fresh(obj: Any) -> Any:
    """A copy of ``obj`` read in the calling thread (each racer acts on its own copy, like a form posted)."""
    return type(obj)._base_manager.get(pk=obj.pk)


def me(officer: Officer) -> Officer:
    return Officer.objects.get(pk=officer.pk)


def snapshot(*objs: models.Model) -> list[dict[str, Any] | None]:
    return [type(o)._base_manager.filter(pk=o.pk).values().first() for o in objs]


def assert_absent(call: Callable[[], Any], *objs: models.Model) -> None:
    """``call`` answers NotFound (the object does not exist for this actor), audits the refusal, changes nothing."""
    before = snapshot(*objs)
    entries = AuditEntry.objects.count()
    denials = AuditEntry.objects.filter(outcome=Outcome.DENIED).count()
    with pytest.raises(NotFound):
        call()
    assert snapshot(*objs) == before
    assert AuditEntry.objects.filter(outcome=Outcome.DENIED).count() == denials + 1
    assert AuditEntry.objects.count() == entries + 1
