"""Good practice, typical cases and experience of education groups are collected and published
(典型案例, policy A-6).

A group's core principal writes up its practice, or city or district staff collect a case of a
group in their scope; it is submitted, and the city (any case) or the group's district (its own
groups' cases) publishes it or returns it with remarks; a returned case is changed and
resubmitted; a published one may be withdrawn from the public with a reason. Every move goes
through the one workflow runner (lock, expected version, CASE_TRANSITIONS, audit history with
who and why). Every service is atomic, takes the acting user as `actor` and the moment as `now`,
and checks the person gate before it reads any state."""

import datetime

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.practice.models import PracticeCase
from assessments.practice.permissions import (
    can_create_case,
    can_edit_case,
    can_review_case,
    can_upload_to_case,
    can_write_for_group,
)
from assessments.practice.workflows import CASE_TRANSITIONS, OPEN_STATES, CaseAction, CaseStatus
from groups.registry.models import EducationGroup
from members.models import Authority, User
from qingdao_groups.core.documents import attachment_add
from qingdao_groups.core.messages import concat, label, msg
from qingdao_groups.core.notifications import city_staff, notify, principals_of
from qingdao_groups.core.rules import RuleRefusal, require
from qingdao_groups.core.workflow import ensure_allowed, lock, stamp, transition
from qingdao_groups.models import Attachment

TITLE_MAX: int = PracticeCase._meta.get_field("title").max_length  # type: ignore[assignment]
TEXT_MAX = 20_000

# Notices (kept as labels: each reader reads them in their language), followed by the title.
SUBMITTED_NOTICE = gettext_lazy("典型案例待审核：")
PUBLISHED_NOTICE = gettext_lazy("典型案例已发布：")
RETURNED_NOTICE = gettext_lazy("典型案例被退回，请修改后重新提交：")
WITHDRAWN_NOTICE = gettext_lazy("典型案例已撤回发布：")
CREATED = gettext_lazy("填写典型案例")


def case_url(case: PracticeCase) -> str:
    return reverse("practice:case-detail", kwargs={"case_id": case.pk})


def _clean(*, title: str, text: str) -> tuple[str, str]:
    title = (title or "").strip()
    text = (text or "").replace("\r\n", "\n").strip()
    if not title:
        raise RuleRefusal(_("请填写标题。"), field="title")
    if len(title) > TITLE_MAX:
        raise RuleRefusal(_("标题不能超过 %(n)s 个字。") % {"n": TITLE_MAX}, field="title")
    if not text:
        raise RuleRefusal(_("请填写案例正文。"), field="text")
    if len(text) > TEXT_MAX:
        raise RuleRefusal(_("正文不能超过 %(n)s 个字。") % {"n": TEXT_MAX}, field="text")
    return title, text


def _reviewers(case: PracticeCase) -> list[User]:
    """Who is told of a submitted case: the city's staff and the staff of the group's district
    bureau (policy A-6)."""
    group = case.group
    district = group.core_school.district_id
    bureaus = Authority.objects.filter(
        Q(pk=group.authority_id) | Q(district_id=district), kind=Authority.Kind.DISTRICT
    )
    staff = User.objects.filter(
        authority__in=bureaus.values("pk"),
        role=User.Role.DISTRICT_STAFF,
        is_active=True,
        is_system_account=False,
    )
    return [*city_staff(), *staff]


def _authors(case: PracticeCase) -> list[User]:
    """Who is told of a decision: whoever submitted the case and the group's core principals."""
    people = list(principals_of(case.group.core_school_id))
    if case.submitted_by_id:
        people += list(User.objects.filter(pk=case.submitted_by_id, is_active=True))
    return people


@transaction.atomic
def case_create(
    *,
    group: EducationGroup,
    title: str,
    text: str,
    actor: User,
    now: datetime.datetime | None = None,
) -> PracticeCase:
    """A group's core principal writes up its good practice, or city or district staff collect a
    case of a group in their scope, as a draft (policy A-6)."""
    require(can_create_case(actor))
    require(can_write_for_group(actor, group))
    title, text = _clean(title=title, text=text)
    now = now or timezone.now()
    case = PracticeCase(group=group, title=title, text=text, created_by=actor, created_at=now)
    stamp(case, actor=actor, reason=label(CREATED), now=now)
    case.save()
    return case


