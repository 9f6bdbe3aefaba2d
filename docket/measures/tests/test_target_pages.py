"""The targets' pages keep room for a status change in place (migration ``0007_target_fillfactor``)."""

import pytest
from django.db import connection

from docket.measures.models import MeasureTarget, TargetStatus
from docket.platforms.tests.conftest import accounts, order, platform

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="fill factors and heap-only updates are PostgreSQL's"
)


def _stats() -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = %s",
            [MeasureTarget._meta.db_table],
        )
        row = cursor.fetchone()
    return (row[0], row[1]) if row else (0, 0)


def test_a_report_changes_every_status_of_an_order_without_touching_an_index(team):
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [MeasureTarget._meta.db_table])
        assert "fillfactor=50" in (cursor.fetchone()[0] or [])
    o = order(team, platform("微博", "weibo"), accounts("weibo", 200))
    before = _stats()
    changed = MeasureTarget.objects.filter(measure=o).update(status=TargetStatus.DONE, note="已处置")
    updated, hot = (a - b for a, b in zip(_stats(), before, strict=True))
    assert changed == updated == 200
    assert hot == updated
