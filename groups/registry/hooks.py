"""What the registry contributes to the shared parts: its events on the group timeline, and the
school pickers of its administrators' forms."""

from django.utils.translation import gettext as _

from groups.charter.models import GroupDocument
from groups.registry.exports import GROUP_MEMBERS_EXPORT
from groups.registry.models import CouncilSeat, EducationGroup, Membership, Partnership
from groups.registry.selectors import (
    core_school_candidates,
    member_school_candidates,
    school_memberships,
    schools_seen_through_groups,
)
from members.extensions import register_school_panel, register_school_scope
from members.pickers import register_school_picker
from qingdao_groups.core.exports import register_export
from qingdao_groups.core.history import history_rows
from qingdao_groups.core.timeline import TimelineSource, register_timeline_source

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
