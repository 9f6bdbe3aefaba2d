"""Room on each page of the targets for their status to change in place.

A platform's report sets the status of up to 1,000 targets of an order in one statement. With full pages every
changed row is written to another page and each of the table's three indexes gets a new entry; with half of each
page kept free the new version stays on its page and no index is touched (a heap-only update), since no index
holds the status, the date or the note. A target is written once and changed once or twice, so the table is
kept at twice its packed size for that. Pages written before this keep their fill until the table is rewritten
(``VACUUM FULL``).
"""

from django.db import migrations

FILL = 50


def fill(apps, schema_editor, percent=FILL):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name("measures_measuretarget")
    schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {int(percent)})")


def packed(apps, schema_editor):
    fill(apps, schema_editor, 100)


class Migration(migrations.Migration):
    dependencies = [("measures", "0006_type_taken_office")]

    operations = [migrations.RunPython(fill, packed, elidable=False)]
