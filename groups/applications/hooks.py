"""What applications contribute to the shared parts: their events on the group timeline, as far
as the reader may see them (a member principal does not read another member's exit reasons),
their documents (whoever may see the application may read them; policy L-1, L-3, L-5), and
the steps awaiting a person: consents and decisions for staff, exit opinions and returned
applications for principals, each with its deadline (step_deadline)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from groups.applications.models import Application, Consent
from groups.applications.permissions import DOCUMENT_KINDS
from groups.applications.selectors import (
    application_list_for_user,
    application_scope_q,
    proposable_schools,
    step_deadline,
)
from groups.applications.workflows import ApplicationStatus, ConsentStatus
from groups.registry.models import PolicyParameters
from members.models import User
from members.pickers import register_school_picker
from qingdao_groups.core.documents import register_document_owner
from qingdao_groups.core.history import history_rows
from qingdao_groups.core.inbox import InboxItem, day, register_inbox_provider, url_or_blank
from qingdao_groups.core.labels import choice_labels, url_maker
from qingdao_groups.core.timeline import (
    StoryEvent,
    StorySource,
    TimelineSource,
    register_story_source,
    register_timeline_source,
)


def _rows(group_id: int, user):
    qs = history_rows(Application).filter(group_id=group_id)
    q = application_scope_q(user)
    return qs if q is None else qs.filter(id__in=Application.objects.filter(q).values("pk"))


register_timeline_source(
    TimelineSource(
        "application",
        _rows,
        lambda v: (
            _("%(kind)s申请（%(status)s）")
            % {
                "kind": choice_labels(Application, "kind").get(v[0], v[0]),
                "status": choice_labels(Application, "status").get(v[1], v[1]),
            }
        ),
        ("kind", "status"),
    )
)


register_school_picker("application-member", proposable_schools)

register_document_owner(
    Application,
    can_view=lambda user, a: application_list_for_user(user=user).filter(pk=a.pk).exists(),
    upload_kinds=lambda user, a: DOCUMENT_KINDS[a.kind],
)


def _item(kind: str, a: Application, since, overdue: bool = False) -> InboxItem:
    return InboxItem(
        kind,
        a.title,
        since,
        url_or_blank("applications:detail", a.pk),
        a.get_kind_display(),
        overdue=overdue,
    )


def _inbox(user: User) -> list[InboxItem]:
    """Staff: consents asked of their authority and decisions it owes (overdue past the step's
    deadline, policy L-1, L-3, L-5). Principals: exit opinions their core school owes and their
    returned applications."""
    items = []
    if user.role in User.AUTHORITY_ROLES and user.authority_id:
        params = PolicyParameters.current()
        today = timezone.localdate()
        for c in Consent.objects.filter(
            authority_id=user.authority_id,
            status=ConsentStatus.PENDING,
            application__status=ApplicationStatus.AWAITING_CONSENTS,
        ).select_related("application__applicant_school", "application__group"):
            since = day(c.requested_at)
            due = step_deadline(ApplicationStatus.AWAITING_CONSENTS, since, params)
            items.append(_item(_("待出具意见"), c.application, since, overdue=today > due))
        for a in Application.objects.filter(
            deciding_authority_id=user.authority_id,
            status=ApplicationStatus.UNDER_DECISION,
        ).select_related("applicant_school", "group"):
            since = day(a.step_started_at or a.created_at)
            due = step_deadline(ApplicationStatus.UNDER_DECISION, since, params)
            items.append(_item(_("待审批"), a, since, overdue=today > due))
    elif user.is_principal and user.school_id:
        for a in Application.objects.filter(
            group__core_school_id=user.school_id,
            status=ApplicationStatus.AWAITING_OPINION,
        ).select_related("applicant_school", "group"):
            items.append(_item(_("待提出意见"), a, day(a.step_started_at or a.created_at)))
        for a in Application.objects.filter(
            applicant_school_id=user.school_id,
            status=ApplicationStatus.RETURNED,
        ).select_related("applicant_school", "group"):
            items.append(_item(_("申请被退回"), a, day(a.step_started_at or a.created_at)))
    return items


register_inbox_provider("applications", _inbox)


def _decisions_story(group_id: int, user, today) -> list[StoryEvent]:
    """Each decided application of the group the reader may see, on the day of the decision, with
    the reasons, the conditions and the written justification the approver gave for the warnings
    it overrode (policy L-1, L-3, L-5); one query."""
    qs = Application.objects.filter(
        group_id=group_id, decided_at__isnull=False, status__in=DECIDED_STATUSES
    )
    q = application_scope_q(user)
    if q is not None:
        qs = qs.filter(q)
    kinds, statuses = choice_labels(Application, "kind"), choice_labels(Application, "status")
    detail_url = url_maker("applications:detail")
    events = []
    for a in qs.select_related("decided_by", "applicant_school", "group").order_by("decided_at"):
        notes = [a.decision_reason.strip()]
        if a.conditions.strip():
            notes.append(_("附加条件：%(text)s") % {"text": a.conditions.strip()})
        if a.justification.strip():
            notes.append(_("书面说明：%(text)s") % {"text": a.justification.strip()})
        events.append(
            StoryEvent(
                timezone.localdate(a.decided_at),
                "decision",
                _("%(kind)s申请%(status)s：%(title)s")
                % {
                    "kind": kinds.get(a.kind, a.kind),
                    "status": statuses.get(a.status, a.status),
                    "title": a.title,
                },
                who=a.decided_by.get_full_name() if a.decided_by else "",
                note="\n".join(n for n in notes if n),
                url=detail_url(a.pk),
                order=1,
            )
        )
    return events


DECIDED_STATUSES = (
    ApplicationStatus.APPROVED,
    ApplicationStatus.APPROVED_WITH_CONDITIONS,
    ApplicationStatus.REJECTED,
)
register_story_source(StorySource("decisions", _decisions_story))
