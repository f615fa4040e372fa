"""Policy checks on an application, each a function citing its clause.

They run when an application is submitted and again when it is decided; their results are kept
(CheckResult) so both sides see what was checked, with the clause. The result type and the
severities are the shared ones of qingdao_groups/core/checks.py. Severity:
- HARD: never overridable (a school active in another group, the core as its own member,
  missing required documents, T-2a through-training without pilot approval, T-3 without project);
- WARNING: the policy says 原则上 ("in principle"): the approver may proceed only with a written
  justification kept with the decision;
- INFO: a figure shown to both sides (the weak-school share)."""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from groups.applications.models import Application, CheckResult, ProposedMember
from groups.applications.workflows import ApplicationStatus
from groups.registry.membership import MembershipState, core_cannot_be_member
from groups.registry.models import Membership, PolicyParameters
from members.models import School
from qingdao_groups.core.checks import (  # noqa: F401 (the shared types, used via this module)
    HARD,
    INFO,
    WARNING,
    Outcome,
    hard_failures,
    outcome,
    warnings,
)
from qingdao_groups.core.messages import concat, encode, label, msg
from qingdao_groups.models import Attachment

# Documents each kind must carry before it can be submitted (policy L-1, L-3).
REQUIRED_DOCUMENTS: dict[str, list[str]] = {
    Application.Kind.FOUNDING: [
        Attachment.Kind.PLAN,
        Attachment.Kind.AGREEMENT,
        Attachment.Kind.CHARTER,
    ],
    Application.Kind.ADMISSION: [Attachment.Kind.AGREEMENT],
    Application.Kind.EXIT: [],
}


@dataclass
class Context:
    """What the checks look at, loaded once (a constant number of queries)."""

    application: Application
    core: School
    proposed: list[ProposedMember]
    current_members: list[Membership]
    attachment_kinds: set[str]
    params: PolicyParameters
    today: datetime.date


def load_context(application: Application, today: datetime.date) -> Context:
    if application.kind == Application.Kind.FOUNDING:
        core = application.applicant_school
    else:
        core = application.group.core_school
    current = []
    if application.group_id:
        current = list(
            Membership.objects.current(today=today)
            .members()
            .filter(group_id=application.group_id)
            .select_related("school")
        )
    return Context(
        application=application,
        core=core,
        proposed=list(application.proposed_members.select_related("school")),
        current_members=current,
        attachment_kinds=set(application.attachments.values_list("kind", flat=True)),
        params=PolicyParameters.current(),
        today=today,
    )


def _choice(choices, value: str):
    """A choice's label kept as a code, translated when shown."""
    return label(choices(value).label) if value in choices.values else value


def _documents(kinds: list[str]):
    """The missing documents' names, joined with 、 in the reader's language."""
    parts: list = []
    for i, kind in enumerate(kinds):
        if i:
            parts.append("、")
        parts.append(label(Attachment.Kind(kind).label))
    return concat(*parts)


def check_members_not_in_other_groups(ctx: Context) -> list[Outcome]:
    """A school is active in at most one group at a time (policy G-1). Hard."""
    schools = [p.school_id for p in ctx.proposed]
    if ctx.application.kind == Application.Kind.FOUNDING:
        schools.append(ctx.core.pk)
    # Busy from the day the new membership would begin (an approved exit frees the school on
    # its date; an approved join elsewhere already binds it).
    start = ctx.application.start_on or ctx.today
    busy = {
        m.school_id: m
        for m in Membership.objects.overlapping(start, None)
        .filter(school_id__in=schools)
        .select_related("group", "school")
    }
    if not busy:
        return [outcome("G-1", HARD, True, msg("check.g1.free"))]
    return [
        outcome(
            "G-1",
            HARD,
            False,
            msg("check.g1.busy", school=m.school.name, group=m.group.name),
        )
        for m in busy.values()
    ]


def check_core_not_member(ctx: Context) -> list[Outcome]:
    """The core school cannot be its own member (policy G-1). Hard."""
    for p in ctx.proposed:
        rule = core_cannot_be_member(core_school_id=ctx.core.pk, school_id=p.school_id)
        if not rule:
            return [outcome("G-1", HARD, False, msg("check.g1.core_is_member"))]
    return []


def check_required_documents(ctx: Context) -> list[Outcome]:
    """Founding needs the plan, agreement(s) and charter (L-1); admission the agreement (L-3)."""
    missing = [k for k in REQUIRED_DOCUMENTS[ctx.application.kind] if k not in ctx.attachment_kinds]
    if missing:
        clause = "L-1" if ctx.application.kind == Application.Kind.FOUNDING else "L-3"
        return [
            outcome(
                clause,
                HARD,
                False,
                msg("check.documents.missing", docs=_documents(missing)),
            )
        ]
    if REQUIRED_DOCUMENTS[ctx.application.kind]:
        return [
            outcome(
                "L-1" if ctx.application.kind == Application.Kind.FOUNDING else "L-3",
                HARD,
                True,
                msg("check.documents.complete"),
            )
        ]
    return []


