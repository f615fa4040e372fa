"""The assessment cycle's services (policy A-1 … A-4; issue 10): every change of a cycle, a
group's part, a score and a factual flag, each atomic, under row locks and the version the
person saw, with `now` and a history row.

A-1: the authorities assess each group regularly — its quality, its members' development and
its reputation — through a cycle open → self-assessment → inspection → factual check →
published. A-2: the published result gives the core school its bonus item. A-3 and A-4 are
scored by the framework (the core school's quality, the share of weak schools) through
`results.derive_scores`; this module only runs the steps."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.cycles import results, texts  # noqa: F401  (texts: the notice codes)
from assessments.cycles.models import Cycle, CycleGroup, FactualFlag, Score
from assessments.cycles.permissions import (
    can_create_cycle,
    can_flag,
    can_manage_cycle,
    can_self_assess,
)
from assessments.cycles.workflows import (
    CYCLE_TRANSITIONS,
    FLAG_TRANSITIONS,
    CycleAction,
    CycleStatus,
    FlagAction,
    FlagStatus,
)
from assessments.frameworks.models import Framework, Grade, Indicator
from groups.registry.models import EducationGroup
from members.models import Authority, User
from qingdao_groups.core.documents import attachment_add
from qingdao_groups.core.inbox import url_or_blank
from qingdao_groups.core.messages import label, msg
from qingdao_groups.core.notifications import notify, staff_of
from qingdao_groups.core.rules import RuleRefusal, require
from qingdao_groups.core.workflow import (
    STALE,
    StaleVersion,
    ensure_allowed,
    lock,
    stamp,
    transition,
)
from qingdao_groups.models import Attachment

TEXT_MAX = 2000  # a note or a flag's text: a text column, bounded here and by the forms
NAME_MAX = 200


def cycle_url(cycle: Cycle) -> str:
    return url_or_blank("cycles:cycle-detail", cycle.pk)


def entry_url(entry: CycleGroup) -> str:
    return url_or_blank("cycles:entry-detail", entry.pk)


def eligible_groups(authority: Authority, day: datetime.date):
    """The groups a cycle of `authority` may cover: active on the period's last day, and led
    by the authority (a district) or by any authority of the city (the city bureau) (A-1)."""
    qs = EducationGroup.objects.active_on(day).select_related("core_school")
    if authority.kind == Authority.Kind.CITY:
        return qs.filter(Q(authority=authority) | Q(authority__parent=authority)).order_by("code")
    return qs.filter(authority=authority).order_by("code")


def _text(value: str, field: str, *, required: bool = False, what: str = "") -> str:
    value = (value or "").replace("\x00", "").strip()
    if required and not value:
        raise RuleRefusal(_("请填写%(what)s。") % {"what": what}, field=field)
    if len(value) > TEXT_MAX:
        raise RuleRefusal(
            _("%(what)s不能超过 %(n)s 个字。") % {"what": what or _("说明"), "n": TEXT_MAX},
            field=field,
        )
    return value


def _check_dates(
    *,
    period_start: datetime.date,
    period_end: datetime.date,
    self_assessment_due: datetime.date,
    inspection_due: datetime.date,
    factual_check_due: datetime.date,
) -> None:
    if period_start is None or period_end is None or period_end < period_start:
        raise RuleRefusal(_("评估期结束日期不能早于开始日期（A-1）。"), field="period_end")
    if not self_assessment_due <= inspection_due <= factual_check_due:
        raise RuleRefusal(
            _("各步骤截止日期须依次为：自评 ≤ 督导评估 ≤ 事实核对（A-1）。"),
            field="inspection_due",
        )


def _chosen_groups(authority: Authority, period_end: datetime.date, group_ids) -> list:
    eligible = list(eligible_groups(authority, period_end))
    if group_ids is None:
        chosen = eligible
    else:
        wanted = {int(pk) for pk in group_ids}
        chosen = [g for g in eligible if g.pk in wanted]
        if len(chosen) != len(wanted):
            raise RuleRefusal(
                _("所选集团须是组织单位所辖、评估期末仍在运行的集团（A-1）。"), field="groups"
            )
    if not chosen:
        raise RuleRefusal(_("评估期末没有可参评的集团（A-1）。"), field="groups")
    return chosen


def _published_framework(framework: Framework) -> None:
    if framework is None or not framework.is_published:
        raise RuleRefusal(_("请选择已发布的评估指标体系（A-1）。"), field="framework")


@transaction.atomic
def cycle_create(
    *,
    actor: User,
    name: str,
    framework: Framework,
    period_start: datetime.date,
    period_end: datetime.date,
    self_assessment_due: datetime.date,
    inspection_due: datetime.date,
    factual_check_due: datetime.date,
    group_ids=None,
    now: datetime.datetime | None = None,
) -> Cycle:
    """An authority opens a cycle (policy A-1): the city bureau for the active groups of the
    whole city, a district bureau for the groups it approved; a published framework, the period,
    the three step deadlines, and the groups covered (by default every group active on the
    period's last day)."""
    require(can_create_cycle(actor))
    now = now or timezone.now()
    name = (name or "").replace("\x00", "").strip()
    if not name:
        raise RuleRefusal(_("请填写评估名称。"), field="name")
    if len(name) > NAME_MAX:
        raise RuleRefusal(_("评估名称不能超过 %(n)s 个字。") % {"n": NAME_MAX}, field="name")
    _published_framework(framework)
    _check_dates(
        period_start=period_start,
        period_end=period_end,
        self_assessment_due=self_assessment_due,
        inspection_due=inspection_due,
        factual_check_due=factual_check_due,
    )
    authority = actor.authority
    assert authority is not None  # can_create_cycle: staff of an authority
    groups = _chosen_groups(authority, period_end, group_ids)
    cycle = Cycle(
        name=name,
        authority=authority,
        framework=framework,
        period_start=period_start,
        period_end=period_end,
        self_assessment_due=self_assessment_due,
        inspection_due=inspection_due,
        factual_check_due=factual_check_due,
        step_started_at=now,
        created_at=now,
        created_by=actor,
    )
    stamp(cycle, actor=actor, reason=gettext_lazy("创建评估周期"), now=now)
    cycle.save()
    for group in groups:
        entry = CycleGroup(cycle=cycle, group=group)
        stamp(entry, actor=actor, reason=gettext_lazy("纳入评估"), now=now)
        entry.save()
    return cycle


@transaction.atomic
def cycle_edit(
    *,
    cycle: Cycle,
    actor: User,
    expected_version: int | None,
    name: str,
    framework: Framework,
    period_start: datetime.date,
    period_end: datetime.date,
    self_assessment_due: datetime.date,
    inspection_due: datetime.date,
    factual_check_due: datetime.date,
    group_ids=None,
    now: datetime.datetime | None = None,
) -> Cycle:
    """The organiser changes a cycle while it is open, before anyone is asked anything (A-1):
    the same rules as at its creation; groups added and removed to match the choice."""
    require(can_manage_cycle(actor, cycle))
    now = now or timezone.now()
    cycle = lock(cycle, expected_version=expected_version)
    ensure_allowed(cycle, table=CYCLE_TRANSITIONS, action=CycleAction.EDIT)
    name = (name or "").replace("\x00", "").strip()
    if not name or len(name) > NAME_MAX:
        raise RuleRefusal(
            _("请填写评估名称（不超过 %(n)s 个字）。") % {"n": NAME_MAX}, field="name"
        )
    _published_framework(framework)
    _check_dates(
        period_start=period_start,
        period_end=period_end,
        self_assessment_due=self_assessment_due,
        inspection_due=inspection_due,
        factual_check_due=factual_check_due,
    )
    groups = _chosen_groups(cycle.authority, period_end, group_ids)
    wanted = {g.pk for g in groups}
    have = {e.group_id: e for e in CycleGroup.objects.filter(cycle=cycle)}
    for group_id, entry in have.items():
        if group_id not in wanted:
            Score.objects.filter(entry=entry).delete()
            stamp(entry, actor=actor, reason=gettext_lazy("移出评估"), now=now)
            entry.delete()
    for group in groups:
        if group.pk not in have:
            entry = CycleGroup(cycle=cycle, group=group)
            stamp(entry, actor=actor, reason=gettext_lazy("纳入评估"), now=now)
            entry.save()
    return transition(
        cycle,
        action=CycleAction.EDIT,
        table=CYCLE_TRANSITIONS,
        actor=actor,
        expected_version=None,
        changes={
            "name": name,
            "framework": framework,
            "period_start": period_start,
            "period_end": period_end,
            "self_assessment_due": self_assessment_due,
            "inspection_due": inspection_due,
            "factual_check_due": factual_check_due,
        },
        now=now,
    )


def _entries(cycle: Cycle) -> list[CycleGroup]:
    return list(CycleGroup.objects.filter(cycle=cycle).select_related("group__core_school"))


def _notify_principals(cycle: Cycle, code: str, now: datetime.datetime, **params) -> None:
    """Notify each covered group's core principal (two queries and the notices)."""
    entries = _entries(cycle)
    by_school: dict[int, list[User]] = {}
    for user in User.objects.filter(
        school_id__in={e.group.core_school_id for e in entries},
        role=User.Role.CORE_PRINCIPAL,
        is_active=True,
    ):
        if user.school_id is not None:
            by_school.setdefault(user.school_id, []).append(user)
    for entry in entries:
        principals = by_school.get(entry.group.core_school_id)
        if principals:
            extra = {k: (v(entry) if callable(v) else v) for k, v in params.items()}
            notify(
                principals,
                msg(code, cycle=cycle.name, group=entry.group.name, **extra),
                entry_url(entry),
                now=now,
            )


@transaction.atomic
def cycle_start(
    *, cycle: Cycle, actor: User, expected_version: int | None, now: datetime.datetime | None = None
) -> Cycle:
    """The organiser starts the groups' self-assessment (policy A-1); each covered group's core
    principal is notified with the step's deadline."""
    require(can_manage_cycle(actor, cycle))
    now = now or timezone.now()
    cycle = transition(
        cycle,
        action=CycleAction.START,
        table=CYCLE_TRANSITIONS,
        actor=actor,
        expected_version=expected_version,
        changes={"step_started_at": now},
        now=now,
    )
    _notify_principals(
        cycle, "notice.cycle.started", now, due=cycle.self_assessment_due.isoformat()
    )
    return cycle


@dataclass(frozen=True)
class ScoreInput:
    """One indicator's input in a form: a score (scored indicators) or a verdict (pass/fail)
    and a note."""

    indicator: Indicator
    score: Decimal | None = None
    passed: bool | None = None
    note: str = ""


def _lock_entry(entry: CycleGroup, expected_version: int | None) -> tuple[Cycle, CycleGroup]:
    """Lock the cycle (its step may not move meanwhile), then the group's part; refuse a stale
    form."""
    cycle = lock(entry.cycle, expected_version=None)
    locked = lock(entry, expected_version=None, related=("group__core_school",))
    locked.cycle = cycle
    if expected_version is not None and locked.version != expected_version:
        # A group's part has no status of its own: the refusal names the cycle's step.
        raise StaleVersion(
            STALE % {"subject": CycleGroup._meta.verbose_name, "status": cycle.get_status_display()}
        )
    return cycle, locked


def _in_step(cycle: Cycle, status: str, what) -> None:
    if cycle.status != status:
        raise RuleRefusal(
            _("评估当前处于“%(status)s”阶段，不能%(what)s（A-1）。")
            % {"status": cycle.get_status_display(), "what": what},
            field="state",
        )


def _check_value(item: ScoreInput, field: str) -> None:
    ind = item.indicator
    if (
        ind.kind == Indicator.Kind.SCORED
        and item.score is not None
        and not 0 <= item.score <= ind.scale_max
    ):
        raise RuleRefusal(
            _("“%(name)s”的得分须在 0 至 %(max)s 之间（A-1）。")
            % {"name": ind.name, "max": ind.scale_max.normalize()},
            field=field,
        )


def _framework_indicators(cycle: Cycle, *, manual_only: bool = False) -> dict[int, Indicator]:
    qs = Indicator.objects.filter(dimension__framework_id=cycle.framework_id)
    if manual_only:
        qs = qs.filter(source=Indicator.Source.MANUAL)
    return {i.pk: i for i in qs.order_by("dimension__order", "order", "id")}


def _score_rows(entry: CycleGroup) -> dict[int, Score]:
    return {s.indicator_id: s for s in Score.objects.select_for_update().filter(entry=entry)}


@transaction.atomic
def self_assessment_save(
    *,
    entry: CycleGroup,
    actor: User,
    expected_version: int | None,
    items: list[ScoreInput],
    summary: str = "",
    now: datetime.datetime | None = None,
) -> CycleGroup:
    """The group's core principal fills in its self-assessment (policy A-1): per indicator a
    self score or verdict and a note, and a summary; while the step is open and before the
    group submits."""
    require(can_self_assess(actor, entry))
    now = now or timezone.now()
    cycle, entry = _lock_entry(entry, expected_version)
    _in_step(cycle, CycleStatus.SELF_ASSESSMENT, _("填报自评"))
    if entry.self_submitted_at:
        raise RuleRefusal(_("本集团的自评已提交，不能再修改（A-1）。"), field="state")
    known = _framework_indicators(cycle)
    rows = _score_rows(entry)
    for item in items:
        if item.indicator.pk not in known:
            raise RuleRefusal(_("该指标不属于本次评估的指标体系。"))
        field = f"self_score_{item.indicator.pk}"
        _check_value(item, field)
        note = _text(item.note, f"self_note_{item.indicator.pk}", what=_("自评说明"))
        row = rows.get(item.indicator.pk) or Score(entry=entry, indicator=item.indicator)
        new = (
            item.score if item.indicator.kind == Indicator.Kind.SCORED else None,
            item.passed if item.indicator.kind == Indicator.Kind.PASS_FAIL else None,
            note,
        )
        if row.pk and (row.self_score, row.self_passed, row.self_note) == new:
            continue
        row.self_score, row.self_passed, row.self_note = new
        if row.pk:
            row.version += 1
        stamp(row, actor=actor, reason=gettext_lazy("填报自评"), now=now)
        row.save()
    entry.self_summary = _text(summary, "summary", what=_("自评总结"))
    entry.version += 1
    stamp(entry, actor=actor, reason=gettext_lazy("填报自评"), now=now)
    entry.save(update_fields=["self_summary", "version"])
    return entry


def _score_for(entry: CycleGroup, indicator: Indicator) -> Score:
    row = Score.objects.filter(entry=entry, indicator=indicator).first()
    if row is None:
        row = Score(entry=entry, indicator=indicator)
        stamp(row, actor=None, reason=gettext_lazy("填报自评"))
        row.save()
    return row


@transaction.atomic
def evidence_add(
    *,
    entry: CycleGroup,
    indicator: Indicator,
    uploaded_file,
    actor: User,
    now: datetime.datetime | None = None,
) -> Attachment:
    """The core principal uploads evidence for an indicator of its self-assessment (A-1); the
    file belongs to the indicator's score row (a registered document owner)."""
    require(can_self_assess(actor, entry))
    now = now or timezone.now()
    cycle, entry = _lock_entry(entry, None)
    _in_step(cycle, CycleStatus.SELF_ASSESSMENT, _("上传佐证材料"))
    if entry.self_submitted_at:
        raise RuleRefusal(_("本集团的自评已提交，不能再修改（A-1）。"), field="state")
    if indicator.dimension.framework_id != cycle.framework_id:
        raise RuleRefusal(_("该指标不属于本次评估的指标体系。"), field="indicator")
    if indicator.source != Indicator.Source.MANUAL:
        raise RuleRefusal(_("系统数据指标由系统计算，无需上传佐证材料。"), field="indicator")
    score = _score_for(entry, indicator)
    score.entry = entry
    return attachment_add(
        owner=score,
        kind=Attachment.Kind.EVIDENCE,
        uploaded_file=uploaded_file,
        actor=actor,
        now=now,
    )


@transaction.atomic
def self_assessment_submit(
    *,
    entry: CycleGroup,
    actor: User,
    expected_version: int | None,
    now: datetime.datetime | None = None,
) -> CycleGroup:
    """The core principal submits the group's self-assessment (policy A-1): every manual
    indicator filled in, and at least one evidence file on each indicator that requires it."""
    require(can_self_assess(actor, entry))
    now = now or timezone.now()
    cycle, entry = _lock_entry(entry, expected_version)
    _in_step(cycle, CycleStatus.SELF_ASSESSMENT, _("提交自评"))
    if entry.self_submitted_at:
        raise RuleRefusal(_("本集团的自评已提交（A-1）。"), field="state")
    manual = _framework_indicators(cycle, manual_only=True)
    rows = {
        s.indicator_id: s
        for s in Score.objects.filter(entry=entry, indicator_id__in=manual).prefetch_related(
            "attachments"
        )
    }
    missing = [
        ind.name
        for pk, ind in manual.items()
        if pk not in rows or (rows[pk].self_score is None and rows[pk].self_passed is None)
    ]
    if missing:
        raise RuleRefusal(_("以下指标尚未自评：%(names)s（A-1）。") % {"names": "、".join(missing)})
    no_evidence = [
        ind.name
        for pk, ind in manual.items()
        if ind.evidence_required and not list(rows[pk].attachments.all())
    ]
    if no_evidence:
        raise RuleRefusal(
            _("以下指标须上传佐证材料：%(names)s（A-1）。") % {"names": "、".join(no_evidence)}
        )
    entry.self_submitted_at = now
    entry.self_submitted_by = actor
    entry.version += 1
    stamp(entry, actor=actor, reason=gettext_lazy("提交自评"), now=now)
    entry.save(update_fields=["self_submitted_at", "self_submitted_by", "version"])
    notify(
        staff_of(cycle.authority_id),
        msg("notice.cycle.self_submitted", cycle=cycle.name, group=entry.group.name),
        entry_url(entry),
        now=now,
    )
    return entry


@transaction.atomic
def cycle_to_inspection(
    *, cycle: Cycle, actor: User, expected_version: int | None, now: datetime.datetime | None = None
) -> Cycle:
    """The organiser closes the self-assessment and opens inspection (policy A-1): derived
    indicators (A-3, A-4 among them) are computed from the system's data over the period and
    kept with their inputs. Groups that did not submit by then are inspected as they are."""
    require(can_manage_cycle(actor, cycle))
    now = now or timezone.now()
    cycle = transition(
        cycle,
        action=CycleAction.TO_INSPECTION,
        table=CYCLE_TRANSITIONS,
        actor=actor,
        expected_version=expected_version,
        changes={"step_started_at": now},
        now=now,
    )
    results.derive_scores(cycle, now=now, actor=actor)
    return cycle


@transaction.atomic
def scores_save(
    *,
    entry: CycleGroup,
    actor: User,
    expected_version: int | None,
    items: list[ScoreInput],
    now: datetime.datetime | None = None,
) -> CycleGroup:
    """The organising authority's inspector scores a group's manual indicators (policy A-1),
    each within its scale, with a note; the group's part counts as inspected once every manual
    indicator has a score or a verdict."""
    require(can_manage_cycle(actor, entry.cycle))
    now = now or timezone.now()
    cycle, entry = _lock_entry(entry, expected_version)
    _in_step(cycle, CycleStatus.INSPECTION, _("评分"))
    manual = _framework_indicators(cycle, manual_only=True)
    rows = _score_rows(entry)
    for item in items:
        if item.indicator.pk not in manual:
            raise RuleRefusal(_("只能为督导评分类指标评分，系统数据指标由系统计算。"))
        _check_value(item, f"score_{item.indicator.pk}")
        note = _text(item.note, f"note_{item.indicator.pk}", what=_("评估意见"))
        row = rows.get(item.indicator.pk) or Score(entry=entry, indicator=item.indicator)
        new = (
            item.score if item.indicator.kind == Indicator.Kind.SCORED else None,
            item.passed if item.indicator.kind == Indicator.Kind.PASS_FAIL else None,
            note,
        )
        if row.pk and (row.score, row.passed, row.inspector_note) == new:
            continue
        row.score, row.passed, row.inspector_note = new
        row.scored_at, row.scored_by = now, actor
        if row.pk:
            row.version += 1
        stamp(row, actor=actor, reason=gettext_lazy("督导评分"), now=now)
        row.save()
        rows[item.indicator.pk] = row
    complete = all(
        pk in rows and (rows[pk].score is not None or rows[pk].passed is not None) for pk in manual
    )
    entry.inspected_at = now if complete else None
    entry.inspected_by = actor if complete else None
    entry.version += 1
    stamp(entry, actor=actor, reason=gettext_lazy("督导评分"), now=now)
    entry.save(update_fields=["inspected_at", "inspected_by", "version"])
    return entry


def unscored_count(cycle: Cycle) -> int:
    """How many (group, manual indicator) pairs still lack a score or verdict (one query)."""
    manual = Indicator.objects.filter(
        dimension__framework_id=cycle.framework_id, source=Indicator.Source.MANUAL
    ).count()
    done = (
        Score.objects.filter(entry__cycle=cycle, indicator__source=Indicator.Source.MANUAL)
        .filter(Q(score__isnull=False) | Q(passed__isnull=False))
        .count()
    )
    return manual * CycleGroup.objects.filter(cycle=cycle).count() - done


@transaction.atomic
def cycle_to_factual_check(
    *, cycle: Cycle, actor: User, expected_version: int | None, now: datetime.datetime | None = None
) -> Cycle:
    """The organiser shows each group its draft result for the factual-accuracy check (policy
    A-1); every manual indicator of every group must be scored first."""
    require(can_manage_cycle(actor, cycle))
    now = now or timezone.now()
    cycle = lock(cycle, expected_version=expected_version)
    ensure_allowed(cycle, table=CYCLE_TRANSITIONS, action=CycleAction.TO_FACTUAL_CHECK)
    missing = unscored_count(cycle)
    if missing:
        raise RuleRefusal(
            _("还有 %(n)s 项督导评分类指标未评分，全部评分后才能进入事实核对（A-1）。")
            % {"n": missing},
            field="state",
        )
    cycle = transition(
        cycle,
        action=CycleAction.TO_FACTUAL_CHECK,
        table=CYCLE_TRANSITIONS,
        actor=actor,
        expected_version=None,
        changes={"step_started_at": now},
        now=now,
    )
    _notify_principals(
        cycle, "notice.cycle.factual_check", now, due=cycle.factual_check_due.isoformat()
    )
    return cycle


@transaction.atomic
def flag_raise(
    *,
    entry: CycleGroup,
    actor: User,
    indicator: Indicator | None,
    text: str,
    now: datetime.datetime | None = None,
) -> FactualFlag:
    """The group's core principal flags a factual error in its draft result (policy A-1), on an
    indicator or on the result as a whole, while the factual check is open."""
    require(can_flag(actor, entry))
    now = now or timezone.now()
    cycle, entry = _lock_entry(entry, None)
    _in_step(cycle, CycleStatus.FACTUAL_CHECK, _("提出事实核对意见"))
    if indicator is not None and indicator.dimension.framework_id != cycle.framework_id:
        raise RuleRefusal(_("该指标不属于本次评估的指标体系。"), field="indicator")
    text = _text(text, "text", required=True, what=_("问题说明"))
    flag = FactualFlag(entry=entry, indicator=indicator, text=text, raised_at=now, raised_by=actor)
    stamp(flag, actor=actor, reason=gettext_lazy("提出事实核对意见"), now=now)
    flag.save()
    notify(
        staff_of(cycle.authority_id),
        msg("notice.cycle.flag_raised", cycle=cycle.name, group=entry.group.name),
        entry_url(entry),
        now=now,
    )
    return flag


@transaction.atomic
def flag_resolve(
    *,
    flag: FactualFlag,
    actor: User,
    action: str,
    reply: str,
    expected_version: int | None,
    score: Decimal | None = None,
    passed: bool | None = None,
    now: datetime.datetime | None = None,
) -> FactualFlag:
    """The organiser accepts a factual flag and corrects the score in the same transaction, or
    rejects it with a reply (policy A-1). A derived indicator is corrected by computing it
    again from the (corrected) system data; a manual one takes the score or verdict given."""
    cycle = flag.entry.cycle
    require(can_manage_cycle(actor, cycle))
    now = now or timezone.now()
    cycle = lock(cycle, expected_version=None)
    _in_step(cycle, CycleStatus.FACTUAL_CHECK, _("处理事实核对意见"))
    flag = lock(flag, expected_version=expected_version, related=("indicator", "entry__group"))
    ensure_allowed(flag, table=FLAG_TRANSITIONS, action=action)
    reply = _text(reply, "reply", required=action == FlagAction.REJECT, what=_("处理意见"))
    ind = flag.indicator
    if action == FlagAction.ACCEPT and ind is not None:
        if ind.source == Indicator.Source.DERIVED:
            results.derive_scores(cycle, now=now, actor=actor, reason="采纳事实核对意见，重新计算")
        else:
            item = ScoreInput(ind, score=score, passed=passed)
            if (ind.kind == Indicator.Kind.SCORED and score is None) or (
                ind.kind == Indicator.Kind.PASS_FAIL and passed is None
            ):
                raise RuleRefusal(_("采纳意见时请填写更正后的得分或结论（A-1）。"), field="score")
            _check_value(item, "score")
            row = Score.objects.select_for_update().get(entry_id=flag.entry_id, indicator=ind)
            row.score = score if ind.kind == Indicator.Kind.SCORED else None
            row.passed = passed if ind.kind == Indicator.Kind.PASS_FAIL else None
            row.scored_at, row.scored_by = now, actor
            row.version += 1
            stamp(row, actor=actor, reason=gettext_lazy("采纳事实核对意见，更正得分"), now=now)
            row.save()
    flag = transition(
        flag,
        action=action,
        table=FLAG_TRANSITIONS,
        actor=actor,
        reason=reply,
        expected_version=None,
        changes={"reply": reply, "resolved_at": now, "resolved_by": actor},
        now=now,
    )
    if flag.raised_by_id:
        notify(
            User.objects.filter(pk=flag.raised_by_id),
            msg(
                "notice.cycle.flag_resolved",
                cycle=cycle.name,
                decision=label(flag.get_status_display()),
            ),
            entry_url(flag.entry),
            now=now,
        )
    return flag


@transaction.atomic
def cycle_publish(
    *, cycle: Cycle, actor: User, expected_version: int | None, now: datetime.datetime | None = None
) -> Cycle:
    """The organiser publishes the results (policy A-1) once every factual flag is resolved:
    each group's dimension scores, total, grade, the core school's bonus item (A-2) and the
    trend are stored, and the reports are requested (produced after the commit)."""
    require(can_manage_cycle(actor, cycle))
    now = now or timezone.now()
    cycle = lock(cycle, expected_version=expected_version)
    ensure_allowed(cycle, table=CYCLE_TRANSITIONS, action=CycleAction.PUBLISH)
    open_flags = FactualFlag.objects.filter(entry__cycle=cycle, status=FlagStatus.OPEN).count()
    if open_flags:
        raise RuleRefusal(
            _("还有 %(n)s 条事实核对意见未处理，全部处理后才能发布（A-1）。") % {"n": open_flags},
            field="state",
        )
    results.store_results(cycle, now=now, actor=actor, reason="发布评估结果")
    cycle = transition(
        cycle,
        action=CycleAction.PUBLISH,
        table=CYCLE_TRANSITIONS,
        actor=actor,
        expected_version=None,
        changes={"published_at": now, "published_by": actor, "step_started_at": now},
        now=now,
    )
    from assessments.reports.services import reports_request_for_cycle

    reports_request_for_cycle(cycle, now=now)
    grades = dict(Grade.choices)
    _notify_principals(
        cycle,
        "notice.cycle.published",
        now,
        grade=lambda e: label(grades.get(e.grade, e.grade or "-")),
    )
    return cycle


@transaction.atomic
def cycle_reopen(
    *,
    cycle: Cycle,
    actor: User,
    expected_version: int | None,
    reason: str,
    now: datetime.datetime | None = None,
) -> Cycle:
    """The organiser sends the cycle back one step before publication (policy A-1), with a
    reason: inspection back to self-assessment (the groups' submissions are reopened so they
    can correct them), factual check back to inspection (open flags stay)."""
    require(can_manage_cycle(actor, cycle))
    now = now or timezone.now()
    reason = _text(reason, "reason", required=True, what=_("退回理由"))
    cycle = transition(
        cycle,
        action=CycleAction.REOPEN,
        table=CYCLE_TRANSITIONS,
        actor=actor,
        reason=reason,
        expected_version=expected_version,
        changes={"step_started_at": now},
        now=now,
    )
    if cycle.status == CycleStatus.SELF_ASSESSMENT:
        for entry in CycleGroup.objects.select_for_update().filter(
            cycle=cycle, self_submitted_at__isnull=False
        ):
            entry.self_submitted_at, entry.self_submitted_by = None, None
            entry.version += 1
            stamp(entry, actor=actor, reason=reason, now=now)
            entry.save(update_fields=["self_submitted_at", "self_submitted_by", "version"])
    return cycle


def cycle_move(
    *,
    cycle: Cycle,
    action: str,
    actor: User,
    expected_version: int | None,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> Cycle:
    """One entry point for the step buttons of the cycle page (A-1)."""
    if action == CycleAction.REOPEN:
        return cycle_reopen(
            cycle=cycle, actor=actor, expected_version=expected_version, reason=reason, now=now
        )
    service = {
        str(CycleAction.START): cycle_start,
        str(CycleAction.TO_INSPECTION): cycle_to_inspection,
        str(CycleAction.TO_FACTUAL_CHECK): cycle_to_factual_check,
        str(CycleAction.PUBLISH): cycle_publish,
    }[str(action)]
    return service(cycle=cycle, actor=actor, expected_version=expected_version, now=now)
