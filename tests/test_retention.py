"""Retention of the access and login records (issue 12; qingdao_groups.core.retention): rows
older than AUDIT_LOG_RETENTION_DAYS are archived to gzip'd JSON lines, read back, and only then
removed; recent rows, and the history, stay; a failure while archiving removes nothing; the
setting cannot go below six months; outside the task the database still refuses deletion."""

import datetime
import gzip
import hashlib
import io
import json
from contextlib import contextmanager
from unittest import mock

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from api.models import ApiCall
from members.models import School
from qingdao_groups.core import retention
from qingdao_groups.core.retention import audit_logs_archive_and_prune, check_retention_setting
from qingdao_groups.management.commands.setup_schedules import AUDIT_RETENTION_TASK
from qingdao_groups.tasks import audit_logs_archive_and_prune_task
from tests.factories import SchoolFactory

TABLES = ("axes_accesslog", "axes_accessfailurelog", "api_apicall")
NOW = timezone.make_aware(datetime.datetime(2026, 9, 1, 2, 30))


@pytest.fixture(autouse=True)
def archive_dir(settings, tmp_path):
    settings.AUDIT_ARCHIVE_DIR = tmp_path / "audit-archive"
    settings.AUDIT_LOG_RETENTION_DAYS = 190
    return settings.AUDIT_ARCHIVE_DIR


@contextmanager
def _dated(model, field):
    """axes stamps attempt_time itself (auto_now_add): set it to the moment given instead."""
    with mock.patch.object(model._meta.get_field(field), "auto_now_add", False):
        yield


def _login(at, **fields):
    with _dated(AccessLog, "attempt_time"):
        return AccessLog.objects.create(
            username=fields.get("username", "t-city"),
            ip_address="203.0.113.7",
            user_agent="Mozilla/5.0 测试",
            http_accept="text/html",
            path_info="/accounts/login/",
            session_hash="ab" * 32,
            attempt_time=at,
        )


def _failure(at):
    with _dated(AccessFailureLog, "attempt_time"):
        return AccessFailureLog.objects.create(
            username="t-nobody",
            ip_address="198.51.100.9",
            user_agent="curl/8",
            http_accept="*/*",
            path_info="/accounts/login/",
            locked_out=True,
            attempt_time=at,
        )


def _call(at):
    return ApiCall.objects.create(
        method="GET", endpoint="api:schools", path="/api/v1/schools/", status=200, at=at
    )


def _rows_of_each_table(now):
    """Per table: two rows past the 190 days (one with microseconds), one recent."""
    old, older = now - datetime.timedelta(days=191), now - datetime.timedelta(days=400, hours=3)
    old = old.replace(microsecond=123456)
    recent = now - datetime.timedelta(days=10)
    made = {}
    for table, make in zip(TABLES, (_login, _failure, _call), strict=True):
        made[table] = {"old": [make(older), make(old)], "recent": [make(recent)]}
    return made


def _values(model, pks):
    columns = [f.attname for f in model._meta.concrete_fields]
    return list(model.objects.filter(pk__in=pks).order_by("pk").values(*columns))


def _archives(folder, table):
    return sorted((folder / table).glob("*.jsonl.gz"))


def test_old_rows_are_archived_then_removed_and_recent_ones_kept(db, archive_dir):
    made = _rows_of_each_table(NOW)
    school = SchoolFactory(name="保留期测试学校")
    school._history_date = NOW - datetime.timedelta(days=2000)  # history older than the cutoff
    school.save()
    history = School.history.count()
    expected = {
        table: _values(rows["old"][0]._meta.model, [r.pk for r in rows["old"]])
        for table, rows in made.items()
    }

    counts = audit_logs_archive_and_prune(now=NOW, batch_size=1)

    assert counts == dict.fromkeys(TABLES, 2)
    for table, rows in made.items():
        model = rows["old"][0]._meta.model
        assert not model.objects.filter(pk__in=[r.pk for r in rows["old"]]).exists()
        assert model.objects.filter(pk=rows["recent"][0].pk).exists()
        (archive,) = _archives(archive_dir, table)
        first_id = expected[table][0]["id"]
        assert archive.name.startswith(f"{table}_") and archive.name.endswith(
            f"_run20260831T183000Z_{first_id}.jsonl.gz"
        )
        with gzip.open(archive, "rt", encoding="utf-8") as lines:
            archived = [json.loads(line) for line in lines]
        assert len(archived) == 2
        for line, row in zip(archived, expected[table], strict=True):
            assert set(line) == set(row)
            for column, value in row.items():
                if isinstance(value, datetime.datetime):
                    # full precision and the zone
                    assert datetime.datetime.fromisoformat(line[column]) == value, column
                else:
                    assert line[column] == value, column
        manifest = json.loads(archive.with_name(archive.name + ".manifest.json").read_text())
        assert manifest["table"] == table and manifest["rows"] == 2
        assert manifest["sha256"] == hashlib.sha256(archive.read_bytes()).hexdigest()
        assert manifest["first_id"] == first_id
    # the history is never pruned
    assert School.history.count() == history
    assert School.history.filter(history_date__lt=NOW - datetime.timedelta(days=190)).exists()

    # a second run finds nothing left and writes nothing
    assert audit_logs_archive_and_prune(now=NOW) == dict.fromkeys(TABLES, 0)
    assert all(len(_archives(archive_dir, table)) == 1 for table in TABLES)


