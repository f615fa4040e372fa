"""The framework editor's services (assessments/frameworks/services.py; policy A-1 … A-4;
issue 10): copying keeps the tree and numbers revisions, drafts change through the workflow
runner with history rows, publication checks everything and lists every problem, and a
published revision never changes — not through the services, not through the models, not
through the Django admin."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from assessments.frameworks import services
from assessments.frameworks.defaults import TREE, build_framework
from assessments.frameworks.models import Dimension, Framework, FrozenFramework, Indicator
from assessments.frameworks.services import NotReady, framework_copy, framework_publish
from assessments.frameworks.validation import framework_problems, params_problems
from qingdao_groups.core.history import history_rows
from qingdao_groups.core.rules import RuleRefusal
from qingdao_groups.core.workflow import StaleVersion
from tests.assessments.builders import make_cycle

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2026, 3, 2, 10, 0))


def _tree(framework):
    return [
        (
            d.code,
            d.name,
            d.order,
            d.weight,
            d.clause,
            [
                (
                    i.code,
                    i.kind,
                    i.source,
                    i.weight,
                    i.scale_max,
                    i.derived_key,
                    i.params,
                    i.cap_grade,
                )
                for i in d.indicators.order_by("order")
            ],
        )
        for d in framework.dimensions.order_by("order")
    ]


def _draft(world):
    return framework_copy(source=build_framework(), actor=world.users["city"], now=NOW)


def test_copy_keeps_the_tree_and_takes_the_next_revision_A1(world):
    published = build_framework()
    copy = framework_copy(source=published, actor=world.users["city"], now=NOW)
    assert (copy.code, copy.revision, copy.status) == (published.code, 2, "draft")
    assert copy.based_on == published and copy.created_at == NOW
    assert _tree(copy) == _tree(published)
    assert copy.grade_bands == published.grade_bands
    assert copy.bonus_points == published.bonus_points
    # every copied row has its history row, dated `now`, by the actor
    n_ind = Indicator.objects.filter(dimension__framework=copy).count()
    assert n_ind == sum(len(inds) for *_x, inds in TREE)
    rows = history_rows(Indicator).filter(dimension_id__in=copy.dimensions.values("pk"))
    assert rows.count() == n_ind
    assert {r.history_user_id for r in rows} == {world.users["city"].pk}
    assert {r.history_date for r in rows} == {NOW}
    # a copy of the copy: revision 3; another code starts at 1
    again = framework_copy(source=copy, actor=world.users["city"], now=NOW)
    assert again.revision == 3
    other = framework_copy(source=copy, actor=world.users["city"], code="QD-NEW", now=NOW)
    assert (other.code, other.revision, other.name) == ("QD-NEW", 1, copy.name)
    assert _tree(other) == _tree(published)


def test_only_city_staff_change_frameworks_A1(world):
    published = build_framework()
    for role in ("district", "principal", "auditor", "admin", "member"):
        with pytest.raises(PermissionDenied):
            framework_copy(source=published, actor=world.users[role])


def test_a_draft_edit_goes_through_the_runner_with_its_version(world):
    draft = _draft(world)
    city = world.users["city"]
    services.framework_edit(
        framework=draft,
        actor=city,
        expected_version=draft.version,
        name="新名称",
        description="说明",
        grade_bands=draft.grade_bands,
        bonus_points={"excellent": "5", "good": "3", "qualified": "1", "unqualified": "0"},
        now=NOW,
    )
    draft.refresh_from_db()
    assert draft.name == "新名称" and draft.version == 2 and draft.bonus_points["excellent"] == "5"
    with pytest.raises(StaleVersion):
        services.framework_edit(
            framework=draft,
            actor=city,
            expected_version=1,
            name="x",
            description="",
            grade_bands=draft.grade_bands,
            bonus_points=draft.bonus_points,
        )


def test_dimensions_and_indicators_are_added_edited_moved_and_removed(world):
    draft = _draft(world)
    city = world.users["city"]
    dim = services.dimension_add(
        framework=draft,
        actor=city,
        expected_version=draft.version,
        data={"code": "X", "name": "新维度", "weight": D("5"), "clause": "A-1", "description": ""},
        now=NOW,
    )
    draft.refresh_from_db()
    assert dim.order == 6 and draft.version == 2
    with pytest.raises(RuleRefusal) as refused:
        services.dimension_add(
            framework=draft,
            actor=city,
            expected_version=draft.version,
            data={"code": "X", "name": "重复", "weight": D("1"), "clause": "", "description": ""},
        )
    assert refused.value.field == "code"
    ind = services.indicator_add(
        dimension=dim,
        actor=city,
        expected_version=draft.version,
        data={
            "code": "X1",
            "name": "新吸纳成员校",
            "kind": "scored",
            "source": "derived",
            "weight": D("1"),
            "scale_max": D("10"),
            "derived_key": "admissions_count",
            "params": {"full_at": 2, "zero_at": 0},
            "cap_grade": "good",  # dropped: only pass/fail indicators cap
        },
        now=NOW,
    )
    assert ind.cap_grade == "" and ind.order == 1
    with pytest.raises(RuleRefusal):  # indicator codes are unique across the framework
        services.indicator_add(
            dimension=dim,
            actor=city,
            expected_version=draft.version + 1,
            data={"code": "Q1", "name": "x", "kind": "scored", "source": "manual"},
        )
    draft.refresh_from_db()
    services.dimension_move(
        dimension=dim, actor=city, expected_version=draft.version, direction="up", now=NOW
    )
    assert list(draft.dimensions.order_by("order").values_list("code", flat=True)) == [
        "Q",
        "M",
        "R",
        "C",
        "X",
        "W",
    ]
    draft.refresh_from_db()
    services.dimension_edit(
        dimension=dim,
        actor=city,
        expected_version=draft.version,
        data={"code": "X", "name": "改名", "weight": D("6"), "clause": "A-1", "description": ""},
    )
    assert Dimension.objects.get(pk=dim.pk).name == "改名"
    draft.refresh_from_db()
    services.dimension_remove(dimension=dim, actor=city, expected_version=draft.version, now=NOW)
    assert not Indicator.objects.filter(pk=ind.pk).exists()
    assert list(draft.dimensions.order_by("order").values_list("order", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
    ]
    deleted = history_rows(Indicator).filter(id=ind.pk, history_type="-").get()
    assert deleted.history_user_id == city.pk


def test_publish_refuses_listing_every_problem_A1_A2(world):
    draft = _draft(world)
    city = world.users["city"]
    q = draft.dimensions.get(code="Q")
    Dimension.objects.filter(pk=q.pk).update(weight=D("35"))  # total 105
    c2 = Indicator.objects.get(dimension__framework=draft, code="C2")
    Indicator.objects.filter(pk=c2.pk).update(weight=D("0"), cap_grade="good")
    m2 = Indicator.objects.get(dimension__framework=draft, code="M2")
    Indicator.objects.filter(pk=m2.pk).update(derived_key="no_such_metric")
    w1 = Indicator.objects.get(dimension__framework=draft, code="W1")
    Indicator.objects.filter(pk=w1.pk).update(params={"full_at": 30})
    Framework.objects.filter(pk=draft.pk).update(
        grade_bands=[{"grade": "excellent", "min": "90"}, {"grade": "good", "min": "95"}]
    )
    draft.refresh_from_db()
    with pytest.raises(NotReady) as refused:
        framework_publish(framework=draft, actor=city, expected_version=draft.version)
    problems = refused.value.problems
    text = "\n".join(problems)
    assert "各维度权重合计应为 100 分，现为 105 分。" in problems
    assert "指标“C2 核心校自身发展”：评分类指标的权重应大于 0。" in problems
    assert "指标“C2 核心校自身发展”：只有达标类指标可以设置“未达标时最高等级”。" in problems
    assert "数据指标“no_such_metric”不存在" in text
    assert "指标“W1 薄弱学校占成员校比例”：评分类数据指标的参数应为" in text
    assert "各等级的最低分应从高到低严格递减。" in problems
    assert "最低一个等级的最低分应为 0。" in problems
    assert len(problems) == 7
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_publish_freezes_the_revision_and_every_path_refuses_a_change_A1(world):
    draft = _draft(world)
    city = world.users["city"]
    published = framework_publish(
        framework=draft, actor=city, expected_version=draft.version, now=NOW
    )
    assert published.status == "published" and published.published_at == NOW
    assert published.published_by == city
    # the services
    with pytest.raises(RuleRefusal, match="已发布的评估指标体系不能修改"):
        services.dimension_add(
            framework=published,
            actor=city,
            expected_version=published.version,
            data={"code": "Z", "name": "z", "weight": D("1"), "clause": "", "description": ""},
        )
    with pytest.raises(RuleRefusal):
        framework_publish(framework=published, actor=city, expected_version=published.version)
    # the models, whoever calls them
    dim = published.dimensions.first()
    ind = Indicator.objects.filter(dimension=dim).first()
    dim.weight = D("1")
    for attempt in (
        dim.save,
        dim.delete,
        lambda: ind.save(),
        ind.delete,
        lambda: Indicator.objects.filter(pk=ind.pk).update(weight=D("9")),
        lambda: Indicator.objects.filter(pk=ind.pk).delete(),
        lambda: Dimension.objects.filter(pk=dim.pk).update(weight=D("9")),
        lambda: Dimension.objects.bulk_create(
            [Dimension(framework=published, code="Z", name="z", weight=1)]
        ),
        lambda: Indicator.objects.create(dimension=dim, code="Z1", name="z"),
        lambda: Framework.objects.filter(pk=published.pk).update(name="改"),
        lambda: Framework.objects.filter(pk=published.pk).delete(),
        published.delete,
    ):
        with pytest.raises(FrozenFramework):
            attempt()
    published.name = "改名"
    with pytest.raises(FrozenFramework):
        published.save()
    assert Framework.objects.get(pk=published.pk).name != "改名"


def test_even_the_admin_cannot_change_a_published_framework(client, world):
    framework = build_framework()
    dim = framework.dimensions.first()
    client.force_login(world.users["admin"])
    url = reverse("admin:assessments_dimension_change", args=[dim.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert 'name="weight"' not in response.content.decode()  # shown read-only
    response = client.post(
        url, {"framework": framework.pk, "code": "Q", "name": "改", "order": 1, "weight": "50"}
    )
    assert response.status_code == 403
    response = client.post(
        reverse("admin:assessments_framework_delete", args=[framework.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Dimension.objects.get(pk=dim.pk).weight == D("30")
    # a draft stays editable in the admin
    draft = framework_copy(source=framework, actor=world.users["city"])
    url = reverse("admin:assessments_framework_change", args=[draft.pk])
    assert 'name="name"' in client.get(url).content.decode()


def test_a_framework_used_by_a_cycle_cannot_be_deleted(world):
    draft = _draft(world)
    make_cycle(world, framework=draft)
    with pytest.raises(ProtectedError):
        draft.delete()


def test_the_default_framework_passes_the_publish_check_A1_A3_A4():
    framework = build_framework(publish=False)
    assert services.problems_of(framework) == []


@pytest.mark.parametrize(
    ("kind", "params", "ok"),
    [
        ("scored", {"full_at": 30, "zero_at": 0}, True),
        ("scored", {"full_at": 0, "zero_at": 3}, True),
        ("scored", {"full_at": 3, "zero_at": 3}, False),
        ("scored", {"full_at": "x", "zero_at": 0}, False),
        ("scored", {"steps": [[1, 4], [2, 6], [4, 10]]}, True),
        ("scored", {"steps": [[2, 4], [1, 6]]}, False),
        ("scored", {"steps": [[1, 40]]}, False),  # above the scale
        ("scored", {"steps": []}, False),
        ("scored", {"min": 1}, False),
        ("scored", {}, False),
        ("pass_fail", {"min": 1}, True),
        ("pass_fail", {"max": 0}, True),
        ("pass_fail", {"min": 1, "max": 3}, True),
        ("pass_fail", {"min": 3, "max": 1}, False),
        ("pass_fail", {"full_at": 1, "zero_at": 0}, False),
        ("pass_fail", {"min": True}, False),
        ("scored", [1, 2], False),
    ],
)
def test_derived_parameters_match_the_scoring_functions_shapes(kind, params, ok):
    assert (params_problems(kind, params, D("10")) == []) is ok


def test_a_weighted_dimension_of_pass_fail_indicators_alone_is_a_problem():
    dim = Dimension(pk=1, code="P", name="达标", weight=D("100"))
    ind = Indicator(dimension_id=1, code="P1", name="p", kind="pass_fail", source="manual")
    problems = framework_problems(
        grade_bands=[{"grade": "qualified", "min": "0"}],
        bonus_points={"qualified": "1"},
        dimensions=[dim],
        indicators=[ind],
    )
    assert problems == ["维度“P 达标”有权重但没有评分类指标，该维度将始终得 0 分。"]