@transaction.atomic
def case_edit(
    *,
    case: PracticeCase,
    title: str,
    text: str,
    actor: User,
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> PracticeCase:
    """Change a draft or returned case (policy A-6); a submitted or published one is fixed."""
    require(can_edit_case(actor, case))
    title, text = _clean(title=title, text=text)
    return transition(
        case,
        action=CaseAction.EDIT,
        table=CASE_TRANSITIONS,
        actor=actor,
        expected_version=expected_version,
        changes={"title": title, "text": text},
        now=now,
    )


@transaction.atomic
def case_submit(
    *,
    case: PracticeCase,
    actor: User,
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> PracticeCase:
    """Submit a draft, or resubmit a returned case, for review (policy A-6); the reviewers are
    told."""
    require(can_edit_case(actor, case))
    now = now or timezone.now()
    case = lock(case, expected_version=expected_version)
    action = CaseAction.RESUBMIT if case.status == CaseStatus.RETURNED else CaseAction.SUBMIT
    ensure_allowed(case, table=CASE_TRANSITIONS, action=action)
    case = transition(
        case,
        action=action,
        table=CASE_TRANSITIONS,
        actor=actor,
        expected_version=None,
        changes={"submitted_by": actor, "submitted_at": now},
        now=now,
    )
    notify(_reviewers(case), concat(label(SUBMITTED_NOTICE), case.title), case_url(case), now=now)
    return case


@transaction.atomic
def case_publish(
    *,
    case: PracticeCase,
    actor: User,
    remarks: str = "",
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> PracticeCase:
    """Publish a submitted case: from now on anyone reads it on the public pages, pictures and
    attachments included (policy A-6)."""
    require(can_review_case(actor, case))
    now = now or timezone.now()
    remarks = (remarks or "").strip()
    case = transition(
        case,
        action=CaseAction.PUBLISH,
        table=CASE_TRANSITIONS,
        actor=actor,
        reason=(
            msg("reason.with_remarks", action=label(CaseAction.PUBLISH.label), remarks=remarks)
            if remarks
            else ""
        ),
        expected_version=expected_version,
        changes={
            "remarks": remarks,
            "reviewed_by": actor,
            "reviewed_at": now,
            "published_at": now,
        },
        now=now,
    )
    notify(_authors(case), concat(label(PUBLISHED_NOTICE), case.title), case_url(case), now=now)
    return case


@transaction.atomic
def case_return(
    *,
    case: PracticeCase,
    remarks: str,
    actor: User,
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> PracticeCase:
    """Return a submitted case to its authors with remarks, which are required (policy A-6)."""
    require(can_review_case(actor, case))
    remarks = (remarks or "").strip()
    if not remarks:
        raise RuleRefusal(_("退回典型案例须填写审核意见，说明需要修改什么。"), field="remarks")
    now = now or timezone.now()
    case = transition(
        case,
        action=CaseAction.RETURN,
        table=CASE_TRANSITIONS,
        actor=actor,
        reason=msg("reason.with_remarks", action=label(CaseAction.RETURN.label), remarks=remarks),
        expected_version=expected_version,
        changes={"remarks": remarks, "reviewed_by": actor, "reviewed_at": now},
        now=now,
    )
    notify(
        _authors(case),
        concat(label(RETURNED_NOTICE), case.title, "（", remarks, "）"),
        case_url(case),
        now=now,
    )
    return case


@transaction.atomic
def case_withdraw(
    *,
    case: PracticeCase,
    reason: str,
    actor: User,
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> PracticeCase:
    """Take a published case off the public pages, with a reason, which is required (policy
    A-6); its pictures and attachments stop being public with it."""
    require(can_review_case(actor, case))
    reason = (reason or "").strip()
    if not reason:
        raise RuleRefusal(_("撤回发布须填写理由。"), field="reason")
    now = now or timezone.now()
    case = transition(
        case,
        action=CaseAction.WITHDRAW,
        table=CASE_TRANSITIONS,
        actor=actor,
        reason=msg("reason.with_remarks", action=label(CaseAction.WITHDRAW.label), remarks=reason),
        expected_version=expected_version,
        changes={"withdrawn_reason": reason},
        now=now,
    )
    notify(
        _authors(case),
        concat(label(WITHDRAWN_NOTICE), case.title, "（", reason, "）"),
        case_url(case),
        now=now,
    )
    return case


@transaction.atomic
def case_attachment_add(
    *,
    case: PracticeCase,
    uploaded_file,
    actor: User,
    now: datetime.datetime | None = None,
) -> Attachment:
    """Add a picture or an attachment to a case while its authors hold it (draft or returned,
    policy A-6), checked on the locked row: a case submitted meanwhile refuses and stores
    nothing. The case itself is not changed (its version stays)."""
    require(can_edit_case(actor, case))
    locked = lock(case, expected_version=None, related=("group", "group__core_school"))
    decision = can_upload_to_case(actor, locked)
    if not decision:
        raise RuleRefusal(decision.reason, field="state")
    assert locked.status in OPEN_STATES
    return attachment_add(
        owner=locked, kind=Attachment.Kind.OTHER, uploaded_file=uploaded_file, actor=actor, now=now
    )
