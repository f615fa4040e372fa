"""Enrollment plans (招生计划): each school files its own yearly plan and its education authority
sets it (一校一案, policy L-7). One plan per school per year; a returned plan is refiled, never
duplicated.

Every service is atomic and takes the acting user as `actor`; it checks the person gate
(permissions.py, PermissionDenied) before reading any state, moves the plan through the one
workflow runner (qingdao_groups.core.workflow: lock, expected version, ENROLLMENT_TRANSITIONS,
history with who and why), and notifies after the transaction commits
(qingdao_groups.core.notifications)."""

import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.enrollment.models import EnrollmentPlan
from groups.enrollment.permissions import can_file_enrollment_plan, can_set_enrollment_plan
from groups.enrollment.workflows import (
    ENROLLMENT_TRANSITIONS,
    EnrollmentAction,
    EnrollmentPlanStatus,
)
from members.models import School, User
from qingdao_groups.core.messages import label, msg
from qingdao_groups.core.notifications import notify, principals_of, staff_of
from qingdao_groups.core.rules import RuleRefusal, require
from qingdao_groups.core.workflow import ensure_allowed, lock, stamp, transition

YEAR_MIN, YEAR_MAX = 2019, 2100
PLACES_MAX = 100_000
CLASSES_MAX = 1_000


def plan_url(plan: EnrollmentPlan) -> str:
    return reverse("enrollment:plan-detail", kwargs={"plan_id": plan.pk})


def _clean_content(
    *, places, classes, catchment, method, through_training, gifted_programme, visiting_study, notes
) -> dict:
    """The plan numbers, range and method the authority sets (policy L-7)."""
    if places is None or not 1 <= places <= PLACES_MAX:
        raise RuleRefusal(
            _("计划招生人数应为 1 至 %(max)s 之间的整数。") % {"max": PLACES_MAX}, field="places"
        )
    if classes is None or not 1 <= classes <= CLASSES_MAX:
        raise RuleRefusal(
            _("计划班数应为 1 至 %(max)s 之间的整数。") % {"max": CLASSES_MAX}, field="classes"
        )
    if classes > places:
        raise RuleRefusal(_("计划班数不能多于计划招生人数。"), field="classes")
    catchment = (catchment or "").strip()
    if not catchment:
        raise RuleRefusal(_("请填写招生范围（政策 L-7）。"), field="catchment")
    if method not in EnrollmentPlan.Method.values:
        raise RuleRefusal(_("请选择招生方式。"), field="method")
    return {
        "places": places,
        "classes": classes,
        "catchment": catchment,
        "method": method,
        "through_training": bool(through_training),
        "gifted_programme": bool(gifted_programme),
        "visiting_study": bool(visiting_study),
        "notes": (notes or "").strip(),
    }


def _one_plan_message(school: School, year: int, plan: EnrollmentPlan | None = None) -> str:
    if plan is None:
        return _(
            "%(school)s %(year)s 年度已有招生计划：一校一案，每校每年只能报送一份（政策 L-7）。"
        ) % {"school": school.name, "year": year}
    return _(
        "%(school)s %(year)s 年度已有招生计划（%(status)s）：一校一案，每校每年只能报送一份"
        "（政策 L-7）。只有被退回的计划可以重新报送。"
    ) % {"school": school.name, "year": year, "status": plan.get_status_display()}


def _refile(
    plan: EnrollmentPlan, content: dict, actor: User, now: datetime.datetime
) -> EnrollmentPlan:
    """`plan` is locked (and its version checked) by the caller."""
    plan = transition(
        plan,
        action=EnrollmentAction.REFILE,
        table=ENROLLMENT_TRANSITIONS,
        actor=actor,
        expected_version=None,
        now=now,
        changes={
            **content,
            "filed_by": actor,
            "filed_at": now,  # it waits for its authority again
            "set_by": None,
            "set_at": None,
            # The authority's remarks on the returned round stay in the history.
            "remarks": "",
        },
    )
    _notify_authority(plan, "notice.plan.refiled", now)
    return plan


def _notify_authority(plan: EnrollmentPlan, code: str, now: datetime.datetime) -> None:
    school = plan.school
    notify(
        staff_of(school.authority_id),
        msg(code, school=school.name, year=plan.year),
        plan_url(plan),
        now=now,
    )


