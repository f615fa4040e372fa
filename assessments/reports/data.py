"""The data a report is rendered from (policy A-1 … A-5; issue 10): plain JSON, in Chinese, kept
with the archived PDF (`OfficialDocument.data`) so a report can always be explained and shown
again. The HTML page and the PDF render the same dict with the same partials.

- `group_report_data(cycle, group)`: the group (name, code, core school, members as of the
  period's end), the cycle and framework version, the result (total, grade, the bonus item for
  the core school, A-2), dimension scores, the trend over earlier published cycles, every
  indicator with the group's own score and note, the inspector's score and note, derived values
  with their inputs in words, the factual-accuracy flags and their resolution, and the core
  school's quality (A-3) and the weak-school share (A-4) drawn out.
- `summary_data(cycle, authority=None)`: a district's (its groups: `group.authority`) or the
  city's summary: groups with totals and grades, distribution by grade, the weak-school share
  (A-4), averages, and for the city the A-5 target."""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal

from django.utils import translation

from assessments import scoring
from assessments.cycles.models import Cycle, CycleGroup, FactualFlag, Score
from assessments.cycles.results import compute_results
from assessments.cycles.workflows import CycleStatus
from assessments.frameworks.models import Grade, Indicator
from groups.registry.models import EducationGroup, Membership
from members.models import Authority

WEAK_SHARE_KEY = "weak_share"  # the derived metric behind A-4
CORE_DIMENSION = "C"  # the default framework's A-3 dimension (by clause, else by this code)


def grade_label(grade: str) -> str:
    return str(dict(Grade.choices).get(grade, grade or "—"))


def _num(value) -> str:
    if value is None:
        return ""
    value = Decimal(value)
    text = format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return text


def inputs_in_words(key: str, inputs: dict) -> str:
    """A derived indicator's inputs read out in Chinese (no arithmetic, no database)."""
    if not inputs:
        return "无数据"
    i = inputs
    texts = {
        "members_count": lambda: f"截至{i.get('on')}在册成员校{i.get('members')}所",
        "weak_share": lambda: (
            f"截至{i.get('on')}在册成员校{i.get('members')}所，其中薄弱学校{i.get('weak')}所"
        ),
        "charter_council": lambda: (
            f"截至{i.get('on')}：{'有' if i.get('charter') else '无'}现行章程，"
            f"在任理事{i.get('council_seats')}人"
        ),
        "dispatches_per_member": lambda: (
            f"{i.get('from')}至{i.get('to')}派驻干部教师{i.get('dispatched')}人次，"
            f"期末成员校{i.get('members')}所"
        ),
        "subsidy_use": lambda: (
            f"{i.get('from')}至{i.get('to')}集团经费支出{i.get('spent')}元，"
            f"{'、'.join(str(y) for y in i.get('years', []))}年度收入{i.get('income')}元"
        ),
        "exits_count": lambda: (
            f"{i.get('from')}至{i.get('to')}退出或被终止成员校{i.get('exits')}所"
        ),
        "cards_issued": lambda: (
            f"{i.get('from')}至{i.get('to')}黄牌{i.get('yellow')}次、红牌{i.get('red')}次"
        ),
    }
    if key in texts:
        return texts[key]()
    return "；".join(f"{k}：{v}" for k, v in inputs.items())


def _cycle_data(cycle: Cycle) -> dict:
    framework = cycle.framework
    return {
        "id": cycle.pk,
        "name": cycle.name,
        "authority": cycle.authority.name,
        "period_start": cycle.period_start.isoformat(),
        "period_end": cycle.period_end.isoformat(),
        "published_at": cycle.published_at.date().isoformat() if cycle.published_at else "",
        "framework": {
            "id": framework.pk,
            "code": framework.code,
            "name": framework.name,
            "revision": framework.revision,
        },
    }


def _result_of(entry: CycleGroup, cycle: Cycle) -> dict:
    if entry.result:
        return entry.result
    return compute_results(cycle, [entry])[entry.pk].as_json()


def _trend(cycle: Cycle, group: EducationGroup, entry: CycleGroup, total: str) -> list[dict]:
    """The group's totals in its published cycles up to this one, oldest first."""
    rows = [
        {"cycle": name, "year": end.year, "total": str(t)}
        for name, end, t in CycleGroup.objects.filter(
            group=group,
            cycle__status=CycleStatus.PUBLISHED,
            cycle__period_end__lte=cycle.period_end,
            total__isnull=False,
        )
        .exclude(pk=entry.pk)
        .order_by("cycle__period_end", "cycle_id")
        .values_list("cycle__name", "cycle__period_end", "total")
    ]
    rows.append({"cycle": cycle.name, "year": cycle.period_end.year, "total": total})
    return rows


