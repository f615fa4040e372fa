"""The group list's export: every membership of the listed groups in force on a chosen day (one
row each, the core school's own row included), read as plain values (issue 8). Who is a member
on the day is `Membership.objects.active_on(day)`, the one API (policy G-1)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from groups.registry.filters import GroupFilter
from groups.registry.membership import MembershipState, state_on
from groups.registry.membership import today as membership_today
from groups.registry.models import Membership
from groups.registry.selectors import group_list_for_user
from members.models import User
from qingdao_groups.core.exports import ExportQuery, ListExport, spec_of
from qingdao_groups.core.forms import validate_sane_date
from qingdao_groups.core.labels import choice_labels
from qingdao_groups.core.rules import RuleRefusal

GROUP_MEMBERS_SPEC = spec_of(
    "集团成员",
    (_("集团编号"), 14),
    (_("集团名称"), 28),
    (_("核心校"), 28),
    (_("成员校"), 28),
    (_("学校标识码"), 14),
    (_("所在区（市）"), 14),
    (_("身份"), 8),
    (_("合作类型"), 20),
    (_("合作子类型"), 24),
    (_("加入日期"), 12),
    (_("离开日期"), 12),
    (_("状态"), 10),
)
_FIELDS = (
    "group__code",
    "group__name",
    "group__core_school__name",
    "school__name",
    "school__code",
    "school__district__name",
    "role",
    "relation_type",
    "relation_subtype",
    "joined_on",
    "left_on",
)


def export_day(params: QueryDict) -> datetime.date:
    """The day the membership is read on (`on`, default today); a bad date is refused."""
    text = (params.get("on") or "").strip()
    if not text:
        return membership_today()
    try:
        day = datetime.date.fromisoformat(text)
        validate_sane_date(day)
    except (ValueError, ValidationError) as exc:
        raise RuleRefusal(
            gettext("“%(value)s”不是有效的日期，请按 2025-09-01 的格式填写。")
            % {"value": text[:20]}
        ) from exc
    return day


def group_members_query(user: User, params: QueryDict) -> ExportQuery:
    """The groups of the list page (its selector, its filters), each with its memberships in
    force on the chosen day, in the list's order, core school first."""
    day = export_day(params)
    groups = GroupFilter(params, queryset=group_list_for_user(user=user)).qs
    memberships = (
        Membership.objects.active_on(day)
        .filter(group__in=groups.order_by().values("pk"))
        .order_by("group__founded_on", "group_id", "role", "school__name", "pk")
    )
    # Every label looked up once for the export, as plain text in the reader's language (a lazy
    # label per cell made formatting the rows take longer than reading them).
    role, kind, subtype = (
        {k: str(v) for k, v in choice_labels(Membership, f).items()}
        for f in ("role", "relation_type", "relation_subtype")
    )
    states = {state: str(state.label) for state in MembershipState}
    districts: dict[str | None, str] = {None: ""}

    def district_name(name: str | None) -> str:
        if name not in districts:
            districts[name] = gettext(name)  # type: ignore[arg-type]
        return districts[name]

    def row(values: tuple) -> list:
        code, name, core, school, school_code, district, r, t, s, joined, left = values
        return [
            code,
            name,
            core,
            school,
            school_code,
            district_name(district),
            role.get(r, r),
            kind.get(t, t or ""),
            subtype.get(s, s or ""),
            joined,
            left,
            states[state_on(joined, left, day)],
        ]

    return ExportQuery(memberships, _FIELDS, row)


GROUP_MEMBERS_EXPORT = ListExport(
    key="groups",
    title=_("教育集团及成员"),
    spec=GROUP_MEMBERS_SPEC,
    query=group_members_query,
    stem="group-members",
    list_url="groups:group-list",
    as_of=True,
)