def check_has_members(ctx: Context) -> list[Outcome]:
    """A founding names at least one member; an admission exactly one candidate (L-1, L-3)."""
    kind = ctx.application.kind
    if kind == Application.Kind.FOUNDING and not ctx.proposed:
        return [outcome("L-1", HARD, False, msg("check.l1.no_members"))]
    if kind == Application.Kind.ADMISSION and len(ctx.proposed) != 1:
        return [outcome("L-3", HARD, False, msg("check.l3.one_candidate"))]
    return []


def check_fusion_same_kind(ctx: Context) -> list[Outcome]:
    """Fusion (T-1) in principle only between schools of the same type, stage and nature."""
    out = []
    for p in ctx.proposed:
        if p.relation_type != "T-1":
            continue
        if p.school.stage != ctx.core.stage or p.school.nature != ctx.core.nature:
            out.append(
                outcome(
                    "T-1",
                    WARNING,
                    False,
                    msg(
                        "check.t1.stage_mismatch",
                        school=p.school.name,
                        stage=_choice(School.Stage, p.school.stage),
                        nature=_choice(School.Nature, p.school.nature),
                        core_stage=_choice(School.Stage, ctx.core.stage),
                        core_nature=_choice(School.Nature, ctx.core.nature),
                    ),
                )
            )
    return out


def check_aggregation_differs(ctx: Context) -> list[Outcome]:
    """Aggregation (T-2) in principle between schools of different types or stages."""
    out = []
    for p in ctx.proposed:
        if p.relation_type == "T-2" and p.school.stage == ctx.core.stage:
            out.append(
                outcome(
                    "T-2",
                    WARNING,
                    False,
                    msg(
                        "check.t2.same_stage",
                        school=p.school.name,
                        stage=_choice(School.Stage, p.school.stage),
                    ),
                )
            )
    return out


def check_through_training_pilot(ctx: Context) -> list[Outcome]:
    """Through-training across stages only as an approved pilot (policy T-2a). Hard."""
    return [
        outcome("T-2a", HARD, False, msg("check.t2a.no_pilot", school=p.school.name))
        for p in ctx.proposed
        if p.through_training and not p.pilot_approval.strip()
    ]


def check_alliance_has_project(ctx: Context) -> list[Outcome]:
    """An alliance (T-3) is project-based: it names at least one project. Hard."""
    return [
        outcome("T-3", HARD, False, msg("check.t3.no_project", school=p.school.name))
        for p in ctx.proposed
        if p.relation_type == "T-3" and not p.projects.strip()
    ]


def check_chief_principal(ctx: Context) -> list[Outcome]:
    """In principle the core school's principal is the chief principal (policy G-3)."""
    app = ctx.application
    if app.kind != Application.Kind.FOUNDING:
        return []
    chief = app.chief_principal_name.strip()
    if chief and chief != ctx.core.principal_name:
        if not app.chief_principal_reason.strip():  # a different choice needs a reason
            return [
                outcome(
                    "G-3",
                    HARD,
                    False,
                    msg("check.g3.no_reason", chief=chief, core=ctx.core.principal_name or "—"),
                )
            ]
        return [
            outcome(
                "G-3",
                WARNING,
                False,
                msg("check.g3.other_chief", chief=chief, reason=app.chief_principal_reason.strip()),
            )
        ]
    return [outcome("G-3", WARNING, True, msg("check.g3.core_chief"))]


def check_public_core(ctx: Context) -> list[Outcome]:
    """Public schools keep the leading role (policy G-6): a private core needs a justification."""
    if ctx.core.nature == School.Nature.PRIVATE:
        return [outcome("G-6", WARNING, False, msg("check.g6.private_core", core=ctx.core.name))]
    return []


def weak_share(ctx: Context) -> tuple[int, int]:
    """(weak members, all members) after the application, counting current and proposed
    (policy A-4)."""
    schools = {m.school_id: m.school for m in ctx.current_members}
    if ctx.application.kind == Application.Kind.EXIT and ctx.application.membership_id:
        schools.pop(ctx.application.membership.school_id, None)
    else:
        schools.update({p.school_id: p.school for p in ctx.proposed})
    return sum(1 for s in schools.values() if s.is_weak), len(schools)


