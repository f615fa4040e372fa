"""The dossier pages (policy A-1; issue 10): what a group's dossier holds with a button to
produce it, and the POST that queues the job (its progress and file are the exports' job page).
Thin: a person who may not export dossiers → 403; a group outside their scope → 404."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from assessments.dossier.permissions import can_export_dossier, may_export_group_dossier
from assessments.dossier.services import JOB_KEY, dossier_job_start
from groups.registry.selectors import group_get_for_user
from qingdao_groups.core.rules import require
from qingdao_groups.models import ExportJob

RECENT_JOBS = 5


def _group(request, group_id: int):
    require(can_export_dossier(request.user))
    group = group_get_for_user(user=request.user, group_id=group_id)
    if not may_export_group_dossier(request.user, group):
        raise Http404
    return group


@require_safe
def dossier_request_view(request, group_id: int):
    group = _group(request, group_id)
    jobs = ExportJob.objects.filter(
        user_id=request.user.pk, key=JOB_KEY, params__group=group.pk
    ).order_by("-created_at", "-id")[:RECENT_JOBS]
    return render(request, "dossier/request.html", {"group": group, "jobs": jobs})


@require_POST
def dossier_start_view(request, group_id: int):
    group = _group(request, group_id)
    job = dossier_job_start(actor=request.user, group=group, language=request.LANGUAGE_CODE)
    messages.info(request, _("案卷正在生成，完成后会通知您。"))
    return redirect("exports:job", job_id=job.pk)
