"""Numbers run per office, series and year, and never repeat one written without the counter."""

import datetime as dt

from docket import testing as t
from docket.clues.models import Clue
from docket.offices.models import OfficeCounter
from docket.offices.numbering import CLUE_SERIES, next_number, reserve_numbers
from docket.workdays.clocks import default_profile


def test_numbers_run_per_office_series_and_year(tree):
    take = lambda office, year: next_number(Clue, "ref", office=office, series=CLUE_SERIES, year=year)  # noqa: E731
    assert take(tree.hz, 2024) == "XS-330100-2024-00001"
    assert take(tree.hz, 2024) == "XS-330100-2024-00002"
    assert take(tree.hz, 2025) == "XS-330100-2025-00001"
    assert take(tree.nb, 2024) == "XS-330200-2024-00001"
    assert next_number(Clue, "ref", office=tree.hz, series="decision", year=2024) == "330100-decision-2024-00001"
    assert OfficeCounter.objects.get(office=tree.hz, series=CLUE_SERIES, year=2024).last == 2


def test_numbers_written_without_the_counter_are_skipped(tree):
    """Records from before the counter (or a bulk writer's) are never numbered again."""
    Clue.objects.create(
        office=tree.hz,
        ref="XS-330100-2024-00007",
        source="media",
        received_on=dt.date(2024, 1, 2),
        summary="s",
        profile=default_profile(),
        created_at=t.NOW,
    )
    assert next_number(Clue, "ref", office=tree.hz, series=CLUE_SERIES, year=2024) == "XS-330100-2024-00008"
    block = reserve_numbers(Clue, "ref", office=tree.hz, series=CLUE_SERIES, year=2024, count=3)
    assert block == [f"XS-330100-2024-{n:05d}" for n in (9, 10, 11)]
    assert next_number(Clue, "ref", office=tree.hz, series=CLUE_SERIES, year=2024) == "XS-330100-2024-00012"
