from django.db import migrations

from docket.offices.ancestors import CASES


class Migration(migrations.Migration):
    """The ancestor triggers fire under session_replication_role = replica too (a superuser's bulk load)."""

    dependencies = [
        ("cases", "0010_ancestor_offices"),
    ]

    operations = [
        migrations.RunPython(CASES.fire_always_step, CASES.fire_as_usual_step),
    ]
