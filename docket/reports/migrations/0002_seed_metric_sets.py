from django.db import migrations


def seed(apps, schema_editor):
    from docket.reports.seed import seed_metric_sets

    seed_metric_sets(apps.get_model("reports", "MetricSet"), apps.get_model("reports", "Metric"))


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
