"""Bigram indexes for search terms of two characters, which the trigram indexes cannot look up (see
``docket.search.indexes``). PostgreSQL only; SQLite scans for them.

The function and the indexes are made by the role that runs the migrations (the owner role of
``docs/db-roles.sql``); the application role only calls the function, which PostgreSQL lets every role do.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    from docket.search.indexes import install_bigrams

    install_bigrams(schema_editor.connection)


def backwards(apps, schema_editor):
    from docket.search.indexes import uninstall_bigrams

    uninstall_bigrams(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_substring_indexes"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
