"""What the reports feature plugs into the shared parts (issue 10): the archive's document kind
of assessment reports, read by whoever may read the report."""

from django.utils.translation import gettext_lazy as _

from assessments.reports.permissions import can_view_report
from assessments.reports.services import KIND
from qingdao_groups.core.archive import register_document_kind

register_document_kind(KIND, label=_("评估报告"), can_view=can_view_report)
