"""Audit records that hold (issue 12): on PostgreSQL, triggers refuse UPDATE and DELETE on every
audit table, whoever runs the statement (the ORM, raw SQL, a psql session of the app's role).

The audit tables:
- every history table of django-simple-history (found in the apps registry, so a model that
  gains `HistoricalRecords` is covered at the next `migrate`: the post_migrate handler in
  `qingdao_groups.apps` re-installs the triggers, idempotently);
- axes' login records `AccessLog` and `AccessFailureLog` (`AccessAttempt` is the lockout
  counter and stays mutable); on `AccessLog` exactly one update is let through: axes stamping
  `logout_time` once on a row that has none, with no other column changed;
- the API's call log `api_apicall`.

Deletion (never an update) is let through only inside a transaction that set
`SET LOCAL qingdao.retention = 'on'` (`retention_deletes()` below): the retention task archives
the rows it removes first, and the bench removes its own scratch cycle. TRUNCATE is not a row
event and is not refused (tests empty their database with it); it, like dropping a trigger,
needs the table's owner, so production runs the app under a role that does not own the tables
(docs/architecture.md, "Audit records that hold"). SQLite (the embedded default) has none of
this: the admin and the services are its only guard."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections, transaction

TRIGGER = "qingdao_append_only"
FUNCTION = "qingdao_append_only()"
LOGIN_LOG_FUNCTION = "qingdao_access_log_append_only()"
RETENTION_SETTING = "qingdao.retention"

_REFUSE = f"""
    RAISE EXCEPTION 'qingdao audit: % on % refused (audit records are append-only)',
        TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Deletion by the retention task only: SET LOCAL {RETENTION_SETTING} = ''on''.';
"""

FUNCTIONS_SQL = f"""
CREATE OR REPLACE FUNCTION {FUNCTION} RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('{RETENTION_SETTING}', true) = 'on' THEN
        RETURN OLD;
    END IF;
    {_REFUSE}
END
$$;
CREATE OR REPLACE FUNCTION {LOGIN_LOG_FUNCTION} RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        -- axes on logout: logout_time set once, nothing else changed
        IF OLD.logout_time IS NULL
           AND (to_jsonb(NEW) - 'logout_time') = (to_jsonb(OLD) - 'logout_time') THEN
            RETURN NEW;
        END IF;
    ELSIF current_setting('{RETENTION_SETTING}', true) = 'on' THEN
        RETURN OLD;
    END IF;
    {_REFUSE}
END
$$;
"""

# The audit tables that are not history tables, with the function guarding each.
LOG_TABLES = {
    "axes_accesslog": LOGIN_LOG_FUNCTION,
    "axes_accessfailurelog": FUNCTION,
    "api_apicall": FUNCTION,
    "members_secondfactorevent": FUNCTION,
}


def history_tables() -> list[str]:
    """The table of every django-simple-history model in the apps registry (m2m ones too)."""
    from simple_history.models import HistoricalChanges

    return sorted(
        m._meta.db_table
        for m in apps.get_models(include_auto_created=True)
        if issubclass(m, HistoricalChanges) and m._meta.managed
    )


def audit_tables() -> dict[str, str]:
    """{table: guarding function} for every audit table."""
    return {**dict.fromkeys(history_tables(), FUNCTION), **LOG_TABLES}


def install(using: str = DEFAULT_DB_ALIAS, tables: Iterable[str] | None = None) -> list[str]:
    """(Re)install the functions and a trigger on each audit table that exists; idempotent.
    Returns the tables guarded. Nothing on a database other than PostgreSQL."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    guarded = audit_tables()
    if tables is not None:
        guarded = {t: guarded.get(t, FUNCTION) for t in tables}
    existing = set(connection.introspection.table_names())
    done = []
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(FUNCTIONS_SQL)
        for table, function in sorted(guarded.items()):
            if table not in existing:
                continue
            name = connection.ops.quote_name(table)
            cursor.execute(
                f"CREATE OR REPLACE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON {name} "
                f"FOR EACH ROW EXECUTE FUNCTION {function}"
            )
            done.append(table)
    return done


def guarded_tables(using: str = DEFAULT_DB_ALIAS) -> set[str]:
    """The tables that carry the trigger now (read from the catalogue)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = %s AND NOT t.tgisinternal AND t.tgenabled <> 'D'",
            [TRIGGER],
        )
        return {row[0] for row in cursor.fetchall()}


def install_after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate: a history table a new migration made gets its trigger at once."""
    install(using)


@contextlib.contextmanager
def retention_deletes(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """A transaction in which audit rows may be deleted (never updated): for the retention
    task, which archives the rows before removing them, and for tools removing their own
    scratch rows. Ends with the transaction (SET LOCAL)."""
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL {RETENTION_SETTING} = 'on'")
        yield
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL {RETENTION_SETTING} = 'off'")
