"""Trigram indexes for the group search (issue 7): a group's name and code are searched with
`icontains` (`UPPER(col) LIKE '%…%'`), which a GIN index of pg_trgm over that expression answers
for terms of three characters or more; the core school's name uses members' school_name_trgm
(members/0005, which also creates the pg_trgm extension). PostgreSQL only, no model state: see
members/0005."""

from django.db import migrations

INDEXES = {
    "group_name_trgm": "groups_educationgroup USING gin ((UPPER(name::text)) gin_trgm_ops)",
    "group_code_trgm": "groups_educationgroup USING gin ((UPPER(code::text)) gin_trgm_ops)",
}
TABLES = ["groups_educationgroup"]

# A finer sample of the indexed expression than the default 100, so the planner's guess of how
# many rows contain a term is close enough to choose between collecting the matches through the
# trigram index and walking the list's order until a page is full.
STATISTICS = 1000


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")
        schema_editor.execute(f"ALTER INDEX {name} ALTER COLUMN 1 SET STATISTICS {STATISTICS}")
    for table in TABLES:
        schema_editor.execute(f"ANALYZE {table}")  # the planner learns the new expressions now


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    # each statement in its own transaction: ANALYZE inside the one that set the statistics
    # target still sampled with the old one
    atomic = False
    dependencies = [
        ("groups", "0016_list_order_indexes"),
        ("members", "0005_search_trigram_indexes"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
