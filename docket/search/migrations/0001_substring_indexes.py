"""The search box's substring indexes on the tables of cases, clues and subjects (see ``docket.search.indexes``).

On PostgreSQL ``pg_trgm`` is created by the role that runs the migrations: a trusted extension since PostgreSQL
13, so the owner role of ``docs/db-roles.sql`` (which owns the database) may create it without superuser rights;
the application role only uses the indexes. On SQLite: FTS5 tables with the trigram tokenizer and their triggers.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


def forwards(apps, schema_editor):
    from docket.search.indexes import install

    install(schema_editor.connection)


def backwards(apps, schema_editor):
    from docket.search.indexes import uninstall

    uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_drop_due_index"),
        ("clues", "0004_list_indexes"),
        ("subjects", "0003_partial_link_indexes"),
    ]

    operations = [
        # A no-op on other databases; on PostgreSQL CREATE EXTENSION IF NOT EXISTS.
        TrigramExtension(),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
