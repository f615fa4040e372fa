"""Reads of groups, scoped per user and shaped so that pages run a constant number of queries."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from groups.models import CouncilSeat, EducationGroup, GroupDocument, Membership, Partnership
from members.models import School, User
from members.selectors import school_scope_q


def _granted_group_ids(user: User):
    """Groups granted to this user one by one with django-guardian (e.g. an outside adviser)."""
    from guardian.shortcuts import get_objects_for_user

    return get_objects_for_user(
        user, "groups.view_educationgroup", klass=EducationGroup, accept_global_perms=False,
        with_superuser=False,
    ).values("pk")


def group_scope_q(user: User) -> Q | None:
    """The filter of groups `user` may see; None means the whole city.

    A district sees the groups its authority approved and those with a current member in its
    scope; a principal sees the group their school is in; anyone also sees the groups granted to
    them individually (django-guardian object permission)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.sees_everything:
        return None
    granted = Q(pk__in=_granted_group_ids(user))
    if user.is_district_staff and user.authority_id:
        schools = School.objects.filter(school_scope_q(user))
        has_member_here = Membership.objects.open().filter(
            group_id=OuterRef("pk"), school__in=schools
        )
        return Q(authority_id=user.authority_id) | Q(Exists(has_member_here)) | granted
    if user.is_principal and user.school_id:
        return Q(pk__in=Membership.objects.open().filter(school_id=user.school_id)
                 .values("group_id")) | granted
    return granted


