"""What awaits a user, oldest first, with the days each has waited: one query per source."""

import datetime
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.applications.models import Application, Consent
from groups.applications.workflows import OPEN_STATUSES, ApplicationStatus, ConsentStatus
from groups.cards.models import Card
from groups.cards.workflows import CardStatus
from groups.enrollment.models import EnrollmentPlan
from groups.enrollment.workflows import EnrollmentPlanStatus
from groups.filings.models import Filing
from groups.filings.workflows import FilingStatus
from groups.registry.models import PolicyParameters
from members.models import User


@dataclass(frozen=True)
class InboxItem:
    kind: str
    title: str
    since: datetime.date
    url: str
    note: str = ""
    overdue: bool = False

    @property
    def days_waiting(self) -> int:
        return (timezone.localdate() - self.since).days


def _day(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value)
    return value


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # an area without a detail page yet falls back to its list
        return ""


def inbox_for_user(user: User) -> list[InboxItem]:
    """Staff: consents, decisions, filings (city), overdue or rectified cards, plans to set.
    Principals: exit opinions, cards to answer, returned applications and plans."""
    items: list[InboxItem] = []
    if user.role in User.AUTHORITY_ROLES and user.authority_id:
        params = PolicyParameters.current()
        today = timezone.localdate()

        def late(since: datetime.date, days: int) -> bool:
            return (today - since).days > days

        for c in Consent.objects.filter(
                authority_id=user.authority_id, status=ConsentStatus.PENDING,
                application__status=ApplicationStatus.AWAITING_CONSENTS,
        ).select_related("application__applicant_school", "application__group"):
            since = _day(c.requested_at)
            items.append(InboxItem(_("待表态"), _application_title(c.application), since,
                                   _url("applications:detail", c.application_id),
                                   c.application.get_kind_display(),
                                   overdue=late(since, params.consent_days)))
        for a in Application.objects.filter(
                deciding_authority_id=user.authority_id,
                status=ApplicationStatus.UNDER_DECISION,
        ).select_related("applicant_school", "group"):
            since = _day(a.step_started_at or a.created_at)
            items.append(InboxItem(_("待审批"), _application_title(a), since,
                                   _url("applications:detail", a.pk), a.get_kind_display(),
                                   overdue=late(since, params.decision_days)))
        for card in Card.objects.filter(
                group__authority_id=user.authority_id,
                status__in=[CardStatus.OVERDUE, CardStatus.UNDER_REVIEW],
        ).select_related("membership__school"):
            since = _day(card.rectified_at) if card.status == CardStatus.UNDER_REVIEW \
                else card.deadline
            items.append(InboxItem(
                _("整改逾期") if card.status == CardStatus.OVERDUE else _("整改待审核"),
                card.membership.school.name, since, _url("cards:detail", card.pk),
                card.get_level_display(), overdue=card.status == CardStatus.OVERDUE))
        for plan in EnrollmentPlan.objects.filter(
                school__authority_id=user.authority_id, status=EnrollmentPlanStatus.FILED,
        ).select_related("school"):
            items.append(InboxItem(_("招生计划待核定"), f"{plan.school.name} {plan.year}",
                                   _day(plan.filed_at), _url("enrollment:plan-detail", plan.pk)))
        if user.is_city_staff:
            for f in Filing.objects.filter(status=FilingStatus.FILED).select_related(
                    "authority"):
                items.append(InboxItem(_("待确认报备"), f.title, f.filed_on,
                                       _url("filings:filing-detail", f.pk), f.authority.name,
                                       overdue=f.is_late))
        else:
            for f in Filing.objects.filter(authority_id=user.authority_id,
                                           status=FilingStatus.RETURNED):
                items.append(InboxItem(_("报备被退回"), f.title, _day(f.handled_at or f.filed_on),
                                       _url("filings:filing-detail", f.pk), f.remarks))
    elif user.is_principal and user.school_id:
        for a in Application.objects.filter(
                group__core_school_id=user.school_id, status=ApplicationStatus.AWAITING_OPINION,
        ).select_related("applicant_school", "group"):
            items.append(InboxItem(_("待提出意见"), _application_title(a),
                                   _day(a.step_started_at or a.created_at),
                                   _url("applications:detail", a.pk), a.get_kind_display()))
        for a in Application.objects.filter(
                applicant_school_id=user.school_id, status=ApplicationStatus.RETURNED,
        ).select_related("applicant_school", "group"):
            items.append(InboxItem(_("申请被退回"), _application_title(a),
                                   _day(a.step_started_at or a.created_at),
                                   _url("applications:detail", a.pk), a.get_kind_display()))
        for plan in EnrollmentPlan.objects.filter(
                school_id=user.school_id, status=EnrollmentPlanStatus.RETURNED,
        ).select_related("school"):
            items.append(InboxItem(_("招生计划被退回"), f"{plan.school.name} {plan.year}",
                                   _day(plan.set_at or plan.filed_at),
                                   _url("enrollment:plan-detail", plan.pk), plan.remarks))
        for card in Card.objects.filter(
                membership__school_id=user.school_id, closed_at__isnull=True,
                status__in=[CardStatus.YELLOW_ISSUED, CardStatus.OVERDUE],
        ).select_related("membership__school"):
            items.append(InboxItem(_("黄牌待整改"), card.get_ground_display(),
                                   _day(card.issued_at), _url("cards:detail", card.pk),
                                   _("整改期限 %(date)s") % {"date": card.deadline},
                                   overdue=card.status == CardStatus.OVERDUE))
    items.sort(key=lambda i: (i.since, i.title))
    return items


def _application_title(a: Application) -> str:
    if a.kind == Application.Kind.FOUNDING:
        return a.proposed_name or a.applicant_school.name
    return f"{a.applicant_school.name} · {a.group.name if a.group else ''}"


def open_applications_of_school(school_id: int):
    return Application.objects.filter(
        applicant_school_id=school_id, status__in=OPEN_STATUSES,
    ).select_related("group", "deciding_authority").prefetch_related("consents__authority")


def waiting_on(application: Application) -> str:
    """Who the application waits on now, in words (uses prefetched consents)."""
    status = application.status
    if status in (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED):
        return _("申请学校（%(school)s）") % {"school": application.applicant_school.name}
    if status == ApplicationStatus.AWAITING_CONSENTS:
        names = [c.authority.name for c in application.consents.all()
                 if c.status == ConsentStatus.PENDING]
        return "、".join(names)
    if status == ApplicationStatus.AWAITING_OPINION:
        return _("核心校（%(school)s）") % {"school": application.group.core_school.name}
    if status == ApplicationStatus.UNDER_DECISION:
        return application.deciding_authority.name
    return ""
