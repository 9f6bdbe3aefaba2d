from collections import defaultdict

from django.db import migrations, models


def quarters_and_halves(apps, schema_editor):
    """Every office keeping month cells now keeps quarter and half-year cells: made from the month cells they
    cover (their events and quantities add up, their subjects are the union of the months'), which is what the
    rule counts for them, without reading the measures again."""
    from pyroaring import BitMap

    from docket.core.bulk import bulk_insert
    from docket.reports.aggregates import CELL_COLUMNS, analyze, period_start, stored

    Cell = apps.get_model("reports", "Cell")
    months = Cell.objects.filter(grain="M")
    columns = ("campaign_id", "period_start", "measure_type", "subject_kind", "events", "quantity", "subjects")
    for scope in sorted(set(months.values_list("scope_id", flat=True))):
        blocks = defaultdict(lambda: [0, 0, BitMap()])
        for campaign, start, mtype, kind, events, quantity, subjects in (
            months.filter(scope_id=scope).values_list(*columns).iterator()
        ):
            for grain in ("Q", "H"):
                block = blocks[(scope, grain, period_start(grain, start), campaign, mtype, kind)]
                block[0] += events
                block[1] += quantity
                if subjects:
                    block[2] |= BitMap.deserialize(bytes(subjects))
        rows = [(*key, e, q, *stored(s)) for key, (e, q, s) in sorted(blocks.items()) if e or s]
        bulk_insert(Cell._meta.db_table, CELL_COLUMNS, rows)
    analyze(Cell)


def drop_quarters_and_halves(apps, schema_editor):
    apps.get_model("reports", "Cell").objects.filter(grain__in=("Q", "H")).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0005_county_cells"),
    ]

    operations = [
        migrations.AlterField(
            model_name="cell",
            name="grain",
            field=models.CharField(
                choices=[("D", "day"), ("M", "month"), ("Q", "quarter"), ("H", "half-year"), ("Y", "year")],
                max_length=1,
            ),
        ),
        migrations.RunPython(quarters_and_halves, drop_quarters_and_halves),
    ]
