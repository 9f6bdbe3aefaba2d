"""Docket's default wording of the eight statutory documents in both languages (version 1 of each)."""

from django.db import migrations

from docket.documents.defaults import install_defaults


def load(apps, schema_editor):
    install_defaults(apps.get_model("documents", "DocumentTemplate"))


def unload(apps, schema_editor):
    DocumentTemplate = apps.get_model("documents", "DocumentTemplate")
    DocumentTemplate.objects.filter(version=1, renderings__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
