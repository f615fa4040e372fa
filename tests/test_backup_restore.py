"""Backups that are restored (issue 12): `manage.py backup` then `manage.py restore` into a fresh
database and an empty MEDIA_ROOT finds every table with its rows and every file with its hash;
a backup changed after it was made is refused before anything is written.

On PostgreSQL the backup is a real pg_dump (a separate process: the data must be committed, so
these tests are transactional and build their own world) restored with pg_restore into a new
database; on SQLite it is the online backup API's copy restored into a new file."""

import hashlib
import json
import shutil
import uuid
from pathlib import Path

import environ
import psycopg2
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg2 import sql

from groups.applications.documents import REPLY
from groups.applications.services import application_decide
from qingdao_groups.core.archive import documents_of
from qingdao_groups.core.backup import (
    MANIFEST,
    _migrations,
    _pg_tables,
    _sqlite_tables,
    backup_create,
    count_rows,
)
from qingdao_groups.models import Attachment, OfficialDocument
from tests.groups import workflow_helpers as h

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _source_state() -> tuple[dict[str, int], list[str]]:
    with connection.cursor() as cursor:
        tables = _pg_tables(cursor) if connection.vendor == "postgresql" else _sqlite_tables(cursor)
        return count_rows(cursor, tables), _migrations(cursor)


@pytest.fixture
def data(world):
    """Committed records: the world, a founding with its uploaded documents, decided, so that
    it has an archived 批复 (official document) too."""
    built = h.founding_ready(world)
    app = built.refresh()
    application_decide(
        application=app,
        action="approve",
        actor=built.decider,
        expected_version=app.version,
        reason="符合集团化办学条件，同意。",
        justification="",
    )
    reply = documents_of(app).get(kind=REPLY)
    assert Attachment.objects.filter(owner_id=app.pk).exists()
    return reply


