from django.db import migrations


def rebuild(apps, schema_editor):
    """County offices now keep month and year cells: a database holding measures gets them at once.

    Runs the reports' own rebuild (the one rule, ``CELLS_SQL``), which writes the cells of every level; on an
    empty database there is nothing to do.
    """
    Measure = apps.get_model("measures", "Measure")
    if not Measure.objects.exists():
        return
    from docket.reports.aggregates import cells_rebuild

    cells_rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_cell_digest"),
        ("measures", "0004_list_indexes"),
    ]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
