"""What applications contribute to the shared parts: their events on the group timeline, as far
as the reader may see them (a member principal does not read another member's exit reasons),
their documents (whoever may see the application may read them; policy L-1, L-3, L-5), and
the steps awaiting a person: consents and decisions for staff, exit opinions and returned
applications for principals, each with its deadline (step_deadline)."""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from groups.applications.documents import REPLY
from groups.applications.exports import APPLICATIONS_EXPORT
from groups.applications.models import Application, Consent
from groups.applications.permissions import DOCUMENT_KINDS
from groups.applications.selectors import (
    application_get_for_user,
    application_list_for_user,
    application_scope_q,
    deadline_for,
    proposable_schools,
    step_deadline,
    waiting_on,
)
from groups.applications.workflows import (
    APPROVED_STATUSES,
    ApplicationStatus,
    ConsentStatus,
)
from groups.registry.models import PolicyParameters
from members.models import User
from members.pickers import register_school_picker
from qingdao_groups.core.archive import register_document_kind
from qingdao_groups.core.documents import register_document_owner
from qingdao_groups.core.exports import register_export
from qingdao_groups.core.history import history_rows
from qingdao_groups.core.inbox import InboxItem, day, register_inbox_provider, url_or_blank
from qingdao_groups.core.labels import choice_labels, url_maker
from qingdao_groups.core.notifications import principals_of, staff_of
from qingdao_groups.core.reminders import (
    WATCH_PER_SOURCE,
    RemindSource,
    Waiting,
    register_remind_source,
)
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


def _describe(v) -> str:
    """The application's event; a decision that passed over warnings carries the approver's
    written justification with it into the group's history (policy L-1, L-3, L-5)."""
    text = _("%(kind)s申请（%(status)s）") % {
        "kind": choice_labels(Application, "kind").get(v[0], v[0]),
        "status": choice_labels(Application, "status").get(v[1], v[1]),
    }
    if v[2] and v[1] in DECIDED_STATUSES:
        text += _("；对提示事项的书面说明：%(text)s") % {"text": v[2]}
    return text


register_timeline_source(
    TimelineSource("application", _rows, _describe, ("kind", "status", "justification"))
)


DECIDED_STATUSES = APPROVED_STATUSES | {ApplicationStatus.REJECTED}


register_school_picker("application-member", proposable_schools)


def _sees(user, a: Application) -> bool:
    return application_list_for_user(user=user).filter(pk=a.pk).exists()


register_document_owner(
    Application, can_view=_sees, upload_kinds=lambda user, a: DOCUMENT_KINDS[a.kind]
)
# The 批复 of a decision (policy L-1, L-3, L-5; issue 8): whoever may see the application.
register_document_kind(REPLY, label=gettext_lazy("批复"), can_view=_sees)


def _item(
    kind: str, key: str, a: Application, since, *, waits_for: str, deadline=None
) -> InboxItem:
    return InboxItem(
        kind,
        a.title,
        since,
        url_or_blank("applications:detail", a.pk),
        a.get_kind_display(),
        key=key,
        waits_for=waits_for,
        deadline=deadline,
        district=a.applicant_school.district_id or "",
        group=a.group.name if a.group else "",
        target=f"application:{a.pk}",
    )


def _inbox(user: User) -> list[InboxItem]:
    """Staff: consents asked of their authority and decisions it owes, each due by its step's
    deadline (policy L-1, L-3, L-5). Principals: exit opinions their core school owes (due like
    a consent, L-5) and their returned applications (no deadline: resubmitting is the school's
    choice)."""
    items = []
    if user.role in User.AUTHORITY_ROLES and user.authority_id:
        for c in Consent.objects.filter(
            authority_id=user.authority_id,
            status=ConsentStatus.PENDING,
            application__status=ApplicationStatus.AWAITING_CONSENTS,
        ).select_related("application__applicant_school", "application__group", "authority"):
            since = day(c.requested_at)
            due = step_deadline(
                ApplicationStatus.AWAITING_CONSENTS, since, PolicyParameters.for_request()
            )
            items.append(
                _item(
                    _("待出具意见"),
                    "consent",
                    c.application,
                    since,
                    waits_for=c.authority.name,
                    deadline=due,
                )
            )
        for a in Application.objects.filter(
            deciding_authority_id=user.authority_id,
            status=ApplicationStatus.UNDER_DECISION,
        ).select_related("applicant_school", "group", "deciding_authority"):
            since = day(a.step_started_at or a.created_at)
            due = step_deadline(
                ApplicationStatus.UNDER_DECISION, since, PolicyParameters.for_request()
            )
            items.append(
                _item(
                    _("待审批"),
                    "decision",
                    a,
                    since,
                    waits_for=a.deciding_authority.name,
                    deadline=due,
                )
            )
    elif user.is_principal and user.school_id:
        for a in Application.objects.filter(
            group__core_school_id=user.school_id,
            status=ApplicationStatus.AWAITING_OPINION,
        ).select_related("applicant_school", "group__core_school"):
            since = day(a.step_started_at or a.created_at)
            assert a.group is not None  # an exit names its group
            items.append(
                _item(
                    _("待提出意见"),
                    "exit-opinion",
                    a,
                    since,
                    waits_for=_("核心校（%(school)s）") % {"school": a.group.core_school.name},
                    deadline=step_deadline(
                        ApplicationStatus.AWAITING_OPINION, since, PolicyParameters.for_request()
                    ),
                )
            )
        for a in Application.objects.filter(
            applicant_school_id=user.school_id,
            status=ApplicationStatus.RETURNED,
        ).select_related("applicant_school", "group"):
            items.append(
                _item(
                    _("申请被退回"),
                    "application-returned",
                    a,
                    day(a.step_started_at or a.created_at),
                    waits_for=_("申请学校（%(school)s）") % {"school": a.applicant_school.name},
                )
            )
    return items


