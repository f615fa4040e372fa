"""Preview and confirmation of a school import (issue 2: Registry, Bad input): nothing is
written by the preview; the confirmation validates the kept file again under row locks and writes
every row or none."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from members.imports.spec import SCHOOL_SPEC
from members.imports.validate import ImportPreview, Plan, plan_import
from members.models import School, User
from members.permissions import can_import_schools
from qingdao_groups.core.figures import registry_changed
from qingdao_groups.core.rules import RuleRefusal, require
from qingdao_groups.core.tabular import TableRefused, read_table, staging

TOKEN_SALT = "members.imports.school"

# The file as a whole cannot be imported (unreadable, too large, wrong columns, expired).
ImportRefused = TableRefused


class ImportRejected(RuleRefusal):
    """Commit refused; `preview` (if any) is the fresh validation to show the user."""

    def __init__(self, message, *, preview: ImportPreview | None = None):
        super().__init__(message)
        self.preview = preview


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


def _plan(*, user: User, source, lock: bool) -> tuple[Plan, bytes]:
    table = read_table(
        source,
        SCHOOL_SPEC,
        max_bytes=settings.SCHOOL_IMPORT_MAX_BYTES,
        max_rows=settings.SCHOOL_IMPORT_MAX_ROWS,
    )
    return plan_import(user=user, table=table, lock=lock), table.data


def school_import_preview(*, user: User, uploaded_file) -> ImportPreview:
    """Read and validate a bureau's spreadsheet without writing anything (issue 2, Registry).

    Raises ImportRefused when the file as a whole cannot be used; row problems are in `errors`."""
    require(can_import_schools(user))
    plan, data = _plan(user=user, source=uploaded_file, lock=False)
    preview = plan.preview
    if not preview.errors and preview.has_changes:
        staging.sweep_stale_files()
        preview.token = staging.issue_token(
            salt=TOKEN_SALT, user_id=user.pk, name=staging.stage(data), digest=preview.digest
        )
    return preview


def school_import_commit(*, user: User, preview_token: str) -> ImportResult:
    """Write a previewed import: every row or none (issue 2, Bad input).

    The stored file is validated again under row locks; if a row now fails, nothing is written
    (ImportRejected with the new errors); if the database changed since the preview, nothing is
    written and the new preview comes back with a fresh token to confirm."""
    require(can_import_schools(user))
    staged = staging.open_token(salt=TOKEN_SALT, user_id=user.pk, token=preview_token)
    name = staged.name
    try:
        with transaction.atomic():
            plan, _data = _plan(user=user, source=staged.data, lock=True)
            preview = plan.preview
            if preview.errors:
                message = _("文件中有 %(count)d 处错误，未导入任何数据。")
                raise ImportRejected(message % {"count": len(preview.errors)}, preview=preview)
            if preview.digest != staged.digest:
                if preview.has_changes:
                    preview.token = staging.issue_token(
                        salt=TOKEN_SALT, user_id=user.pk, name=name, digest=preview.digest
                    )
                raise ImportRejected(
                    _("预览之后学校数据已有变化，未导入任何数据。请核对下面的最新预览后再确认。"),
                    preview=preview,
                )
            if plan.new_schools:
                bulk_create_with_history(
                    plan.new_schools, School, batch_size=500, default_user=user
                )
            if plan.changed_schools:
                bulk_update_with_history(
                    plan.changed_schools,
                    School,
                    fields=sorted(plan.changed_fields),
                    batch_size=500,
                    default_user=user,
                )
            registry_changed()  # bulk writes send no signals: the shared figures recount
    except ImportRejected as exc:
        if exc.preview is None or not exc.preview.token:
            staging.discard(name)
        raise
    except IntegrityError as exc:
        staging.discard(name)
        raise ImportRejected(
            _("保存时发现冲突（例如学校标识码刚被他人登记），未导入任何数据。请重新上传文件。")
        ) from exc
    transaction.on_commit(lambda: staging.discard(name))
    return ImportResult(
        created=len(preview.creates),
        updated=len(preview.updates),
        unchanged=len(preview.unchanged),
    )
