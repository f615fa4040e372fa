"""The dossier plugs into the shared job machinery (qingdao_groups.core.exports.jobs): an
`ExportJob` of key "dossier" is written by `services.dossier_write`, its files counted as its
progress, its page and "download ready" notice the exports' own (policy A-1; issue 10)."""

from typing import IO

from django.urls import reverse

from assessments.dossier.services import JOB_KEY, dossier_write
from groups.registry.models import EducationGroup
from groups.registry.selectors import group_get_for_user
from qingdao_groups.core.exports.jobs import JobKind, register_job_kind
from qingdao_groups.models import ExportJob


def _group_id(job: ExportJob) -> int:
    return int(job.params["group"])


def _build(job: ExportJob, file: IO[bytes], progress) -> str:
    # The asker's scope is checked again when the worker runs (a grant may have gone meanwhile).
    from assessments.dossier.permissions import may_export_group_dossier

    group = group_get_for_user(user=job.user, group_id=_group_id(job))
    if not may_export_group_dossier(job.user, group):
        raise PermissionError("dossier no longer allowed")
    return dossier_write(group_id=group.pk, user=job.user, file=file, progress=progress)


def _title(job: ExportJob) -> str:
    from django.utils.translation import gettext as _

    name = EducationGroup.objects.filter(pk=_group_id(job)).values_list("name", flat=True).first()
    return _("%(group)s 案卷") % {"group": name or ""}


def _back_url(job: ExportJob) -> str:
    return reverse("dossier:request", args=[_group_id(job)])


register_job_kind(JobKind(key=JOB_KEY, build=_build, title=_title, back_url=_back_url))
