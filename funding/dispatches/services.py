"""Dispatched staff (policy F-4): the core school sends executive principals, key teachers and
managers to serve in a member school of its group; the member pays their transport and lodging
allowances per month at its authority's rates (computed into the ledgers by
`funding.rules.dispatch_lines`).

Every service is atomic, takes the acting user as `actor` and `now` (written into the
timestamps and the audit history), checks the person gate first, and refuses with
`RuleRefusal` (nothing saved) a dispatch to a school that is not a member of the group when it
starts, one that runs past the member's recorded exit, or one that ends before it starts."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from funding.dispatches.models import Dispatch
from funding.dispatches.permissions import can_manage_dispatches
from groups.registry.models import EducationGroup, Membership
from members.models import User
from qingdao_groups.core.rules import RuleRefusal, require
from qingdao_groups.core.workflow import lock, stamp

NAME_MAX: int = Dispatch._meta.get_field("person_name").max_length  # type: ignore[assignment]


def _membership_for(
    *,
    group: EducationGroup,
    school_id: int | None,
    starts_on: datetime.date,
    ends_on: datetime.date | None,
) -> Membership:
    """The member school's membership in force on the dispatch's first day, asked of the
    membership-as-of-date API; a refusal that says why otherwise (policy F-4: staff serve in a
    member school of the group)."""
    if ends_on is not None and ends_on < starts_on:
        raise RuleRefusal(_("派驻结束日期不能早于开始日期。"), field="ends_on")
    if school_id is None:
        raise RuleRefusal(_("请选择派驻到的成员校。"), field="school")
    members = Membership.objects.filter(
        group=group, school_id=school_id, role=Membership.Role.MEMBER
    ).select_related("school")
    membership = members.active_on(starts_on).first()
    if membership is None:
        known = members.order_by("-joined_on").first()
        if known is None:
            raise RuleRefusal(
                _("所选学校不是本集团的成员校，不能派驻（政策 F-4：核心校向集团成员校派驻人员）。"),
                field="school",
            )
        raise RuleRefusal(
            _(
                "%(school)s 在派驻开始日期 %(day)s 不是本集团的成员校（成员期间 %(joined)s 至 "
                "%(left)s），派驻须在其成员期间内开始（政策 F-4）。"
            )
            % {
                "school": known.school.name,
                "day": starts_on.isoformat(),
                "joined": known.joined_on.isoformat(),
                "left": known.left_on.isoformat() if known.left_on else _("今"),
            },
            field="starts_on",
        )
    left_on = membership.left_on
    if left_on is not None and (ends_on is None or ends_on >= left_on):
        raise RuleRefusal(
            _(
                "%(school)s 自 %(left)s 起不再是本集团的成员校，派驻结束日期须早于该日"
                "（最后在岗日不晚于 %(last)s，政策 F-4）。"
            )
            % {
                "school": membership.school.name,
                "left": left_on.isoformat(),
                "last": (left_on - datetime.timedelta(days=1)).isoformat(),
            },
            field="ends_on",
        )
    return membership


def _clean_text(person_name: str, role: str, note: str) -> tuple[str, str]:
    person_name = (person_name or "").strip()
    if not person_name:
        raise RuleRefusal(_("请填写派驻人员姓名。"), field="person_name")
    if len(person_name) > NAME_MAX:
        raise RuleRefusal(_("姓名不能超过 %(n)s 个字。") % {"n": NAME_MAX}, field="person_name")
    if role not in Dispatch.Role.values:
        raise RuleRefusal(_("请选择派驻岗位。"), field="role")
    return person_name, (note or "").strip()


@transaction.atomic
def dispatch_create(
    *,
    group: EducationGroup,
    school_id: int | None,
    person_name: str,
    role: str,
    starts_on: datetime.date,
    actor: User,
    ends_on: datetime.date | None = None,
    note: str = "",
    now: datetime.datetime | None = None,
) -> Dispatch:
    """Record staff the core school sends to a member school of its group (policy F-4): the
    school must be a member on the first day, and stay one until the last."""
    require(can_manage_dispatches(actor, group))
    person_name, note = _clean_text(person_name, role, note)
    membership = _membership_for(
        group=group, school_id=school_id, starts_on=starts_on, ends_on=ends_on
    )
    now = now or timezone.now()
    dispatch = Dispatch(
        group=group,
        membership=membership,
        person_name=person_name,
        role=role,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note,
        created_by=actor,
        created_at=now,
    )
    stamp(dispatch, actor=actor, reason=gettext_lazy("登记派驻"), now=now)
    dispatch.save()
    return dispatch


def _lock(dispatch: Dispatch, expected_version: int | None) -> Dispatch:
    locked = lock(dispatch, expected_version=None, related=("group",))
    if expected_version is not None and locked.version != expected_version:
        raise RuleRefusal(_("该派驻记录已被他人修改，请刷新页面查看最新内容后再操作。"))
    return locked


@transaction.atomic
def dispatch_edit(
    *,
    dispatch: Dispatch,
    school_id: int | None,
    person_name: str,
    role: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None,
    actor: User,
    expected_version: int | None,
    note: str = "",
    now: datetime.datetime | None = None,
) -> Dispatch:
    """Correct a dispatch (policy F-4) under the same rules as recording it; the form carries
    the version it showed, so a change made meanwhile is not overwritten. An open ledger picks
    the change up at its next computation; a locked year gets an adjustment line."""
    require(can_manage_dispatches(actor, dispatch.group))
    dispatch = _lock(dispatch, expected_version)
    person_name, note = _clean_text(person_name, role, note)
    membership = _membership_for(
        group=dispatch.group, school_id=school_id, starts_on=starts_on, ends_on=ends_on
    )
    changes = {
        "membership": membership,
        "person_name": person_name,
        "role": role,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "note": note,
    }
    return _save(dispatch, changes, actor=actor, reason=gettext_lazy("修改派驻"), now=now)


@transaction.atomic
def dispatch_end(
    *,
    dispatch: Dispatch,
    ends_on: datetime.date,
    actor: User,
    expected_version: int | None,
    now: datetime.datetime | None = None,
) -> Dispatch:
    """Record the last day a dispatched person serves (policy F-4): not before the first, and
    before the member's recorded exit."""
    require(can_manage_dispatches(actor, dispatch.group))
    dispatch = _lock(dispatch, expected_version)
    if ends_on is None:
        raise RuleRefusal(_("请填写派驻结束日期（最后一个在岗日）。"), field="ends_on")
    membership = _membership_for(
        group=dispatch.group,
        school_id=dispatch.membership.school_id,
        starts_on=dispatch.starts_on,
        ends_on=ends_on,
    )
    return _save(
        dispatch,
        {"membership": membership, "ends_on": ends_on},
        actor=actor,
        reason=gettext_lazy("结束派驻"),
        now=now,
    )


def _save(dispatch: Dispatch, changes: dict, *, actor: User, reason, now) -> Dispatch:
    fields = []
    for name, value in changes.items():
        setattr(dispatch, name, value)
        fields.append(name)
    dispatch.version += 1
    stamp(dispatch, actor=actor, reason=reason, now=now or timezone.now())
    dispatch.save(update_fields=[*fields, "version"])
    return dispatch
