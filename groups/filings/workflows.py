"""State machines of a group's life: status enums and transition tables. Pure data, no database.

The feature's services are the only code that changes a status, and they do it through the one
runner (`qingdao_groups.core.workflow.transition`), so every allowed move is readable here in one
place (STYLE.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FilingStatus(models.TextChoices):
    """District filings with the city (policy L-2, D-1, D-2)."""

    FILED = "filed", _("已报备")
    ACKNOWLEDGED = "acknowledged", _("已确认")
    RETURNED = "returned", _("已退回")


class FilingAction(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", _("确认")
    RETURN = "return", _("退回")
    REFILE = "refile", _("重新报备")


F = FilingStatus


FA = FilingAction


FILING_TRANSITIONS: dict[tuple[str, str], str] = {
    (F.FILED, FA.ACKNOWLEDGE): F.ACKNOWLEDGED,
    (F.FILED, FA.RETURN): F.RETURNED,
    (F.RETURNED, FA.REFILE): F.FILED,
}
