"""The offices at depths 1 and 2 of a case's, a clue's and a measure's office are kept by the database, whoever
writes the row, and the scoping path's reading of a provincial or city office's jurisdiction by them is the
subtree, exactly."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.utils import timezone

from docket import testing as t
from docket.cases.models import Case, State
from docket.clues import services as clue_services
from docket.clues.models import Clue, Source
from docket.measures.models import Measure
from docket.officers.models import Role
from docket.offices.ancestors import CASES, CLUES, MEASURES
from docket.offices.models import Level


def _case(office):
    return t.drive(t.Team(office), to=State.FILED)


def _clue(office):
    return clue_services.clue_register(
        actor=t.Team(office).a,
        source=Source.PUBLIC_REPORT,
        received_on=dt.date(2024, 6, 3),
        summary="举报",
        subjects=[t.organisation()],
        now=t.NOW,
    )


def _measure(office):
    return Measure.objects.create(
        office=office, type="warning", taken_on=dt.date(2026, 3, 2), authority="", created_at=timezone.now()
    )


KEPT = [
    pytest.param(Case, _case, id="case"),
    pytest.param(Clue, _clue, id="clue"),
    pytest.param(Measure, _measure, id="measure"),
]


def _ancestors(model, pk):
    return tuple(model.objects.filter(pk=pk).values_list("ancestor_1_id", "ancestor_2_id").get())


@pytest.mark.parametrize(("model", "make"), KEPT)
def test_every_level_s_row_gets_its_offices_at_depths_1_and_2(tree, model, make):
    rows = {office.code: make(office) for office in (tree.zj, tree.hz, tree.xh, tree.gd)}
    assert _ancestors(model, rows["330000"].pk) == (tree.zj.pk, None)
    assert _ancestors(model, rows["330100"].pk) == (tree.zj.pk, tree.hz.pk)
    assert _ancestors(model, rows["330106"].pk) == (tree.zj.pk, tree.hz.pk)
    assert _ancestors(model, rows["440000"].pk) == (tree.gd.pk, None)


@pytest.mark.parametrize(("model", "make"), KEPT)
def test_a_bulk_write_and_sql_by_hand_get_them_too_and_a_wrong_value_is_put_right(tree, model, make):
    row = make(tree.xh)
    # bulk_create writes the instance's values (here the other province's) without save().
    wrong = model.objects.get(pk=row.pk)
    wrong.pk, wrong.ref = None, "BULK-1"
    wrong.ancestor_1_id, wrong.ancestor_2_id = tree.gd.pk, tree.nb.pk
    (written,) = model.objects.bulk_create([wrong])
    copied = written.pk or model.objects.order_by("-pk").values_list("pk", flat=True)[0]
    assert _ancestors(model, copied) == (tree.zj.pk, tree.hz.pk)
    # A change of the columns themselves, by SQL, is taken back to what the office's path says.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {model._meta.db_table} SET ancestor_1_id = %s, ancestor_2_id = NULL WHERE id = %s",  # noqa: S608
            [tree.gd.pk, row.pk],
        )
    assert _ancestors(model, row.pk) == (tree.zj.pk, tree.hz.pk)
    # save() of an instance that never read them (they are set by the database, not in the object) keeps them.
    loaded = model.objects.defer("ancestor_1", "ancestor_2").get(pk=row.pk)
    loaded.ancestor_1_id = None
    loaded.save()
    assert _ancestors(model, row.pk) == (tree.zj.pk, tree.hz.pk)


@pytest.mark.parametrize(("model", "make"), KEPT)
def test_a_change_of_office_moves_the_ancestors_with_it(tree, model, make):
    row = make(tree.xh)
    model.objects.filter(pk=row.pk).update(office=tree.gd)
    assert _ancestors(model, row.pk) == (tree.gd.pk, None)
    model.objects.filter(pk=row.pk).update(office=tree.nb)
    assert _ancestors(model, row.pk) == (tree.zj.pk, tree.nb.pk)


@pytest.mark.parametrize(("model", "make"), KEPT)
def test_the_jurisdiction_read_by_ancestor_is_the_subtree_at_every_level(tree, model, make):
    # Offices whose codes and paths sort next to others' (a code that extends another's; a city right after).
    near = t.office("3300000", "相近的编码", tree.national, Level.PROVINCE)
    after = t.office("330101", "紧随其后", tree.zj, Level.CITY)
    offices = (tree.national, tree.zj, tree.hz, tree.xh, tree.nb, tree.gd, near, after)
    for office in offices:
        make(office)
    for office in offices:
        reader = t.officer(office, Role.INSPECTOR)
        expected = {r.pk for r in model.objects.select_related("office") if r.office.path.startswith(office.path)}
        for listed in (False, True):
            visible = model.objects.visible_to(reader, listed=listed)
            assert set(visible.values_list("pk", flat=True)) == expected, (office.code, listed)
    # A province and a city read one column, no join to the offices and no path.
    for office, column in ((tree.zj, "ancestor_1_id"), (tree.hz, "ancestor_2_id")):
        sql = str(model.objects.within(office).query)
        assert column in sql and "offices_office" not in sql, sql
    # A county (below depth 2) keeps the path.
    assert "offices_office" in str(model.objects.within(tree.xh).query)


def test_the_triggers_fire_in_a_superuser_s_bulk_load_too(tree):
    """A bulk load as a superuser turns the foreign keys' triggers off with session_replication_role = replica
    (docket.demo.scale), which turns off every trigger not enabled ALWAYS: a province's head saw none of its cases."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no replication role: its triggers always fire")
    names = [name for kept in (CASES, CLUES, MEASURES) for name in (kept.trigger_insert, kept.trigger_update)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname, tgenabled FROM pg_trigger WHERE tgname = ANY(%s)", [names])
        assert dict(cursor.fetchall()) == dict.fromkeys(names, "A")
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        superuser = cursor.fetchone()[0]
    if superuser:  # only a superuser may set the role (the application role of CI's second run may not)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
            rows = [(model, make(tree.xh)) for model, make in ((Case, _case), (Clue, _clue), (Measure, _measure))]
        for model, row in rows:
            assert _ancestors(model, row.pk) == (tree.zj.pk, tree.hz.pk)
