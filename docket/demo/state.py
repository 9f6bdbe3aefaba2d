"""What one run of the demo generator shares between its parts: the seed's random stream, the day it runs,
the offices and their staff, the subject pools and the aggregate facts of the bulk measures."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass, field
from typing import Any

from docket.demo.procedure import Team
from docket.offices.models import Office
from docket.reports.aggregates import Fact


@dataclass
class Staff:
    office: Office
    team: Team


@dataclass
class Demo:
    seed: int
    now: dt.datetime
    progress: Any = None
    rng: random.Random = field(init=False)
    serial: int = 0
    staff: dict[str, Staff] = field(default_factory=dict)
    # The offices that take part, with the share of the work each does.
    weights: list[tuple[Office, float]] = field(default_factory=list)
    # Bulk subjects by kind, shuffled: cases and measures take them from the end.
    pool: dict[str, list[int]] = field(default_factory=dict)
    campaign_ids: dict[int, list[int]] = field(default_factory=dict)
    facts: list[Fact] = field(default_factory=list)
    _offices: list[Office] = field(default_factory=list)
    _cum: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def step(self, label: str) -> None:
        if self.progress is not None:
            self.progress.set_description(label)
            self.progress.update(1)

    def pick_office(self) -> Office:
        if not self._cum:
            self._offices = [o for o, _w in self.weights]
            self._cum = list(itertools.accumulate(w for _o, w in self.weights))
        return self.rng.choices(self._offices, cum_weights=self._cum)[0]
