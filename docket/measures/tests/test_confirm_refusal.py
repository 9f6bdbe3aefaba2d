"""Asking a third party's confirmation of a measure no third party carries out: one clear sentence naming the
measure's type, in English and in Chinese."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import translation

from docket import testing as t
from docket.core.errors import GateRefused
from docket.measures import services as ms

pytestmark = pytest.mark.django_db


def test_the_refusal_names_the_type_in_a_sentence(team):
    interview = ms.measure_record(
        actor=team.a,
        type="interview",
        taken_on=dt.date(2024, 6, 3),
        subjects=[t.organisation()],
        now=t.NOW,
        details={"reason": "r", "time": "t", "place": "p", "attendees": "a"},
    )
    with pytest.raises(GateRefused) as refused:
        ms.measure_confirm_gate(actor=team.a, measure=interview, on=dt.date(2024, 6, 4))
    assert str(refused.value) == (
        "“Regulatory interview” is not carried out by a third party, so there is no third-party confirmation to record."
    )
    with translation.override("zh-hans"), pytest.raises(GateRefused) as refused:
        ms.measure_confirm_gate(actor=team.a, measure=interview, on=dt.date(2024, 6, 4))
    message = str(refused.value)
    # The type's name quoted where the sentence holds it, never a word set apart by spaces.
    assert "“约谈”" in message, message
    assert not re.search(r"约谈 ", message), message
