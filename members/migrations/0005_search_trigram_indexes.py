"""Trigram indexes for the school searches (issue 7): `name__icontains` is `UPPER(name) LIKE
'%…%'`, which no btree index serves, so at nation scale every search read all 200,000 schools.
A GIN index of pg_trgm over exactly that expression answers it for terms of three characters or
more (Chinese included: pg_trgm extracts CJK characters when the database's LC_CTYPE classes
them as letters, as C.UTF-8 and zh_CN.UTF-8 do; under LC_CTYPE=C it finds no trigrams and the
database falls back to reading the table, still giving the right answer).

PostgreSQL only: SQLite (the embedded default) keeps its table scans. Not declared in
Meta.indexes because SQLite cannot build a GIN index; the model state is unchanged, so
makemigrations stays clean. `code__startswith` already has its varchar_pattern_ops index (the
`_like` index Django adds for a unique CharField)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "school_name_trgm": "members_school USING gin ((UPPER(name::text)) gin_trgm_ops)",
}
TABLES = ["members_school"]

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
    dependencies = [("members", "0004_list_order_indexes")]
    operations = [TrigramExtension(), migrations.RunPython(forwards, backwards)]
