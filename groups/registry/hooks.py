"""What the registry contributes to the shared parts: its events on the group timeline, and the
school pickers of its administrators' forms."""

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from groups.charter.models import GroupDocument
from groups.registry.exports import GROUP_MEMBERS_EXPORT
from groups.registry.membership import MembershipState
from groups.registry.models import CouncilSeat, EducationGroup, Membership, Partnership
from groups.registry.selectors import (
    core_school_candidates,
    member_school_candidates,
    school_memberships,
    schools_seen_through_groups,
)
from members.extensions import register_school_panel, register_school_scope
from members.pickers import register_school_picker
from qingdao_groups.core.audit import AuditPicker, register_audit_picker
from qingdao_groups.core.exports import register_export
from qingdao_groups.core.history import history_rows
from qingdao_groups.core.labels import choice_labels, url_maker
from qingdao_groups.core.timeline import (
    StoryEvent,
    StorySource,
    TimelineSource,
    person_name,
    register_story_source,
    register_timeline_source,
)

register_school_scope("groups", schools_seen_through_groups)
register_school_picker("group-core", core_school_candidates)
register_school_picker("membership-add", member_school_candidates)
register_school_panel(
    "memberships",
    lambda user, school: {
        "template": "groups/_school_memberships.html",
        "memberships": school_memberships(school=school),
    },
)

register_timeline_source(
    TimelineSource(
        "group",
        lambda group_id, user: history_rows(EducationGroup).filter(id=group_id),
        lambda v: _("集团信息"),
    )
)
register_timeline_source(
    TimelineSource(
        "membership",
        lambda group_id, user: history_rows(Membership).filter(group_id=group_id),
        lambda v: _("成员关系：%(school)s") % {"school": v[0] or ""},
        ("school__name",),
    )
)
register_timeline_source(
    TimelineSource(
        "partnership",
        lambda group_id, user: history_rows(Partnership).filter(group_id=group_id),
        lambda v: _("合作关系：%(partner)s") % {"partner": v[0] or ""},
        ("partner__name",),
    )
)
register_timeline_source(
    TimelineSource(
        "council",
        lambda group_id, user: history_rows(CouncilSeat).filter(group_id=group_id),
        lambda v: _("议事机构：%(name)s") % {"name": v[0]},
        ("person_name",),
    )
)
register_timeline_source(
    TimelineSource(
        "group_document",
        lambda group_id, user: history_rows(GroupDocument).filter(group_id=group_id),
        lambda v: _("文件：%(title)s v%(v)s") % {"title": v[0], "v": v[1]},
        ("title", "version"),
    )
)

# The list's export (issue 8): the one export helper of qingdao_groups.core.exports.
register_export(GROUP_MEMBERS_EXPORT)

# --- The group's story (集团历程): founding, joins, exits and expulsions on their own days ------


def _by_history(model, **match):
    """Subqueries naming the person on the earliest audit row of the outer object matching
    `match` (who recorded the join, who recorded the end)."""
    rows = (
        history_rows(model)
        .filter(id=OuterRef("pk"), **match)
        .order_by("history_date", "history_id")
    )
    return (
        Subquery(rows.values("history_user__last_name")[:1]),
        Subquery(rows.values("history_user__first_name")[:1]),
    )


def _registry_story(group_id: int, user, today) -> list[StoryEvent]:
    """Founding and every member's join and end, each on its effective day (policy G-1, L-1, L-3,
    L-5, L-6); one query (the founding rides on the core's membership). A join or an end not yet
    in effect is marked by the membership's own state (拟加入 / 拟退出)."""
    joined_last, joined_first = _by_history(Membership, history_type="+")
    ended_last, ended_first = _by_history(Membership, left_on__isnull=False)
    rows = (
        Membership.objects.filter(group_id=group_id)
        .select_related("school", "group")
        .annotate(j_last=joined_last, j_first=joined_first, e_last=ended_last, e_first=ended_first)
        .order_by("joined_on", "id")
    )
    types = choice_labels(Membership, "relation_subtype")
    reasons = choice_labels(Membership, "end_reason")
    school_url = url_maker("members:school-detail")
    events = []
    for m in rows:
        state = m.state_on(today)
        joiner = person_name(m.j_last, m.j_first)
        if m.role == Membership.Role.CORE:
            events.append(
                StoryEvent(
                    m.group.founded_on,
                    "founded",
                    _("集团成立，核心校：%(school)s") % {"school": m.school.name},
                    who=joiner,
                    order=0,
                )
            )
            continue
        events.append(
            StoryEvent(
                m.joined_on,
                "joined",
                _("%(school)s 加入集团（%(type)s）")
                % {"school": m.school.name, "type": types.get(m.relation_subtype, m.relation_type)},
                who=joiner,
                pending=str(state.label) if state == MembershipState.UPCOMING else "",
                url=school_url(m.school_id),
                order=1,
            )
        )
        if m.left_on is None:
            continue
        if m.end_reason == Membership.EndReason.EXPULSION:
            kind, text = "expelled", _("%(school)s 被红牌淘汰出集团") % {"school": m.school.name}
        elif m.end_reason == Membership.EndReason.EXIT:
            kind, text = "left", _("%(school)s 退出集团") % {"school": m.school.name}
        else:
            kind, text = (
                "left",
                _("%(school)s 离开集团（%(reason)s）")
                % {
                    "school": m.school.name,
                    "reason": reasons.get(m.end_reason, m.end_reason),
                },
            )
        events.append(
            StoryEvent(
                m.left_on,
                kind,
                text,
                who=person_name(m.e_last, m.e_first),
                pending=str(state.label) if state == MembershipState.LEAVING else "",
                url=school_url(m.school_id),
                order=3,
            )
        )
    return events


register_story_source(StorySource("registry", _registry_story))


# --- The auditors' desk (issue 10): its group picker --------------------------------------------


def _audit_group_search(text: str) -> list[tuple[int, str]]:
    """Groups by name (contained) or code (its start), at most 20; the desk's readers see all."""
    from django.db.models import Q

    from qingdao_groups.core.audit import PICK_LIMIT

    text = text.strip()[:50]
    if not text:
        return []
    found = EducationGroup.objects.filter(
        Q(name__icontains=text) | Q(code__istartswith=text)
    ).order_by("name", "id")[:PICK_LIMIT]
    return [(g.pk, f"{g.name}（{g.code}）" if g.code else g.name) for g in found]


def _audit_group_label(pk: int) -> str:
    g = EducationGroup.objects.filter(pk=pk).only("name", "code").first()
    return "" if g is None else (f"{g.name}（{g.code}）" if g.code else g.name)


register_audit_picker("group", AuditPicker(_audit_group_search, _audit_group_label))
