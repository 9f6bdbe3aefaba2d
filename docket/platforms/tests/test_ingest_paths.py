"""The fast paths of report ingestion say and store exactly what the careful ones do.

A well-formed item is taken by a short check (``_parse_all``) and only the others go through ``_parse``; the
item ids and reasons travel to PostgreSQL as one array literal and one block of COPY text built by the service.
These tests hold both to the plain behaviour: the same errors, and every character stored as sent.
"""

import datetime as dt

import pytest

from docket import testing as t
from docket.core.errors import InvalidInput
from docket.platforms.models import ReportedItem
from docket.platforms.services import ReportItem, _parse, _parse_all, _pg_array, order_items_report
from docket.platforms.tests.conftest import accounts, client_of, order

ITEMS = [
    {"item_id": "a1", "target": "weibo0", "outcome": "disposed", "on": "2024-12-04"},
    {"item_id": " a2 ", "target": " weibo1 ", "outcome": "refused", "reason": " 冻结 ", "on": "2024-12-04"},
    {"item_id": "a3", "target": "weibo2", "outcome": "not_found", "reason": None, "on": "2024-12-05"},
    {"item_id": "a4", "target": "weibo3", "outcome": "disposed", "on": dt.date(2024, 12, 4)},
    ReportItem(item_id="a5", target="weibo4", outcome="disposed", on=dt.date(2024, 12, 4)),
    "not an object",
    {"item_id": "a7", "target": "weibo6", "outcome": "disposed", "on": "2024-12-04", "colour": "red"},
    {"item_id": "", "target": "weibo7", "outcome": "disposed", "on": "2024-12-04"},
    {"item_id": "x" * 101, "target": "weibo8", "outcome": "disposed", "on": "2024-12-04"},
    {"item_id": "a10", "target": "", "outcome": "disposed", "on": "2024-12-04"},
    {"item_id": "a11", "target": "weibo9", "outcome": ["disposed"], "on": "2024-12-04"},
    {"item_id": "a12", "target": "weibo9", "outcome": "refused", "reason": "  ", "on": "2024-12-04"},
    {"item_id": "a13", "target": "weibo9", "outcome": "disposed", "on": "2024-13-04"},
    {"item_id": "a14", "target": "weibo9", "outcome": "disposed", "on": "2024-12-4"},
    {"item_id": "a15", "target": "weibo9", "outcome": "disposed", "reason": 5, "on": "2024-12-04"},
    {"item_id": "a\x0016", "target": "weibo9", "outcome": "disposed", "on": "2024-12-04"},
    {"item_id": 17, "target": "weibo9", "outcome": "disposed", "on": "2024-12-04"},
    {"item_id": "a18", "target": "weibo9", "outcome": "refused", "reason": "r" * 301, "on": "2024-12-04"},
]


def _plain(items):
    errors = []
    return [_parse(i, raw, errors) for i, raw in enumerate(items)], errors


def test_the_short_check_takes_and_refuses_exactly_what_the_full_one_does():
    errors = []
    fast = _parse_all(ITEMS, errors)
    slow, slow_errors = _plain(ITEMS)
    assert fast == slow
    assert [(e.field, e.message) for e in errors] == [(e.field, e.message) for e in slow_errors]
    assert [p is not None for p in fast] == [True] * 5 + [False] * 13
    day = dt.date(2024, 12, 4)
    assert fast[1] == ReportItem(item_id="a2", target="weibo1", outcome="refused", on=day, reason="冻结")


# Characters that mean something in an array literal or in COPY's text format, and some that do not.
AWKWARD = ['q"uote', "back\\slash", "{brace,comma}", "tab\there", "new\nline", "cr\rx", "NULL", "\\N", "中文 id"]


def test_awkward_item_ids_and_reasons_are_stored_as_sent_and_recognised_again(team, weibo):
    targets = accounts("weibo", len(AWKWARD))
    o = order(team, weibo, targets)
    client = client_of(weibo)
    items = [
        {"item_id": ident, "target": f"weibo{i}", "outcome": "refused", "reason": f"why {ident}", "on": "2024-12-04"}
        for i, ident in enumerate(AWKWARD)
    ]
    first = order_items_report(actor=client, measure=o, items=items, now=t.NOW)
    assert first.stored == len(AWKWARD)
    stored = dict(ReportedItem.objects.filter(measure=o).values_list("item_id", "reason"))
    assert stored == {ident: f"why {ident}" for ident in AWKWARD}
    again = order_items_report(actor=client, measure=o, items=items, now=t.NOW)
    assert again.stored == 0 and again.already_stored == list(range(len(AWKWARD)))


@pytest.mark.parametrize("where", ["item_id", "reason"])
def test_one_awkward_character_among_plain_items_is_stored_as_sent(team, weibo, where):
    # The escaping is skipped for a batch without such characters: one of them, in either field of one item among
    # plain ones, must still be escaped (each character in its own batch).
    for n, awkward in enumerate(['"', "\\", "\t", "\n", "\r"]):
        o = order(team, weibo, accounts(f"w{n}x", 3))
        items = [
            {"item_id": f"{n}-{i}", "target": f"w{n}x{i}", "outcome": "refused", "reason": "plain", "on": "2024-12-04"}
            for i in range(3)
        ]
        items[1][where] = f"{items[1][where]}{awkward}end"
        order_items_report(actor=client_of(weibo), measure=o, items=items, now=t.NOW)
        stored = set(ReportedItem.objects.filter(measure=o).values_list("item_id", "reason"))
        assert stored == {(i["item_id"], i["reason"]) for i in items}


def test_an_array_literal_escapes_quotes_and_backslashes_only_when_there_are_some():
    assert _pg_array([]) == "{}"
    assert _pg_array(["a", "b c", "NULL", "中"]) == '{"a","b c","NULL","中"}'
    assert _pg_array(['q"a', "b\\c", "d"]) == '{"q\\"a","b\\\\c","d"}'


def test_a_stored_id_among_new_items_is_named_by_its_position(team, weibo):
    o = order(team, weibo, accounts("weibo", 6))
    client = client_of(weibo)
    order_items_report(
        actor=client,
        measure=o,
        items=[{"item_id": "s1", "target": "weibo0", "outcome": "refused", "reason": "x", "on": "2024-12-04"}],
        now=t.NOW,
    )
    batch = [{"item_id": f"n{i}", "target": f"weibo{i}", "outcome": "disposed", "on": "2024-12-04"} for i in (1, 2)]
    batch.insert(1, {"item_id": "s1", "target": "weibo3", "outcome": "disposed", "on": "2024-12-04"})
    with pytest.raises(InvalidInput) as refused:
        order_items_report(actor=client, measure=o, items=batch, now=t.NOW)
    assert [(e.field, "Already stored" in e.message) for e in refused.value.errors] == [("items.1.item_id", True)]
    assert ReportedItem.objects.filter(measure=o).count() == 1


def test_a_nul_character_is_refused_with_its_position(team, weibo):
    o = order(team, weibo, accounts("weibo", 2))
    items = [
        {"item_id": "ok", "target": "weibo0", "outcome": "disposed", "on": "2024-12-04"},
        {"item_id": "n1", "target": "weibo1", "outcome": "refused", "reason": "a\x00b", "on": "2024-12-04"},
    ]
    with pytest.raises(InvalidInput) as refused:
        order_items_report(actor=client_of(weibo), measure=o, items=items, now=t.NOW)
    assert [e.field for e in refused.value.errors] == ["items.1.reason"]
    assert not ReportedItem.objects.exists()
