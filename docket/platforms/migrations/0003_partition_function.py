from django.db import migrations

# The application role owns no table and may create none (docs/db-roles.sql): a new month's partition is made by
# this function, which runs with its owner's (the migrating role's) rights and can do nothing but that.
CREATE = """
CREATE OR REPLACE FUNCTION platforms_reported_item_partition(first_day date) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    month date := date_trunc('month', first_day)::date;
    name text := 'platforms_reporteditem_p' || to_char(month, 'YYYYMM');
BEGIN
    IF to_regclass(name) IS NOT NULL THEN
        RETURN false;
    END IF;
    EXECUTE format(
        'CREATE TABLE %I PARTITION OF platforms_reporteditem FOR VALUES FROM (%L) TO (%L)',
        name, month, (month + interval '1 month')::date
    );
    RETURN true;
END
$$;
"""
DROP = "DROP FUNCTION IF EXISTS platforms_reported_item_partition(date);"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("platforms", "0002_platform_order_clock")]

    operations = [migrations.RunPython(create, drop)]