def group_list_for_user(*, user: User) -> QuerySet[EducationGroup]:
    """Groups the user may see, with what the list page shows, in one query."""
    qs = EducationGroup.objects.select_related("core_school", "authority").annotate(
        member_count=Count(
            "memberships",
            # members today, including those whose approved exit takes effect later
            filter=Q(memberships__role=Membership.Role.MEMBER)
            & (Q(memberships__left_on__isnull=True) | Q(memberships__left_on__gt=timezone.localdate())),
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


def group_timeline(*, group: EducationGroup, user: User, limit: int = 50) -> list[TimelineEntry]:
    """The group's story from its audit records: one query per audited table, newest first.
    Applications and cards appear only as far as the user may see them (a member principal
    does not read another member's warning or exit reasons)."""
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
        (_application_history(group, user),
         lambda h: _("%(kind)s申请（%(status)s）") % {"kind": h.get_kind_display(),
                                                   "status": h.get_status_display()}),
        (_card_history(group, user),
         lambda h: _("%(level)s：%(school)s（%(status)s）") % {
             "level": h.get_level_display(), "status": h.get_status_display(),
             "school": h.membership.school.name if h.membership else ""}),
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


def _application_history(group: EducationGroup, user: User):
    from groups.models import Application

    qs = Application.history.filter(group_id=group.pk)
    q = application_scope_q(user)
    return qs if q is None else qs.filter(id__in=Application.objects.filter(q).values("pk"))


def _card_history(group: EducationGroup, user: User):
    from groups.models import Card

    qs = Card.history.filter(group_id=group.pk).select_related("membership__school")
    return qs.filter(id__in=card_list_for_user(user=user).values("pk"))


def school_memberships(*, school: School) -> QuerySet[Membership]:
    """A school's whole membership history, newest first."""
    return Membership.objects.filter(school=school).select_related(
        "group", "group__core_school"
    ).order_by("-joined_on", "-id")


def today() -> datetime.date:
    return timezone.localdate()




@dataclass(frozen=True)
class AttentionItem:
    group: EducationGroup
    clause: str
    message: str


def group_attention_for_user(*, user: User, limit: int = 20) -> list[AttentionItem]:
    """Registry gaps in the groups a user may see, each against its clause: no charter (G-4),
    no chief principal (G-3), no weak school among current members (A-4). One query."""
    from django.utils.translation import gettext as _

    qs = group_list_for_user(user=user).filter(status=EducationGroup.Status.ACTIVE).annotate(
        has_charter=Exists(GroupDocument.objects.filter(
            group_id=OuterRef("pk"), kind=GroupDocument.Kind.CHARTER)),
        has_chief=Exists(CouncilSeat.objects.filter(
            group_id=OuterRef("pk"), role=CouncilSeat.Role.CHIEF_PRINCIPAL,
            ended_on__isnull=True)),
        has_weak=Exists(Membership.objects.open().members().filter(
            group_id=OuterRef("pk"), school__is_weak=True)),
    ).filter(Q(has_charter=False) | Q(has_chief=False) | Q(has_weak=False)).order_by("name")
    items: list[AttentionItem] = []
    for group in qs[:limit]:
        if not group.has_charter:
            items.append(AttentionItem(group, "G-4", _("尚未登记集团章程")))
        if not group.has_chief:
            items.append(AttentionItem(group, "G-3", _("尚未登记总校长")))
        if not group.has_weak:
            items.append(AttentionItem(group, "A-4", _("成员校中没有薄弱学校")))
    return items


# --- A group's life: scoped reads of applications, cards, filings and enrollment plans --------

from groups.models import (  # noqa: E402
    Application,
    Card,
    Consent,
    EnrollmentPlan,
    Filing,
)


def application_scope_q(user: User) -> Q | None:
    """Applications a user may see: everything for the city/auditor; for staff, those their
    authority decides or is asked to consent to; for principals, their school's own and those
    concerning a group their school leads."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.sees_everything:
        return None
    if user.role in User.AUTHORITY_ROLES and user.authority_id:
        return Q(deciding_authority_id=user.authority_id) | Q(
            Exists(Consent.objects.filter(application_id=OuterRef("pk"),
                                          authority_id=user.authority_id)))
    if user.is_principal and user.school_id:
        return Q(applicant_school_id=user.school_id) | Q(group__core_school_id=user.school_id)
    return Q(pk__in=[])


def application_list_for_user(*, user: User) -> QuerySet[Application]:
    qs = Application.objects.select_related(
        "applicant_school", "group", "group__core_school", "deciding_authority", "created_by")
    q = application_scope_q(user)
    return qs if q is None else qs.filter(q)


def application_get_for_user(*, user: User, application_id: int) -> Application:
    """404 when the user may not see it, so a swapped id reveals nothing."""
    try:
        return application_list_for_user(user=user).get(pk=application_id)
    except Application.DoesNotExist as exc:
        raise Http404 from exc


def card_list_for_user(*, user: User) -> QuerySet[Card]:
    """Cards of the groups a user may see. A principal sees the cards of their own school (even
    after an expulsion ended the membership) and, for a core school, those of its group."""
    qs = Card.objects.select_related("membership__school", "group", "issued_by")
    if user.is_authenticated and user.is_principal and user.school_id:
        return qs.filter(Q(membership__school_id=user.school_id)
                         | Q(group__core_school_id=user.school_id))
    q = group_scope_q(user)
    if q is None:
        return qs
    return qs.filter(group__in=EducationGroup.objects.filter(q))


def card_get_for_user(*, user: User, card_id: int) -> Card:
    try:
        return card_list_for_user(user=user).get(pk=card_id)
    except Card.DoesNotExist as exc:
        raise Http404 from exc


def filing_list_for_user(*, user: User) -> QuerySet[Filing]:
    """The city (and auditors) see every filing; a district sees its own."""
    qs = Filing.objects.select_related("authority", "group", "filed_by", "handled_by")
    if user.sees_everything:
        return qs
    if user.is_district_staff and user.authority_id:
        return qs.filter(authority_id=user.authority_id)
    return qs.none()


def filing_get_for_user(*, user: User, filing_id: int) -> Filing:
    try:
        return filing_list_for_user(user=user).get(pk=filing_id)
    except Filing.DoesNotExist as exc:
        raise Http404 from exc


def enrollment_plan_list_for_user(*, user: User) -> QuerySet[EnrollmentPlan]:
    """Plans of the schools a user may see (policy L-7)."""
    qs = EnrollmentPlan.objects.select_related("school", "school__authority", "filed_by")
    q = school_scope_q(user)
    return qs if q is None else qs.filter(school__in=School.objects.filter(q))


# --- Enrollment plans on the group page (policy L-7) -------------------------------------------


def enrollment_plans_for_group(*, group: EducationGroup, year: int) -> QuerySet[EnrollmentPlan]:
    """The year's enrollment plans of the schools currently in `group` (core and members), each
    with the school's role in the group as `group_role`; one query (一校一案, policy L-7)."""
    from django.db.models import Subquery

    current = Membership.objects.open().filter(group_id=group.pk)
    return (
        EnrollmentPlan.objects.filter(year=year, school_id__in=current.values("school_id"))
        .select_related("school", "school__authority")
        .annotate(group_role=Subquery(current.filter(school_id=OuterRef("school_id"))
                                      .values("role")[:1]))
        .order_by("group_role", "school__name", "pk")  # "core" sorts first
    )
