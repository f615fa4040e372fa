"""The cycle pages (policy A-1 … A-4): access -> form -> service -> message -> redirect."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from assessments.cycles import results
from assessments.cycles.filters import cycle_filter
from assessments.cycles.forms import (
    CycleForm,
    EvidenceForm,
    FlagForm,
    MoveForm,
    ResolveForm,
    ScoringForm,
    SelfAssessmentForm,
    verdict,
    verdict_value,
)
from assessments.cycles.models import CycleGroup, FactualFlag
from assessments.cycles.permissions import (
    can_create_cycle,
    can_flag,
    can_manage_cycle,
    can_open_cycles,
    can_self_assess,
    is_organiser,
)
from assessments.cycles.selectors import (
    cycle_get_for_user,
    cycle_list_for_user,
    entry_flags,
    entry_get_for_user,
    entry_list_for_user,
    entry_scores,
    framework_tree,
    latest_published_entry,
)
from assessments.cycles.services import (
    ScoreInput,
    cycle_create,
    cycle_edit,
    cycle_move,
    eligible_groups,
    evidence_add,
    flag_raise,
    flag_resolve,
    scores_save,
    self_assessment_save,
    self_assessment_submit,
)
from assessments.cycles.workflows import (
    CYCLE_TRANSITIONS,
    CycleAction,
    CycleStatus,
    FlagStatus,
)
from assessments.frameworks.derived import METRICS
from assessments.frameworks.models import Grade, Indicator
from qingdao_groups.core.pagination import KeyFirstPaginator
from qingdao_groups.core.rules import RuleRefusal, add_form_error, require
from qingdao_groups.core.submissions import ALREADY_DONE, once
from qingdao_groups.core.workflow import can_move

PAGE_SIZE = 25


def cycle_list_view(request):
    """The cycles a person sees, filtered by status, organiser and year (A-1)."""
    require(can_open_cycles(request.user))
    qs, filter_form = cycle_filter(cycle_list_for_user(user=request.user), request.GET)
    page = KeyFirstPaginator(qs.order_by("-period_end", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    today = timezone.localdate()
    for cycle in page:
        due = cycle.step_due()
        cycle.due = due
        cycle.overdue = due is not None and due < today
    return render(
        request,
        "cycles/cycle_list.html",
        {
            "page_obj": page,
            "filter_form": filter_form,
            "may_create": can_create_cycle(request.user).allowed,
        },
    )


def _cycle_form_view(request, cycle=None):
    user = request.user
    authority = cycle.authority if cycle else user.authority
    groups = list(eligible_groups(authority, timezone.localdate()))
    if cycle is not None:
        chosen = set(CycleGroup.objects.filter(cycle=cycle).values_list("group_id", flat=True))
        initial = {
            "name": cycle.name,
            "framework": cycle.framework_id,
            "period_start": cycle.period_start,
            "period_end": cycle.period_end,
            "self_assessment_due": cycle.self_assessment_due,
            "inspection_due": cycle.inspection_due,
            "factual_check_due": cycle.factual_check_due,
            "groups": [str(pk) for pk in chosen],
            "version": cycle.version,
        }
    else:
        initial = {}
    form = CycleForm(request.POST or None, initial=initial, groups=groups)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        fields = {
            "name": d["name"],
            "framework": d["framework"],
            "period_start": d["period_start"],
            "period_end": d["period_end"],
            "self_assessment_due": d["self_assessment_due"],
            "inspection_due": d["inspection_due"],
            "factual_check_due": d["factual_check_due"],
            "group_ids": d["groups"] or None,
        }
        try:
            if cycle is None:
                saved, created = once(
                    d["submission"], user, lambda: cycle_create(actor=user, **fields)
                )
            else:
                saved, created = (
                    cycle_edit(
                        cycle=cycle, actor=user, expected_version=d.get("version"), **fields
                    ),
                    True,
                )
        except RuleRefusal as exc:
            add_form_error(form, exc)
        else:
            if created:
                messages.success(request, _("已保存评估周期：%(name)s。") % {"name": saved.name})
            else:
                messages.info(request, ALREADY_DONE)
            return redirect("cycles:cycle-detail", cycle_id=saved.pk)
    return render(request, "cycles/cycle_form.html", {"form": form, "cycle": cycle})


def cycle_create_view(request):
    """An authority opens a cycle for the groups it leads (A-1)."""
    require(can_create_cycle(request.user))
    return _cycle_form_view(request)


def cycle_edit_view(request, cycle_id: int):
    """The organiser changes an open cycle (A-1)."""
    cycle = cycle_get_for_user(user=request.user, cycle_id=cycle_id)
    require(can_manage_cycle(request.user, cycle))
    if cycle.status != CycleStatus.OPEN:
        messages.error(request, _("评估已启动，不能再修改。"))
        return redirect("cycles:cycle-detail", cycle_id=cycle.pk)
    return _cycle_form_view(request, cycle)


STEP_ACTIONS = [
    CycleAction.START,
    CycleAction.TO_INSPECTION,
    CycleAction.TO_FACTUAL_CHECK,
    CycleAction.PUBLISH,
    CycleAction.REOPEN,
]


def cycle_detail_view(request, cycle_id: int):
    """A cycle with its groups' progress and the step's actions and deadlines (A-1)."""
    user = request.user
    cycle = cycle_get_for_user(user=user, cycle_id=cycle_id)
    entries = list(entry_list_for_user(user=user, cycle=cycle))
    manual = Indicator.objects.filter(
        dimension__framework_id=cycle.framework_id, source=Indicator.Source.MANUAL
    ).count()
    today = timezone.localdate()
    organiser = is_organiser(user, cycle)
    actions = []
    if organiser:
        actions = [
            {"action": a, "label": a.label}
            for a in STEP_ACTIONS
            if can_move(CYCLE_TRANSITIONS, cycle.status, a)
        ]
    due = cycle.step_due()
    grades = dict(Grade.choices)
    for e in entries:
        e.grade_label = grades.get(e.grade, "")
    steps = [
        (CycleStatus.SELF_ASSESSMENT, cycle.self_assessment_due),
        (CycleStatus.INSPECTION, cycle.inspection_due),
        (CycleStatus.FACTUAL_CHECK, cycle.factual_check_due),
    ]
    return render(
        request,
        "cycles/cycle_detail.html",
        {
            "cycle": cycle,
            "entries": entries,
            "manual": manual,
            "actions": actions,
            "organiser": organiser,
            "due": due,
            "overdue": due is not None and due < today,
            "steps": [
                {
                    "label": s.label,
                    "due": d,
                    "current": cycle.status == s,
                    "overdue": cycle.status == s and d < today,
                }
                for s, d in steps
            ],
            "submitted": sum(1 for e in entries if e.self_submitted_at),
            "may_edit": organiser and cycle.status == CycleStatus.OPEN,
        },
    )


@require_POST
def cycle_move_view(request, cycle_id: int, action: str):
    """The step buttons (A-1): start, to inspection, to the factual check, publish, reopen."""
    cycle = cycle_get_for_user(user=request.user, cycle_id=cycle_id)
    require(can_manage_cycle(request.user, cycle))
    if action not in STEP_ACTIONS:
        raise Http404
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请刷新页面后重试。"))
        return redirect("cycles:cycle-detail", cycle_id=cycle.pk)
    try:
        cycle = cycle_move(
            cycle=cycle,
            action=action,
            actor=request.user,
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data.get("reason") or "",
        )
    except RuleRefusal as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("评估已进入“%(status)s”阶段。") % {"status": cycle.get_status_display()},
        )
    return redirect("cycles:cycle-detail", cycle_id=cycle.pk)


def _explain(score) -> str:
    """A derived value's inputs in words ("成员校数：3；其中薄弱学校：1")."""
    if score is None or not score.derived_inputs:
        return ""
    parts = []
    for key, value in score.derived_inputs.items():
        name = INPUT_LABELS.get(key)
        if name is None:
            continue
        if isinstance(value, bool):
            value = _("有") if value else _("无")
        elif isinstance(value, list):
            value = "、".join(str(v) for v in value)
        parts.append(f"{name}：{value}")
    return "；".join(parts)


