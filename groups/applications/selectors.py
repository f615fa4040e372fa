"""Reads of groups, scoped per user and shaped so that pages run a constant number of queries."""

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.applications.models import AdmissionCriterion, Application, Consent, ProposedMember
from groups.applications.workflows import OPEN_STATUSES, Action, ApplicationStatus, ConsentStatus
from groups.registry.models import EducationGroup, Membership, PolicyParameters
from members.models import School, User
from qingdao_groups.core.queries import by_key
from qingdao_groups.templatetags.qg_labels import ymd_hm


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
            Exists(
                Consent.objects.filter(
                    application_id=OuterRef("pk"), authority_id=user.authority_id
                )
            )
        )
    if user.is_principal and user.school_id:
        return Q(applicant_school_id=user.school_id) | Q(group__core_school_id=user.school_id)
    return Q(pk__in=[])


def application_list_for_user(*, user: User) -> QuerySet[Application]:
    qs = Application.objects.select_related(
        "applicant_school", "group", "group__core_school", "deciding_authority", "created_by"
    )
    q = application_scope_q(user)
    return qs if q is None else qs.filter(q)


def application_list_filtered(
    qs: QuerySet[Application], params
) -> tuple[QuerySet[Application], str, str]:
    """The application list's filters (status, kind), shared by the page and its export; an
    unknown value filters nothing. Returns the narrowed queryset and the values applied."""
    status, kind = params.get("status", ""), params.get("kind", "")
    if status in ApplicationStatus.values:
        qs = qs.filter(status=status)
    else:
        status = ""
    if kind in Application.Kind.values:
        qs = qs.filter(kind=kind)
    else:
        kind = ""
    return qs, status, kind


def application_get_for_user(*, user: User, application_id: int) -> Application:
    """404 when the user may not see it, so a swapped id reveals nothing."""
    try:
        return by_key(application_list_for_user(user=user), application_id)
    except Application.DoesNotExist as exc:
        raise Http404 from exc


def step_deadline(
    status: str, started_on: datetime.date, params: PolicyParameters | None = None
) -> datetime.date | None:
    """When a step that started on `started_on` is due: consents and the core's exit opinion
    within consent_days, a decision within decision_days (configurable, PolicyParameters;
    policy L-1, L-3, L-5). None for a step without a deadline. The one place the step deadlines
    are computed: the application page and the inbox both read it."""
    params = params or PolicyParameters.current()
    days_by_status: dict[str, int] = {
        ApplicationStatus.AWAITING_CONSENTS: params.consent_days,
        ApplicationStatus.AWAITING_OPINION: params.consent_days,
        ApplicationStatus.UNDER_DECISION: params.decision_days,
    }
    days = days_by_status.get(status)
    if days is None:
        return None
    return started_on + datetime.timedelta(days=days)


def deadline_for(
    application: Application, params: PolicyParameters | None = None
) -> datetime.date | None:
    """When the application's current step is due (see step_deadline)."""
    if application.step_started_at is None:
        return None
    return step_deadline(
        application.status, timezone.localdate(application.step_started_at), params
    )


def waiting_on(application: Application) -> str:
    """Who the application waits on now, in words (uses prefetched consents)."""
    status = application.status
    if status in (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED):
        return _("申请学校（%(school)s）") % {"school": application.applicant_school.name}
    if status == ApplicationStatus.AWAITING_CONSENTS:
        names = [
            c.authority.name
            for c in application.consents.all()
            if c.status == ConsentStatus.PENDING
        ]
        return "、".join(names)
    if status == ApplicationStatus.AWAITING_OPINION:
        assert application.group is not None  # an exit names its group
        return _("核心校（%(school)s）") % {"school": application.group.core_school.name}
    if status == ApplicationStatus.UNDER_DECISION:
        return application.deciding_authority.name
    return ""


def exit_spin_off_prefill(*, exit_application: Application) -> dict:
    """What a leaver's new founding application starts with (policy L-5: leavers are encouraged
    to found a group of their own)."""
    school = exit_application.applicant_school
    assert exit_application.group is not None  # an exit application always names its group
    return {
        "proposed_name": _("%(school)s教育集团") % {"school": school.name},
        "chief_principal_name": school.principal_name,
        "description": _("由 %(school)s 退出“%(group)s”后牵头组建（政策 L-5）。")
        % {"school": school.name, "group": exit_application.group.name},
    }


def admission_criteria_for(group: EducationGroup):
    """The checklist of the group's admission evaluation (准入评估, policy L-3): city-wide items
    plus the group's own."""
    return (
        AdmissionCriterion.objects.filter(active=True)
        .filter(Q(group__isnull=True) | Q(group=group))
        .order_by("order", "id")
    )


def free_schools() -> QuerySet[School]:
    """Schools in no group from today on: those an application may propose as members."""
    busy = Membership.objects.current_or_upcoming().filter(school_id=OuterRef("pk"))
    # NOT EXISTS, not NOT IN: PostgreSQL checks a searched handful of schools against the
    # membership index instead of hashing every busy school first (issue 7)
    return School.objects.filter(~Exists(busy))


