"""Founding (policy L-1, L-2), admission (L-3, L-4) and exit (L-5): one machinery.

Order in every service: the person gate (permissions.py, PermissionDenied) before any state is
read; then the row is locked and the version the user saw checked; then the kind's transition
table (workflows.py) allows or refuses the step. Every status change goes through the one runner
(qingdao_groups.core.workflow.transition), which also bumps the version and records who and why
in the audit history. Notifications are created in the same transaction and mailed after
commit."""

import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from groups.applications import checks
from groups.applications.documents import application_reply_issue
from groups.applications.models import (
    AdmissionScore,
    Application,
    CheckResult,
    Consent,
    ProposedMember,
    ProposedPartner,
)
from groups.applications.permissions import (
    can_decide_application,
    can_draft_application,
    can_edit_application,
    can_give_exit_opinion,
    can_record_consent,
    can_withdraw_application,
)
from groups.applications.selectors import (
    admission_criteria_for,
    application_named,
    open_exit_for,
    schools_in_open_applications,
    with_link,
)
from groups.applications.workflows import (
    APPLICATION_TRANSITIONS,
    CONSENT_TRANSITIONS,
    DECISION_ACTIONS,
    Action,
    ApplicationStatus,
    ConsentAction,
    ConsentStatus,
)
from groups.registry.membership import core_cannot_be_member
from groups.registry.models import SUBTYPES_BY_TYPE, EducationGroup, Membership
from groups.registry.services import group_create, membership_add, membership_end, partnership_add
from members.models import Authority, Partner, School, User
from qingdao_groups.core.documents import attachment_add
from qingdao_groups.core.locks import hold_named_lock
from qingdao_groups.core.messages import Message, label, msg
from qingdao_groups.core.notifications import notify, principals_of, staff_of
from qingdao_groups.core.rules import RuleRefusal, require
from qingdao_groups.core.workflow import ensure_allowed, lock, stamp, transition


def _lock(application: Application, expected_version: int | None) -> Application:
    return lock(
        application,
        expected_version=expected_version,
        related=(
            "applicant_school",
            "group",
            "group__core_school",
            "membership",
            "deciding_authority",
        ),
    )


def _table(application: Application) -> dict[tuple[str, str], str]:
    return APPLICATION_TRANSITIONS[application.kind]


def _lock_editable(
    application: Application, actor: User, expected_version: int | None = None
) -> Application:
    """The applicant's edits of a draft or returned application: person, lock, state."""
    require(can_edit_application(actor, application))
    application = _lock(application, expected_version)
    ensure_allowed(application, table=_table(application), action=Action.EDIT)
    return application


def _touch(application: Application, actor: User, now: datetime.datetime | None = None) -> None:
    """A change to what the application contains (members, partners, documents) makes open
    forms of it stale. Saved, not `.update()`d: the bump leaves its history row, naming who
    (issue 12). `application` is the row `_lock_editable` locked, so its version is current."""
    application.version += 1
    _save(application, actor, now=now or timezone.now(), update_fields=["version"])


def _move(
    application: Application,
    action: str,
    actor: User,
    reason: "str | Message" = "",
    *,
    now: datetime.datetime,
    expected_version: int | None = None,
    changes: dict | None = None,
) -> Application:
    """A step of the workflow: the runner, with the step's start time (deadlines run from it)."""
    return transition(
        application,
        action=action,
        table=_table(application),
        actor=actor,
        reason=reason,
        expected_version=expected_version,
        now=now,
        changes={**(changes or {}), "step_started_at": now},
    )


def _safe(template: str, **parts) -> str:
    """`template % parts` as safe HTML: the template escaped, the parts escaped unless safe."""
    return mark_safe(  # noqa: S308 (every part escaped here)
        conditional_escape(template) % {k: conditional_escape(v) for k, v in parts.items()}
    )


def _explain(outcomes) -> str:
    """The outcomes in words, each with its clause; one that names another application links
    to it (safe HTML, escaped parts)."""
    return format_html_join(
        " ",
        "{}{}",
        (
            (
                _("%(message)s（政策 %(clause)s）") % {"message": o.message, "clause": o.clause},
                format_html(' <a href="{}">{}</a>', o.url, _("查看该申请")) if o.url else "",
            )
            for o in outcomes
        ),
    )


