from django.db import migrations

# Docket connects as an application role that owns no table (docs/db-roles.sql), and only a table's owner may
# ANALYZE it: PostgreSQL skips the others with a warning. The bulk loads' ANALYZE (``core.bulk.analyze``) goes
# through this function, which runs as its owner — the owner of Docket's tables — and analyzes those tables only.
CREATE = """
CREATE OR REPLACE FUNCTION docket_analyze(tables regclass[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    t regclass;
BEGIN
    FOREACH t IN ARRAY tables LOOP
        IF NOT EXISTS (
            SELECT 1 FROM pg_class c
            WHERE c.oid = t AND c.relkind IN ('r', 'p') AND c.relowner = (
                SELECT r.oid FROM pg_roles r WHERE r.rolname = current_user
            )
        ) THEN
            RAISE EXCEPTION 'docket_analyze: % is not one of the tables of %', t, current_user
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        EXECUTE format('ANALYZE %s', t);
    END LOOP;
END;
$$;
REVOKE ALL ON FUNCTION docket_analyze(regclass[]) FROM PUBLIC;
"""
DROP = "DROP FUNCTION IF EXISTS docket_analyze(regclass[]);"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0001_import_record"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
