"""Reference indexes: a reference found by its start (B-tree) or by what follows its first character (trigrams),
so that a full reference is looked up without reading the entries its common trigrams share with every other
reference (see ``docket.search.indexes``). PostgreSQL only."""

from django.db import migrations


def forwards(apps, schema_editor):
    from docket.search.indexes import install_references

    install_references(schema_editor.connection)


def backwards(apps, schema_editor):
    from docket.search.indexes import uninstall_references

    uninstall_references(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_bigram_indexes"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