INPUT_LABELS = {
    "on": gettext_lazy("统计日期"),
    "from": gettext_lazy("统计期自"),
    "to": gettext_lazy("统计期至"),
    "years": gettext_lazy("财政年度"),
    "members": gettext_lazy("成员校数"),
    "weak": gettext_lazy("其中薄弱学校"),
    "dispatched": gettext_lazy("派驻人员"),
    "charter": gettext_lazy("现行章程"),
    "council_seats": gettext_lazy("在任理事"),
    "spent": gettext_lazy("支出（元）"),
    "income": gettext_lazy("收入（元）"),
    "exits": gettext_lazy("退出或被终止"),
    "yellow": gettext_lazy("黄牌"),
    "red": gettext_lazy("红牌"),
}


def entry_detail_view(request, entry_id: int):
    """One group's part (A-1 … A-4): the framework tree with the self-assessment, evidence,
    the inspector's scores, derived values with their inputs, the draft or final result with
    its dimensions, grade, the core school's bonus item (A-2) and the trend; the flags."""
    user = request.user
    entry = entry_get_for_user(user=user, entry_id=entry_id)
    cycle = entry.cycle
    organiser = is_organiser(user, cycle)
    dims = framework_tree(cycle.framework_id)
    scores = entry_scores(entry=entry)
    for d in dims:
        for ind in d.inds:
            ind.row = scores.get(ind.pk)
            ind.explained = _explain(ind.row) if ind.source == Indicator.Source.DERIVED else ""
            ind.metric = METRICS.get(ind.derived_key) if ind.derived_key else None
    result = None
    draft = False
    if cycle.status == CycleStatus.PUBLISHED:
        result = entry.result or None
    elif cycle.status == CycleStatus.FACTUAL_CHECK or (
        organiser and cycle.status == CycleStatus.INSPECTION
    ):
        result = results.compute_results(cycle, [entry])[entry.pk].as_json()
        draft = True
    grades = dict(Grade.choices)
    flags = list(entry_flags(entry=entry))
    in_check = cycle.status == CycleStatus.FACTUAL_CHECK
    all_inds = [i for d in dims for i in d.inds]
    flag_form = None
    if in_check and can_flag(user, entry).allowed:
        flag_form = FlagForm(indicators=all_inds)
    resolve_forms = {}
    if in_check and organiser:
        for f in flags:
            if f.status == FlagStatus.OPEN:
                resolve_forms[f.pk] = ResolveForm(initial={"version": f.version}, prefix=f"f{f.pk}")
    for f in flags:
        f.resolve_form = resolve_forms.get(f.pk)
    evidence_form = None
    may_self = (
        cycle.status == CycleStatus.SELF_ASSESSMENT
        and not entry.self_submitted_at
        and can_self_assess(user, entry).allowed
    )
    if may_self:
        evidence_form = EvidenceForm(
            indicators=[i for i in all_inds if i.source == Indicator.Source.MANUAL]
        )
    return render(
        request,
        "cycles/entry_detail.html",
        {
            "entry": entry,
            "cycle": cycle,
            "dims": dims,
            "result": result,
            "draft": draft,
            "grade_label": grades.get((result or {}).get("grade", ""), ""),
            "cap_label": grades.get((result or {}).get("capped_by", "") or "", ""),
            "flags": flags,
            "flag_form": flag_form,
            "evidence_form": evidence_form,
            "may_self": may_self,
            "may_score": organiser and cycle.status == CycleStatus.INSPECTION,
            "organiser": organiser,
            "today": timezone.localdate(),
        },
    )


