"""What applications contribute to the shared parts: their events on the group timeline, as far
as the reader may see them (a member principal does not read another member's exit reasons),
their documents (whoever may see the application may read them; policy L-1, L-3, L-5), and
the steps awaiting a person: consents and decisions for staff, exit opinions and returned
applications for principals, each with its deadline (step_deadline)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from groups.applications.documents import REPLY
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
from qingdao_groups.core.archive import register_document_kind
from qingdao_groups.core.documents import register_document_owner
from qingdao_groups.core.history import history_rows
from qingdao_groups.core.inbox import InboxItem, day, register_inbox_provider, url_or_blank
from qingdao_groups.core.labels import choice_labels
from qingdao_groups.core.timeline import TimelineSource, register_timeline_source


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


def _sees(user, a: Application) -> bool:
    return application_list_for_user(user=user).filter(pk=a.pk).exists()


register_document_owner(
    Application, can_view=_sees, upload_kinds=lambda user, a: DOCUMENT_KINDS[a.kind]
)
# The 批复 of a decision (policy L-1, L-3, L-5; issue 8): whoever may see the application.
register_document_kind(REPLY, label=gettext_lazy("批复"), can_view=_sees)


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
            items.append(_item(_("待表态"), c.application, since, overdue=today > due))
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