def test_the_archive_is_named_by_table_days_and_run(db, archive_dir):
    first = _call(timezone.make_aware(datetime.datetime(2025, 2, 1, 12)))
    _call(timezone.make_aware(datetime.datetime(2025, 2, 3, 12)))
    audit_logs_archive_and_prune(now=NOW)
    (archive,) = _archives(archive_dir, "api_apicall")
    # NOW is 2026-09-01 02:30 in Shanghai, 2026-08-31 18:30 UTC
    assert archive.name == f"api_apicall_20250201-20250203_run20260831T183000Z_{first.pk}.jsonl.gz"


def test_a_large_backlog_is_read_in_batches_and_split_into_chunks(db, archive_dir):
    for day in range(7):
        _call(NOW - datetime.timedelta(days=200 + day))
    counts = audit_logs_archive_and_prune(now=NOW, batch_size=2, chunk_rows=3)
    assert counts["api_apicall"] == 7
    archives = _archives(archive_dir, "api_apicall")
    assert len(archives) == 3  # 3 + 3 + 1
    lines = 0
    for archive in archives:
        with gzip.open(archive, "rt", encoding="utf-8") as f:
            lines += sum(1 for _ in f)
    assert lines == 7 and not ApiCall.objects.exists()


@pytest.mark.parametrize("failing", ["fsync", "read-back"])
def test_a_failure_while_archiving_deletes_nothing(db, archive_dir, monkeypatch, failing):
    made = _rows_of_each_table(NOW)
    if failing == "fsync":

        def full_disk(fd):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(retention.os, "fsync", full_disk)
        error = OSError
    else:

        def wrong(path, ids, pk):
            raise retention.ArchiveError(f"{path.name}: 1 rows read back, 2 written")

        monkeypatch.setattr(retention, "_verify", wrong)
        error = retention.ArchiveError

    with pytest.raises(error):
        audit_logs_archive_and_prune(now=NOW)

    for rows in made.values():
        model = rows["old"][0]._meta.model
        assert (
            model.objects.filter(pk__in=[r.pk for r in rows["old"] + rows["recent"]]).count() == 3
        )
    # no file left behind, finished or partial
    assert [p for p in archive_dir.rglob("*") if p.is_file()] == []


def test_dry_run_counts_and_changes_nothing(db, archive_dir):
    _rows_of_each_table(timezone.now())
    out = io.StringIO()
    call_command("archive_audit_logs", "--dry-run", stdout=out)
    assert "axes_accesslog: would archive 2" in out.getvalue()
    assert "total 6" in out.getvalue()
    assert AccessLog.objects.count() == 3
    assert not archive_dir.exists() or not any(archive_dir.rglob("*.gz"))

    out = io.StringIO()
    call_command("archive_audit_logs", stdout=out)
    assert "api_apicall: archived 2" in out.getvalue()
    assert ApiCall.objects.count() == 1


def test_the_beat_task_runs_nightly_and_archives(db, archive_dir):
    call_command("setup_schedules", stdout=io.StringIO())
    periodic = PeriodicTask.objects.get(task=AUDIT_RETENTION_TASK)
    assert (periodic.crontab.hour, periodic.crontab.minute) == ("1", "30")
    assert str(periodic.crontab.timezone) == "Asia/Shanghai" and periodic.enabled
    _rows_of_each_table(timezone.now())
    result = audit_logs_archive_and_prune_task.delay().get()
    assert result == dict.fromkeys(TABLES, 2)


def test_a_retention_under_six_months_fails_the_system_check(settings):
    settings.AUDIT_LOG_RETENTION_DAYS = 180
    assert check_retention_setting() == []
    settings.AUDIT_LOG_RETENTION_DAYS = 179
    (error,) = check_retention_setting()
    assert error.id == "qingdao_groups.E001" and error.level == checks.ERROR
    with pytest.raises(SystemCheckError, match="qingdao_groups.E001"):
        call_command("check", stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's")
def test_outside_the_task_the_database_still_refuses_deletion(db, archive_dir):
    made = _rows_of_each_table(NOW)
    audit_logs_archive_and_prune(now=NOW)
    for rows in made.values():
        model = rows["recent"][0]._meta.model
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            model.objects.filter(pk=rows["recent"][0].pk).delete()
        assert model.objects.filter(pk=rows["recent"][0].pk).exists()
