"""Writing assessment frameworks (policy A-1 … A-4; issue 10): copy, edit the draft's fields and
tree, publish. Every change is made by city staff (`permissions.can_edit_frameworks`), takes
`now` and the actor, writes history rows, and records itself on the framework as its `edit`
move through the workflow runner (lock, expected version, table, one history row), so a form
opened before someone else's change is refused as stale. Only a draft changes: a published
revision never does (the models refuse too: `models.FrozenFramework`); a new revision starts as
a copy."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from assessments.frameworks.models import Dimension, Framework, Indicator
from assessments.frameworks.permissions import can_edit_frameworks
from assessments.frameworks.validation import framework_problems
from assessments.frameworks.workflows import FRAMEWORK_TRANSITIONS, FrameworkAction
from qingdao_groups.core import workflow
from qingdao_groups.core.locks import hold_named_lock
from qingdao_groups.core.messages import concat, encode, label
from qingdao_groups.core.rules import RuleRefusal, require

A = FrameworkAction
FROZEN = _("已发布的评估指标体系不能修改；如需调整，请复制为新版本后修改并发布。")

DIMENSION_FIELDS = ("code", "name", "weight", "clause", "description")
INDICATOR_FIELDS = (
    "code",
    "name",
    "kind",
    "source",
    "weight",
    "scale_max",
    "derived_key",
    "params",
    "cap_grade",
    "evidence_required",
    "guidance",
    "clause",
)


class NotReady(RuleRefusal):
    """Publication refused: `problems` lists every reason (validation.framework_problems)."""

    def __init__(self, problems: list[str]):
        super().__init__(
            _("该评估指标体系尚不能发布，请先解决以下 %(n)d 个问题。") % {"n": len(problems)}
        )
        self.problems = problems


def _locked_draft(framework: Framework, expected_version: int | None) -> Framework:
    """The framework locked, at the version the form showed, and still a draft."""
    locked = workflow.lock(framework, expected_version=expected_version)
    if locked.is_published:
        raise RuleRefusal(FROZEN, field="state")
    workflow.ensure_allowed(locked, table=FRAMEWORK_TRANSITIONS, action=A.EDIT)
    return locked


def _record(framework: Framework, *, actor, reason, now, changes: dict | None = None) -> Framework:
    """The change as the framework's `edit` move: version bumped, one history row."""
    return workflow.transition(
        framework,
        action=A.EDIT,
        table=FRAMEWORK_TRANSITIONS,
        actor=actor,
        reason=reason,
        expected_version=None,
        changes=changes,
        now=now,
    )


def _what(kind, code: str, name: str):
    return concat(label(kind), f"：{code} {name}")


# --- copy -----------------------------------------------------------------------------------


@transaction.atomic
def framework_copy(
    *,
    source: Framework,
    actor,
    code: str = "",
    name: str = "",
    now: datetime.datetime | None = None,
) -> Framework:
    """A new draft copied from `source` (a published or draft framework) with its whole tree:
    the next revision of the same code, or revision 1 (or the next) of another code (A-1).
    Every copied row gets its history row."""
    require(can_edit_frameworks(actor))
    now = now or timezone.now()
    code = (code or "").strip() or source.code
    hold_named_lock(f"assessment-framework:{code}")
    latest = Framework.objects.filter(code=code).aggregate(n=Max("revision"))["n"] or 0
    reason = concat(label(_("复制自")), f" {source.code} v{source.revision}")
    copy = Framework(
        code=code,
        revision=latest + 1,
        name=(name or "").strip() or source.name,
        description=source.description,
        status=Framework.Status.DRAFT,
        based_on=source,
        grade_bands=source.grade_bands,
        bonus_points=source.bonus_points,
        created_at=now,
        created_by=actor,
    )
    workflow.stamp(copy, actor=actor, reason=reason, now=now)
    copy.save()
    dimensions = list(Dimension.objects.filter(framework=source).order_by("order", "id"))
    indicators = list(Indicator.objects.filter(dimension__framework=source).order_by("order", "id"))
    new_dims = bulk_create_with_history(
        [
            Dimension(
                framework=copy,
                code=d.code,
                name=d.name,
                order=d.order,
                weight=d.weight,
                clause=d.clause,
                description=d.description,
            )
            for d in dimensions
        ],
        Dimension,
        default_user=actor,
        default_date=now,
        default_change_reason=encode(reason),
    )
    by_old = {old.pk: new for old, new in zip(dimensions, new_dims, strict=True)}
    bulk_create_with_history(
        [
            Indicator(
                dimension=by_old[i.dimension_id],
                **{f: getattr(i, f) for f in INDICATOR_FIELDS},
                order=i.order,
            )
            for i in indicators
        ],
        Indicator,
        default_user=actor,
        default_date=now,
        default_change_reason=encode(reason),
    )
    return copy