def _url(application: Application) -> str:
    return reverse("applications:detail", args=[application.pk])


def _save(
    obj, actor: User, reason: "str | Message" = "", *, now: datetime.datetime, **kwargs
) -> None:
    stamp(obj, actor=actor, reason=reason, now=now)
    obj.save(**kwargs)


# --- drafting --------------------------------------------------------------------------------


@transaction.atomic
def application_create(
    *,
    kind: str,
    actor: User,
    group: EducationGroup | None = None,
    membership: Membership | None = None,
    spun_off_from: Application | None = None,
    now: datetime.datetime | None = None,
    **fields,
) -> Application:
    """Start a draft. Founding: the actor's school is the core and its authority decides (L-1).
    Admission: the group's core applies to the group's authority (L-3). Exit: the member
    school applies; the core's authority decides (L-5). `now`: when (default: the clock)."""
    now = now or timezone.now()
    require(can_draft_application(actor, kind, group=group, membership=membership))
    if kind == Application.Kind.FOUNDING:
        school = actor.school
        assert school is not None  # can_draft_application: the principal of a school
        # In a group with no exit approved: a leaver may prepare its own group (L-5).
        open_core = Membership.objects.without_end().filter(school=school).select_related("group")
        if open_core.exists():
            raise RuleRefusal(
                _("本校目前是“%(group)s”的在册学校，须先退出才能作为核心校成立新集团。")
                % {"group": open_core.first().group.name}
            )
        application = Application(
            kind=kind, applicant_school=school, deciding_authority_id=school.authority_id, **fields
        )
    elif kind == Application.Kind.ADMISSION:
        assert group is not None  # can_draft_application: an admission names its group
        application = Application(
            kind=kind,
            applicant_school=group.core_school,
            group=group,
            deciding_authority_id=group.authority_id,
            **fields,
        )
    else:
        assert membership is not None  # can_draft_application: an exit names its membership
        # Two requests at once wait here for each other; the second finds the first's draft.
        Membership.objects.select_for_update().filter(pk=membership.pk).first()
        _refuse_second_exit(membership.pk)
        application = Application(
            kind=kind,
            applicant_school=membership.school,
            group=membership.group,
            membership=membership,
            deciding_authority_id=membership.group.authority_id,
            **fields,
        )
    application.created_by = actor
    application.spun_off_from = spun_off_from
    application.created_at = now
    try:
        with transaction.atomic():
            _save(application, actor, msg("reason.draft_created"), now=now)
    except IntegrityError:  # the database's own guard (application_one_open_exit_per_membership)
        if membership is None:
            raise
        _refuse_second_exit(membership.pk)
        raise
    return application


def _refuse_second_exit(membership_id: int) -> None:
    """One open exit per membership, drafts included (policy L-5): the refusal names the open
    one and links to it."""
    existing = open_exit_for(membership_id=membership_id)
    if existing is not None:
        raise RuleRefusal(
            with_link(
                _(
                    "本校在该集团已有一份未办结的退出申请：%(application)s，请继续办理该申请，或先撤回（政策 L-5）。"
                )
                % {"application": application_named(existing)},
                existing,
            )
        )


@transaction.atomic
def application_update(
    *,
    application: Application,
    actor: User,
    expected_version: int,
    now: datetime.datetime | None = None,
    **fields,
) -> Application:
    """Edit a draft or returned application's own fields; only the applicant does, before
    submission or after a return (policy L-1, L-3, L-5)."""
    allowed = {
        "proposed_name",
        "specialty",
        "unified_areas",
        "chief_principal_name",
        "chief_principal_reason",
        "description",
        "admission_mode",
        "start_on",
        "reason",
    }
    for name in fields:
        if name not in allowed:
            raise ValueError(name)
    require(can_edit_application(actor, application))
    return transition(
        application,
        action=Action.EDIT,
        table=_table(application),
        actor=actor,
        expected_version=expected_version,
        changes=fields,
        now=now,
    )


