"""State machines of a group's life: status enums and transition tables. Pure data, no database.

Services (groups/services/…) are the only code that changes a status, and they do it through
`ensure_transition`, so every allowed move is readable here in one place (STYLE.md)."""


from django.db import models
from django.utils.translation import gettext_lazy as _


class EnrollmentPlanStatus(models.TextChoices):
    """One plan per school per year, set by its authority (policy L-7)."""

    FILED = "filed", _("学校已报送")
    SET = "set", _("主管部门已核定")
    RETURNED = "returned", _("已退回")


P = EnrollmentPlanStatus


ENROLLMENT_TRANSITIONS: dict[tuple[str, str], str] = {
    (P.FILED, "set"): P.SET,
    (P.FILED, "return"): P.RETURNED,
    (P.RETURNED, "refile"): P.FILED,
}
