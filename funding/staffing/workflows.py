"""The staffing request's state machine (policy S-1). Pure data, no database.

open ──handle (staffing office or HR bureau)──▶ handled"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from funding.staffing.models import StaffingRequest

StaffingStatus = StaffingRequest.Status


class StaffingAction(models.TextChoices):
    HANDLE = "handle", _("标记为已处理")


STAFFING_TRANSITIONS: dict[tuple[str, str], str] = {
    (StaffingStatus.OPEN, StaffingAction.HANDLE): StaffingStatus.HANDLED,
}