def _tree_items(form) -> list[ScoreInput]:
    return [
        ScoreInput(ind, score=score, passed=passed, note=note)
        for ind, score, passed, note in form.values()
    ]


def entry_self_view(request, entry_id: int):
    """The self-assessment form: the whole tree of manual indicators at once (A-1)."""
    user = request.user
    entry = entry_get_for_user(user=user, entry_id=entry_id)
    require(can_self_assess(user, entry))
    indicators = list(
        Indicator.objects.filter(
            dimension__framework_id=entry.cycle.framework_id, source=Indicator.Source.MANUAL
        ).order_by("dimension__order", "order", "id")
    )
    scores = entry_scores(entry=entry)
    initial = {"version": entry.version, "summary": entry.self_summary}
    for ind in indicators:
        row = scores.get(ind.pk)
        if row is not None:
            initial[f"self_score_{ind.pk}"] = (
                verdict_value(row.self_passed)
                if ind.kind == Indicator.Kind.PASS_FAIL
                else row.self_score
            )
            initial[f"self_note_{ind.pk}"] = row.self_note
    form = SelfAssessmentForm(request.POST or None, initial=initial, indicators=indicators)
    if request.method == "POST" and form.is_valid():
        try:
            self_assessment_save(
                entry=entry,
                actor=user,
                expected_version=form.cleaned_data["version"],
                items=_tree_items(form),
                summary=form.cleaned_data.get("summary") or "",
            )
        except RuleRefusal as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, _("自评已保存。"))
            return redirect("cycles:entry-detail", entry_id=entry.pk)
    return render(request, "cycles/entry_self.html", {"entry": entry, "form": form})


@require_POST
def entry_submit_view(request, entry_id: int):
    """The core principal submits the self-assessment (A-1)."""
    entry = entry_get_for_user(user=request.user, entry_id=entry_id)
    require(can_self_assess(request.user, entry))
    form = MoveForm(request.POST)
    try:
        self_assessment_submit(
            entry=entry,
            actor=request.user,
            expected_version=form.cleaned_data["version"] if form.is_valid() else None,
        )
    except RuleRefusal as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("自评已提交。"))
    return redirect("cycles:entry-detail", entry_id=entry.pk)


