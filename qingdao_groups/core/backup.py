"""Backups that are restored (issue 12): the database and the uploaded files, with a manifest.

A backup is one directory, `<out>/qingdao-groups-<UTC time>/`:

    manifest.json      what is in it: the SHA-256 and size of every other file, the database
                       dump's hash, the row count of every table, the applied migrations, the
                       time; signed with an HMAC of the SECRET_KEY (settings.BACKUP_SIGNING_KEY)
    database.dump      PostgreSQL: `pg_dump --format=custom`, taken in the same snapshot as the
                       row counts (pg_export_snapshot), so the counts describe exactly the dump
    database.sqlite3   SQLite: a copy made with SQLite's online backup API (counted from the copy)
    media/…            every file under MEDIA_ROOT (attachments, exports); the official
                       documents' PDFs live in the database (OfficialDocument.pdf)

It is written under a hidden `.partial` name and renamed when complete, so a backup that died
half-way never looks like one. `restore` checks the signature and every hash before it touches
anything, refuses a target database that holds tables and a MEDIA_ROOT that holds files (unless
forced), restores, and then counts the rows of every table again against the manifest.

Integrity against corruption and tampering is what the hashes give; they are not encryption:
keep backups where only operators read them (the dump holds every record)."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import os
import re
import shutil
import sqlite3
import subprocess  # noqa: S404  # pg_dump / pg_restore, with argument lists, never a shell
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "qingdao-groups-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PG_DUMP_FILE = "database.dump"
SQLITE_FILE = "database.sqlite3"
MEDIA_DIR = "media"
NAME_PREFIX = "qingdao-groups-"
_NAME_RE = re.compile(r"^qingdao-groups-\d{8}-\d{6}(-\d+)?$")
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class RestoreResult:
    tables: int
    rows: int
    files: int
    database: str


# --- hashing and the manifest -----------------------------------------------------------------


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _signing_key() -> bytes:
    key = getattr(settings, "BACKUP_SIGNING_KEY", "") or settings.SECRET_KEY
    return hashlib.sha256(b"qingdao_groups.backup:" + key.encode()).digest()


def _canonical(body: dict) -> bytes:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def sign(body: dict) -> str:
    return hmac.new(_signing_key(), _canonical(body), hashlib.sha256).hexdigest()


def _safe_relative(name: str) -> Path:
    """A manifest path as a relative path inside the backup; anything else is refused."""
    path = Path(name)
    if path.is_absolute() or ".." in path.parts or not path.parts or "\\" in name:
        raise BackupError(f"Refused: the manifest names a path outside the backup: {name!r}.")
    return path


def read_manifest(backup: Path, *, check_signature: bool = True) -> dict:
    """The manifest of `backup`, after checking its signature, every file's size and SHA-256,
    and that the backup holds no file the manifest does not name. Raises BackupError saying
    what differs: a backup that fails any check is never restored."""
    backup = Path(backup)
    path = backup / MANIFEST
    if not path.is_file():
        raise BackupError(f"{backup} is not a backup: {MANIFEST} is missing.")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        body, signature = manifest["body"], manifest["signature"]
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError(f"Refused: {path} is not a readable manifest ({error}).") from error
    if body.get("format") != FORMAT or body.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"Refused: {path} is not a {FORMAT} v{FORMAT_VERSION} manifest.")
    if check_signature and not hmac.compare_digest(sign(body), str(signature)):
        raise BackupError(
            "Refused: the manifest's signature does not match (the manifest was changed, or "
            "this installation's BACKUP_SIGNING_KEY / SECRET_KEY is not the one that made the "
            "backup; --skip-signature restores on the file hashes alone)."
        )
    problems: list[str] = []
    listed = body.get("files", {})
    for name, entry in sorted(listed.items()):
        file = backup / _safe_relative(name)
        if not file.is_file() or file.is_symlink():
            problems.append(f"missing: {name}")
        elif file.stat().st_size != entry["size"] or file_sha256(file) != entry["sha256"]:
            problems.append(f"changed: {name}")
    for file in sorted(backup.rglob("*")):
        name = file.relative_to(backup).as_posix()
        if name != MANIFEST and not file.is_dir() and name not in listed:
            problems.append(f"not in the manifest: {name}")
    database = body.get("database", {})
    if database.get("file") not in listed or listed[database["file"]]["sha256"] != database.get(
        "sha256"
    ):
        problems.append("the database dump is not the one the manifest describes")
    if problems:
        shown = "; ".join(problems[:10]) + (
            f"; and {len(problems) - 10} more" if problems[10:] else ""
        )
        raise BackupError(f"Refused: the backup {backup} does not match its manifest ({shown}).")
    return body


# --- what the database holds ------------------------------------------------------------------


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def count_rows(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608  # introspected names
        counts[table] = cursor.fetchone()[0]
    return counts


def _pg_tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    )
    return [row[0] for row in cursor.fetchall()]


def _sqlite_tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    return [row[0] for row in cursor.fetchall()]


def _migrations(cursor) -> list[str]:
    table = MigrationRecorder.Migration._meta.db_table
    cursor.execute(f"SELECT app, name FROM {_quote(table)} ORDER BY app, name")  # noqa: S608
    return [f"{app}.{name}" for app, name in cursor.fetchall()]


# --- PostgreSQL tools -------------------------------------------------------------------------


def _major(version_text: str) -> int:
    """15 of 'pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)'."""
    match = re.search(r"\)\s*(\d+)", version_text)
    return int(match.group(1)) if match else 0


def pg_tool(name: str, server_major: int) -> str:
    """pg_dump or pg_restore of the server's major version: $PG_BIN_DIR, else Debian's
    /usr/lib/postgresql/<major>/bin, else the one on PATH when its major version is the
    server's. A client older than the server cannot dump it; a newer one writes archives an
    older server may refuse: either way, say which package to install."""
    candidates = []
    if os.environ.get("PG_BIN_DIR"):
        candidates.append(Path(os.environ["PG_BIN_DIR"]) / name)
    candidates.append(Path(f"/usr/lib/postgresql/{server_major}/bin/{name}"))
    on_path = shutil.which(name)
    if on_path:
        candidates.append(Path(on_path))
    found = []
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            out = subprocess.run(  # noqa: S603
                [str(candidate), "--version"], capture_output=True, text=True, check=False
            ).stdout
            if _major(out) == server_major:
                return str(candidate)
            found.append(f"{candidate} ({out.strip()})")
    raise BackupError(
        f"No {name} for PostgreSQL {server_major} "
        f"(found: {', '.join(found) or 'none'}). Install postgresql-client-{server_major} "
        f"(Debian; the PGDG apt repository for other versions) or set PG_BIN_DIR."
    )


def _pg_env(config: dict) -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment for the PostgreSQL tools (the password in
    PGPASSWORD, never on the command line)."""
    args = []
    if config.get("HOST"):
        args += ["--host", str(config["HOST"])]
    if config.get("PORT"):
        args += ["--port", str(config["PORT"])]
    if config.get("USER"):
        args += ["--username", str(config["USER"])]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if config.get("PASSWORD"):
        env["PGPASSWORD"] = str(config["PASSWORD"])
    sslmode = (config.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return args, env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(args, capture_output=True, text=True, env=env, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{what} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")


# --- backup -----------------------------------------------------------------------------------


def _backup_name(now: datetime.datetime, out: Path) -> str:
    base = NAME_PREFIX + now.astimezone(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    name, n = base, 1
    while (out / name).exists() or (out / f".{name}.partial").exists():
        n += 1
        name = f"{base}-{n}"
    return name


def _database_pg(target: Path) -> dict[str, Any]:
    if connection.in_atomic_block:
        raise BackupError("A backup is taken outside any transaction (it opens its own snapshot).")
    config = connection.settings_dict
    server_major = connection.pg_version // 10000  # type: ignore[attr-defined]
    tool = pg_tool("pg_dump", server_major)
    args, env = _pg_env(config)
    dump = target / PG_DUMP_FILE
    # One snapshot for the dump and the counts: pg_dump reads what this transaction sees.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        _run(
            [tool, *args, "--format=custom", f"--snapshot={snapshot}", "--file", str(dump)]
            + ["--dbname", str(config["NAME"])],
            env,
            "pg_dump",
        )
        tables = count_rows(cursor, _pg_tables(cursor))
        migrations = _migrations(cursor)
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]
    tool_version = subprocess.run(  # noqa: S603
        [tool, "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "vendor": "postgresql",
        "file": PG_DUMP_FILE,
        "server_version": server_version,
        "tool": tool_version,
        "tables": tables,
        "migrations": migrations,
    }


def _database_sqlite(target: Path) -> dict[str, Any]:
    copy = target / SQLITE_FILE
    connection.ensure_connection()
    destination = sqlite3.connect(copy)
    try:
        # The online backup API: a consistent copy while the application keeps writing (the
        # connection's own, so an in-memory test database is copied too).
        connection.connection.backup(destination)
        cursor = destination.cursor()
        tables = count_rows(cursor, _sqlite_tables(cursor))
        migrations = _migrations(cursor)
    finally:
        destination.close()
    return {
        "vendor": "sqlite",
        "file": SQLITE_FILE,
        "server_version": sqlite3.sqlite_version,
        "tool": "sqlite3 online backup API",
        "tables": tables,
        "migrations": migrations,
    }


def _copy_media(media_root: Path, target: Path) -> dict[str, dict[str, Any]]:
    """Copy every regular file under MEDIA_ROOT into target/media, hashing as it copies
    (symbolic links are not followed: nothing outside MEDIA_ROOT is taken)."""
    files: dict[str, dict[str, Any]] = {}
    if not media_root.is_dir():
        return files
    for root, dirs, names in os.walk(media_root):
        dirs.sort()
        for name in sorted(names):
            source = Path(root) / name
            if source.is_symlink() or not source.is_file():
                continue
            relative = source.relative_to(media_root)
            destination = target / MEDIA_DIR / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            with source.open("rb") as src, destination.open("wb") as dst:
                while chunk := src.read(_CHUNK):
                    digest.update(chunk)
                    dst.write(chunk)
            files[(Path(MEDIA_DIR) / relative).as_posix()] = {
                "sha256": digest.hexdigest(),
                "size": destination.stat().st_size,
            }
    return files


def backup_create(
    out: Path, *, media_root: Path | None = None, now: datetime.datetime | None = None
) -> Path:
    """Write a backup of the default database and MEDIA_ROOT into a new directory under `out`;
    return its path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    now = now or timezone.now()
    media_root = Path(media_root or settings.MEDIA_ROOT)
    name = _backup_name(now, out)
    partial = out / f".{name}.partial"
    partial.mkdir(mode=0o700)
    try:
        if connection.vendor == "postgresql":
            database = _database_pg(partial)
        elif connection.vendor == "sqlite":
            database = _database_sqlite(partial)
        else:
            raise BackupError(f"Backups support PostgreSQL and SQLite, not {connection.vendor}.")
        files = _copy_media(media_root, partial)
        dump = partial / database["file"]
        files[database["file"]] = {"sha256": file_sha256(dump), "size": dump.stat().st_size}
        database["sha256"] = files[database["file"]]["sha256"]
        body = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": now.astimezone(datetime.UTC).isoformat(),
            "database": database,
            "media_root": str(media_root),
            "media_files": sum(1 for key in files if key.startswith(MEDIA_DIR + "/")),
            "files": files,
        }
        manifest = {"body": body, "signature": sign(body)}
        (partial / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8"
        )
        partial.rename(out / name)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return out / name


def backups_prune(out: Path, keep: int) -> list[Path]:
    """Remove all but the newest `keep` complete backups in `out` (and any left `.partial`
    more than a day old); return what was removed."""
    out = Path(out)
    complete = sorted(p for p in out.iterdir() if p.is_dir() and _NAME_RE.match(p.name))
    removed = complete[: max(0, len(complete) - keep)]
    day_ago = timezone.now().timestamp() - 86400
    removed += [
        p
        for p in out.iterdir()
        if p.name.startswith(f".{NAME_PREFIX}")
        and p.name.endswith(".partial")
        and p.stat().st_mtime < day_ago
    ]
    for path in removed:
        shutil.rmtree(path)
    return removed


# --- restore ----------------------------------------------------------------------------------


def _restore_pg(backup: Path, body: dict, config: dict, *, force: bool) -> dict[str, int]:
    import psycopg2
    from psycopg2 import sql

    args, env = _pg_env(config)
    params = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "connect_timeout": 10,
    }
    name = str(config["NAME"])
    try:
        target = psycopg2.connect(dbname=name, **params)
    except psycopg2.OperationalError as error:
        if f'"{name}" does not exist' not in str(error):
            raise BackupError(f"Cannot connect to the target database {name}: {error}") from error
        admin = psycopg2.connect(dbname="postgres", **params)
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        admin.close()
        target = psycopg2.connect(dbname=name, **params)
    try:
        with target.cursor() as cursor:
            tables = _pg_tables(cursor)
            if tables and not force:
                raise BackupError(
                    f"Refused: the target database {name} already holds {len(tables)} tables. "
                    "Restore into a new, empty database (--database-url), or --force to "
                    "replace what it holds."
                )
            server_major = target.server_version // 10000
    finally:
        target.close()
    tool = pg_tool("pg_restore", server_major)
    command = [tool, *args, "--dbname", name, "--no-owner", "--exit-on-error"]
    command += ["--single-transaction"]
    if force:
        command += ["--clean", "--if-exists"]
    _run([*command, str(backup / PG_DUMP_FILE)], env, "pg_restore")
    target = psycopg2.connect(dbname=name, **params)
    try:
        with target.cursor() as cursor:
            return count_rows(cursor, _pg_tables(cursor)) | {
                "__migrations__": len(_migrations(cursor))
            }
    finally:
        target.close()


def _restore_sqlite(backup: Path, body: dict, config: dict, *, force: bool) -> dict[str, int]:
    path = Path(config["NAME"])
    if path.exists() and path.stat().st_size:
        existing = sqlite3.connect(path)
        try:
            tables = _sqlite_tables(existing.cursor())
        finally:
            existing.close()
        if tables and not force:
            raise BackupError(
                f"Refused: the target database {path} already holds {len(tables)} tables. "
                "Restore into a new file (--database-url sqlite:////path/new.sqlite3), or "
                "--force to replace it."
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{backup / SQLITE_FILE}?mode=ro", uri=True)
    destination = sqlite3.connect(path)
    try:
        source.backup(destination)  # replaces every page of the target
        cursor = destination.cursor()
        return count_rows(cursor, _sqlite_tables(cursor)) | {
            "__migrations__": len(_migrations(cursor))
        }
    finally:
        source.close()
        destination.close()


def _media_check(media_root: Path, *, force: bool) -> None:
    if media_root.is_dir() and any(media_root.iterdir()) and not force:
        raise BackupError(
            f"Refused: MEDIA_ROOT {media_root} is not empty. Restore into an empty folder "
            "(--media-root), or --force to write the backup's files over it (files the backup "
            "does not hold are left as they are)."
        )


def _restore_media(backup: Path, body: dict, media_root: Path, *, force: bool) -> int:
    _media_check(media_root, force=force)
    count = 0
    for name, entry in sorted(body["files"].items()):
        relative = _safe_relative(name)
        if relative.parts[0] != MEDIA_DIR:
            continue
        destination = media_root.joinpath(*relative.parts[1:])
        destination.parent.mkdir(parents=True, exist_ok=True)
        # Write beside, check, then replace: a file is either the old one or the checked new one.
        handle, temporary = tempfile.mkstemp(dir=destination.parent, prefix=".restore-")
        os.close(handle)
        shutil.copyfile(backup / relative, temporary)
        if file_sha256(Path(temporary)) != entry["sha256"]:
            os.unlink(temporary)
            raise BackupError(f"Restoring {name} wrote different bytes; stopped.")
        os.replace(temporary, destination)
        count += 1
    return count


def backup_restore(
    backup: Path,
    *,
    database: dict | None = None,
    media_root: Path | None = None,
    force: bool = False,
    check_signature: bool = True,
    progress: Callable[[str], None] = lambda message: None,
) -> RestoreResult:
    """Check `backup` against its manifest, then restore its database into `database` (a
    Django DATABASES entry; default: this installation's) and its files into `media_root`
    (default: MEDIA_ROOT). Afterwards every table's row count is compared with the manifest."""
    backup = Path(backup)
    body = read_manifest(backup, check_signature=check_signature)
    progress(f"{backup}: manifest, signature and {len(body['files'])} file hashes verified")
    config = database or connection.settings_dict
    vendor = body["database"]["vendor"]
    engine = config["ENGINE"]
    if vendor == "postgresql" and engine == "django.db.backends.postgresql":
        restore = _restore_pg
    elif vendor == "sqlite" and engine == "django.db.backends.sqlite3":
        restore = _restore_sqlite
    else:
        raise BackupError(f"A {vendor} backup cannot be restored into {engine}.")
    media_root = Path(media_root or settings.MEDIA_ROOT)
    # Both refusals before either is written.
    _media_check(media_root, force=force)
    counts = restore(backup, body, config, force=force)
    migrations = counts.pop("__migrations__")
    progress(f"database {config['NAME']}: restored")
    expected = body["database"]["tables"]
    differ = {
        table: (expected.get(table), counts.get(table))
        for table in sorted(set(expected) | set(counts))
        if expected.get(table) != counts.get(table)
    }
    if differ or migrations != len(body["database"]["migrations"]):
        raise BackupError(f"The restored database does not match the manifest: {differ}")
    files = _restore_media(backup, body, media_root, force=force)
    progress(f"{files} files restored into {media_root}")
    return RestoreResult(
        tables=len(counts), rows=sum(counts.values()), files=files, database=str(config["NAME"])
    )
