"""The root's jurisdiction is read without a join, and means exactly what the path filter means."""

import pytest
from django.db import IntegrityError, transaction

from docket import testing as t
from docket.cases.models import Case, Document, State
from docket.officers.models import Officer, Role
from docket.offices.models import Level, Office


def test_the_national_office_sees_what_the_path_filter_gives_and_no_more(tree, team):
    t.drive(team, to=State.FILED)
    t.drive(t.Team(tree.gd), to=State.FILED)
    national = t.officer(tree.national, Role.INSPECTOR)
    visible = Case.objects.visible_to(national)
    assert "offices_office" not in str(visible.query)  # no join for the root
    assert set(visible) == set(Case.objects.filter(office__path__startswith=tree.national.path))
    platform_client = t.officer(None, Role.PLATFORM)
    admin = t.officer(tree.national, Role.ADMINISTRATOR)
    assert platform_client not in Officer.objects.visible_to(admin)
    zj = t.officer(tree.zj, Role.INSPECTOR)
    assert set(Case.objects.visible_to(zj)) == {c for c in Case.objects.all() if c.office.path.startswith(tree.zj.path)}


def _office(model):
    return getattr(model, "jurisdiction_field", "office")


def test_there_is_one_root_office(tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        Office.objects.create(code="999999", name="另一个根", level=Level.NATIONAL, parent=None, path="/999999/")


@pytest.mark.django_db
def test_the_listed_jurisdiction_is_the_joined_one(tree, team):
    """``listed=True`` names the subtree's office ids instead of joining on the path: the same rows at every level,
    a sibling's never."""
    t.drive(team, to=State.FILED)  # Hangzhou
    t.drive(t.Team(tree.xh), to=State.FILED)
    t.drive(t.Team(tree.nb), to=State.FILED)
    t.drive(t.Team(tree.gd), to=State.FILED)
    # Cases (as clues and measures) read a province's and a city's jurisdiction by their ancestor columns, listed or
    # not; a case's documents are seen through the case's office by the path, so they hold the listed reading
    # to the joined one at every level.
    for model in (Case, Document):
        for office in (tree.national, tree.zj, tree.hz, tree.xh, tree.nb, tree.gd):
            reader = t.officer(office, Role.INSPECTOR)
            listed = model.objects.visible_to(reader, listed=True)
            assert set(listed) == set(model.objects.visible_to(reader)), (model, office.code)
            if office.parent_id is not None:
                assert "offices_office" not in str(listed.query)
        reader = t.officer(tree.hz, Role.INSPECTOR)
        seen = model.objects.visible_to(reader, listed=True).values_list(_office(model), flat=True)
        assert set(seen) == {tree.hz.pk, tree.xh.pk}, model


def test_a_subtree_is_exactly_the_paths_that_start_with_the_office_s(tree, team):
    """``path__subtree``, the range the scoping queries use, against the plain prefix test on every office: an
    office whose path sorts right after the range's end (/000000/3300000/ beside /000000/330000/) is not inside."""
    t.office("3300000", "相近的编码", tree.national, Level.PROVINCE)
    t.office("330101", "紧随其后", tree.zj, Level.CITY)
    t.drive(team, to=State.FILED)
    t.drive(t.Team(tree.gd), to=State.FILED)
    offices = list(Office.objects.all())
    for office in offices:
        expected = {o.pk for o in offices if o.path.startswith(office.path)}
        assert set(Office.objects.filter(path__subtree=office.path).values_list("pk", flat=True)) == expected
        # Cases by their ancestor columns at depths 1 and 2, their documents by the path range at every depth.
        for model in (Case, Document):
            assert set(model.objects.within(office).values_list("pk", flat=True)) == set(
                model.objects.filter(**{f"{_office(model)}__path__startswith": office.path}).values_list(
                    "pk", flat=True
                )
            ), (model, office.code)
    assert Document.objects.within(tree.zj).exists()
    assert "LIKE" not in str(Document.objects.within(tree.zj).query)


def test_no_query_of_docket_names_a_subtree_by_path_prefix():
    """Every subtree in a query is ``path__subtree`` (the one condition): a ``path__startswith`` left somewhere
    plans as the slow LIKE and may disagree with it on where a subtree ends."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    found = [
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if "tests" not in p.parts and "migrations" not in p.parts and "path__startswith" in p.read_text()
    ]
    assert found == []
