"""Reads of groups, scoped per user and shaped so that pages run a constant number of queries."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from groups.models import CouncilSeat, EducationGroup, GroupDocument, Membership, Partnership
from members.models import School, User
from members.selectors import school_scope_q


def group_scope_q(user: User) -> Q | None:
    """The filter of groups `user` may see; None means the whole city.

    A district sees the groups its authority approved and those with a current member in its
    scope; a principal sees the group their school is in."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.sees_everything:
        return None
    if user.is_district_staff and user.authority_id:
        schools = School.objects.filter(school_scope_q(user))
        has_member_here = Membership.objects.open().filter(
            group_id=OuterRef("pk"), school__in=schools
        )
        return Q(authority_id=user.authority_id) | Q(Exists(has_member_here))
    if user.is_principal and user.school_id:
        return Q(pk__in=Membership.objects.open().filter(school_id=user.school_id)
                 .values("group_id"))
    return Q(pk__in=[])


def group_list_for_user(*, user: User) -> QuerySet[EducationGroup]:
    """Groups the user may see, with what the list page shows, in one query."""
    qs = EducationGroup.objects.select_related("core_school", "authority").annotate(
        member_count=Count(
            "memberships",
            filter=Q(memberships__left_on__isnull=True, memberships__role=Membership.Role.MEMBER),
        ),
    )
    q = group_scope_q(user)
    return qs if q is None else qs.filter(q)


def group_get_for_user(*, user: User, group_id: int) -> EducationGroup:
    """The group with its members, partners, council and documents prefetched; 404 when the user
    may not see it."""
    qs = group_list_for_user(user=user).prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("school", "school__authority")
            .order_by("-role", "left_on", "joined_on", "id"),
        ),
        Prefetch("partnerships", queryset=Partnership.objects.select_related("partner")),
        Prefetch("council_seats", queryset=CouncilSeat.objects.select_related("school")),
        Prefetch("documents",
                 queryset=GroupDocument.objects.select_related("uploaded_by")
                 .order_by("kind", "-version")),
    )
    try:
        return qs.get(pk=group_id)
    except EducationGroup.DoesNotExist as exc:
        raise Http404 from exc


@dataclass(frozen=True)
class TimelineEntry:
    when: datetime.datetime
    who: str
    kind: str  # "+", "~", "-" as simple_history records it
    subject: str
    what: str
    reason: str


def group_timeline(*, group: EducationGroup, limit: int = 50) -> list[TimelineEntry]:
    """The group's story from its audit records: one query per audited table, newest first."""
    from django.utils.translation import gettext as _

    sources = [
        (EducationGroup.history.filter(id=group.pk), lambda h: _("集团信息")),
        (Membership.history.filter(group_id=group.pk).select_related("school"),
         lambda h: _("成员关系：%(school)s") % {"school": h.school.name if h.school else ""}),
        (Partnership.history.filter(group_id=group.pk).select_related("partner"),
         lambda h: _("合作关系：%(partner)s") % {"partner": h.partner.name if h.partner else ""}),
        (CouncilSeat.history.filter(group_id=group.pk),
         lambda h: _("议事机构：%(name)s") % {"name": h.person_name}),
        (GroupDocument.history.filter(group_id=group.pk),
         lambda h: _("文件：%(title)s v%(v)s") % {"title": h.title, "v": h.version}),
    ]
    verbs = {"+": _("创建"), "~": _("修改"), "-": _("删除")}
    rows = []
    for qs, describe in sources:
        for h in qs.select_related("history_user").order_by("-history_date")[:limit]:
            rows.append((h, describe(h)))
    rows.sort(key=lambda pair: pair[0].history_date, reverse=True)
    entries = []
    for h, subject in rows[:limit]:
        who = h.history_user.get_full_name() or h.history_user.username if h.history_user else ""
        entries.append(TimelineEntry(
            when=h.history_date, who=who or _("系统"), kind=h.history_type, subject=subject,
            what=verbs.get(h.history_type, h.history_type), reason=h.history_change_reason or "",
        ))
    return entries


def school_memberships(*, school: School) -> QuerySet[Membership]:
    """A school's whole membership history, newest first."""
    return Membership.objects.filter(school=school).select_related(
        "group", "group__core_school"
    ).order_by("-joined_on", "-id")


def today() -> datetime.date:
    return timezone.localdate()


