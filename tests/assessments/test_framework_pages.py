"""The framework pages (assessments/frameworks/views.py; policy A-1 … A-4; issue 10): the tree
in words with clause citations, the worked example computed with assessments.scoring, the
editor's round trip, publication listing every problem, and a constant number of queries."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from assessments import scoring
from assessments.frameworks.defaults import build_framework
from assessments.frameworks.explain import params_in_words
from assessments.frameworks.models import Framework, Indicator
from assessments.frameworks.services import framework_copy, indicator_add
from tests.assessments.builders import make_cycle

pytestmark = pytest.mark.django_db


def _detail(framework):
    return reverse("frameworks:framework-detail", args=[framework.pk])


def test_the_page_reads_the_tree_in_words_with_clauses_and_the_worked_example_A1_A2_A3(
    client, world
):
    framework = build_framework()
    make_cycle(world, framework=framework, name="2025学年集团化办学督导评估")
    client.force_login(world.users["principal"])
    page = client.get(_detail(framework)).content.decode()
    assert "办学质量" in page and "A-1" in page and "A-3" in page and "A-4" in page
    assert "30% 及以上得满分，0% 及以下不得分，其间按比例计分" in page  # W1
    assert "达到 4 所 得 10 分" in page  # M2's steps
    assert "0 次 及以下得满分" in page  # R3: fewer cards is better
    assert "满足即为达标" in page  # Q1 charter and council
    assert "需上传佐证材料" in page
    assert "2025学年集团化办学督导评估" in page  # the cycle using it
    # the worked example is scoring's own result for 8/10 everywhere
    inds = Indicator.objects.filter(dimension__framework=framework)
    dims = [scoring.DimensionSpec(d.code, d.name, d.weight) for d in framework.dimensions.all()]
    specs = [
        scoring.IndicatorSpec(
            i.code, i.dimension.code, i.name, i.kind, i.weight, i.scale_max, i.cap_grade
        )
        for i in inds
    ]
    scores = [
        scoring.IndicatorScore(i.code, score=i.scale_max * D("0.8"), passed=True) for i in inds
    ]
    result = scoring.score_group(
        dims,
        specs,
        scores,
        grade_bands=framework.grade_bands,
        bonus_points=framework.bonus_points,
    )
    assert result.total == D("80.00")
    assert f'data-testid="example-total">{result.total}<' in page
    assert "核心校绩效考核加 2.00 分" in page  # 良好 → 2
    # C1 (the core school's own quality, A-3) caps hardest: at 合格
    assert (
        "同一集团若“C1 核心校办学质量不下滑”未达标，总分不变，等级为“合格”，核心校加 1.00 分"
        in page
    )


def test_the_page_in_english(client, world):
    framework = build_framework()
    user = world.users["auditor"]
    user.language = "en"
    user.save()
    client.force_login(user)
    page = client.get(_detail(framework)).content.decode()
    assert "Worked example" in page


def test_params_in_words_for_each_shape():
    translation.activate("zh-hans")
    ind = Indicator(kind="scored", source="derived", derived_key="weak_share", scale_max=D("10"))
    ind.params = {"full_at": 30, "zero_at": 0}
    assert params_in_words(ind) == "30% 及以上得满分，0% 及以下不得分，其间按比例计分"
    ind.params = {"steps": [[1, 4], [2, 6]]}
    assert params_in_words(ind) == "达到 1% 得 4 分；达到 2% 得 6 分"
    ind.kind, ind.derived_key, ind.params = "pass_fail", "exits_count", {"max": 1}
    assert params_in_words(ind) == "不超过 1 所为达标"
    ind.params = {"full_at": 1}
    assert params_in_words(ind) == "参数待完善"


def test_the_editor_round_trip_city_staff(client, world):
    source = build_framework()
    client.force_login(world.users["city"])
    response = client.post(reverse("frameworks:framework-copy", args=[source.pk]), {})
    draft = Framework.objects.get(code=source.code, revision=2)
    assert response["Location"] == _detail(draft)
    # an indicator with a derived metric, through the form
    dim = draft.dimensions.get(code="M")
    url = reverse("frameworks:indicator-add", args=[draft.pk, dim.pk])
    form = {
        "version": draft.version,
        "code": "M5",
        "name": "新吸纳成员校",
        "kind": "scored",
        "source": "derived",
        "weight": "1",
        "scale_max": "10",
        "derived_key": "admissions_count",
        "rule": "steps",
        "steps": "1:5，2:10",
        "clause": "A-1",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    m5 = Indicator.objects.get(dimension=dim, code="M5")
    assert m5.params == {"steps": [[1, 5], [2, 10]]} and m5.order == 5
    # a stale form is refused, the input kept
    response = client.post(url, form | {"code": "M6"})
    assert response.status_code == 200 and "已被他人处理或修改" in response.content.decode()
    # weights off: publication refused, every problem listed on the page
    draft.refresh_from_db()
    edit = reverse("frameworks:dimension-edit", args=[draft.pk, dim.pk])
    client.post(
        edit,
        {
            "version": draft.version,
            "code": "M",
            "name": "成员校发展",
            "weight": "40",
            "clause": "A-1",
        },
    )
    draft.refresh_from_db()
    page = client.get(_detail(draft)).content.decode()
    assert "各维度权重合计应为 100 分，现为 110 分。" in page
    response = client.post(
        reverse("frameworks:framework-publish", args=[draft.pk]),
        {"version": draft.version},
        follow=True,
    )
    assert "尚不能发布" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"
    client.post(
        edit,
        {
            "version": draft.version,
            "code": "M",
            "name": "成员校发展",
            "weight": "30",
            "clause": "A-1",
        },
    )
    draft.refresh_from_db()
    client.post(
        reverse("frameworks:framework-publish", args=[draft.pk]), {"version": draft.version}
    )
    draft.refresh_from_db()
    assert draft.status == "published"
    # the editor's pages of a published framework send back with the message
    response = client.get(reverse("frameworks:dimension-add", args=[draft.pk]), follow=True)
    assert "已发布的评估指标体系不能修改" in response.content.decode()


def test_the_framework_edit_form_saves_bands_and_bonus_A2(client, world):
    draft = framework_copy(source=build_framework(), actor=world.users["city"])
    client.force_login(world.users["city"])
    data = {"version": draft.version, "name": "新名称", "description": ""}
    for grade, low, bonus in (
        ("excellent", "85", "4"),
        ("good", "70", "2"),
        ("qualified", "60", "1"),
        ("unqualified", "0", "0"),
    ):
        data[f"min_{grade}"], data[f"bonus_{grade}"] = low, bonus
    response = client.post(reverse("frameworks:framework-edit", args=[draft.pk]), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.grade_bands[0] == {"grade": "excellent", "min": "85"}
    assert draft.bonus_points["excellent"] == "4"


def _page_queries(client, url) -> int:
    cache.clear()
    client.get(url)  # warm the session and the caches a first request fills
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _grow(framework, n: int, actor) -> None:
    for dim in framework.dimensions.all():
        for k in range(n):
            framework.refresh_from_db()
            indicator_add(
                dimension=dim,
                actor=actor,
                expected_version=framework.version,
                data={
                    "code": f"{dim.code}X{k}",
                    "name": f"增加的指标{k}",
                    "kind": "scored",
                    "source": "derived" if k % 2 else "manual",
                    "derived_key": "members_count" if k % 2 else "",
                    "params": {"full_at": 4, "zero_at": 0} if k % 2 else {},
                },
            )


@pytest.mark.parametrize("role", ["city", "principal"])
def test_framework_pages_read_a_constant_number_of_queries(client, world, role):
    """The page reads the tree in two queries whatever its size (7 at most for the page)."""
    city = world.users["city"]
    framework = framework_copy(source=build_framework(), actor=city)
    if role == "principal":
        Framework.objects.filter(pk=framework.pk).update(status="published")
    client.force_login(world.users[role])
    urls = [_detail(framework), reverse("frameworks:framework-list")]
    small = [_page_queries(client, url) for url in urls]
    if role == "principal":
        framework = framework_copy(source=framework, actor=city)
        _grow(framework, 6, city)
        Framework.objects.filter(pk=framework.pk).update(status="published")
        urls = [_detail(framework), reverse("frameworks:framework-list")]
    else:
        _grow(framework, 6, city)
        for _ in range(3):
            make_cycle(world, framework=framework, period_end=datetime.date(2025, 8, 31))
    big = [_page_queries(client, url) for url in urls]
    assert big == small, (small, big)
    assert max(big) <= 9
