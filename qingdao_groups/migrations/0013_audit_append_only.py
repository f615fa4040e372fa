"""Audit records that hold (issue 12): on PostgreSQL, triggers refuse UPDATE and DELETE on every
history table, on axes' login records and on the API's call log (qingdao_groups.core.append_only,
which also re-installs them after every migrate, so later history tables are covered). SQLite:
nothing."""

from django.db import migrations


def forwards(apps, schema_editor):
    from qingdao_groups.core.append_only import install

    install(schema_editor.connection.alias)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from qingdao_groups.core.append_only import TRIGGER, audit_tables

    existing = set(schema_editor.connection.introspection.table_names())
    for table in audit_tables():
        if table in existing:
            name = schema_editor.connection.ops.quote_name(table)
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("qingdao_groups", "0012_task_outbox"),
        ("members", "0008_historicaluser_is_system_account_and_more"),
        ("groups", "0021_official_wording"),
        ("funding", "0004_long_notes_and_reason_codes"),
        ("assessments", "0003_practice"),
        ("api", "0001_initial"),
        ("axes", "0010_accessattemptexpiration"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
