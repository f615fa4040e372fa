"""Large exports as Celery jobs (issue 8): the request records an `ExportJob` and queues it; the
worker writes the file with the same helper as a small export (the list's own selector and
filters, plain values in chunks), counting its progress into the job row once a chunk, stores
the file under MEDIA_ROOT/exports/ and leaves the asker a "download ready" notice. Only the
asker may read the job or its file; files are removed when they expire (beat task
`qingdao_groups.exports_purge_expired`)."""

from __future__ import annotations

import datetime
import logging
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.http import Http404, QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from members.models import User
from qingdao_groups.core.exports import (
    EXPORT_CHUNK,
    export_stream,
    filter_params,
    get_export,
    params_to_json,
)
from qingdao_groups.core.notifications import notify
from qingdao_groups.core.queries import by_key
from qingdao_groups.core.rules import RuleRefusal
from qingdao_groups.core.tabular import EXPORT_FORMATS
from qingdao_groups.core.tasks import enqueue
from qingdao_groups.models import ExportJob

logger = logging.getLogger(__name__)
Status = ExportJob.Status


@dataclass(frozen=True)
class JobKind:
    """A background file that is not a list's export (a group's dossier, issue 10), run by the
    same job machinery: `ExportJob.key` names the kind, `params` its arguments, `rows_done` /
    `rows_total` count files. `build(job, file, progress)` writes the file into `file` and
    returns its download name, calling `progress(done, total)` as it goes; `title(job)` and
    `back_url(job)` are what the job page shows. Registered from a feature's hooks.py."""

    key: str
    build: Callable[[ExportJob, IO[bytes], Callable[[int, int], None]], str]
    title: Callable[[ExportJob], str]
    back_url: Callable[[ExportJob], str]


_JOB_KINDS: dict[str, JobKind] = {}


def register_job_kind(kind: JobKind) -> None:
    _JOB_KINDS[kind.key] = kind


def job_kind(key: str) -> JobKind | None:
    return _JOB_KINDS.get(key)


def job_kind_start(
    *,
    actor: User,
    key: str,
    params: dict[str, Any],
    fmt: str,
    language: str,
    now: datetime.datetime | None = None,
) -> ExportJob:
    """Record a job of a registered kind for `actor` and queue it once the transaction commits
    (the caller has checked that `actor` may have it)."""
    if key not in _JOB_KINDS:
        raise Http404
    job = ExportJob.objects.create(
        user=actor,
        key=key,
        params=params,
        fmt=fmt,
        language=language,
        created_at=now or timezone.now(),
    )
    enqueue("qingdao_groups.export_job_run", job_id=job.pk, now=job.created_at)
    return job


