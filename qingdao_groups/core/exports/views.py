"""The export pages: a list's export (streamed at once, or offered as a background job when it
is large), the job's page with its progress bar (htmx polls the status partial), and the job's
file, for its owner only."""

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST, require_safe

from qingdao_groups.core.audit import export_record_add
from qingdao_groups.core.exports import (
    async_threshold,
    bounded_count,
    export_stream,
    filter_params,
    get_export,
    params_to_json,
)
from qingdao_groups.core.exports.jobs import export_job_for_owner, export_job_start, job_kind
from qingdao_groups.core.rules import RuleRefusal
from qingdao_groups.core.tabular import EXPORT_FORMATS, ExportStream
from qingdao_groups.models import ExportJob


def stream_response(export: ExportStream):
    """A file being written as a download: XLSX from its temporary file, CSV as it is read."""
    if export.file is not None:
        return FileResponse(
            export.file,
            as_attachment=True,
            filename=export.filename,
            content_type=export.content_type,
        )
    return StreamingHttpResponse(
        export.chunks(),
        content_type=export.content_type,
        headers={"Content-Disposition": content_disposition_header(True, export.filename)},
    )


@require_GET
def export_view(request, key: str):
    """Any signed-in user: the list as they see it (its selector, its filters); a large one is
    offered as a background job instead."""
    export = get_export(key)
    fmt = request.GET.get("format", "xlsx")
    if fmt not in EXPORT_FORMATS:
        return HttpResponseBadRequest(_("不支持的导出格式。"))
    params = filter_params(request.GET)
    try:
        query = export.query(request.user, params)
    except RuleRefusal as exc:  # a bad date: said on the list page, its filters kept
        messages.error(request, str(exc))
        params.pop("on", None)
        return redirect(f"{reverse(export.list_url)}?{params.urlencode()}")
    rows = bounded_count(query)
    if rows > async_threshold():
        return render(
            request,
            "exports/export_large.html",
            {
                "export": export,
                "fmt": fmt,
                "params": [(k, v) for k in params for v in params.getlist(k)],
                "threshold": settings.EXPORT_ASYNC_THRESHOLD,
            },
        )
    # Who took what away (policy A-1): recorded before the file leaves.
    export_record_add(
        actor=request.user, kind="list", key=key, fmt=fmt, params=params_to_json(params), rows=rows
    )
    return stream_response(export_stream(export, query, fmt=fmt))


@require_POST
def export_start_view(request, key: str):
    try:
        job = export_job_start(
            actor=request.user,
            key=key,
            params=filter_params(request.POST),
            fmt=request.POST.get("format", "xlsx"),
            language=request.LANGUAGE_CODE,
        )
    except RuleRefusal as exc:
        return HttpResponseBadRequest(str(exc))
    messages.info(request, _("导出已开始，完成后会通知您。"))
    return redirect("exports:job", job_id=job.pk)


def _job_context(job: ExportJob) -> dict:
    running = job.status in _RUNNING
    kind = job_kind(job.key)
    if kind is not None:  # a feature's file (a dossier): files counted, its own page to go back to
        return {
            "job": job,
            "title": kind.title(job),
            "back_url": kind.back_url(job),
            "files": True,
            "running": running,
        }
    export = get_export(job.key)
    return {
        "job": job,
        "export": export,
        "title": export.title,
        "back_url": reverse(export.list_url),
        "running": running,
    }


_RUNNING = (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING)


@require_safe
def export_job_view(request, job_id: int):
    job = export_job_for_owner(user=request.user, job_id=job_id)
    return render(request, "exports/export_job.html", _job_context(job))


@require_safe
def export_job_status_view(request, job_id: int):
    """The progress partial htmx polls while the job runs (it stops polling once finished)."""
    job = export_job_for_owner(user=request.user, job_id=job_id)
    return render(request, "exports/_export_job_status.html", _job_context(job))


@require_safe
def export_job_download_view(request, job_id: int):
    """The job's file, for the person who asked only (404 for anyone else, and once expired)."""
    job = export_job_for_owner(user=request.user, job_id=job_id)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    try:
        file = job.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(file, as_attachment=True, filename=job.filename)