@transaction.atomic
def enrollment_plan_file(
    *,
    school: School,
    year: int,
    places: int,
    classes: int,
    catchment: str,
    method: str,
    actor: User,
    through_training: bool = False,
    gifted_programme: bool = False,
    visiting_study: bool = False,
    notes: str = "",
    now: datetime.datetime | None = None,
) -> EnrollmentPlan:
    """The school's principal (core or member) files the school's plan for a year for its
    authority to set (一校一案, policy L-7). One plan per school per year: a second one is
    refused, except that filing over a returned plan refiles it."""
    require(can_file_enrollment_plan(actor, school))
    now = now or timezone.now()
    if year is None or not YEAR_MIN <= year <= YEAR_MAX:
        raise RuleRefusal(
            _("招生年度应在 %(min)s 至 %(max)s 之间。") % {"min": YEAR_MIN, "max": YEAR_MAX},
            field="year",
        )
    content = _clean_content(
        places=places,
        classes=classes,
        catchment=catchment,
        method=method,
        through_training=through_training,
        gifted_programme=gifted_programme,
        visiting_study=visiting_study,
        notes=notes,
    )
    # Serialises the plans of one school, so two tabs filing the same year cannot both land.
    school = School.objects.select_for_update().get(pk=school.pk)
    existing = EnrollmentPlan.objects.filter(school=school, year=year).first()
    if existing is not None:
        existing = lock(existing, expected_version=None, related=("school",))
        if existing.status != EnrollmentPlanStatus.RETURNED:
            raise RuleRefusal(_one_plan_message(school, year, existing), field="year")
        return _refile(existing, content, actor, now)
    plan = EnrollmentPlan(
        school=school,
        year=year,
        status=EnrollmentPlanStatus.FILED,
        filed_by=actor,
        filed_at=now,
        **content,
    )
    stamp(plan, actor=actor, reason=msg("reason.plan_filed"), now=now)
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError as exc:  # the database's own guard: enrollment_plan_one_per_year
        raise RuleRefusal(_one_plan_message(school, year), field="year") from exc
    _notify_authority(plan, "notice.plan.filed", now)
    return plan


@transaction.atomic
def enrollment_plan_refile(
    *,
    plan: EnrollmentPlan,
    places: int,
    classes: int,
    catchment: str,
    method: str,
    actor: User,
    through_training: bool = False,
    gifted_programme: bool = False,
    visiting_study: bool = False,
    notes: str = "",
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> EnrollmentPlan:
    """The school answers its authority's remarks and files the returned plan again
    (policy L-7); the year stays, so the school still has one plan for it."""
    require(can_file_enrollment_plan(actor, plan.school))
    plan = lock(plan, expected_version=expected_version, related=("school",))
    ensure_allowed(plan, table=ENROLLMENT_TRANSITIONS, action=EnrollmentAction.REFILE)
    content = _clean_content(
        places=places,
        classes=classes,
        catchment=catchment,
        method=method,
        through_training=through_training,
        gifted_programme=gifted_programme,
        visiting_study=visiting_study,
        notes=notes,
    )
    return _refile(plan, content, actor, now or timezone.now())


def _decide(
    *,
    plan: EnrollmentPlan,
    action: str,
    remarks: str,
    actor: User,
    expected_version: int | None,
    now: datetime.datetime,
) -> EnrollmentPlan:
    require(can_set_enrollment_plan(actor, plan))
    plan = lock(plan, expected_version=expected_version, related=("school",))
    return transition(
        plan,
        action=action,
        table=ENROLLMENT_TRANSITIONS,
        actor=actor,
        reason=(
            msg(
                "reason.with_remarks", action=label(EnrollmentAction(action).label), remarks=remarks
            )
            if remarks
            else ""
        ),
        expected_version=None,
        now=now,
        changes={"remarks": remarks, "set_by": actor, "set_at": now},
    )


@transaction.atomic
def enrollment_plan_set(
    *,
    plan: EnrollmentPlan,
    actor: User,
    remarks: str = "",
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> EnrollmentPlan:
    """The school's education authority sets (核定) the plan it filed (policy L-7)."""
    now = now or timezone.now()
    plan = _decide(
        plan=plan,
        action=EnrollmentAction.SET,
        remarks=(remarks or "").strip(),
        actor=actor,
        expected_version=expected_version,
        now=now,
    )
    notify(
        principals_of(plan.school_id),
        msg("notice.plan.set", year=plan.year),
        plan_url(plan),
        now=now,
    )
    return plan


@transaction.atomic
def enrollment_plan_return(
    *,
    plan: EnrollmentPlan,
    remarks: str,
    actor: User,
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> EnrollmentPlan:
    """The school's education authority returns the plan with remarks, which are required, for
    the school to revise and refile (policy L-7)."""
    require(can_set_enrollment_plan(actor, plan))
    remarks = (remarks or "").strip()
    if not remarks:
        raise RuleRefusal(_("退回招生计划须填写意见，告诉学校需要修改什么。"), field="remarks")
    now = now or timezone.now()
    plan = _decide(
        plan=plan,
        action=EnrollmentAction.RETURN,
        remarks=remarks,
        actor=actor,
        expected_version=expected_version,
        now=now,
    )
    notify(
        principals_of(plan.school_id),
        msg("notice.plan.returned", year=plan.year, remarks=remarks),
        plan_url(plan),
        now=now,
    )
    return plan
