"""A school's memberships never overlap in time (DESIGN.md). PostgreSQL enforces it with an
exclusion constraint over date ranges; SQLite (the embedded default) relies on the service check
made under a lock on the school row, plus the one-open-membership unique constraint."""

from django.db import migrations

CONSTRAINT = "membership_no_overlap_per_school"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE groups_membership ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
        "(school_id WITH =, daterange(joined_on, left_on, '[)') WITH &&)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE groups_membership DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("groups", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