@require_POST
def evidence_add_view(request, entry_id: int):
    """The core principal uploads evidence for an indicator (A-1)."""
    entry = entry_get_for_user(user=request.user, entry_id=entry_id)
    require(can_self_assess(request.user, entry))
    indicators = Indicator.objects.filter(
        dimension__framework_id=entry.cycle.framework_id, source=Indicator.Source.MANUAL
    ).select_related("dimension")
    form = EvidenceForm(request.POST, request.FILES, indicators=indicators)
    if form.is_valid():
        try:
            evidence_add(
                entry=entry,
                indicator=indicators.get(pk=form.cleaned_data["indicator"]),
                uploaded_file=form.cleaned_data["file"],
                actor=request.user,
            )
        except RuleRefusal as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("佐证材料已上传。"))
    else:
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("cycles:entry-detail", entry_id=entry.pk)


def entry_score_view(request, entry_id: int):
    """The inspector's scoring form: the whole tree of manual indicators of a group (A-1)."""
    user = request.user
    entry = entry_get_for_user(user=user, entry_id=entry_id)
    require(can_manage_cycle(user, entry.cycle))
    indicators = list(
        Indicator.objects.filter(
            dimension__framework_id=entry.cycle.framework_id, source=Indicator.Source.MANUAL
        ).order_by("dimension__order", "order", "id")
    )
    scores = entry_scores(entry=entry)
    initial = {"version": entry.version}
    for ind in indicators:
        row = scores.get(ind.pk)
        ind.row = row
        if row is not None:
            initial[f"score_{ind.pk}"] = (
                verdict_value(row.passed) if ind.kind == Indicator.Kind.PASS_FAIL else row.score
            )
            initial[f"note_{ind.pk}"] = row.inspector_note
    form = ScoringForm(request.POST or None, initial=initial, indicators=indicators)
    if request.method == "POST" and form.is_valid():
        try:
            scores_save(
                entry=entry,
                actor=user,
                expected_version=form.cleaned_data["version"],
                items=_tree_items(form),
            )
        except RuleRefusal as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, _("评分已保存。"))
            return redirect("cycles:entry-detail", entry_id=entry.pk)
    return render(request, "cycles/entry_score.html", {"entry": entry, "form": form})


@require_POST
def flag_create_view(request, entry_id: int):
    """The core principal flags a factual error in the draft result (A-1)."""
    entry = entry_get_for_user(user=request.user, entry_id=entry_id)
    require(can_flag(request.user, entry))
    indicators = Indicator.objects.filter(
        dimension__framework_id=entry.cycle.framework_id
    ).select_related("dimension")
    form = FlagForm(request.POST, indicators=indicators)
    if form.is_valid():
        pk = form.cleaned_data["indicator"]
        try:
            _flag, created = once(
                form.cleaned_data["submission"],
                request.user,
                lambda: flag_raise(
                    entry=entry,
                    actor=request.user,
                    indicator=indicators.get(pk=pk) if pk else None,
                    text=form.cleaned_data["text"],
                ),
            )
        except RuleRefusal as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("事实核对意见已提出。") if created else ALREADY_DONE)
    else:
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("cycles:entry-detail", entry_id=entry.pk)


@require_POST
def flag_resolve_view(request, flag_id: int):
    """The organiser accepts (correcting the score) or rejects a factual flag (A-1)."""
    flag = FactualFlag.objects.select_related("entry", "indicator").filter(pk=flag_id).first()
    if flag is None:
        raise Http404
    entry = entry_get_for_user(user=request.user, entry_id=flag.entry_id)
    flag.entry = entry
    require(can_manage_cycle(request.user, entry.cycle))
    form = ResolveForm(request.POST, prefix=f"f{flag.pk}")
    if form.is_valid():
        d = form.cleaned_data
        try:
            flag_resolve(
                flag=flag,
                actor=request.user,
                action=d["action"],
                reply=d.get("reply") or "",
                expected_version=d["version"],
                score=d.get("score"),
                passed=verdict(d.get("passed")),
            )
        except RuleRefusal as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("事实核对意见已处理。"))
    else:
        messages.error(request, _("请选择处理方式后重试。"))
    return redirect("cycles:entry-detail", entry_id=entry.pk)


def group_latest_view(request, group_id: int):
    """The group's latest published result the person may see (the group page's link)."""
    entry = latest_published_entry(user=request.user, group_id=group_id)
    if entry is None:
        raise Http404
    return redirect("cycles:entry-detail", entry_id=entry.pk)