# --- the framework's own fields ---------------------------------------------------------------


@transaction.atomic
def framework_edit(
    *,
    framework: Framework,
    actor,
    expected_version: int | None,
    name: str,
    description: str,
    grade_bands: list[dict],
    bonus_points: dict,
    now: datetime.datetime | None = None,
) -> Framework:
    """A draft's name, description, grade bands and the bonus points per grade the core school
    earns (A-2). The bands' shape is checked at publication with everything else."""
    require(can_edit_frameworks(actor))
    locked = _locked_draft(framework, expected_version)
    return _record(
        locked,
        actor=actor,
        reason=label(_("修改指标体系基本信息")),
        now=now,
        changes={
            "name": name,
            "description": description,
            "grade_bands": grade_bands,
            "bonus_points": bonus_points,
        },
    )


# --- dimensions -----------------------------------------------------------------------------


def _check_dimension_code(framework: Framework, code: str, exclude: int | None = None) -> None:
    taken = Dimension.objects.filter(framework=framework, code=code).exclude(pk=exclude)
    if taken.exists():
        raise RuleRefusal(
            _("本指标体系已有代码为“%(code)s”的维度。") % {"code": code}, field="code"
        )


@transaction.atomic
def dimension_add(
    *,
    framework: Framework,
    actor,
    expected_version: int | None,
    data: dict[str, Any],
    now: datetime.datetime | None = None,
) -> Dimension:
    """A new dimension at the end of a draft (A-1)."""
    require(can_edit_frameworks(actor))
    now = now or timezone.now()
    locked = _locked_draft(framework, expected_version)
    fields = {f: data[f] for f in DIMENSION_FIELDS if f in data}
    _check_dimension_code(locked, fields["code"])
    last = Dimension.objects.filter(framework=locked).aggregate(n=Max("order"))["n"] or 0
    dimension = Dimension(framework=locked, order=last + 1, **fields)
    reason = _what(_("新增维度"), dimension.code, dimension.name)
    workflow.stamp(dimension, actor=actor, reason=reason, now=now)
    dimension.save()
    _record(locked, actor=actor, reason=reason, now=now)
    return dimension


def _locked_dimension(dimension: Dimension, expected_version: int | None):
    locked = _locked_draft(dimension.framework, expected_version)
    return locked, Dimension.objects.select_for_update().get(pk=dimension.pk)


@transaction.atomic
def dimension_edit(
    *,
    dimension: Dimension,
    actor,
    expected_version: int | None,
    data: dict[str, Any],
    now: datetime.datetime | None = None,
) -> Dimension:
    """A draft's dimension: code, name, weight, clause, description (A-1)."""
    require(can_edit_frameworks(actor))
    now = now or timezone.now()
    framework, row = _locked_dimension(dimension, expected_version)
    fields = {f: data[f] for f in DIMENSION_FIELDS if f in data}
    _check_dimension_code(framework, fields.get("code", row.code), exclude=row.pk)
    changed = [f for f, v in fields.items() if getattr(row, f) != v]
    for f in changed:
        setattr(row, f, fields[f])
    reason = _what(_("修改维度"), row.code, row.name)
    if changed:
        workflow.stamp(row, actor=actor, reason=reason, now=now)
        row.save(update_fields=changed)
        _record(framework, actor=actor, reason=reason, now=now)
    return row


