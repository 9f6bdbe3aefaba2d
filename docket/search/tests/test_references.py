"""A reference is found by its start or by what follows its first character (``queries._reference``): the same
rows as a plain substring match, wherever the term stands, and on PostgreSQL from the two reference indexes."""

import pytest
from django.db import connection, transaction

from docket import testing as t
from docket.cases.models import Case, State
from docket.search import indexes
from docket.search.queries import _contains, search

pytestmark = pytest.mark.django_db

REF = "AJ-330100-2024-00417"


@pytest.fixture
def cases(team):
    made = [t.drive(team, to=State.INVESTIGATING) for _ in range(4)]
    shapes = [
        (REF, "某网站案"),  # the term is the reference
        ("AJ-330100-2024-004170", "另一网站案"),  # the reference starts with it
        ("X" + REF, "再一网站案"),  # it stands after the first character
        ("AJ-330100-2024-00418", f"与 {REF.lower()} 并案"),  # only the title quotes it, in small letters
    ]
    for case, (ref, title) in zip(made, shapes, strict=True):
        Case.objects.filter(pk=case.pk).update(ref=ref, title=title)
    return made


@pytest.mark.parametrize("q", [REF, REF.lower(), "AJ-330100-2024-0041", "J-330100-2024-00417", "00417", "XAJ", "AJ-%"])
def test_a_reference_is_found_wherever_the_term_stands_as_a_substring_match_finds_it(team, cases, q):
    plain = Case.objects.filter(ref__icontains=q) | Case.objects.filter(title__icontains=q)
    expected = sorted((c.pk for c in plain.visible_to(team.a)), reverse=True)
    found = [row.pk for row in search(team.a, q)["cases"].rows]
    assert found == expected[: len(found)] and len(found) == min(len(expected), 20)
    assert expected or q == "AJ-%", q


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the reference indexes are PostgreSQL's")
def test_a_full_reference_is_looked_up_in_the_reference_indexes(cases):
    with transaction.atomic(), connection.cursor() as cursor:
        # Forbidden to scan (the table is small), the planner must find both reference indexes usable.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        found = Case.objects.filter(_contains(indexes.CASES, REF, "ref", use_index=True))
        sql, params = found.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert indexes.reference_prefix_index(indexes.CASES) in plan, plan
    assert indexes.reference_rest_index(indexes.CASES) in plan, plan
    assert sorted(found.values_list("ref", flat=True)) == sorted([REF, REF + "0", "X" + REF])
