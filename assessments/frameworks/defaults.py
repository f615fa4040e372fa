"""The default framework built from the policy (A-1 … A-4; issue 10), as data.

The city bureau publishes it with the demo data (`seed_demo`) and staff copy it to make their
own revisions. Dimensions: 办学质量, 成员校发展, 社会声誉 (A-1: quality, how far the members have
developed, reputation), 核心校办学质量 (A-3: the core school's own quality must not fall) and
薄弱学校带动 (A-4: the share of weak schools). The dimensions' weights add up to 100."""

from __future__ import annotations

import datetime
from decimal import Decimal

from simple_history.utils import bulk_create_with_history

from assessments.frameworks.models import Dimension, Framework, Indicator

DEFAULT_CODE = "QD-JTHBX"
DEFAULT_NAME = "青岛市集团化办学督导评估指标体系"

M, D = Indicator.Source.MANUAL, Indicator.Source.DERIVED
SC, PF = Indicator.Kind.SCORED, Indicator.Kind.PASS_FAIL

# (code, name, weight, clause, [indicators])
# indicator: (code, name, kind, source, weight, scale_max, derived_key, params, cap_grade,
#             evidence_required, guidance)
TREE = [
    (
        "Q",
        "办学质量",
        "30",
        "A-1",
        [
            (
                "Q1",
                "集团章程与理事会规范运行",
                PF,
                D,
                "1",
                "1",
                "charter_council",
                {"min": 1},
                "good",
                False,
                "集团有现行章程且理事会在任（G-4）。",
            ),
            (
                "Q2",
                "教育教学质量整体提升",
                SC,
                M,
                "2",
                "10",
                "",
                {},
                "",
                True,
                "对照集团发展规划，评估集团内各校教育教学质量的整体变化，需上传佐证材料。",
            ),
            (
                "Q3",
                "课程、教研与资源共建共享",
                SC,
                M,
                "1.5",
                "10",
                "",
                {},
                "",
                False,
                "统一教研、课程共建、资源共享的频次与成效。",
            ),
            (
                "Q4",
                "干部教师交流（派驻人员）",
                SC,
                D,
                "1",
                "10",
                "dispatches_per_member",
                {"full_at": 2, "zero_at": 0},
                "",
                False,
                "评估期内核心校向成员校派驻干部教师人数（按成员校平均），每校 2 人及以上得满分。",
            ),
        ],
    ),
    (
        "M",
        "成员校发展",
        "30",
        "A-1",
        [
            (
                "M1",
                "成员校办学水平提升",
                SC,
                M,
                "2",
                "10",
                "",
                {},
                "",
                True,
                "成员校在管理、师资、质量方面的提升幅度，需上传佐证材料。",
            ),
            (
                "M2",
                "成员校数量与结构",
                SC,
                D,
                "1",
                "10",
                "members_count",
                {"steps": [[1, 4], [2, 6], [3, 8], [4, 10]]},
                "",
                False,
                "评估期末在册成员校数量：1 所 4 分，2 所 6 分，3 所 8 分，4 所及以上 10 分。",
            ),
            (
                "M3",
                "专项经费使用",
                SC,
                D,
                "1",
                "10",
                "subsidy_use",
                {"full_at": 90, "zero_at": 30},
                "",
                False,
                "评估期内集团经费支出占收入的比例（F-3），90% 及以上得满分，30% 及以下不得分。",
            ),
            (
                "M4",
                "成员稳定性",
                SC,
                D,
                "0.5",
                "10",
                "exits_count",
                {"full_at": 0, "zero_at": 3},
                "",
                False,
                "评估期内退出或被终止的成员校数量，无退出得满分，3 所及以上不得分。",
            ),
        ],
    ),
    (
        "R",
        "社会声誉",
        "20",
        "A-1",
        [
            (
                "R1",
                "家长与社会满意度",
                SC,
                M,
                "2",
                "100",
                "",
                {},
                "",
                True,
                "满意度调查得分（百分制），需上传调查报告。",
            ),
            (
                "R2",
                "典型经验与宣传推广",
                SC,
                M,
                "1",
                "10",
                "",
                {},
                "",
                False,
                "典型案例、经验在市级以上交流或发布情况（A-6）。",
            ),
            (
                "R3",
                "警示与处理",
                SC,
                D,
                "1",
                "10",
                "cards_issued",
                {"full_at": 0, "zero_at": 2},
                "",
                False,
                "评估期内集团成员校被警示（黄牌）或终止（红牌）的次数，无则满分，2 次及以上不得分（L-6）。",
            ),
        ],
    ),
    (
        "C",
        "核心校办学质量",
        "10",
        "A-3",
        [
            (
                "C1",
                "核心校办学质量不下滑",
                PF,
                M,
                "1",
                "1",
                "",
                {},
                "qualified",
                True,
                "核心校自身办学质量保持稳定（造血在前、输血在后）；未达标者等级最高为合格。",
            ),
            (
                "C2",
                "核心校自身发展",
                SC,
                M,
                "1",
                "10",
                "",
                {},
                "",
                False,
                "核心校在承担集团任务的同时自身的发展情况。",
            ),
        ],
    ),
    (
        "W",
        "薄弱学校带动",
        "10",
        "A-4",
        [
            (
                "W1",
                "薄弱学校占成员校比例",
                SC,
                D,
                "1",
                "10",
                "weak_share",
                {"full_at": 30, "zero_at": 0},
                "",
                False,
                "评估期末成员校中薄弱学校的比例，30% 及以上得满分（A-4）。",
            ),
            (
                "W2",
                "薄弱学校改进成效",
                SC,
                M,
                "1",
                "10",
                "",
                {},
                "",
                True,
                "薄弱成员校在评估期内的改进情况，需上传佐证材料。",
            ),
        ],
    ),
]