@pytest.fixture
def target(tmp_path):
    """A fresh target database: a new PostgreSQL database (dropped afterwards) or a new
    SQLite file, as a Django DATABASES entry and the URL the command takes."""
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"
        url = f"sqlite:///{path}"
        yield url, environ.Env.db_url_config(url)
        return
    config = connection.settings_dict
    name = f"{config['NAME']}_restored_{uuid.uuid4().hex[:8]}"
    url = "postgres://{user}{password}@{host}:{port}/{name}".format(
        user=config["USER"],
        password=f":{config['PASSWORD']}" if config.get("PASSWORD") else "",
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        name=name,
    )
    yield url, {**config, "NAME": name}
    admin = psycopg2.connect(
        dbname="postgres",
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
    admin.close()


def _target_state(config) -> tuple[dict[str, int], list[str]]:
    if config["ENGINE"] == "django.db.backends.sqlite3":
        import sqlite3

        db = sqlite3.connect(config["NAME"])
        try:
            cursor = db.cursor()
            return count_rows(cursor, _sqlite_tables(cursor)), _migrations(cursor)
        finally:
            db.close()
    db = psycopg2.connect(
        dbname=config["NAME"],
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
    )
    try:
        with db.cursor() as cursor:
            return count_rows(cursor, _pg_tables(cursor)), _migrations(cursor)
    finally:
        db.close()


def _pdf_in(config, code: str) -> bytes:
    if config["ENGINE"] == "django.db.backends.sqlite3":
        import sqlite3

        db = sqlite3.connect(config["NAME"])
        try:
            row = db.execute(
                "SELECT pdf FROM qingdao_groups_officialdocument WHERE code = ?", [code]
            ).fetchone()
        finally:
            db.close()
        return bytes(row[0])
    db = psycopg2.connect(
        dbname=config["NAME"],
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
    )
    try:
        with db.cursor() as cursor:
            cursor.execute(
                "SELECT pdf FROM qingdao_groups_officialdocument WHERE code = %s", [code]
            )
            return bytes(cursor.fetchone()[0])
    finally:
        db.close()


def test_a_backup_restores_every_record_and_file_with_equal_hashes(data, target, tmp_path):
    reply = data
    url, config = target
    media = Path(settings.MEDIA_ROOT)
    files_before = _tree(media)
    assert any(name.startswith("attachments/") for name in files_before)
    counts_before, migrations_before = _source_state()

    call_command("backup", out=str(tmp_path / "backups"))
    (backup,) = (tmp_path / "backups").iterdir()
    manifest = json.loads((backup / MANIFEST).read_text())["body"]
    assert manifest["database"]["tables"] == counts_before
    assert manifest["database"]["migrations"] == migrations_before
    assert manifest["media_files"] == len(files_before)

    restored_media = tmp_path / "restored-media"
    call_command("restore", str(backup), database_url=url, media_root=str(restored_media))

    counts_after, migrations_after = _target_state(config)
    assert counts_after == counts_before
    assert counts_after[OfficialDocument._meta.db_table] >= 1
    assert counts_after[Attachment._meta.db_table] >= 1
    assert migrations_after == migrations_before
    assert _tree(restored_media) == files_before
    # The official document's archived PDF (kept in the database) is the same bytes.
    assert hashlib.sha256(_pdf_in(config, reply.code)).hexdigest() == reply.sha256

    # A second restore into the same, now full, target is refused (no --force).
    with pytest.raises(CommandError, match="already holds"):
        call_command("restore", str(backup), database_url=url, media_root=str(tmp_path / "m3"))


def _backup(tmp_path) -> Path:
    return backup_create(tmp_path / "backups")


TAMPERS = [
    ("dump", "changed: database."),
    ("file", "changed: media/attachments/"),
    ("extra", "not in the manifest: media/extra.pdf"),
    ("missing", "missing: media/attachments/"),
    ("manifest", "signature does not match"),
]


def test_a_tampered_backup_is_refused_before_anything_is_written(data, target, tmp_path):
    """Each change, to a copy of one backup: the dump, an uploaded file, a planted file, a
    removed file, a row count in the manifest."""
    url, config = target
    made = _backup(tmp_path)
    for tamper, message in TAMPERS:
        backup = tmp_path / f"tampered-{tamper}"
        shutil.copytree(made, backup)
        manifest_path = backup / MANIFEST
        manifest = json.loads(manifest_path.read_text())
        attachment = next(
            n for n in manifest["body"]["files"] if n.startswith("media/attachments/")
        )
        if tamper == "dump":
            with (backup / manifest["body"]["database"]["file"]).open("ab") as handle:
                handle.write(b"\0")
        elif tamper == "file":
            path = backup / attachment
            path.write_bytes(path.read_bytes()[:-1] + b"X")
        elif tamper == "extra":
            (backup / "media" / "extra.pdf").write_bytes(b"%PDF-1.4 planted")
        elif tamper == "missing":
            (backup / attachment).unlink()
        else:  # a row count changed in the manifest, its hashes left alone
            manifest["body"]["database"]["tables"][Attachment._meta.db_table] += 1
            manifest_path.write_text(json.dumps(manifest))
        restored_media = tmp_path / "restored-media"
        with pytest.raises(CommandError, match=f"Refused: .*{message}"):
            call_command("restore", str(backup), database_url=url, media_root=str(restored_media))
        assert not restored_media.exists(), tamper
        assert _target_state_empty(config), tamper
    # The untouched backup still verifies.
    call_command("restore", str(made), verify_only=True)


def _target_state_empty(config) -> bool:
    if config["ENGINE"] == "django.db.backends.sqlite3":
        return not Path(config["NAME"]).exists()
    try:
        counts, _ = _target_state(config)
    except psycopg2.OperationalError:
        return True  # never created
    return not counts


def test_a_non_empty_media_root_is_refused_unless_forced(data, target, tmp_path):
    url, config = target
    backup = _backup(tmp_path)
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "keep.txt").write_text("already here")
    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", str(backup), database_url=url, media_root=str(occupied))
    assert _target_state_empty(config)  # refused before the database was touched
    call_command("restore", str(backup), database_url=url, media_root=str(occupied), force=True)
    assert (occupied / "keep.txt").read_text() == "already here"
    assert {k: v for k, v in _tree(occupied).items() if k != "keep.txt"} == _tree(
        Path(settings.MEDIA_ROOT)
    )


def test_keep_prunes_the_oldest_backups(db, tmp_path):
    out = tmp_path / "backups"
    for _ in range(3):
        call_command("backup", out=str(out), keep=2)
    assert len([p for p in out.iterdir() if p.name.startswith("qingdao-groups-")]) == 2
