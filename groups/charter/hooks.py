"""What the charter feature plugs into the shared parts: the administrators' upload size limit,
and the adopted charters and rules in the group's story."""

from django.utils.translation import gettext as _

from groups.charter.models import GroupDocument
from groups.registry.models import PolicyParameters
from qingdao_groups.core.labels import choice_labels
from qingdao_groups.core.timeline import StoryEvent, StorySource, register_story_source
from qingdao_groups.core.uploads import set_upload_limit_provider

set_upload_limit_provider(lambda: PolicyParameters.current().upload_max_mb)


def _documents_story(group_id: int, user, today) -> list[StoryEvent]:
    """Each version of the charter and the rules on the day it was adopted (policy G-4, L-8); one
    query."""
    kinds = choice_labels(GroupDocument, "kind")
    rows = (
        GroupDocument.objects.filter(
            group_id=group_id, kind__in=[GroupDocument.Kind.CHARTER, GroupDocument.Kind.RULES]
        )
        .select_related("uploaded_by")
        .order_by("adopted_on", "id")
    )
    return [
        StoryEvent(
            d.adopted_on,
            "document",
            _("通过%(kind)s第 %(v)s 版：%(title)s")
            % {"kind": kinds.get(d.kind, d.kind), "v": d.version, "title": d.title},
            who=d.uploaded_by.get_full_name() if d.uploaded_by else "",
            order=2,
        )
        for d in rows
    ]


register_story_source(StorySource("documents", _documents_story))
