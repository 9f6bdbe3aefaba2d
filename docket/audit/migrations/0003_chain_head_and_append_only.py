from django.db import migrations

GENESIS = "0" * 64

# PostgreSQL refuses UPDATE and DELETE on the audit table outright. (Deployments also REVOKE UPDATE,
# DELETE and TRUNCATE from Docket's role; a wiped table is caught by `docket audit verify` via the head.)
GUARD_SQL = """
CREATE OR REPLACE FUNCTION docket_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % refused on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_entry_no_update_delete BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION docket_audit_append_only();
"""

UNGUARD_SQL = """
DROP TRIGGER IF EXISTS audit_entry_no_update_delete ON audit_auditentry;
DROP FUNCTION IF EXISTS docket_audit_append_only();
"""


def create_head(apps, schema_editor):
    apps.get_model("audit", "AuditHead").objects.get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})


def guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARD_SQL, params=None)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNGUARD_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_initial")]

    operations = [
        migrations.RunPython(create_head, migrations.RunPython.noop),
        migrations.RunPython(guard, unguard),
    ]
