"""A case's offices at depths 1 and 2 are kept by the database, whoever writes the row, and the scoping path's
reading of a provincial or city office's jurisdiction by them is the subtree, exactly."""

import pytest
from django.db import connection

from docket import testing as t
from docket.cases.models import Case, State
from docket.officers.models import Role
from docket.offices.models import Level


def _ancestors(case_id):
    return tuple(Case.objects.filter(pk=case_id).values_list("ancestor_1_id", "ancestor_2_id").get())


def test_every_level_s_case_gets_its_offices_at_depths_1_and_2(tree):
    cases = {office.code: t.drive(t.Team(office), to=State.FILED) for office in (tree.zj, tree.hz, tree.xh, tree.gd)}
    assert _ancestors(cases["330000"].pk) == (tree.zj.pk, None)
    assert _ancestors(cases["330100"].pk) == (tree.zj.pk, tree.hz.pk)
    assert _ancestors(cases["330106"].pk) == (tree.zj.pk, tree.hz.pk)
    assert _ancestors(cases["440000"].pk) == (tree.gd.pk, None)


def test_a_bulk_write_and_sql_by_hand_get_them_too_and_a_wrong_value_is_put_right(tree):
    case = t.drive(t.Team(tree.xh), to=State.FILED)
    # bulk_create writes the instance's values (here the other province's) without save().
    wrong = Case.objects.get(pk=case.pk)
    wrong.pk, wrong.ref = None, "BULK-1"
    wrong.ancestor_1_id, wrong.ancestor_2_id = tree.gd.pk, tree.nb.pk
    Case.objects.bulk_create([wrong])
    assert _ancestors(Case.objects.get(ref="BULK-1").pk) == (tree.zj.pk, tree.hz.pk)
    # A change of the columns themselves, by SQL, is taken back to what the office's path says.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_case SET ancestor_1_id = %s, ancestor_2_id = NULL WHERE id = %s", [tree.gd.pk, case.pk]
        )
    assert _ancestors(case.pk) == (tree.zj.pk, tree.hz.pk)
    # save() of an instance that never read them (they are set by the database, not in the object) keeps them.
    loaded = Case.objects.defer("ancestor_1", "ancestor_2").get(pk=case.pk)
    loaded.ancestor_1_id = None
    loaded.title = "改名"
    loaded.save()
    assert _ancestors(case.pk) == (tree.zj.pk, tree.hz.pk)


def test_a_change_of_office_moves_the_ancestors_with_it(tree):
    case = t.drive(t.Team(tree.xh), to=State.FILED)
    Case.objects.filter(pk=case.pk).update(office=tree.gd)
    assert _ancestors(case.pk) == (tree.gd.pk, None)
    Case.objects.filter(pk=case.pk).update(office=tree.nb)
    assert _ancestors(case.pk) == (tree.zj.pk, tree.nb.pk)


@pytest.mark.django_db
def test_the_jurisdiction_read_by_ancestor_is_the_subtree_at_every_level(tree):
    # Offices whose codes and paths sort next to others' (a code that extends another's; a city right after).
    near = t.office("3300000", "相近的编码", tree.national, Level.PROVINCE)
    after = t.office("330101", "紧随其后", tree.zj, Level.CITY)
    for office in (tree.national, tree.zj, tree.hz, tree.xh, tree.nb, tree.gd, near, after):
        t.drive(t.Team(office), to=State.FILED)
    for office in (tree.national, tree.zj, tree.hz, tree.xh, tree.nb, tree.gd, near, after):
        reader = t.officer(office, Role.INSPECTOR)
        expected = {c.pk for c in Case.objects.select_related("office") if c.office.path.startswith(office.path)}
        for listed in (False, True):
            visible = Case.objects.visible_to(reader, listed=listed)
            assert set(visible.values_list("pk", flat=True)) == expected, (office.code, listed)
    # A province and a city read one column, no join to the offices and no path.
    for office, column in ((tree.zj, "ancestor_1_id"), (tree.hz, "ancestor_2_id")):
        sql = str(Case.objects.within(office).query)
        assert column in sql and "offices_office" not in sql, sql
    # A county (below depth 2) keeps the path.
    assert "offices_office" in str(Case.objects.within(tree.xh).query)