def check_weak_share(ctx: Context) -> list[Outcome]:
    """Weak schools must make up a certain share of members (policy A-4)."""
    weak, total = weak_share(ctx)
    minimum = ctx.params.min_weak_share
    share = (Decimal(weak) / Decimal(total)) if total else Decimal(0)
    pct = (share * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    min_pct = (minimum * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    text = msg("check.a4.weak_share", weak=weak, total=total, pct=str(pct), min=str(min_pct))
    return [outcome("A-4", WARNING, share >= minimum, text)]


def check_steady_growth(ctx: Context) -> list[Outcome]:
    """Grow by plan, avoid rapid expansion (policy L-4)."""
    if ctx.application.kind != Application.Kind.ADMISSION:
        return []
    since = ctx.today - datetime.timedelta(days=365)
    # Founding members joined with the group itself; only later admissions count as growth.
    recent = (
        Membership.objects.members()
        .filter(group_id=ctx.application.group_id, joined_on__gt=since)
        .exclude(joined_on=ctx.application.group.founded_on)
        .overlapping(since + datetime.timedelta(days=1), None)
        .count()
    )
    limit = ctx.params.max_admissions_per_year
    passed = recent + 1 <= limit
    return [
        outcome(
            "L-4",
            WARNING,
            passed,
            msg("check.l4.growth", recent=recent, total=recent + 1, limit=limit),
        )
    ]


def check_exit_membership_open(ctx: Context) -> list[Outcome]:
    """Only a current member can leave (policy L-5)."""
    app = ctx.application
    if app.kind != Application.Kind.EXIT:
        return []
    if app.membership is None or app.membership.state_on(ctx.today) != MembershipState.ACTIVE:
        return [outcome("L-5", HARD, False, msg("check.l5.not_member"))]
    if app.start_on and app.start_on < app.membership.joined_on:
        return [outcome("L-5", HARD, False, msg("check.l5.before_join"))]
    return []


def check_exit_reputation(ctx: Context) -> list[Outcome]:
    """Leaving is for a member of good quality and reputation (policy L-5); an open yellow card
    (L-6) is shown to the approver, who must justify letting the school go."""
    app = ctx.application
    if app.kind != Application.Kind.EXIT or app.membership_id is None:
        return []
    from groups.cards.models import Card
    from groups.cards.workflows import OPEN_CARD_STATUSES

    open_cards = Card.objects.filter(
        membership_id=app.membership_id, closed_at__isnull=True, status__in=OPEN_CARD_STATUSES
    ).count()
    if open_cards:
        return [outcome("L-5", WARNING, False, msg("check.l5.open_cards", n=open_cards))]
    return [outcome("L-5", WARNING, True, msg("check.l5.no_cards"))]


def check_one_open_application(ctx: Context) -> list[Outcome]:
    """A school is the subject of one open admission or exit at a time, so two approvals cannot
    contradict each other (policy L-3, L-5). Hard."""
    from groups.applications.workflows import OPEN_STATUSES

    app = ctx.application
    others = Application.objects.filter(status__in=OPEN_STATUSES).exclude(pk=app.pk)
    if app.kind == Application.Kind.EXIT and app.membership_id:
        if others.filter(kind=Application.Kind.EXIT, membership_id=app.membership_id).exists():
            return [outcome("L-5", HARD, False, msg("check.l5.open_exit"))]
    elif app.kind == Application.Kind.ADMISSION:
        schools = [p.school_id for p in ctx.proposed]
        busy = (
            others.filter(
                kind__in=[Application.Kind.ADMISSION, Application.Kind.FOUNDING],
                proposed_members__school_id__in=schools,
            )
            .exclude(status=ApplicationStatus.DRAFT)
            .exists()
        )
        if busy:
            return [outcome("L-3", HARD, False, msg("check.l3.open_elsewhere"))]
    return []


CHECKS = [
    check_has_members,
    check_members_not_in_other_groups,
    check_core_not_member,
    check_required_documents,
    check_through_training_pilot,
    check_alliance_has_project,
    check_exit_membership_open,
    check_one_open_application,
    check_exit_reputation,
    check_fusion_same_kind,
    check_aggregation_differs,
    check_chief_principal,
    check_public_core,
    check_weak_share,
    check_steady_growth,
]


def run_checks(application: Application, today: datetime.date) -> list[Outcome]:
    ctx = load_context(application, today)
    outcomes: list[Outcome] = []
    for check in CHECKS:
        outcomes.extend(check(ctx))
    return outcomes


def record_checks(
    application: Application,
    stage: str,
    outcomes: list[Outcome],
    *,
    now: datetime.datetime | None = None,
) -> None:
    """Keep the results of this stage, replacing an earlier run of the same stage, dated `now`
    (default: the clock)."""
    now = now or timezone.now()
    application.check_results.filter(stage=stage).delete()
    CheckResult.objects.bulk_create(
        [
            CheckResult(
                application=application,
                stage=stage,
                clause=o.clause,
                severity=o.severity,
                passed=o.passed,
                message=encode(o.text) if o.text is not None else o.message,
                created_at=now,
            )
            for o in outcomes
        ]
    )