def _members(group: EducationGroup, day: datetime.date) -> list[dict]:
    rows = (
        Membership.objects.active_on(day)
        .filter(group=group)
        .select_related("school")
        .order_by("role", "school__name")
    )
    return [
        {
            "name": m.school.name,
            "role": str(m.get_role_display()),
            "core": m.role == Membership.Role.CORE,
            "type": str(m.get_relation_type_display()) if m.relation_type else "",
            "stage": str(m.school.get_stage_display()),
            "weak": m.school.is_weak,
            "joined_on": m.joined_on.isoformat(),
        }
        for m in rows
    ]


def _score_text(ind: Indicator, score, passed) -> str:
    if ind.kind == Indicator.Kind.PASS_FAIL:
        return {True: "达标", False: "未达标"}.get(passed, "—")
    return "—" if score is None else f"{_num(score)} / {_num(ind.scale_max)}"


def group_report_data(cycle: Cycle, group: EducationGroup) -> dict:
    """The group's report data (plain JSON, Chinese)."""
    with translation.override("zh-hans"):
        return _group_report_data(cycle, group)


def _group_report_data(cycle: Cycle, group: EducationGroup) -> dict:
    entry = CycleGroup.objects.select_related("group__core_school", "group__authority").get(
        cycle=cycle, group=group
    )
    group = entry.group
    result = _result_of(entry, cycle)
    indicators = list(
        Indicator.objects.filter(dimension__framework_id=cycle.framework_id)
        .select_related("dimension")
        .order_by("dimension__order", "order", "id")
    )
    scores = {s.indicator_id: s for s in Score.objects.filter(entry=entry)}
    flags_by_indicator: dict[int | None, list[dict]] = {}
    for flag in FactualFlag.objects.filter(entry=entry).select_related("indicator"):
        flags_by_indicator.setdefault(flag.indicator_id, []).append(
            {
                "indicator": flag.indicator.name if flag.indicator else "",
                "indicator_code": flag.indicator.code if flag.indicator else "",
                "text": flag.text,
                "status": flag.status,
                "status_label": str(flag.get_status_display()),
                "reply": flag.reply,
                "raised_on": flag.raised_at.date().isoformat(),
                "resolved_on": flag.resolved_at.date().isoformat() if flag.resolved_at else "",
            }
        )
    dim_results = {d["code"]: d for d in result.get("dimensions", [])}
    failed = set(result.get("failed", []))
    dimensions: list[dict] = []
    a3: dict = {"indicators": [], "score": "", "percent": "", "passed": True}
    a4: dict = {"value": "", "inputs": "", "score": ""}
    for ind in indicators:
        dim = ind.dimension
        if not dimensions or dimensions[-1]["code"] != dim.code:
            got = dim_results.get(dim.code, {})
            dimensions.append(
                {
                    "code": dim.code,
                    "name": dim.name,
                    "clause": dim.clause,
                    "weight": _num(dim.weight),
                    "score": got.get("score", ""),
                    "percent": got.get("percent", ""),
                    "indicators": [],
                }
            )
        s = scores.get(ind.pk)
        derived = ind.source == Indicator.Source.DERIVED
        row = {
            "code": ind.code,
            "name": ind.name,
            "clause": ind.clause,
            "kind": ind.kind,
            "kind_label": str(ind.get_kind_display()),
            "source_label": str(ind.get_source_display()),
            "derived": derived,
            "scale_max": _num(ind.scale_max),
            "self": "" if derived or s is None else _score_text(ind, s.self_score, s.self_passed),
            "self_note": s.self_note if s else "",
            "score": _score_text(ind, s.score if s else None, s.passed if s else None),
            "failed": ind.code in failed,
            "inspector_note": s.inspector_note if s else "",
            "derived_value": _num(s.derived_value) if s and derived else "",
            "derived_inputs": inputs_in_words(ind.derived_key, s.derived_inputs)
            if s and derived
            else "",
            "guidance": ind.guidance,
            "flags": flags_by_indicator.get(ind.pk, []),
        }
        dimensions[-1]["indicators"].append(row)
        if ind.clause == "A-3" or dim.clause == "A-3":
            a3["indicators"].append(row)
            if row["failed"]:
                a3["passed"] = False
        if ind.derived_key == WEAK_SHARE_KEY:
            a4 = {
                "value": row["derived_value"],
                "inputs": row["derived_inputs"],
                "score": row["score"],
            }
    for d in dimensions:
        if d["clause"] == "A-3":
            a3["score"], a3["percent"] = d["score"], d["percent"]
    members = _members(group, cycle.period_end)
    return {
        "scope": "group",
        "cycle": _cycle_data(cycle),
        "group": {
            "id": group.pk,
            "name": group.name,
            "code": group.code,
            "core_school": group.core_school.name,
            "authority": group.authority.name,
            "founded_on": group.founded_on.isoformat(),
            "members_on": cycle.period_end.isoformat(),
        },
        "members": members,
        "member_count": sum(1 for m in members if not m["core"]),
        "result": {
            "total": result.get("total", ""),
            "grade": result.get("grade", ""),
            "grade_label": grade_label(result.get("grade", "")),
            "band_grade_label": grade_label(result.get("band_grade", "")),
            "capped": result.get("grade") != result.get("band_grade"),
            "bonus": result.get("bonus", ""),
            "trend": result.get("trend", {}),
            "missing": result.get("missing", []),
        },
        "dimensions": dimensions,
        "flags": [f for rows in flags_by_indicator.values() for f in rows],
        "general_flags": flags_by_indicator.get(None, []),
        "a3": a3,
        "a4": a4,
        "trend": _trend(cycle, group, entry, result.get("total", "")),
        "self_summary": entry.self_summary,
    }


