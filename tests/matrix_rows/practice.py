"""Permission-matrix rows for good-practice cases (policy A-6).

"own" cases belong to the world's group (core school 市南, approved by 市南: `district`; its
core principal is `principal`, its member school's principal `member`); "other" ones to the
崂山 group."""

import hashlib

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.utils import timezone

from assessments.practice.models import PracticeCase
from qingdao_groups.models import Attachment

# A 1×1 PNG: the smallest picture a published case can show.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000b49444154789c"
    "6360000200000500017a5eab3f0000000049454e44ae426082"
)


def _row(**statuses) -> dict:
    return {"anon": 302} | statuses


ALL_OK = _row(city=200, district=200, principal=200, member=200, auditor=200, admin=200)
PUBLIC = dict.fromkeys(ALL_OK, 200)
NOT_PUBLIC = dict.fromkeys(ALL_OK, 404)
READ_OWN = ALL_OK
READ_OTHER = _row(city=200, district=404, principal=404, member=404, auditor=200, admin=200)
# The core principal, the city and the group's district write, submit and upload.
CREATE = _row(city=200, district=200, principal=200, member=403, auditor=403, admin=403)
WRITE_OWN = CREATE
WRITE_OTHER = _row(city=200, district=404, principal=404, member=404, auditor=403, admin=403)
# An empty POST: the submit form lacks its version (a redirect with a message); the upload
# form its file (the page again with the error).
SUBMIT_OWN = _row(city=302, district=302, principal=302, member=403, auditor=403, admin=403)
SUBMIT_OTHER = WRITE_OTHER | {"city": 302}
# The city reviews any case, a district its groups' cases (A-6).
REVIEW_OWN = _row(city=200, district=200, principal=403, member=403, auditor=403, admin=403)
REVIEW_OTHER = WRITE_OTHER


def _case(world, which: str, status: str = PracticeCase.Status.DRAFT) -> PracticeCase:
    group = world.group if which == "own" else world.other_group
    now = timezone.now()
    return PracticeCase.objects.create(
        group=group,
        title="测试典型案例",
        text="第一段。\n\n第二段。",
        status=status,
        created_by=world.users["city"],
        created_at=now,
        published_at=now if status == PracticeCase.Status.PUBLISHED else None,
    )


def _draft(world, which: str) -> dict:
    return {"case_id": _case(world, which).pk}


def _submitted(world, which: str) -> dict:
    return {"case_id": _case(world, which, PracticeCase.Status.SUBMITTED).pk}


def _published(world, which: str) -> dict:
    return {"case_id": _case(world, which, PracticeCase.Status.PUBLISHED).pk}


def _picture(world, case: PracticeCase) -> Attachment:
    return Attachment.objects.create(
        owner_type=ContentType.objects.get_for_model(PracticeCase),
        owner_id=case.pk,
        kind=Attachment.Kind.OTHER,
        file=ContentFile(PNG, name="picture.png"),
        original_name="活动照片.png",
        content_type="image/png",
        size=len(PNG),
        sha256=hashlib.sha256(PNG).hexdigest(),
        uploaded_by=world.users["city"],
    )


def _published_file(world, which: str) -> dict:
    case = _case(world, which, PracticeCase.Status.PUBLISHED)
    return {"case_id": case.pk, "attachment_id": _picture(world, case).pk}


def _draft_file(world, which: str) -> dict:
    case = _case(world, which)
    return {"case_id": case.pk, "attachment_id": _picture(world, case).pk}


ROWS = [
    ("practice:public-list", None, "get", PUBLIC, None),
    ("practice:public-detail", "own", "get", PUBLIC, _published),
    ("practice:public-detail", "own", "get", NOT_PUBLIC, _draft),
    ("practice:public-detail", "other", "get", NOT_PUBLIC, _submitted),
    ("practice:public-file", "own", "get", PUBLIC, _published_file),
    ("practice:public-file", "other", "get", NOT_PUBLIC, _draft_file),
    ("practice:case-list", None, "get", ALL_OK, None),
    ("practice:case-create", None, "get", CREATE, None),
    ("practice:case-detail", "own", "get", READ_OWN, _draft),
    ("practice:case-detail", "other", "get", READ_OTHER, _draft),
    ("practice:case-edit", "own", "get", WRITE_OWN, _draft),
    ("practice:case-edit", "other", "get", WRITE_OTHER, _draft),
    ("practice:case-submit", "own", "post", SUBMIT_OWN, _draft),
    ("practice:case-submit", "other", "post", SUBMIT_OTHER, _draft),
    ("practice:case-upload", "own", "post", WRITE_OWN, _draft),
    ("practice:case-upload", "other", "post", WRITE_OTHER, _draft),
    ("practice:case-review", "own", "get", REVIEW_OWN, _submitted),
    ("practice:case-review", "other", "get", REVIEW_OTHER, _submitted),
    ("practice:case-withdraw", "own", "get", REVIEW_OWN, _published),
    ("practice:case-withdraw", "other", "get", REVIEW_OTHER, _published),
]

# POST in a state where the action is not allowed: editing, submitting or uploading to a
# published case, reviewing or withdrawing a draft.
WRONG_STATE = {
    "practice:case-edit": _published,
    "practice:case-submit": _published,
    "practice:case-upload": _published,
    "practice:case-review": _draft,
    "practice:case-withdraw": _draft,
}
POST_WITHOUT_STATE = {"practice:case-create"}
READ_ONLY = {
    "practice:public-list",
    "practice:public-detail",
    "practice:public-file",
    "practice:case-list",
    "practice:case-detail",
}
