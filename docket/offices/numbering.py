"""Reference and document numbers: a running number per office, series and year, taken under a row lock.

``next_number`` locks the office's counter row for the series and year (created race-free with
``INSERT ... ON CONFLICT DO NOTHING``), so simultaneous registrations or decisions of one office queue on
that row and get consecutive numbers; no two transactions ever try to insert the same number, so a lost race
never surfaces as an ``IntegrityError``. Lock order: a service locks the rows it decides on (clue, case,
measure) first, then its counter rows, and the audit head last (``audit_record``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Max

from docket.offices.models import Office, OfficeCounter

# How each series' numbers read; every other series (the kinds of case documents) reads CODE-SERIES-YEAR-N.
PREFIXES = {"XS": "XS-{office}-{year}-", "AJ": "AJ-{office}-{year}-"}
DEFAULT_PREFIX = "{office}-{series}-{year}-"
CLUE_SERIES = "XS"
CASE_SERIES = "AJ"


def number_prefix(office: Office, series: str, year: int) -> str:
    return PREFIXES.get(series, DEFAULT_PREFIX).format(office=office.code, series=series, year=year)


def _locked_counter(office: Office, series: str, year: int) -> OfficeCounter:
    OfficeCounter.objects.bulk_create(
        [OfficeCounter(office=office, series=series, year=year, last=0)], ignore_conflicts=True
    )
    return OfficeCounter.objects.select_for_update().get(office=office, series=series, year=year)


def _highest_written(model: Any, field: str, prefix: str) -> int:
    last = model._base_manager.filter(**{f"{field}__startswith": prefix}).aggregate(m=Max(field))["m"]
    return int(last.rsplit("-", 1)[1]) if last else 0


def reserve_numbers(model: Any, field: str, *, office: Office, series: str, year: int, count: int) -> list[str]:
    """Take ``count`` consecutive numbers at once (bulk writers), under the same lock as ``next_number``.

    Call it inside the transaction that writes the numbers: the counter row stays locked until it commits.
    """
    prefix = number_prefix(office, series, year)
    counter = _locked_counter(office, series, year)
    # Numbers written without the counter (records from before it, bulk writers) are never handed out again.
    first = max(counter.last, _highest_written(model, field, prefix)) + 1
    OfficeCounter.objects.filter(pk=counter.pk).update(last=first + count - 1)
    return [f"{prefix}{n:05d}" for n in range(first, first + count)]


def next_number(model: Any, field: str, *, office: Office, series: str, year: int) -> str:
    """The next number of ``series`` for ``office`` in ``year`` (``XS-330100-2024-00001``).

    ``model``/``field`` name where the numbers are written, so numbers written without the counter are skipped.
    Call it inside the service's transaction.
    """
    return reserve_numbers(model, field, office=office, series=series, year=year, count=1)[0]
