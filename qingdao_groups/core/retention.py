"""Retention of the access and login records (issue 12): kept AUDIT_LOG_RETENTION_DAYS (default
190; at least 180, the Cybersecurity Law's six months, art. 21), then archived and removed.

What is retained this way: axes' `AccessLog` (sign-ins and sign-outs), `AccessFailureLog`
(failed sign-ins) and the API's `ApiCall`. The history tables (django-simple-history) are kept
for good; axes' `AccessAttempt` is the lockout counter, forgotten after the cool-off by its own
task (`reset_expired_login_lockouts`).

A run, per table, in chunks of at most `chunk_rows` rows (normally one a night):
1. in one transaction holding the table's named lock (two runs never archive the same rows:
   the second waits, then finds them gone), the rows older than the cutoff are read in primary
   key order, `batch_size` at a time (bounded memory: only their ids are kept);
2. written as JSON lines (every column, by its column name; times in ISO 8601 with the zone)
   into `AUDIT_ARCHIVE_DIR/<table>/<table>_<first day>_<last day>_run<run time>_<first id>.jsonl.gz`
   under a temporary name, flushed and fsync'd, then renamed; a manifest beside it
   (`….jsonl.gz.manifest.json`: table, rows, id and time range, cutoff, SHA-256 of the file);
3. the file is read back: gzip whole, one line per row, the same ids in the same order;
4. exactly those ids are deleted inside `retention_deletes()` (the audit triggers let deletion
   through there only) and the transaction commits.
Anything failing before the commit (a full disk, a failed read-back) removes the new file and
deletes nothing. A commit lost after the rename leaves the rows live: the next run archives them
again, so a row may be in two archives, never in none."""

from __future__ import annotations

import datetime
import gzip
import hashlib
import json
import os
import time
from array import array
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from uuid import UUID

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.db import models
from django.utils import timezone

from qingdao_groups.core.append_only import retention_deletes
from qingdao_groups.core.locks import hold_named_lock

#: The Cybersecurity Law of the PRC, art. 21: network logs kept no less than six months.
MINIMUM_RETENTION_DAYS = 180


@dataclass(frozen=True)
class Retained:
    model_label: str  # app_label.ModelName
    time_field: str  # the moment the row records

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_label)


RETAINED = (
    Retained("axes.AccessLog", "attempt_time"),
    Retained("axes.AccessFailureLog", "attempt_time"),
    Retained("api.ApiCall", "at"),
)


class ArchiveError(Exception):
    """The archive did not read back as written: nothing is deleted."""