def proposable_schools(user: User) -> QuerySet[School]:
    """The application-member school picker: a principal (who drafts founding and admission
    applications, policy L-1, L-3) searches every school but their own; nobody else. A school
    that cannot be proposed is shown, not hidden (issue 8): `picker_busy_group` names the group
    it is in from today on (G-1), `picker_busy_application` the submitted application that
    proposes it (L-1, L-3); the picker greys it (members.pickers)."""
    if not user.is_principal or user.school_id is None:
        return School.objects.none()
    group = Membership.objects.current_or_upcoming().filter(school_id=OuterRef("pk"))
    submitted = Application.objects.filter(
        status__in=OPEN_STATUSES - {ApplicationStatus.DRAFT},
        kind__in=[Application.Kind.ADMISSION, Application.Kind.FOUNDING],
    )
    proposed = ProposedMember.objects.filter(
        school_id=OuterRef("pk"), application__in=submitted
    ).annotate(title=Coalesce("application__group__name", "application__proposed_name"))
    founding = submitted.filter(kind=Application.Kind.FOUNDING, applicant_school_id=OuterRef("pk"))
    return School.objects.exclude(pk=user.school_id).annotate(
        picker_busy_group=Subquery(group.order_by("joined_on").values("group__name")[:1]),
        picker_busy_application=Coalesce(
            Subquery(proposed.order_by("application_id").values("title")[:1]),
            Subquery(founding.order_by("pk").values("proposed_name")[:1]),
        ),
    )


# --- open applications a new one would conflict with (policy L-1, L-3, L-5; issue 8) ----------


def application_named(application: Application) -> str:
    """An application as a message names it: its kind, its title (the group) and its state."""
    return _("%(kind)s申请“%(title)s”（%(status)s）") % {
        "kind": application.get_kind_display(),
        "title": application.title,
        "status": application.get_status_display(),
    }


def application_url(application: Application) -> str:
    from django.urls import reverse

    return reverse("applications:detail", args=[application.pk])


def with_link(message: str, application: Application) -> str:
    """`message` followed by a link to the application it names (a conflict says which one and
    leads to it); safe HTML, kept so by the messages framework and form errors."""
    from django.utils.html import format_html

    return format_html(
        '{} <a href="{}" data-testid="conflict-link">{}</a>',
        message,
        application_url(application),
        _("查看该申请"),
    )


def open_exit_for(*, membership_id: int) -> Application | None:
    """The membership's open exit, drafts included: at most one (policy L-5)."""
    return (
        Application.objects.filter(
            kind=Application.Kind.EXIT,
            membership_id=membership_id,
            status__in=OPEN_STATUSES,
        )
        .select_related("applicant_school", "group")
        .first()
    )


def open_exits_for_group(*, user: User, group_id: int) -> dict[int, Application]:
    """The open exits of a group's memberships the user may see, by membership (one query): the
    group page links to them instead of offering another exit (policy L-5)."""
    qs = Application.objects.filter(
        group_id=group_id, kind=Application.Kind.EXIT, status__in=OPEN_STATUSES
    ).only("pk", "membership_id", "status", "kind")
    q = application_scope_q(user)
    if q is not None:
        qs = qs.filter(q)
    return {a.membership_id: a for a in qs if a.membership_id}


def schools_in_open_applications(
    school_ids, *, exclude_pk: int | None = None
) -> dict[int, Application]:
    """For each of `school_ids` bound by another submitted, undecided founding or admission (as
    a proposed member, or as the core of a founding), that application (two queries): a school
    is proposed by one of them at a time (policy L-1, L-3). Other principals' drafts bind
    nothing."""
    school_ids = list(school_ids)
    if not school_ids:
        return {}
    submitted = Application.objects.filter(
        status__in=OPEN_STATUSES,
        kind__in=[Application.Kind.ADMISSION, Application.Kind.FOUNDING],
    ).exclude(status=ApplicationStatus.DRAFT)
    if exclude_pk is not None:
        submitted = submitted.exclude(pk=exclude_pk)
    found: dict[int, Application] = {}
    for other in submitted.filter(
        kind=Application.Kind.FOUNDING, applicant_school_id__in=school_ids
    ).select_related("applicant_school", "group"):
        found.setdefault(other.applicant_school_id, other)
    for row in (
        ProposedMember.objects.filter(school_id__in=school_ids, application__in=submitted)
        .select_related("application__applicant_school", "application__group")
        .order_by("application_id")
    ):
        found.setdefault(row.school_id, row.application)
    return found


# The decision behind each decided status (what the losing side of two decisions is told).
_DECIDED_BY_ACTION: dict[str, Action] = {
    ApplicationStatus.APPROVED: Action.APPROVE,
    ApplicationStatus.APPROVED_WITH_CONDITIONS: Action.APPROVE_WITH_CONDITIONS,
    ApplicationStatus.RETURNED: Action.RETURN,
    ApplicationStatus.REJECTED: Action.REJECT,
}


def decided_by_message(application: Application) -> str:
    """ "已由 <name> 于 <time> 批准" with the state now, when the application's current status
    is the outcome of a decision (policy L-1, L-3, L-5); "" otherwise (e.g. returned by a
    consent's refusal). The time in the local zone, in the project's one date-time format."""
    action = _DECIDED_BY_ACTION.get(application.status)
    decider = application.decided_by
    if action is None or decider is None or application.decided_at is None:
        return ""
    if application.step_started_at and application.step_started_at != application.decided_at:
        return ""  # the status came from a later step than the decision
    return _("该申请已由 %(name)s 于 %(time)s %(action)s。当前状态：%(status)s。") % {
        "name": decider.get_full_name() or decider.username,
        "time": ymd_hm(timezone.localtime(application.decided_at)),
        "action": action.label,
        "status": application.get_status_display(),
    }