@transaction.atomic
def dimension_remove(
    *,
    dimension: Dimension,
    actor,
    expected_version: int | None,
    now: datetime.datetime | None = None,
) -> None:
    """A draft's dimension goes with its indicators (each with its history row)."""
    require(can_edit_frameworks(actor))
    now = now or timezone.now()
    framework, row = _locked_dimension(dimension, expected_version)
    reason = _what(_("删除维度"), row.code, row.name)
    for ind in Indicator.objects.filter(dimension=row):
        workflow.stamp(ind, actor=actor, reason=reason, now=now)
        ind.delete()
    workflow.stamp(row, actor=actor, reason=reason, now=now)
    row.delete()
    _renumber(
        list(Dimension.objects.filter(framework=framework).order_by("order", "id")), actor, now
    )
    _record(framework, actor=actor, reason=reason, now=now)


def _renumber(rows: list, actor, now) -> None:
    """Orders 1 … n in the given sequence; only rows whose order changes are saved."""
    for position, row in enumerate(rows, start=1):
        if row.order != position:
            row.order = position
            workflow.stamp(row, actor=actor, reason=label(_("调整顺序")), now=now)
            row.save(update_fields=["order"])


def _moved(rows: list, pk: int, direction: str) -> list:
    index = next(i for i, r in enumerate(rows) if r.pk == pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
    return rows


@transaction.atomic
def dimension_move(
    *,
    dimension: Dimension,
    actor,
    expected_version: int | None,
    direction: str,
    now: datetime.datetime | None = None,
) -> None:
    """A draft's dimension one place up or down."""
    require(can_edit_frameworks(actor))
    now = now or timezone.now()
    framework, row = _locked_dimension(dimension, expected_version)
    rows = list(Dimension.objects.filter(framework=framework).order_by("order", "id"))
    _renumber(_moved(rows, row.pk, direction), actor, now)
    _record(framework, actor=actor, reason=_what(_("调整维度顺序"), row.code, row.name), now=now)


# --- indicators -----------------------------------------------------------------------------


def _check_indicator_code(framework: Framework, code: str, exclude: int | None = None) -> None:
    """Indicator codes are unique across the framework: scores are keyed by them
    (scoring.score_group)."""
    taken = Indicator.objects.filter(dimension__framework=framework, code=code).exclude(pk=exclude)
    if taken.exists():
        raise RuleRefusal(
            _("本指标体系已有代码为“%(code)s”的指标。") % {"code": code}, field="code"
        )


def _indicator_fields(data: dict[str, Any]) -> dict[str, Any]:
    fields = {f: data[f] for f in INDICATOR_FIELDS if f in data}
    if fields.get("source") == Indicator.Source.MANUAL:
        fields["derived_key"], fields["params"] = "", {}
    if fields.get("kind") == Indicator.Kind.SCORED:
        fields["cap_grade"] = ""
    for name in ("weight", "scale_max"):
        if name in fields and fields[name] is None:
            fields[name] = Decimal("1") if name == "weight" else Decimal("10")
    return fields


@transaction.atomic
def indicator_add(
    *,
    dimension: Dimension,
    actor,
    expected_version: int | None,
    data: dict[str, Any],
    now: datetime.datetime | None = None,
) -> Indicator:
    """A new indicator at the end of a draft's dimension (A-1)."""
    require(can_edit_frameworks(actor))
    now = now or timezone.now()
    framework, row = _locked_dimension(dimension, expected_version)
    fields = _indicator_fields(data)
    _check_indicator_code(framework, fields["code"])
    last = Indicator.objects.filter(dimension=row).aggregate(n=Max("order"))["n"] or 0
    indicator = Indicator(dimension=row, order=last + 1, **fields)
    reason = _what(_("新增指标"), indicator.code, indicator.name)
    workflow.stamp(indicator, actor=actor, reason=reason, now=now)
    indicator.save()
    _record(framework, actor=actor, reason=reason, now=now)
    return indicator


def _locked_indicator(indicator: Indicator, expected_version: int | None):
    framework = _locked_draft(indicator.dimension.framework, expected_version)
    return framework, Indicator.objects.select_for_update().get(pk=indicator.pk)


@transaction.atomic
def indicator_edit(
    *,
    indicator: Indicator,
    actor,
    expected_version: int | None,
    data: dict[str, Any],
    now: datetime.datetime | None = None,
) -> Indicator:
    """A draft's indicator: what it measures, how (kind, source, metric and parameters), its
    weight and scale, the grade cap of a pass/fail indicator (A-3), evidence and guidance."""
    require(can_edit_frameworks(actor))
    now = now or timezone.now()
    framework, row = _locked_indicator(indicator, expected_version)
    fields = _indicator_fields(data)
    _check_indicator_code(framework, fields.get("code", row.code), exclude=row.pk)
    changed = [f for f, v in fields.items() if getattr(row, f) != v]
    for f in changed:
        setattr(row, f, fields[f])
    reason = _what(_("修改指标"), row.code, row.name)
    if changed:
        workflow.stamp(row, actor=actor, reason=reason, now=now)
        row.save(update_fields=changed)
        _record(framework, actor=actor, reason=reason, now=now)
    return row


@transaction.atomic
def indicator_remove(
    *,
    indicator: Indicator,
    actor,
    expected_version: int | None,
    now: datetime.datetime | None = None,
) -> None:
    require(can_edit_frameworks(actor))
    now = now or timezone.now()
    framework, row = _locked_indicator(indicator, expected_version)
    reason = _what(_("删除指标"), row.code, row.name)
    dimension_id = row.dimension_id
    workflow.stamp(row, actor=actor, reason=reason, now=now)
    row.delete()
    _renumber(
        list(Indicator.objects.filter(dimension_id=dimension_id).order_by("order", "id")),
        actor,
        now,
    )
    _record(framework, actor=actor, reason=reason, now=now)


@transaction.atomic
def indicator_move(
    *,
    indicator: Indicator,
    actor,
    expected_version: int | None,
    direction: str,
    now: datetime.datetime | None = None,
) -> None:
    """A draft's indicator one place up or down within its dimension."""
    require(can_edit_frameworks(actor))
    now = now or timezone.now()
    framework, row = _locked_indicator(indicator, expected_version)
    rows = list(Indicator.objects.filter(dimension_id=row.dimension_id).order_by("order", "id"))
    _renumber(_moved(rows, row.pk, direction), actor, now)
    _record(framework, actor=actor, reason=_what(_("调整指标顺序"), row.code, row.name), now=now)


# --- publish --------------------------------------------------------------------------------


def problems_of(framework: Framework) -> list[str]:
    """Every reason the framework cannot be published yet (two queries)."""
    dimensions = list(Dimension.objects.filter(framework=framework).order_by("order", "id"))
    indicators = list(
        Indicator.objects.filter(dimension__framework=framework).order_by("order", "id")
    )
    return framework_problems(
        grade_bands=framework.grade_bands,
        bonus_points=framework.bonus_points,
        dimensions=dimensions,
        indicators=indicators,
    )


@transaction.atomic
def framework_publish(
    *,
    framework: Framework,
    actor,
    expected_version: int | None,
    now: datetime.datetime | None = None,
) -> Framework:
    """Publish a draft once it passes every check (validation.framework_problems: weights add
    up to 100, indicators, parameters, grade bands, A-1 … A-4); from then on it never changes
    and cycles may be scored on it."""
    require(can_edit_frameworks(actor))
    now = now or timezone.now()
    locked = workflow.lock(framework, expected_version=expected_version)
    workflow.ensure_allowed(locked, table=FRAMEWORK_TRANSITIONS, action=A.PUBLISH)
    problems = problems_of(locked)
    if problems:
        raise NotReady(problems)
    return workflow.transition(
        locked,
        action=A.PUBLISH,
        table=FRAMEWORK_TRANSITIONS,
        actor=actor,
        expected_version=None,
        changes={"published_at": now, "published_by": actor},
        now=now,
    )