def retention_cutoff(*, now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(days=settings.AUDIT_LOG_RETENTION_DAYS)


def audit_logs_archive_and_prune(
    *,
    now: datetime.datetime | None = None,
    dry_run: bool = False,
    batch_size: int = 2000,
    chunk_rows: int = 200_000,
    budget_seconds: float = 480.0,
) -> dict[str, int]:
    """Archive, then remove, the access and login records older than the retention period
    (Cybersecurity Law art. 21; issue 12). Returns {table: rows archived and removed} (with
    `dry_run`, the rows that would be). A run stops starting new chunks after `budget_seconds`
    (below the worker's time limit); the next run goes on where it stopped."""
    now = now or timezone.now()
    cutoff = retention_cutoff(now=now)
    started = time.monotonic()
    counts: dict[str, int] = {}
    for retained in RETAINED:
        model = retained.model
        table = model._meta.db_table
        old = model._default_manager.filter(**{f"{retained.time_field}__lt": cutoff})
        if dry_run:
            counts[table] = old.count()
            continue
        counts[table] = 0
        while time.monotonic() - started < budget_seconds:
            done = _archive_chunk(
                retained, cutoff=cutoff, now=now, batch_size=batch_size, chunk_rows=chunk_rows
            )
            counts[table] += done
            if done < chunk_rows:
                break
    return counts


def _archive_chunk(
    retained: Retained,
    *,
    cutoff: datetime.datetime,
    now: datetime.datetime,
    batch_size: int,
    chunk_rows: int,
) -> int:
    """One file: up to `chunk_rows` of the oldest rows before `cutoff`, archived then deleted
    in one transaction. Returns how many."""
    model = retained.model
    table = model._meta.db_table
    with retention_deletes():
        hold_named_lock(f"audit-retention:{table}")
        old = model._default_manager.filter(**{f"{retained.time_field}__lt": cutoff})
        first = old.order_by("pk").values_list("pk", retained.time_field).first()
        if first is None:
            return 0
        folder = Path(settings.AUDIT_ARCHIVE_DIR) / table
        folder.mkdir(parents=True, exist_ok=True, mode=0o750)
        run = f"run{now.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}_{first[0]}"
        temporary = folder / f".{table}_{run}.jsonl.gz.partial"
        ids = array("q")
        written: list[Path] = []
        try:
            first_at, last_at = _write(
                old, retained, temporary, ids, batch_size=batch_size, limit=chunk_rows
            )
            span = f"{_day(first_at)}-{_day(last_at)}"
            archive = folder / f"{table}_{span}_{run}.jsonl.gz"
            os.replace(temporary, archive)
            written.append(archive)
            _fsync_dir(folder)
            digest = _verify(archive, ids, model._meta.pk.attname)
            manifest = {
                "table": table,
                "file": archive.name,
                "rows": len(ids),
                "first_id": ids[0],
                "last_id": ids[-1],
                "from": first_at.isoformat(),
                "to": last_at.isoformat(),
                "cutoff": cutoff.isoformat(),
                "run_at": now.isoformat(),
                "retention_days": settings.AUDIT_LOG_RETENTION_DAYS,
                "sha256": digest,
            }
            manifest_path = folder / f"{archive.name}.manifest.json"
            _write_atomically(manifest_path, json.dumps(manifest, ensure_ascii=False) + "\n")
            written.append(manifest_path)
            deleted = 0
            for start in range(0, len(ids), batch_size):
                chunk = ids[start : start + batch_size].tolist()
                deleted += model._default_manager.filter(pk__in=chunk).delete()[0]
            if deleted != len(ids):
                raise ArchiveError(f"{table}: {deleted} rows deleted of {len(ids)} archived")
        except BaseException:
            temporary.unlink(missing_ok=True)
            for path in written:
                path.unlink(missing_ok=True)
            raise
    return len(ids)


def _write(
    old: models.QuerySet,
    retained: Retained,
    path: Path,
    ids: array,
    *,
    batch_size: int,
    limit: int,
) -> tuple[datetime.datetime, datetime.datetime]:
    """Write up to `limit` rows of `old`, in primary-key order and `batch_size` at a time, as
    JSON lines into the gzip file `path` (flushed and fsync'd); their ids go into `ids`.
    Returns the earliest and latest moment of the rows written."""
    columns = [f.attname for f in old.model._meta.concrete_fields]
    pk = old.model._meta.pk.attname
    time_column = old.model._meta.get_field(retained.time_field).attname
    first_at = last_at = None
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with os.fdopen(fd, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as out:
            after = None
            while len(ids) < limit:
                batch = old.order_by("pk")
                if after is not None:
                    batch = batch.filter(pk__gt=after)
                rows = list(batch.values(*columns)[: min(batch_size, limit - len(ids))])
                if not rows:
                    break
                for row in rows:
                    out.write(_line(row).encode("utf-8"))
                    ids.append(row[pk])
                    moment = row[time_column]
                    first_at = moment if first_at is None else min(first_at, moment)
                    last_at = moment if last_at is None else max(last_at, moment)
                after = rows[-1][pk]
        raw.flush()
        os.fsync(raw.fileno())
    assert first_at is not None and last_at is not None, "called with at least one row"
    return first_at, last_at


def _day(moment: datetime.datetime) -> str:
    return f"{moment.astimezone(datetime.UTC):%Y%m%d}"


def _line(row: dict) -> str:
    return json.dumps(row, ensure_ascii=False, default=_plain, separators=(",", ":")) + "\n"


def _plain(value):
    """Full precision: microseconds and the zone kept (DjangoJSONEncoder drops microseconds)."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not archived")


def _verify(path: Path, ids: array, pk: str) -> str:
    """Read the archive back whole: every line a JSON object, the ids as deleted, in order.
    Returns the file's SHA-256."""
    read = array("q")
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            read.append(json.loads(line)[pk])
    if read != ids:
        raise ArchiveError(f"{path.name}: {len(read)} rows read back, {len(ids)} written")
    digest = hashlib.sha256()
    with path.open("rb") as raw:
        for block in iter(lambda: raw.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.partial")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    """The rename itself survives a crash once the folder is synced."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@checks.register(checks.Tags.security)
def check_retention_setting(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The login and access records are kept at least six months (Cybersecurity Law art. 21)."""
    days = settings.AUDIT_LOG_RETENTION_DAYS
    if days < MINIMUM_RETENTION_DAYS:
        return [
            checks.Error(
                f"AUDIT_LOG_RETENTION_DAYS is {days}; network logs must be kept at least "
                f"{MINIMUM_RETENTION_DAYS} days (six months, Cybersecurity Law art. 21).",
                hint="Set DJANGO_AUDIT_LOG_RETENTION_DAYS to 180 or more (default 190).",
                id="qingdao_groups.E001",
            )
        ]
    return []