REMINDABLE = (
    ApplicationStatus.AWAITING_CONSENTS,
    ApplicationStatus.AWAITING_OPINION,
    ApplicationStatus.UNDER_DECISION,
    ApplicationStatus.RETURNED,
)


def _waiting(a: Application) -> Waiting | None:
    """Whom an application waits for now (policy L-1, L-3, L-5): the authorities whose consent
    is pending, the core school's principal for an exit opinion, the deciding authority, or the
    applicant school when returned; with the step's deadline (step_deadline)."""
    status = a.status
    if status not in REMINDABLE:
        return None
    if status == ApplicationStatus.AWAITING_CONSENTS:
        users = [
            u
            for c in a.consents.all()
            if c.status == ConsentStatus.PENDING
            for u in staff_of(c.authority_id)
        ]
    elif status == ApplicationStatus.AWAITING_OPINION:
        assert a.group is not None
        users = principals_of(a.group.core_school_id)
    elif status == ApplicationStatus.UNDER_DECISION:
        users = staff_of(a.deciding_authority_id)
    else:
        users = principals_of(a.applicant_school_id)
    return Waiting(
        users,
        waiting_on(a),
        _("%(kind)s申请“%(title)s”") % {"kind": a.get_kind_display(), "title": a.title},
        url_or_blank("applications:detail", a.pk),
        deadline_for(a),
    )


def _watched(user: User) -> list[InboxItem]:
    """Applications the staff member sees that wait for someone else (another authority's
    consent, the core school's exit opinion, another authority's decision, the applicant after
    a return; policy L-1, L-3, L-5), with their step deadlines: the 督办 view."""
    if user.role not in User.AUTHORITY_ROLES or not user.authority_id:
        return []
    params = PolicyParameters.for_request()
    own_pending = Consent.objects.filter(
        application_id=OuterRef("pk"), authority_id=user.authority_id, status=ConsentStatus.PENDING
    )
    rows = (
        application_list_for_user(user=user)
        .filter(status__in=REMINDABLE)
        .exclude(status=ApplicationStatus.UNDER_DECISION, deciding_authority_id=user.authority_id)
        .exclude(Q(status=ApplicationStatus.AWAITING_CONSENTS) & Q(Exists(own_pending)))
        .prefetch_related("consents__authority")
        .order_by("step_started_at", "pk")[:WATCH_PER_SOURCE]
    )
    items = []
    for a in rows:
        since = day(a.step_started_at or a.created_at)
        items.append(
            _item(
                a.get_status_display(),
                f"watch-{a.status}",
                a,
                since,
                waits_for=waiting_on(a),
                deadline=deadline_for(a, params),
            )
        )
    return items


register_remind_source(
    RemindSource(
        "application",
        Application,
        lambda user, pk: application_get_for_user(user=user, application_id=pk),
        _waiting,
        lambda: (
            Application.objects.filter(
                status__in=[
                    ApplicationStatus.AWAITING_CONSENTS,
                    ApplicationStatus.AWAITING_OPINION,
                    ApplicationStatus.UNDER_DECISION,
                ]
            )
            .select_related("applicant_school", "group__core_school", "deciding_authority")
            .prefetch_related("consents__authority")
            .order_by("pk")
        ),
        is_open=lambda a: a.status in REMINDABLE,
        watched=_watched,
    )
)


register_inbox_provider("applications", _inbox, models=(Application, Consent))

# The list's export (issue 8): the one export helper of qingdao_groups.core.exports.
register_export(APPLICATIONS_EXPORT)


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

# --- The auditors' desk (issue 10): how the application's parts concern a group ----------------
from groups.applications.models import (  # noqa: E402
    AdmissionCriterion,
    AdmissionScore,
    CheckResult,
    Consent,
    ProposedMember,
    ProposedPartner,
)
from qingdao_groups.core.audit import register_audit_kind  # noqa: E402

for _model in (ProposedMember, ProposedPartner, Consent, CheckResult, AdmissionScore):
    register_audit_kind(_model, group="application__group_id")
register_audit_kind(AdmissionCriterion, group="group_id")
