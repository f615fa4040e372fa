"""Audit records hold (issue 12): on PostgreSQL the database itself refuses UPDATE and DELETE on
every history table, on the login records and on the API's call log, whatever the SQL comes
from (here raw SQL through the app's own connection); deletion only inside the retention
task's transaction; a history table made later gets the trigger at its migrate."""

import datetime

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.apps import apps
from django.db import DatabaseError, connection, models, transaction
from django.db.models.signals import post_migrate
from django.utils import timezone
from simple_history.models import HistoricalRecords, registered_models

from api.models import ApiCall
from members.models import School
from qingdao_groups.core import append_only
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the triggers are PostgreSQL's (SQLite: none)"
    ),
]


def _refused(sql, params=()):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


def _run(sql, params=()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _count(table, pk) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} WHERE {pk[0]} = %s", [pk[1]])
        return cursor.fetchone()[0]


def test_every_audit_table_carries_the_trigger(db):
    history = append_only.history_tables()
    # one history table per model registered with django-simple-history
    assert len(history) == len(registered_models) and len(history) >= 40
    expected = set(history) | {"axes_accesslog", "axes_accessfailurelog", "api_apicall"}
    assert expected - append_only.guarded_tables() == set()
    # the lockout counter stays mutable
    assert "axes_accessattempt" not in append_only.guarded_tables()


def _audit_rows(world):
    now = timezone.now()
    history = School.history.filter(id=world.core.pk).latest("history_id")
    login = AccessLog.objects.create(
        username="t-city", ip_address="10.0.0.1", user_agent="ua", http_accept="*/*", path_info="/"
    )
    failure = AccessFailureLog.objects.create(
        username="t-city", ip_address="10.0.0.1", user_agent="ua", http_accept="*/*", path_info="/"
    )
    call = ApiCall.objects.create(
        method="GET", endpoint="api:probe", path="/api/v1/probe/", status=200, at=now
    )
    return [
        (School.history.model._meta.db_table, "history_id", history.history_id, "name"),
        ("axes_accesslog", "id", login.pk, "username"),
        ("axes_accessfailurelog", "id", failure.pk, "username"),
        ("api_apicall", "id", call.pk, "path"),
    ]


def test_update_and_delete_of_audit_rows_are_refused_by_the_database(world):
    for table, pk, value, column in _audit_rows(world):
        _refused(f"UPDATE {table} SET {column} = 'forged' WHERE {pk} = %s", [value])
        _refused(f"DELETE FROM {table} WHERE {pk} = %s", [value])
        assert _count(table, (pk, value)) == 1, table


def test_the_orm_is_refused_too_and_a_user_with_history_cannot_be_deleted(world):
    with pytest.raises(DatabaseError), transaction.atomic():
        School.history.filter(id=world.core.pk).update(name="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        ApiCall.objects.create(method="GET", endpoint="x", path="/", status=200).delete()
    # Deleting a user would blank "who" on their history rows (SET NULL): refused.
    someone = UserFactory(username="t-audit-someone")
    world.core.name = "审计测试学校"
    world.core._history_user = someone
    world.core.save()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        someone.delete()
    assert School.history.filter(history_user=someone).exists()


def test_axes_may_stamp_the_logout_once_and_nothing_else(world):
    login = AccessLog.objects.create(
        username="t-city", ip_address="10.0.0.1", user_agent="ua", http_accept="*/*", path_info="/"
    )
    out = timezone.now() + datetime.timedelta(minutes=5)
    # what axes does on logout (axes.handlers.database.user_logged_out)
    assert AccessLog.objects.filter(pk=login.pk, logout_time__isnull=True).update(logout_time=out)
    _refused("UPDATE axes_accesslog SET logout_time = now() WHERE id = %s", [login.pk])
    other = AccessLog.objects.create(
        username="t-city", ip_address="10.0.0.1", user_agent="ua", http_accept="*/*", path_info="/"
    )
    _refused(
        "UPDATE axes_accesslog SET logout_time = now(), username = 'x' WHERE id = %s", [other.pk]
    )


def test_retention_may_delete_but_never_update(world):
    rows = _audit_rows(world)
    with append_only.retention_deletes():
        for table, pk, value, column in rows:
            _refused(f"UPDATE {table} SET {column} = 'forged' WHERE {pk} = %s", [value])
            assert _run(f"DELETE FROM {table} WHERE {pk} = %s", [value]) == 1
    # the permission ends with the block
    world.core.save()  # a new history row in place of the deleted one
    for table, pk, value, _column in _audit_rows(world):
        _refused(f"DELETE FROM {table} WHERE {pk} = %s", [value])


def test_a_history_table_made_later_gets_the_trigger_at_its_migrate(db):
    class AuditProbe(models.Model):
        name = models.CharField(max_length=20)
        history = HistoricalRecords()

        class Meta:
            app_label = "qingdao_groups"

        def __str__(self):
            return self.name

    historical = AuditProbe.history.model
    table = historical._meta.db_table
    try:
        with connection.schema_editor() as editor:
            editor.create_model(AuditProbe)
            editor.create_model(historical)
        assert table not in append_only.guarded_tables()
        config = apps.get_app_config("qingdao_groups")
        post_migrate.send(
            sender=config,
            app_config=config,
            verbosity=0,
            interactive=False,
            using=connection.alias,
            apps=apps,
            plan=[],
        )
        assert table in append_only.guarded_tables()
        probe = AuditProbe.objects.create(name="一")
        row = historical.objects.get(id=probe.pk)
        _refused(f"UPDATE {table} SET name = 'forged' WHERE history_id = %s", [row.pk])
        _refused(f"DELETE FROM {table} WHERE history_id = %s", [row.pk])
    finally:
        for name in ("auditprobe", "historicalauditprobe"):
            apps.all_models["qingdao_groups"].pop(name, None)
        registered_models.pop(AuditProbe._meta.db_table, None)
        apps.clear_cache()
