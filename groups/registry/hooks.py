"""What the registry contributes to the shared parts: its events on the group timeline."""

from django.utils.translation import gettext as _

from groups.charter.models import GroupDocument
from groups.registry.models import CouncilSeat, EducationGroup, Membership, Partnership
from groups.registry.selectors import school_memberships, schools_seen_through_groups_q
from members.extensions import register_school_panel, register_school_scope
from qingdao_groups.core.timeline import TimelineSource, register_timeline_source

register_school_scope("groups", schools_seen_through_groups_q)
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
        lambda group_id, user: EducationGroup.history.filter(id=group_id),
        lambda h: _("集团信息"),
    )
)
register_timeline_source(
    TimelineSource(
        "membership",
        lambda group_id, user: Membership.history.filter(group_id=group_id).select_related(
            "school"
        ),
        lambda h: _("成员关系：%(school)s") % {"school": h.school.name if h.school else ""},
    )
)
register_timeline_source(
    TimelineSource(
        "partnership",
        lambda group_id, user: Partnership.history.filter(group_id=group_id).select_related(
            "partner"
        ),
        lambda h: _("合作关系：%(partner)s") % {"partner": h.partner.name if h.partner else ""},
    )
)
register_timeline_source(
    TimelineSource(
        "council",
        lambda group_id, user: CouncilSeat.history.filter(group_id=group_id),
        lambda h: _("议事机构：%(name)s") % {"name": h.person_name},
    )
)
register_timeline_source(
    TimelineSource(
        "group_document",
        lambda group_id, user: GroupDocument.history.filter(group_id=group_id),
        lambda h: _("文件：%(title)s v%(v)s") % {"title": h.title, "v": h.version},
    )
)