def summary_data(cycle: Cycle, authority: Authority | None = None) -> dict:
    """A district's summary (`authority`: its groups, by the group's approving authority) or the
    city's (None: every group of the cycle)."""
    with translation.override("zh-hans"):
        return _summary_data(cycle, authority)


def _summary_data(cycle: Cycle, authority: Authority | None) -> dict:
    entries = CycleGroup.objects.filter(cycle=cycle).select_related("group__authority")
    if authority is not None:
        entries = entries.filter(group__authority=authority)
    entries = list(entries.order_by("group__code"))
    missing_results = [e for e in entries if not e.result]
    computed = compute_results(cycle, missing_results) if missing_results else {}
    weak = {
        entry_id: (value, inputs)
        for entry_id, value, inputs in Score.objects.filter(
            entry__in=entries, indicator__derived_key=WEAK_SHARE_KEY
        ).values_list("entry_id", "derived_value", "derived_inputs")
    }
    rows = []
    grades: Counter = Counter()
    totals: list[Decimal] = []
    members = weak_members = 0
    for e in entries:
        result = e.result or computed[e.pk].as_json()
        value, inputs = weak.get(e.pk, (None, {}))
        members += int(inputs.get("members", 0) or 0)
        weak_members += int(inputs.get("weak", 0) or 0)
        grades[result.get("grade", "")] += 1
        if result.get("total"):
            totals.append(Decimal(result["total"]))
        rows.append(
            {
                "group": e.group.name,
                "code": e.group.code,
                "authority": e.group.authority.name,
                "total": result.get("total", ""),
                "grade": result.get("grade", ""),
                "grade_label": grade_label(result.get("grade", "")),
                "bonus": result.get("bonus", ""),
                "weak_share": _num(value) if value is not None else "",
                "change": (result.get("trend") or {}).get("change") or "",
            }
        )
    average = scoring.points(sum(totals, Decimal(0)) / len(totals)) if totals else None
    data = {
        "scope": "district" if authority is not None else "city",
        "cycle": _cycle_data(cycle),
        "authority": authority.name if authority is not None else cycle.authority.name,
        "groups": rows,
        "count": len(rows),
        "distribution": [
            {"grade": g, "label": grade_label(g), "count": grades.get(g, 0)} for g in scoring.GRADES
        ],
        "average": str(average) if average is not None else "",
        "highest": str(max(totals)) if totals else "",
        "lowest": str(min(totals)) if totals else "",
        "weak": {
            "members": members,
            "weak": weak_members,
            "share": _num((Decimal(weak_members) * 100 / members).quantize(Decimal("0.01")))
            if members
            else "0",
        },
    }
    if authority is None:
        data["targets"] = city_targets(cycle.period_end)
    return data


def city_targets(day: datetime.date) -> dict:
    """Policy A-5: groups in being at the period's end against the city's targets (at least 10
    by 2020, 30 by 2025)."""
    from qingdao_groups.selectors import CITY_GROUP_TARGETS

    actual = EducationGroup.objects.active_on(day).count()
    return {
        "on": day.isoformat(),
        "actual": actual,
        "targets": [
            {"year": year, "target": target, "met": actual >= target}
            for year, target in CITY_GROUP_TARGETS
        ],
    }
