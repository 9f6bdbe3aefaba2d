from django.db import migrations


def fire_always(apps, schema_editor):
    from docket.offices.ancestors import CASES

    CASES.fire_always(schema_editor.connection)


def fire_as_usual(apps, schema_editor):
    from docket.offices.ancestors import CASES

    CASES.fire_as_usual(schema_editor.connection)


class Migration(migrations.Migration):
    """The ancestor triggers fire under session_replication_role = replica too (a superuser's bulk load)."""

    dependencies = [
        ("cases", "0010_ancestor_offices"),
    ]

    operations = [
        migrations.RunPython(fire_always, fire_as_usual),
    ]
