"""Docket's FilterSet base: the filters copied for each instance without ``deepcopy``, each instance its own."""

import copy
import datetime as dt

from django.http import QueryDict
from django.utils import timezone

from docket.cases.filtersets import CaseFilterSet
from docket.clues.filtersets import ClueFilterSet
from docket.measures.filtersets import MeasureFilterSet
from docket.measures.models import Measure
from docket.statements.filtersets import StatementFilterSet
from docket.subjects.filtersets import SubjectFilterSet


def test_every_filterset_of_docket_is_made_without_deepcopy(monkeypatch):
    calls = []
    real = copy.deepcopy

    def counting(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(copy, "deepcopy", counting)
    for filterset in (CaseFilterSet, ClueFilterSet, MeasureFilterSet, SubjectFilterSet, StatementFilterSet):
        made = filterset(QueryDict(""))
        assert set(made.filters) == set(filterset.base_filters)
    assert calls == []


def _measure(office):
    return Measure.objects.create(
        office=office, type="warning", taken_on=dt.date(2026, 3, 2), authority="", created_at=timezone.now()
    )


def test_two_filtersets_at_once_each_filter_with_their_own_data(tree):
    xihu = _measure(tree.xh)
    _measure(tree.hz)
    _measure(tree.nb)
    hz_only = MeasureFilterSet(QueryDict("office=330100&below=false"), queryset=Measure.objects.all())
    hz_and_below = MeasureFilterSet(QueryDict("office=330100"), queryset=Measure.objects.all())
    # A method filter asks its own FilterSet (its data, its form), not the other instance's or the class's.
    for made in (hz_only, hz_and_below):
        office = made.filters["office"]
        assert office.parent is made
        assert office.filter.f is office
    assert set(hz_and_below.qs.values_list("office__code", flat=True)) == {"330100", "330106"}
    assert set(hz_only.qs.values_list("office__code", flat=True)) == {"330100"}
    assert xihu.pk in hz_and_below.qs.values_list("pk", flat=True)


def test_an_instance_leaves_the_declared_filters_untouched():
    made = CaseFilterSet(QueryDict("state=filed"))
    assert made.form.is_valid()
    for name, declared in CaseFilterSet.base_filters.items():
        assert "parent" not in declared.__dict__, name
        assert made.filters[name] is not declared
        assert made.filters[name].extra is not declared.extra
    # Each instance builds its own form field: one instance's field is never another's.
    other = CaseFilterSet(QueryDict("state=filed"))
    assert other.form.is_valid()
    assert other.filters["state"].field is not made.filters["state"].field
