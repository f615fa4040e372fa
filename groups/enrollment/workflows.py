"""State machines of a group's life: status enums and transition tables. Pure data, no database.

The feature's services are the only code that changes a status, and they do it through the one
runner (`qingdao_groups.core.workflow.transition`), so every allowed move is readable here in one
place (STYLE.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EnrollmentPlanStatus(models.TextChoices):
    """One plan per school per year, set by its authority (policy L-7)."""

    FILED = "filed", _("学校已报送")
    SET = "set", _("主管部门已核定")
    RETURNED = "returned", _("已退回")


class EnrollmentAction(models.TextChoices):
    SET = "set", _("核定")
    RETURN = "return", _("退回")
    REFILE = "refile", _("重新报送")


P = EnrollmentPlanStatus


EA = EnrollmentAction


ENROLLMENT_TRANSITIONS: dict[tuple[str, str], str] = {
    (P.FILED, EA.SET): P.SET,
    (P.FILED, EA.RETURN): P.RETURNED,
    (P.RETURNED, EA.REFILE): P.FILED,
}
