from django.db import migrations


def seed(apps, schema_editor):
    from docket.workdays.seed import seed_calendar, seed_default_profile

    seed_calendar(apps.get_model("workdays", "CalendarYear"), apps.get_model("workdays", "CalendarDay"))
    seed_default_profile(apps.get_model("workdays", "ProcedureProfile"), apps.get_model("workdays", "ClockRule"))


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
