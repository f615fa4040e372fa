"""Staffing requests (policy S-1) and principals' ranks (policy S-2).

A core principal asks for teacher quota (编制), recruitment or senior posts; the request keeps
the group context that gives it priority, computed when it is submitted (so the staffing
office reads the group as it stood then). The staffing office or the human-resources bureau
marks it handled with a note through the one workflow runner (STAFFING_TRANSITIONS)."""

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from funding.dispatches.models import Dispatch
from funding.staffing.models import StaffingRequest
from funding.staffing.permissions import (
    can_handle_staffing_request,
    can_set_principal_rank,
    can_submit_staffing_request,
)
from funding.staffing.workflows import STAFFING_TRANSITIONS, StaffingAction
from groups.registry.models import EducationGroup, Membership
from members.models import User
from qingdao_groups.core.messages import label, msg
from qingdao_groups.core.rules import RuleRefusal, require
from qingdao_groups.core.workflow import stamp, transition

COUNT_MAX = 500
SUBMITTED = gettext_lazy("提出编制与岗位需求")
RANK_SET = gettext_lazy("登记校长职级")
REASON_MAX = 5000


def group_context(
    group: EducationGroup, principal: User, *, today: datetime.date
) -> dict[str, Any]:
    """The figures that give a staffing request its priority (policy S-1), as of `today`: the
    group's name, code and founding date, its member schools in force (the membership API),
    the weak schools' share among them, the staff dispatched now (policy F-4) and the core
    principal's rank (policy S-2)."""
    members = list(
        Membership.objects.active_on(today)
        .filter(group_id=group.pk, role=Membership.Role.MEMBER)
        .values_list("school__is_weak", flat=True)
    )
    weak = sum(1 for is_weak in members if is_weak)
    share = (
        (Decimal(weak) * 100 / len(members)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        if members
        else Decimal("0")
    )
    dispatched = (
        Dispatch.objects.filter(group_id=group.pk, starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .count()
    )
    return {
        "as_of": today.isoformat(),
        "group_name": group.name,
        "group_code": group.code,
        "founded_on": group.founded_on.isoformat() if group.founded_on else None,
        "members": len(members),
        "weak_members": weak,
        "weak_share_percent": str(share),
        "dispatches_current": dispatched,
        "principal_rank": principal.rank,
    }


@transaction.atomic
def staffing_request_submit(
    *,
    group: EducationGroup,
    kind: str,
    count: int,
    reason: str,
    actor: User,
    now: datetime.datetime | None = None,
) -> StaffingRequest:
    """The core principal records a request for teacher quota, recruitment or senior posts with
    the group context that gives it priority, computed now (policy S-1, S-2)."""
    require(can_submit_staffing_request(actor))
    if group.core_school_id != actor.school_id:
        raise RuleRefusal(_("只能为本校任核心校的集团提出需求。"), field="group")
    if group.status != EducationGroup.Status.ACTIVE:
        raise RuleRefusal(_("该集团已不在运行，不能提出需求。"), field="group")
    if kind not in StaffingRequest.Kind.values:
        raise RuleRefusal(_("请选择需求事项。"), field="kind")
    if not isinstance(count, int) or not 1 <= count <= COUNT_MAX:
        raise RuleRefusal(_("数量须在 1 至 %(max)d 之间。") % {"max": COUNT_MAX}, field="count")
    reason = (reason or "").strip()
    if not reason:
        raise RuleRefusal(_("请说明理由。"), field="reason")
    if len(reason) > REASON_MAX:
        raise RuleRefusal(_("理由不能超过 %(n)d 个字。") % {"n": REASON_MAX}, field="reason")
    now = now or timezone.now()
    request = StaffingRequest(
        group=group,
        school_id=group.core_school_id,
        kind=kind,
        count=count,
        reason=reason,
        context=group_context(group, actor, today=timezone.localdate(now)),
        created_by=actor,
        created_at=now,
    )
    stamp(request, actor=actor, reason=label(SUBMITTED), now=now)
    request.save()
    return request


@transaction.atomic
def staffing_request_handle(
    *,
    request: StaffingRequest,
    note: str,
    actor: User,
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> StaffingRequest:
    """The staffing office or the HR bureau marks a request as handled, with a note (policy
    S-1): who and when are kept on the request and in its history."""
    require(can_handle_staffing_request(actor))
    note = (note or "").strip()
    if len(note) > REASON_MAX:
        raise RuleRefusal(_("处理意见不能超过 %(n)d 个字。") % {"n": REASON_MAX}, field="note")
    now = now or timezone.now()
    return transition(
        request,
        action=StaffingAction.HANDLE,
        table=STAFFING_TRANSITIONS,
        actor=actor,
        reason=(
            msg("reason.with_remarks", action=label(StaffingAction.HANDLE.label), remarks=note)
            if note
            else ""
        ),
        expected_version=expected_version,
        now=now,
        changes={"handled_by": actor, "handled_at": now, "handled_note": note},
    )


@transaction.atomic
def principal_rank_set(
    *,
    principal: User,
    rank: str,
    actor: User,
    note: str = "",
    now: datetime.datetime | None = None,
) -> User:
    """City staff record a principal's rank (校长职级, policy S-2); the user's audit history
    keeps who set which rank when, and why."""
    require(can_set_principal_rank(actor))
    locked = User.objects.select_for_update().get(pk=principal.pk)
    if locked.role not in User.SCHOOL_ROLES:
        raise RuleRefusal(_("只有校长才有校长职级。"), field="rank")
    if rank and rank not in User.Rank.values:
        raise RuleRefusal(_("请选择校长职级。"), field="rank")
    if locked.rank == rank:
        raise RuleRefusal(_("职级没有变化。"), field="rank")
    locked.rank = rank
    note = (note or "").strip()
    stamp(locked, actor=actor, reason=note or label(RANK_SET), now=now)
    locked.save(update_fields=["rank"])
    return locked