def build_framework(
    *,
    code: str = DEFAULT_CODE,
    name: str = DEFAULT_NAME,
    revision: int = 1,
    publish: bool = True,
    actor=None,
    now: datetime.datetime | None = None,
) -> Framework:
    """Create the default framework's tree (published unless asked otherwise). For the demo
    seeder and tests; staff make their revisions by copying it."""
    from django.utils import timezone

    now = now or timezone.now()
    framework = Framework.objects.create(
        code=code,
        name=name,
        revision=revision,
        description="依据《关于推进集团化办学的实施意见》督导考核条款（A-1 至 A-4）制定。",
        status=Framework.Status.DRAFT,
        created_at=now,
        created_by=actor,
    )
    for d_order, (d_code, d_name, weight, clause, indicators) in enumerate(TREE, start=1):
        dim = Dimension.objects.create(
            framework=framework,
            code=d_code,
            name=d_name,
            order=d_order,
            weight=Decimal(weight),
            clause=clause,
        )
        bulk_create_with_history(
            [
                Indicator(
                    dimension=dim,
                    code=i_code,
                    name=i_name,
                    order=i_order,
                    kind=kind,
                    source=source,
                    weight=Decimal(i_weight),
                    scale_max=Decimal(scale),
                    derived_key=key,
                    params=params,
                    cap_grade=cap,
                    evidence_required=evidence,
                    guidance=guidance,
                    clause=clause,
                )
                for i_order, (
                    i_code,
                    i_name,
                    kind,
                    source,
                    i_weight,
                    scale,
                    key,
                    params,
                    cap,
                    evidence,
                    guidance,
                ) in enumerate(indicators, start=1)
            ],
            Indicator,
            default_user=actor,
            default_date=now,
        )
    if publish:
        # The tree first, then the status: a published framework's tree is frozen
        # (models.FrozenFramework).
        framework.status = Framework.Status.PUBLISHED
        framework.published_at, framework.published_by = now, actor
        framework._history_user, framework._history_date = actor, now  # type: ignore[attr-defined]
        framework.save(update_fields=["status", "published_at", "published_by"])
    return framework


def default_framework_ensure(*, actor=None, now: datetime.datetime | None = None) -> Framework:
    """The default framework's first revision, built and published once (the demo seeder and
    the cycles' demo call this; a second call returns the first one)."""
    existing = Framework.objects.filter(code=DEFAULT_CODE, revision=1).first()
    return existing or build_framework(actor=actor, now=now)
