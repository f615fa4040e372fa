"""The framework's state machine (issue 10). Pure data, no database.

draft ──publish (city staff)──▶ published

A published framework never changes (its dimensions and indicators are frozen with it); a
new version starts as a copy (`framework_copy`), a draft again."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FrameworkStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class FrameworkAction(models.TextChoices):
    EDIT = "edit", _("修改")
    PUBLISH = "publish", _("发布")


S = FrameworkStatus
A = FrameworkAction

FRAMEWORK_TRANSITIONS: dict[tuple[str, str], str] = {
    (S.DRAFT, A.EDIT): S.DRAFT,
    (S.DRAFT, A.PUBLISH): S.PUBLISHED,
}