@transaction.atomic
def proposed_member_set(
    *,
    application: Application,
    school: School,
    relation_type: str,
    relation_subtype: str,
    actor: User,
    through_training: bool = False,
    pilot_approval: str = "",
    projects: str = "",
    now: datetime.datetime | None = None,
) -> ProposedMember:
    """Add or change a proposed member and its relation to the core (policy T-1 … T-3)."""
    application = _lock_editable(application, actor)
    if application.kind == Application.Kind.EXIT:
        raise RuleRefusal(_("退出申请不涉及拟加入的学校。"))
    if relation_subtype not in SUBTYPES_BY_TYPE.get(relation_type, []):
        raise RuleRefusal(
            _("所选子类型不属于所选合作类型（政策 T-1 至 T-3）。"), field="relation_subtype"
        )
    if application.kind == Application.Kind.FOUNDING:
        core_id = application.applicant_school_id
    else:
        assert application.group is not None  # an admission always names its group
        core_id = application.group.core_school_id
    core_rule = core_cannot_be_member(core_school_id=core_id, school_id=school.pk)
    if not core_rule:
        raise RuleRefusal(core_rule.reason, field="school")
    _refuse_busy_school(application, school, now or timezone.now())
    if application.kind == Application.Kind.ADMISSION:
        application.proposed_members.exclude(school=school).delete()
    member = ProposedMember.objects.filter(
        application=application, school=school
    ).first() or ProposedMember(application=application, school=school)
    member.relation_type = relation_type
    member.relation_subtype = relation_subtype
    member.through_training = through_training
    member.pilot_approval = pilot_approval
    member.projects = projects
    _save(member, actor, now=now or timezone.now())
    _touch(application, actor, now)
    return member


def _refuse_busy_school(application: Application, school: School, now: datetime.datetime) -> None:
    """A school in a group from the application's date on (policy G-1), or proposed by another
    submitted application (L-1, L-3), cannot be proposed: the same words as the check at
    submission, the conflicting application named and linked. The school picker shows such a
    school greyed; this answers a choice posted by hand."""
    start = application.start_on or timezone.localdate(now)
    busy = (
        Membership.objects.overlapping(start, None)
        .filter(school=school)
        .select_related("group")
        .first()
    )
    if busy is not None:
        raise RuleRefusal(checks.busy_school_message(school.name, busy.group.name), field="school")
    other = schools_in_open_applications([school.pk], exclude_pk=application.pk).get(school.pk)
    if other is not None:
        clause = "L-1" if application.kind == Application.Kind.FOUNDING else "L-3"
        raise RuleRefusal(
            with_link(checks.school_in_application_message(school.name, other, clause), other),
            field="school",
        )


@transaction.atomic
def proposed_member_remove(*, application: Application, member_id: int, actor: User) -> None:
    """Take a school off a draft or returned founding or admission (policy L-1, L-3)."""
    application = _lock_editable(application, actor)
    application.proposed_members.filter(pk=member_id).delete()
    _touch(application, actor)


@transaction.atomic
def proposed_partner_add(
    *,
    application: Application,
    partner: Partner,
    projects: str,
    actor: User,
    now: datetime.datetime | None = None,
) -> ProposedPartner:
    """Partners of 1+N+X (policy G-1) with the projects they take part in."""
    application = _lock_editable(application, actor)
    if application.kind != Application.Kind.FOUNDING:
        raise RuleRefusal(_("只有成立申请登记合作单位；已成立集团的合作单位由审批部门登记。"))
    if not projects.strip():
        raise RuleRefusal(_("请至少填写一个合作项目。"), field="projects")
    proposed = ProposedPartner(application=application, partner=partner, projects=projects)
    _save(proposed, actor, now=now or timezone.now())
    _touch(application, actor, now)
    return proposed


@transaction.atomic
def admission_evaluation_record(
    *,
    application: Application,
    scores: dict[int, tuple[int, str]],
    recommendation: str,
    note: str,
    actor: User,
    now: datetime.datetime | None = None,
) -> Application:
    """The group's admission evaluation of fit (准入评估, policy L-3): a score per checklist item
    and a recommendation."""
    now = now or timezone.now()
    application = _lock_editable(application, actor)
    if application.kind != Application.Kind.ADMISSION:
        raise RuleRefusal(_("只有吸纳申请需要准入评估。"))
    assert application.group is not None  # an admission always names its group
    criteria = {c.pk: c for c in admission_criteria_for(application.group)}
    for criterion_id, (score, comment) in scores.items():
        criterion = criteria.get(criterion_id)
        if criterion is None:
            raise RuleRefusal(_("评估项目不存在或已停用。"))
        if not 0 <= score <= criterion.max_score:
            raise RuleRefusal(
                _("“%(name)s”的得分须在 0 至 %(max)s 之间。")
                % {"name": criterion.name, "max": criterion.max_score}
            )
        row = AdmissionScore.objects.filter(
            application=application, criterion=criterion
        ).first() or AdmissionScore(application=application, criterion=criterion)
        row.score, row.comment = score, comment
        _save(row, actor, now=now)
    if recommendation not in Application.Recommendation.values:
        raise RuleRefusal(_("请选择评估建议。"), field="recommendation")
    return transition(
        application,
        action=Action.EDIT,
        table=_table(application),
        actor=actor,
        reason=msg("reason.evaluation"),
        expected_version=None,
        now=now,
        changes={"evaluation_recommendation": recommendation, "evaluation_note": note},
    )


