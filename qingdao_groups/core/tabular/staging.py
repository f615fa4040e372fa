"""Keeping an upload between its preview and the user's confirmation.

Why the file and not the session: sessions are rewritten on every request here
(SESSION_SAVE_EVERY_REQUEST), and a 5,000-row plan would be megabytes of JSON rewritten on each
page view; keeping the bytes means the confirmation validates exactly what the user uploaded with
the same code path as the preview. The bytes go under MEDIA_ROOT/imports/<uuid>; the signed token
binds the user, the file and a digest of the previewed plan, expires after an hour, and the file
is deleted after the commit (stale ones are swept)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from qingdao_groups.core.tabular.reading import TableRefused

TOKEN_MAX_AGE = 60 * 60
IMPORT_DIR = "imports"
_STORED_NAME_RE = re.compile(r"^imports/[0-9a-f]{32}$")


@dataclass(frozen=True)
class Staged:
    name: str  # the stored file
    digest: str  # of the plan the user saw
    data: bytes


def stage(data: bytes) -> str:
    """Keep the bytes of an upload; the name of the kept file."""
    name = default_storage.save(f"{IMPORT_DIR}/{uuid.uuid4().hex}", ContentFile(data))
    if not _STORED_NAME_RE.match(name):  # storage renamed it; never keep an unexpected name
        default_storage.delete(name)
        raise TableRefused(_("暂存文件失败，请重试。"))
    return name


def discard(name: str) -> None:
    if _STORED_NAME_RE.match(name):
        default_storage.delete(name)


def sweep_stale_files() -> None:
    """Previews nobody confirmed: their tokens have expired, so their files can go."""
    try:
        _dirs, files = default_storage.listdir(IMPORT_DIR)
    except (FileNotFoundError, NotImplementedError, OSError):
        return
    cutoff = timezone.now() - timedelta(seconds=TOKEN_MAX_AGE + 60)
    for filename in files:
        name = f"{IMPORT_DIR}/{filename}"
        try:
            if _STORED_NAME_RE.match(name) and default_storage.get_modified_time(name) < cutoff:
                default_storage.delete(name)
        except (FileNotFoundError, NotImplementedError, OSError):
            continue


def issue_token(*, salt: str, user_id: int, name: str, digest: str) -> str:
    """A token for confirming one preview: `salt` names the kind of import."""
    return signing.dumps({"u": user_id, "f": name, "d": digest}, salt=salt)


def open_token(*, salt: str, user_id: int, token: str) -> Staged:
    """The kept upload a token confirms; TableRefused when it is forged, expired, another
    user's, or already used (its file is gone)."""
    expired = TableRefused(_("导入预览已过期或已经提交，请重新上传文件。"))
    try:
        payload = signing.loads(token, salt=salt, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature as exc:  # includes SignatureExpired
        raise expired from exc
    if (
        not isinstance(payload, dict)
        or payload.get("u") != user_id
        or not _STORED_NAME_RE.match(str(payload.get("f", "")))
    ):
        raise expired
    try:
        with default_storage.open(payload["f"], "rb") as stored:
            data = stored.read()
    except (FileNotFoundError, OSError) as exc:
        raise expired from exc
    return Staged(name=payload["f"], digest=str(payload.get("d", "")), data=data)