def _progress_writer(job_id: int) -> Callable[[int, int], None]:
    """Progress of a job kind, written at most about twenty times whatever the number of files
    (and always at the end): one UPDATE each."""
    last = {"done": -1}

    def progress(done: int, total: int) -> None:
        step = max(1, total // 20)
        if done == 0 or done >= total or done - last["done"] >= step:
            ExportJob.objects.filter(pk=job_id).update(rows_done=done, rows_total=total)
            last["done"] = done

    return progress


def _run_kind(job: ExportJob, kind: JobKind, now: datetime.datetime | None) -> None:
    with tempfile.TemporaryFile() as file:
        filename = kind.build(job, file, _progress_writer(job.pk))
        file.seek(0)
        job.file.save(f"{uuid.uuid4().hex}.{job.fmt}", File(file), save=False)
    finished = now or timezone.now()
    total = ExportJob.objects.filter(pk=job.pk).values_list("rows_total", flat=True).get() or 0
    ExportJob.objects.filter(pk=job.pk).update(
        status=Status.DONE,
        file=job.file.name,
        filename=filename,
        rows_done=total,
        finished_at=finished,
        expires_at=finished + settings.EXPORT_FILE_TTL,
    )
    notify(
        [job.user],
        _("导出已完成：%(title)s（%(n)d 个文件），可以下载。")
        % {"title": kind.title(job), "n": total},
        reverse("exports:job", args=[job.pk]),
        now=finished,
    )


def export_job_start(
    *,
    actor: User,
    key: str,
    params: QueryDict,
    fmt: str,
    language: str,
    now: datetime.datetime | None = None,
) -> ExportJob:
    """Record the export `actor` asked for and queue it with the transaction (the task outbox,
    qingdao_groups.core.tasks.enqueue)."""
    get_export(key)  # an unknown list is a 404 before anything is written
    if fmt not in EXPORT_FORMATS:
        raise RuleRefusal(_("不支持的导出格式：%(fmt)s。") % {"fmt": fmt})
    job = ExportJob.objects.create(
        user=actor,
        key=key,
        params=params_to_json(filter_params(params)),
        fmt=fmt,
        language=language,
        created_at=now or timezone.now(),
    )
    # The worker writes the file; a broker that is down delays the job (it stays queued until
    # the task relay hands it over), never fails the request.
    enqueue("qingdao_groups.export_job_run", job_id=job.pk, now=job.created_at)
    return job


def _counted(
    job_id: int, rows: Iterable[Sequence[Any]], every: int = EXPORT_CHUNK
) -> Iterator[Sequence[Any]]:
    """The rows, with the job's progress written once every `every` rows (one UPDATE a chunk)."""
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % every == 0:
            ExportJob.objects.filter(pk=job_id).update(rows_done=done)
    ExportJob.objects.filter(pk=job_id).update(rows_done=done)


def export_job_run(*, job_id: int, now: datetime.datetime | None = None) -> ExportJob | None:
    """Write a queued job's file (the worker's side; a finished job is left alone). A job still
    marked running was left so by a worker lost mid-file, whose message the broker delivers
    again (acks late): it is written again from the start."""
    claimed = ExportJob.objects.filter(
        pk=job_id, status__in=(Status.QUEUED, Status.RUNNING)
    ).update(status=Status.RUNNING)
    if not claimed:
        return None
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    try:
        with translation.override(job.language):
            kind = _JOB_KINDS.get(job.key)
            if kind is not None:
                _run_kind(job, kind, now)
                job.refresh_from_db()
                return job
            export = get_export(job.key)
            query = export.query(job.user, filter_params(job.params))
            total = query.queryset.order_by().count()
            ExportJob.objects.filter(pk=job_id).update(rows_total=total)
            stream = export_stream(export, query, fmt=job.fmt, rows=_counted(job_id, query.rows()))
            with tempfile.TemporaryFile() as file:
                for chunk in stream.chunks():
                    file.write(chunk)
                file.seek(0)
                job.file.save(f"{uuid.uuid4().hex}.{job.fmt}", File(file), save=False)
            finished = now or timezone.now()
            ExportJob.objects.filter(pk=job_id).update(
                status=Status.DONE,
                file=job.file.name,
                filename=stream.filename,
                rows_done=total,
                finished_at=finished,
                expires_at=finished + settings.EXPORT_FILE_TTL,
            )
            # Who took what away (policy A-1): the file exists now, for its owner only.
            from qingdao_groups.core.audit import export_record_add

            export_record_add(
                actor=job.user,
                kind="list",
                key=job.key,
                fmt=job.fmt,
                params=job.params,
                rows=total,
                now=finished,
            )
            notify(
                [job.user],
                _("导出已完成：%(title)s（%(rows)d 行），可以下载。")
                % {"title": export.title, "rows": total},
                reverse("exports:job", args=[job_id]),
                now=finished,
            )
    except Exception:
        logger.exception("export job %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(
            status=Status.FAILED, finished_at=now or timezone.now()
        )
        if job.file:
            job.file.delete(save=False)
        notify(
            [job.user],
            _("导出未能完成，请稍后重试或缩小筛选范围。"),
            reverse("exports:job", args=[job_id]),
        )
    job.refresh_from_db()
    return job


def exports_purge_expired(*, now: datetime.datetime | None = None) -> int:
    """Remove the files of jobs past their expiry (kept `EXPORT_FILE_TTL`); the rows stay, as
    `expired`. Returns how many files were removed."""
    now = now or timezone.now()
    removed = 0
    for job in ExportJob.objects.filter(status=Status.DONE, expires_at__lte=now):
        if job.file:
            job.file.delete(save=False)
        ExportJob.objects.filter(pk=job.pk).update(status=Status.EXPIRED, file="")
        removed += 1
    return removed


def export_job_for_owner(*, user: User, job_id: int) -> ExportJob:
    """The job, if `user` asked for it: anyone else gets 404 (not even its existence)."""
    try:
        return by_key(ExportJob.objects.filter(user_id=user.pk), job_id)
    except ExportJob.DoesNotExist as exc:
        raise Http404 from exc