# --- submission and consents ------------------------------------------------------------------


def _consent_authorities(application: Application) -> list[int]:
    """Whose prior consent is needed: every proposed member's authority other than the deciding
    one (founding, L-1); the candidate's authority if not the core's (admission, L-3)."""
    if application.kind == Application.Kind.EXIT:
        return []
    ids = {p.school.authority_id for p in application.proposed_members.select_related("school")}
    ids.discard(application.deciding_authority_id)
    return sorted(ids)


@transaction.atomic
def application_submit(
    *,
    application: Application,
    actor: User,
    expected_version: int | None = None,
    today: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> Application:
    """Submit: the policy checks run; a hard failure refuses the submission, warnings go along
    to the approver. Consents are requested from each authority concerned (L-1, L-3).
    `now`: when (default: the clock); `today` defaults to its date."""
    require(can_edit_application(actor, application))
    application = _lock(application, expected_version)
    ensure_allowed(application, table=_table(application), action=Action.SUBMIT)
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    if application.kind == Application.Kind.ADMISSION:
        assert application.group is not None  # an admission always names its group
        missing = (
            admission_criteria_for(application.group)
            .exclude(scores__application=application)
            .exists()
        )
        if missing or not application.evaluation_recommendation:
            raise RuleRefusal(_("请先完成准入评估（政策 L-3）。"))
    if application.kind == Application.Kind.FOUNDING:
        if not application.proposed_name.strip():
            raise RuleRefusal(_("请填写拟定集团名称。"), field="proposed_name")
        if EducationGroup.objects.filter(name=application.proposed_name.strip()).exists():
            raise RuleRefusal(_("已有同名的教育集团，请修改拟定名称。"), field="proposed_name")
        if not application.specialty.strip():
            raise RuleRefusal(_("请填写集团特色（一集团一特色，政策 G-5）。"))
    if application.kind == Application.Kind.ADMISSION and not application.admission_mode:
        raise RuleRefusal(
            _("请选择结合方式：学校自主结合或行政主导结合（政策 L-3）。"), field="admission_mode"
        )
    outcomes = checks.run_checks(application, today)
    checks.record_checks(application, CheckResult.Stage.SUBMISSION, outcomes, now=now, actor=actor)
    blocking = checks.hard_failures(outcomes)
    if blocking:
        # Nothing is kept (the transaction rolls back); the message lists every failure.
        raise RuleRefusal(_safe(_("不能提交：%(reasons)s"), reasons=_explain(blocking)))
    authority_ids = _consent_authorities(application)
    application.consents.exclude(authority_id__in=authority_ids).delete()
    existing = {c.authority_id: c for c in application.consents.all()}
    for authority_id in authority_ids:
        consent = existing.get(authority_id)
        if consent is None:
            _save(
                Consent(application=application, authority_id=authority_id, requested_at=now),
                actor,
                msg("reason.consent_requested"),
                now=now,
            )
        elif consent.status != ConsentStatus.PENDING:
            transition(
                consent,
                action=ConsentAction.REQUEST_AGAIN,
                table=CONSENT_TRANSITIONS,
                actor=actor,
                expected_version=None,
                now=now,
                changes={"reason": "", "decided_by": None, "decided_at": None},
            )
    application = _move(application, Action.SUBMIT, actor, now=now, changes={"submitted_at": now})
    url = _url(application)
    if application.kind == Application.Kind.EXIT:
        assert application.group is not None  # an exit always names its group
        notify(
            principals_of(application.group.core_school_id),
            msg("notice.exit.opinion_wanted", school=application.applicant_school.name),
            url,
            now=now,
        )
    elif authority_ids:
        for authority in Authority.objects.filter(pk__in=authority_ids):
            notify(
                staff_of(authority),
                msg("notice.application.consent_wanted", title=application.title),
                url,
                now=now,
            )
    else:
        _move(
            application, Action.CONSENTS_COMPLETE, actor, msg("reason.no_consents_needed"), now=now
        )
        notify(
            staff_of(application.deciding_authority_id),
            msg("notice.application.to_decide", title=application.title),
            url,
            now=now,
        )
    return application


@transaction.atomic
def consent_record(
    *,
    consent: Consent,
    given: bool,
    reason: str,
    actor: User,
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> Consent:
    """An authority consents or refuses with reasons (L-1, L-3). Any refusal returns the
    application to the principal; when all have consented, it goes to the decision.
    `expected_version` is the version of the consent the user saw."""
    require(can_record_consent(actor, consent))
    now = now or timezone.now()
    # The application first (every service locks it before its parts), then the consent.
    application = _lock(consent.application, None)
    ensure_allowed(
        application,
        table=_table(application),
        action=Action.CONSENTS_COMPLETE if given else Action.CONSENT_REFUSED,
    )
    consent = lock(consent, expected_version=expected_version, related=("authority",))
    consent.application = application
    if not given and not reason.strip():
        raise RuleRefusal(_("不同意时须说明理由。"), field="reason")
    consent = transition(
        consent,
        action=ConsentAction.GIVE if given else ConsentAction.REFUSE,
        table=CONSENT_TRANSITIONS,
        actor=actor,
        reason=reason.strip(),
        expected_version=None,
        now=now,
        changes={"reason": reason.strip(), "decided_by": actor, "decided_at": now},
    )
    url = _url(application)
    if not given:
        _move(
            application,
            Action.CONSENT_REFUSED,
            actor,
            msg("reason.consent_refused", authority=consent.authority.name, reason=consent.reason),
            now=now,
        )
        notify(
            principals_of(application.applicant_school_id),
            msg(
                "notice.application.consent_refused",
                authority=consent.authority.name,
                title=application.title,
            ),
            url,
            now=now,
        )
    elif not application.consents.exclude(status=ConsentStatus.GIVEN).exists():
        _move(application, Action.CONSENTS_COMPLETE, actor, now=now)
        notify(
            staff_of(application.deciding_authority_id),
            msg("notice.application.consents_given", title=application.title),
            url,
            now=now,
        )
    return consent


@transaction.atomic
def exit_opinion_record(
    *,
    application: Application,
    supports: bool,
    opinion: str,
    actor: User,
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> Application:
    """The core school's opinion on a member's exit precedes the decision (L-5)."""
    require(can_give_exit_opinion(actor, application))
    application = _lock(application, expected_version)
    ensure_allowed(application, table=_table(application), action=Action.OPINION_GIVEN)
    if not opinion.strip():
        raise RuleRefusal(_("请填写核心校意见。"), field="opinion")
    now = now or timezone.now()
    application = _move(
        application,
        Action.OPINION_GIVEN,
        actor,
        opinion.strip(),
        now=now,
        changes={"opinion": opinion.strip(), "opinion_supports": supports, "opinion_by": actor},
    )
    notify(
        staff_of(application.deciding_authority_id),
        msg("notice.application.opinion_given", title=application.title),
        _url(application),
        now=now,
    )
    return application


@transaction.atomic
def application_withdraw(
    *,
    application: Application,
    actor: User,
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> Application:
    """The applicant withdraws a draft or a returned application (policy L-1, L-3), or an exit
    at any step before the decision (L-5: leaving is the member's own choice); whoever the exit
    was waiting on hears of it."""
    require(can_withdraw_application(actor, application))
    now = now or timezone.now()
    waiting = application.status
    application = _move(
        application, Action.WITHDRAW, actor, expected_version=expected_version, now=now
    )
    if application.kind == Application.Kind.EXIT and waiting in (
        ApplicationStatus.AWAITING_OPINION,
        ApplicationStatus.UNDER_DECISION,
    ):
        assert application.group is not None  # an exit always names its group
        recipients = principals_of(application.group.core_school_id)
        if waiting == ApplicationStatus.UNDER_DECISION:
            recipients += staff_of(application.deciding_authority_id)
        notify(
            recipients,
            _("%(school)s 已撤回退出申请“%(title)s”。")
            % {"school": application.applicant_school.name, "title": application.title},
            _url(application),
            now=now,
        )
    return application


# --- decision ----------------------------------------------------------------------------------

CHECKS_CHANGED = gettext_lazy(
    "打开本页之后，政策检查结果有了变化（见下方标注）。请查看最新结果后再作决定。"
)


def _next_group_code(year: int) -> str:
    """The one group-code format: QD, the founding year, a three-digit number (QD2019001, as the
    registry's groups are numbered). Taken under a lock named for the year, held until the
    approval commits: two foundings approved at the same instant would otherwise both read the
    same codes and insert the same next one (L-1)."""
    hold_named_lock(f"group-code-{year}")
    prefix = f"QD{year}"
    taken = set(
        EducationGroup.objects.filter(code__startswith=prefix).values_list("code", flat=True)
    )
    n = len(taken) + 1
    while f"{prefix}{n:03d}" in taken:
        n += 1
    return f"{prefix}{n:03d}"


def _approve_founding(
    application: Application,
    actor: User,
    day: datetime.date,
    conditions: str,
    now: datetime.datetime,
) -> EducationGroup:
    """Approval creates the group, its memberships and partnerships, dated (L-1); a district's
    approval is filed with the city (L-2)."""
    code = _next_group_code(day.year)  # first: its lock also orders the name check below
    if EducationGroup.objects.filter(name=application.proposed_name).exists():
        raise RuleRefusal(_("已有同名的教育集团，请退回修改名称。"))
    group = group_create(
        name=application.proposed_name,
        code=code,
        core_school=application.applicant_school,
        specialty=application.specialty,
        founded_on=day,
        unified_areas=application.unified_areas,
        description=application.description,
        chief_principal_name=application.chief_principal_name,
        chief_principal_reason=application.chief_principal_reason,
        actor=actor,
        now=now,
    )
    for p in application.proposed_members.select_related("school"):
        membership_add(
            group=group,
            school=p.school,
            relation_type=p.relation_type,
            relation_subtype=p.relation_subtype,
            joined_on=day,
            actor=actor,
            note=p.projects,
            now=now,
        )
    for pp in application.proposed_partners.select_related("partner"):
        partnership_add(
            group=group,
            partner=pp.partner,
            projects=pp.projects.splitlines(),
            started_on=day,
            actor=actor,
            now=now,
        )
    _copy_documents(application, group, day, actor, now)
    authority = application.deciding_authority
    if authority.kind == Authority.Kind.DISTRICT:
        from groups.filings.services import filing_create_for_group_founding

        filing_create_for_group_founding(
            application=application, group=group, actor=actor, conditions=conditions, now=now
        )
    return group


def _copy_documents(
    application: Application,
    group: EducationGroup,
    day: datetime.date,
    actor: User,
    now: datetime.datetime,
) -> None:
    """The approved plan, agreements and charter become the group's versioned documents."""
    from groups.charter.services import group_document_from_attachment

    # The latest plan and charter; every agreement (one per member relationship, L-1).
    chosen = []
    for attachment in application.attachments.order_by("kind", "version"):
        if attachment.kind == "agreement":
            chosen.append(attachment)
        elif attachment.kind in ("plan", "charter"):
            chosen = [a for a in chosen if a.kind != attachment.kind] + [attachment]
    for attachment in chosen:
        group_document_from_attachment(
            group=group, attachment=attachment, adopted_on=day, actor=actor, now=now
        )


def _approve_admission(
    application: Application, actor: User, day: datetime.date, now: datetime.datetime
) -> None:
    """Approval creates the membership from the stated date (L-3)."""
    candidate = application.proposed_members.select_related("school").get()
    assert application.group is not None  # an admission always names its group
    membership_add(
        group=application.group,
        school=candidate.school,
        relation_type=candidate.relation_type,
        relation_subtype=candidate.relation_subtype,
        joined_on=day,
        actor=actor,
        note=_("准入方式：%(mode)s") % {"mode": application.get_admission_mode_display()},
        now=now,
    )


def _approve_exit(
    application: Application,
    actor: User,
    day: datetime.date,
    today: datetime.date,
    now: datetime.datetime,
) -> None:
    """Approval ends the membership on the stated date with reason exit (L-5); a later date
    leaves the school a full member until then."""
    assert application.membership is not None  # an exit always names its membership
    membership_end(
        membership=application.membership,
        left_on=day,
        end_reason=Membership.EndReason.EXIT,
        actor=actor,
        note=_("经批准退出"),
        today=today,
        now=now,
    )


@transaction.atomic
def application_decide(
    *,
    application: Application,
    action: str,
    reason: str,
    actor: User,
    expected_version: int,
    conditions: str = "",
    justification: str = "",
    checks_seen: str | None = None,
    today: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> Application:
    """The core school's authority decides: approve, approve with conditions, return for more
    information, or reject, always with reasons (L-1, L-3, L-5). The checks run again and the
    decision answers them as they are now: a hard failure cannot be approved even if it passed
    at submission, and each 原则上 warning needs a written justification. `checks_seen`: the
    digest of the live checks the approver's page showed (checks.digest); an approval is
    refused when they have changed since, so the justification answers the warnings that
    stand."""
    require(can_decide_application(actor, application))
    if action not in DECISION_ACTIONS:
        raise RuleRefusal(_("未知的审批操作。"))
    action = Action(action)
    application = _lock(application, expected_version)
    ensure_allowed(application, table=_table(application), action=action)
    if not reason.strip():
        raise RuleRefusal(_("请填写审批意见。"), field="reason")
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    outcomes = checks.run_checks(application, today)
    checks.record_checks(application, CheckResult.Stage.DECISION, outcomes, now=now, actor=actor)
    approving = action in (Action.APPROVE, Action.APPROVE_WITH_CONDITIONS)
    if approving and checks_seen is not None and checks_seen != checks.digest(outcomes):
        raise RuleRefusal(CHECKS_CHANGED, field="checks")
    if approving:
        blocking = checks.hard_failures(outcomes)
        if blocking:
            raise RuleRefusal(_safe(_("不能批准：%(reasons)s"), reasons=_explain(blocking)))
        if checks.warnings(outcomes) and not justification.strip():
            raise RuleRefusal(
                _("存在“原则上”规则的提示事项，批准前须填写书面说明。"), field="justification"
            )
        if action == Action.APPROVE_WITH_CONDITIONS and not conditions.strip():
            raise RuleRefusal(_("附条件批准须写明条件。"), field="conditions")
    changes = {
        "decision_reason": reason.strip(),
        "conditions": conditions.strip(),
        "justification": justification.strip(),
        "decided_by": actor,
        "decided_at": now,
    }
    if approving:
        day = application.start_on or today
        if application.kind == Application.Kind.FOUNDING:
            changes["group"] = _approve_founding(application, actor, day, conditions.strip(), now)
        elif application.kind == Application.Kind.ADMISSION:
            _approve_admission(application, actor, day, now)
        else:
            _approve_exit(application, actor, day, today, now)
    application = _move(application, action, actor, reason.strip(), changes=changes, now=now)
    # The 批复 (issue 8), archived and numbered in this transaction; none for a return.
    application_reply_issue(application=application, actor=actor, now=now)
    recipients = principals_of(application.applicant_school_id)
    if application.kind == Application.Kind.EXIT:
        recipients += principals_of(application.group.core_school_id)  # type: ignore[union-attr]
    else:  # the schools the application concerns hear of the outcome too
        for p in application.proposed_members.all():
            recipients += principals_of(p.school_id)
    notify(
        recipients,
        msg(
            "notice.application.decided",
            title=application.title,
            decision=label(ApplicationStatus(application.status).label),
            reason=reason.strip(),
        ),
        _url(application),
        now=now,
    )
    return application


@transaction.atomic
def application_attachment_add(
    *,
    application: Application,
    kind: str,
    uploaded_file,
    actor: User,
    now: datetime.datetime | None = None,
):
    """Attach a document to a draft or returned application (plan, agreements and charter of
    policy L-1, the agreement of L-3). Once submitted, what the authorities consent to and decide
    on cannot change under them."""

    application = _lock_editable(application, actor)
    attachment = attachment_add(
        owner=application, kind=kind, uploaded_file=uploaded_file, actor=actor, now=now
    )
    _touch(application, actor, now)
    return attachment
