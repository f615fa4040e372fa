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
import hashlib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from groups.applications.models import Application, CheckResult, ProposedMember
from groups.applications.selectors import (
    application_named,
    application_url,
    schools_in_open_applications,
)
from groups.applications.workflows import OPEN_STATUSES
from groups.registry.membership import MembershipState, core_cannot_be_member
from groups.registry.models import Membership, Partnership, PolicyParameters
from members.models import Partner, School
from qingdao_groups.core.checks import (  # noqa: F401 (the shared types, used via this module)
    HARD,
    INFO,
    WARNING,
    Outcome,
    hard_failures,
    outcome,
    warnings,
)
from qingdao_groups.core.messages import Message, concat, encode, label, msg
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
    partner_kinds: frozenset[str] = frozenset()  # of the group's (or the founding's) partners


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
    proposed = list(application.proposed_members.select_related("school"))
    partner_kinds: frozenset[str] = frozenset()
    if not any(p.relation_subtype == "T-2c" for p in proposed):
        pass  # only T-2c asks for the partners (a university, policy T-2c)
    elif application.kind == Application.Kind.FOUNDING:
        partner_kinds = frozenset(
            application.proposed_partners.values_list("partner__kind", flat=True)
        )
    elif application.kind == Application.Kind.ADMISSION and application.group_id:
        day = application.start_on or today
        partner_kinds = frozenset(
            Partnership.objects.filter(group_id=application.group_id)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
            .values_list("partner__kind", flat=True)
        )
    return Context(
        application=application,
        partner_kinds=partner_kinds,
        core=core,
        proposed=proposed,
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
    """A school is the subject of one open application at a time, so two approvals cannot
    contradict each other: one open exit per membership, drafts included (policy L-5); a school
    proposed by a founding or admission is in no other submitted one, as member or as core
    (L-1, L-3). Hard. Each conflict names the other application and links to it."""
    app = ctx.application
    others = Application.objects.filter(status__in=OPEN_STATUSES).exclude(pk=app.pk)
    if app.kind == Application.Kind.EXIT:
        if not app.membership_id:
            return []
        other = (
            others.filter(kind=Application.Kind.EXIT, membership_id=app.membership_id)
            .select_related("applicant_school", "group")
            .first()
        )
        if other is None:
            return []
        return [
            outcome(
                "L-5",
                HARD,
                False,
                msg("check.l5.open_exit_named", application=application_named(other)),
                application_url(other),
            )
        ]
    clause = "L-1" if app.kind == Application.Kind.FOUNDING else "L-3"
    names = {p.school_id: p.school.name for p in ctx.proposed}
    if app.kind == Application.Kind.FOUNDING:
        names[ctx.core.pk] = ctx.core.name
    bound = schools_in_open_applications(names, exclude_pk=app.pk)
    return [
        outcome(
            clause,
            HARD,
            False,
            msg(
                "check.open_elsewhere_named",
                school=names[school_id],
                application=application_named(other),
                clause=clause,
            ),
            application_url(other),
        )
        for school_id, other in sorted(bound.items())
    ]


def school_in_application_message(school_name: str, other: Application, clause: str) -> str:
    """The one wording of "this school is already proposed elsewhere" (policy L-1, L-3)."""
    return _(
        "%(school)s 已出现在另一份已提交、未办结的申请中：%(application)s（政策 %(clause)s）。"
    ) % {
        "school": school_name,
        "application": application_named(other),
        "clause": clause,
    }


def busy_school_message(school_name: str, group_name: str) -> str:
    """The one wording of "this school is in another group" (policy G-1): the check, the
    service's refusal and the picker's answer to a forged choice say the same."""
    return _("%(school)s 已是“%(group)s”的在册学校，不能同时加入两个集团（政策 G-1）。") % {
        "school": school_name,
        "group": group_name,
    }


# --- subtypes against stages and kinds (policy T-1 … T-3) ----------------------------------

# The stages a school teaches, for the basic-education subtypes: a nine-year school is primary
# and junior, a twelve-year one also senior. Vocational and special schools are not among the
# "primary, junior and senior schools" of T-2a.
BASIC_STAGES: dict[str, frozenset[str]] = {
    School.Stage.PRIMARY: frozenset({"primary"}),
    School.Stage.JUNIOR: frozenset({"junior"}),
    School.Stage.SENIOR: frozenset({"senior"}),
    School.Stage.NINE_YEAR: frozenset({"primary", "junior"}),
    School.Stage.TWELVE_YEAR: frozenset({"primary", "junior", "senior"}),
}
GENERAL_SENIOR = frozenset({School.Stage.SENIOR, School.Stage.TWELVE_YEAR})


def project_lines(projects: str) -> list[str]:
    """The projects of a relationship, one a line (the form says so)."""
    return [line.strip() for line in projects.splitlines() if line.strip()]


def subtype_problem(
    subtype: str, core: School, school: School, *, projects: str, has_university: bool
) -> tuple[str, Message] | None:
    """Why `school` cannot be the core's member of `subtype`, as (clause, message), or None.
    Each subtype is what the policy describes: T-2a cross-stage basic education, T-2b a general
    with a vocational senior high school, T-2c a university with basic education, T-3a one
    project, T-3b several. T-1's same type, stage and nature is a 原则上 rule (its own warning)."""
    args = {
        "school": school.name,
        "stage": _choice(School.Stage, school.stage),
        "core": core.name,
        "core_stage": _choice(School.Stage, core.stage),
    }
    if subtype == "T-2a":
        if school.stage not in BASIC_STAGES or core.stage not in BASIC_STAGES:
            return ("T-2a", msg("check.t2a.not_basic", **args))
    elif subtype == "T-2b":
        pair = {school.stage, core.stage}
        if not (pair & GENERAL_SENIOR and School.Stage.VOCATIONAL in pair):
            return ("T-2b", msg("check.t2b.not_general_vocational", **args))
    elif subtype == "T-2c":
        if not has_university:
            return ("T-2c", msg("check.t2c.no_university", school=school.name))
    elif subtype in ("T-3a", "T-3b"):
        n = len(project_lines(projects))
        if subtype == "T-3a" and n > 1:
            return ("T-3a", msg("check.t3a.several_projects", school=school.name, n=n))
        if subtype == "T-3b" and n == 1:
            return ("T-3b", msg("check.t3b.one_project", school=school.name))
    return None


def check_subtypes_fit(ctx: Context) -> list[Outcome]:
    """Each proposed member's subtype fits the two schools' stages and the partners it needs
    (policy T-2a, T-2b, T-2c, T-3a, T-3b). Hard: a subtype that does not describe the
    relationship is a wrong label, not a case for justification."""
    out = []
    for p in ctx.proposed:
        problem = subtype_problem(
            p.relation_subtype,
            ctx.core,
            p.school,
            projects=p.projects,
            has_university=Partner.Kind.HIGHER_EDUCATION in ctx.partner_kinds,
        )
        if problem is not None:
            out.append(outcome(problem[0], HARD, False, problem[1]))
    return out


_PROPOSING = frozenset({Application.Kind.FOUNDING, Application.Kind.ADMISSION})
_ALL = frozenset(Application.Kind.values)

# Each check with the kinds it concerns: an exit is not checked (nor shown) against what only a
# founding or an admission proposes (issue 8).
CHECKS = [
    (check_has_members, _PROPOSING),
    (check_members_not_in_other_groups, _PROPOSING),
    (check_core_not_member, _PROPOSING),
    (check_required_documents, _PROPOSING),
    (check_through_training_pilot, _PROPOSING),
    (check_alliance_has_project, _PROPOSING),
    (check_subtypes_fit, _PROPOSING),
    (check_exit_membership_open, frozenset({Application.Kind.EXIT})),
    (check_one_open_application, _ALL),
    (check_exit_reputation, frozenset({Application.Kind.EXIT})),
    (check_fusion_same_kind, _PROPOSING),
    (check_aggregation_differs, _PROPOSING),
    (check_chief_principal, frozenset({Application.Kind.FOUNDING})),
    (check_public_core, _PROPOSING),
    (check_weak_share, _ALL),
    (check_steady_growth, frozenset({Application.Kind.ADMISSION})),
]


def run_checks(application: Application, today: datetime.date) -> list[Outcome]:
    ctx = load_context(application, today)
    outcomes: list[Outcome] = []
    for check, kinds in CHECKS:
        if application.kind in kinds:
            outcomes.extend(check(ctx))
    return outcomes


def record_checks(
    application: Application,
    stage: str,
    outcomes: list[Outcome],
    *,
    now: datetime.datetime | None = None,
    actor=None,
) -> None:
    """Keep the results of this stage, replacing an earlier run of the same stage, dated `now`
    (default: the clock). Both the removal and the new results leave history rows naming
    `actor` (issue 12: every write is in the history, bulk ones too)."""
    now = now or timezone.now()
    for old in application.check_results.filter(stage=stage):
        old._history_user = actor
        old._history_date = now
        old.delete()
    bulk_create_with_history(
        [
            CheckResult(
                application=application,
                stage=stage,
                clause=o.clause,
                severity=o.severity,
                passed=o.passed,
                message=encode(o.text) if o.text is not None else o.message,
                url=o.url,
                created_at=now,
            )
            for o in outcomes
        ],
        CheckResult,
        default_user=actor,
        default_date=now,
    )


# --- live checks beside the stored ones (the approver decides on what is true now) ---------

SAME = "same"
NEW_FAILURE = "new_failure"
NOW_PASSES = "now_passes"
CHANGED = "changed"
NEW = "new"
GONE = "gone"


@dataclass(frozen=True)
class ComparedCheck:
    """One line of the decision page's checks: the result now (`live`), the one stored at
    submission (`stored`), either None when the check gave no such line then or now, and how
    it changed (`change`: SAME, NEW_FAILURE, NOW_PASSES, CHANGED (a figure or a name), NEW,
    GONE)."""

    clause: str
    severity: str
    live: Outcome | None
    stored: Outcome | None
    change: str

    @property
    def changed(self) -> bool:
        return self.change != SAME


def _change(stored: Outcome | None, live: Outcome | None, texts: frozenset = frozenset()) -> str:
    if stored is None:
        return NEW_FAILURE if live is not None and not live.passed else NEW
    if live is None:
        return NOW_PASSES if not stored.passed else GONE
    if stored.passed and not live.passed:
        return NEW_FAILURE
    if not stored.passed and live.passed:
        return NOW_PASSES
    return SAME if stored.message == live.message or stored.message in texts else CHANGED


def compare_checks(
    stored: list[Outcome], live: list[Outcome], other_language: list[Outcome] | None = None
) -> list[ComparedCheck]:
    """Pair the stored results with the live ones, in the live order: identical lines first,
    then the rest of the same clause and severity in order (a figure that changed, a rule that
    now fails or passes); what is left on either side is new or gone. `other_language`: the
    same live run in the language the stored texts were probably written in (the site's
    default), line for line, so a reader in another language does not see every stored text
    as changed."""
    alternates = other_language if other_language and len(other_language) == len(live) else live
    rest = list(stored)
    paired: list[tuple[Outcome | None, Outcome, Outcome]] = []
    unmatched: list[int] = []
    for live_outcome, alternate in zip(live, alternates, strict=True):
        same = next((s for s in rest if s in (live_outcome, alternate)), None)
        if same is not None:
            rest.remove(same)
            paired.append((same, live_outcome, alternate))
        else:
            unmatched.append(len(paired))
            paired.append((None, live_outcome, alternate))
    for i in unmatched:
        _none, live_outcome, alternate = paired[i]
        match = next(
            (
                s
                for s in rest
                if s.clause == live_outcome.clause and s.severity == live_outcome.severity
            ),
            None,
        )
        if match is not None:
            rest.remove(match)
            paired[i] = (match, live_outcome, alternate)
    rows = [
        ComparedCheck(lv.clause, lv.severity, lv, st, _change(st, lv, frozenset({alt.message})))
        for st, lv, alt in paired
    ]
    rows += [ComparedCheck(s.clause, s.severity, None, s, _change(s, None)) for s in rest]
    return rows


def outcomes_of(results) -> list[Outcome]:
    """Stored results (CheckResult rows) as outcomes, to compare with a live run: their messages
    rendered from their codes in the reader's language, as the live run's are."""
    return [r.as_outcome() for r in results]


def digest(outcomes: list[Outcome]) -> str:
    """A short fingerprint of a run's results: the decision form carries the one the approver
    saw, so an approval is refused when the checks changed before it was posted (policy L-1,
    L-3, L-5: the decision answers the checks as they are)."""
    text = "\n".join(
        f"{o.clause}|{o.severity}|{int(o.passed)}|{o.message}"
        for o in sorted(outcomes, key=lambda o: (o.clause, o.severity, o.passed, o.message))
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]
