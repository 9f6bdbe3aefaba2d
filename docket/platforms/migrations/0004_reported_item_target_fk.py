from django.db import migrations

# A reported item is about a target of its order: one foreign key to the order's targets (measure, subject) says
# so, in place of one to the order and one to the subject. It is the stronger rule (an item about a subject the
# order does not aim at is refused by the database, not only by the service), and the cheaper one: a batch of a
# thousand items was checked row by row against two tables, each check locking a subject's row; now against the
# targets the service has just updated, whose rows this transaction already holds (bench/ingest.py: 8.7 → 6.0 ms a
# batch). SQLite keeps the model's plain foreign keys (Django has no composite one); the service refuses the same
# items on both.
FORWARD = """
ALTER TABLE platforms_reporteditem
    DROP CONSTRAINT reported_item_measure_fk,
    DROP CONSTRAINT reported_item_subject_fk,
    ADD CONSTRAINT reported_item_target_fk FOREIGN KEY (measure_id, subject_id)
        REFERENCES measures_measuretarget (measure_id, subject_id) DEFERRABLE INITIALLY DEFERRED;
"""
BACKWARD = """
ALTER TABLE platforms_reporteditem
    DROP CONSTRAINT reported_item_target_fk,
    ADD CONSTRAINT reported_item_measure_fk FOREIGN KEY (measure_id) REFERENCES measures_measure (id)
        DEFERRABLE INITIALLY DEFERRED,
    ADD CONSTRAINT reported_item_subject_fk FOREIGN KEY (subject_id) REFERENCES subjects_subject (id)
        DEFERRABLE INITIALLY DEFERRED;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("platforms", "0003_partition_function"),
        ("measures", "0007_target_fillfactor"),
    ]

    operations = [migrations.RunPython(forward, backward)]
