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
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

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
