"""The cycle pages (policy A-1 … A-4): a walk through the views as city staff and the core
principal, what each role sees, and query counts constant whatever the number of groups."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.cycles.models import Cycle, CycleGroup, FactualFlag, Score
from assessments.cycles.workflows import FlagStatus
from assessments.frameworks.models import Indicator
from members.models import User
from tests.assessments.cycle_helpers import default_framework, manual, pdf, walk_to
from tests.factories import EducationGroupFactory, MembershipFactory, SchoolFactory

pytestmark = pytest.mark.django_db


def _entry(cycle, group):
    return CycleGroup.objects.get(cycle=cycle, group=group)


def test_a_cycle_walked_through_the_pages_A1_A2(world, client):
    city, principal = world.users["city"], world.users["principal"]
    framework = default_framework()
    client.force_login(city)
    response = client.post(
        reverse("cycles:cycle-create"),
        {
            "name": "页面评估",
            "framework": framework.pk,
            "period_start": "2024-09-01",
            "period_end": "2025-08-31",
            "self_assessment_due": "2025-09-30",
            "inspection_due": "2025-10-31",
            "factual_check_due": "2025-11-15",
            "groups": [str(world.group.pk)],
        },
    )
    cycle = Cycle.objects.get(name="页面评估")
    assert response.status_code == 302
    client.post(reverse("cycles:cycle-move", args=[cycle.pk, "start"]), {"version": 1})
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.SELF_ASSESSMENT
    entry = _entry(cycle, world.group)

    client.force_login(principal)
    data = {"version": entry.version, "summary": "总结"}
    for ind in manual(cycle):
        if ind.kind == Indicator.Kind.PASS_FAIL:
            data[f"self_score_{ind.pk}"] = "yes"
        else:
            data[f"self_score_{ind.pk}"] = "8"
        data[f"self_note_{ind.pk}"] = "说明"
    assert client.post(reverse("cycles:entry-self", args=[entry.pk]), data).status_code == 302
    for ind in manual(cycle):
        if ind.evidence_required:
            client.post(
                reverse("cycles:evidence-add", args=[entry.pk]),
                {"indicator": ind.pk, "file": pdf()},
            )
    entry.refresh_from_db()
    client.post(reverse("cycles:entry-submit", args=[entry.pk]), {"version": entry.version})
    entry.refresh_from_db()
    assert entry.self_submitted_at is not None
    page = client.get(reverse("cycles:entry-detail", args=[entry.pk])).content.decode()
    assert "evidence-link" in page

    client.force_login(city)
    client.post(reverse("cycles:cycle-move", args=[cycle.pk, "to_inspection"]), {"version": 2})
    entry.refresh_from_db()
    data = {"version": entry.version}
    for ind in manual(cycle):
        data[f"score_{ind.pk}"] = "yes" if ind.kind == Indicator.Kind.PASS_FAIL else "7"
        data[f"note_{ind.pk}"] = "意见"
    assert client.post(reverse("cycles:entry-score", args=[entry.pk]), data).status_code == 302
    client.post(reverse("cycles:cycle-move", args=[cycle.pk, "to_factual_check"]), {"version": 3})
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.FACTUAL_CHECK

    client.force_login(principal)
    page = client.get(reverse("cycles:entry-detail", args=[entry.pk])).content.decode()
    assert 'data-testid="result"' in page and "A-2" in page
    client.post(reverse("cycles:flag-create", args=[entry.pk]), {"indicator": "", "text": "有误"})
    flag = FactualFlag.objects.get(entry=entry)

    client.force_login(city)
    client.post(
        reverse("cycles:flag-resolve", args=[flag.pk]),
        {f"f{flag.pk}-version": 1, f"f{flag.pk}-action": "reject", f"f{flag.pk}-reply": "不予采纳"},
    )
    flag.refresh_from_db()
    assert flag.status == FlagStatus.REJECTED
    client.post(reverse("cycles:cycle-move", args=[cycle.pk, "publish"]), {"version": 4})
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.PUBLISHED
    response = client.get(reverse("cycles:group-latest", args=[world.group.pk]))
    assert response["Location"] == reverse("cycles:entry-detail", args=[entry.pk])
    group_page = client.get(reverse("groups:group-detail", args=[world.group.pk])).content.decode()
    assert "group-assessment-link" in group_page and "督导评估结果发布" in group_page


def test_district_staff_see_only_their_groups_of_a_city_cycle_read_only_A1(world, client):
    cycle = walk_to(world, Cycle.Status.INSPECTION)
    client.force_login(world.users["district"])
    page = client.get(reverse("cycles:cycle-detail", args=[cycle.pk])).content.decode()
    assert world.group.name in page and world.other_group.name not in page
    assert "move-" not in page
    entry = _entry(cycle, world.group)
    page = client.get(reverse("cycles:entry-detail", args=[entry.pk])).content.decode()
    assert "score-edit" not in page


def test_overdue_steps_are_shown_in_red_A1(world, client):
    walk_to(world, Cycle.Status.SELF_ASSESSMENT)  # due 2025-09-30, long past
    client.force_login(world.users["city"])
    page = client.get(reverse("cycles:cycle-list")).content.decode()
    assert 'data-testid="overdue"' in page and "text-danger" in page


def test_inbox_and_reminders_cover_cycles_A1(world):
    from qingdao_groups.core.inbox import inbox_for_user
    from qingdao_groups.core.reminders import source_for_model

    cycle = walk_to(world, Cycle.Status.SELF_ASSESSMENT)
    principal = User.objects.get(pk=world.users["principal"].pk)
    assert any(i.key == "cycle-self" for i in inbox_for_user(principal))
    waiting = source_for_model(CycleGroup).waiting(_entry(cycle, world.group))
    assert waiting.deadline == cycle.self_assessment_due
    assert principal.pk in {u.pk for u in waiting.users}
    cycle = walk_to(world, Cycle.Status.INSPECTION, cycle=None)
    city = User.objects.get(pk=world.users["city"].pk)
    assert any(i.key == "cycle-score" for i in inbox_for_user(city))


def test_english_labels(world, client):
    user = world.users["city"]
    user.language = "en"
    user.save()
    walk_to(world, Cycle.Status.SELF_ASSESSMENT)
    client.force_login(user)
    page = client.get(reverse("cycles:cycle-list")).content.decode()
    assert "Self-assessment" in page or "self-assessment" in page.lower()


def _grow(world, cycle, n):
    """n more groups in the cycle, each with scores and an open flag."""
    inds = list(Indicator.objects.filter(dimension__framework=cycle.framework))
    for _i in range(n):
        group = EducationGroupFactory(core_school=SchoolFactory(authority=world.shinan))
        MembershipFactory(group=group, school=SchoolFactory(authority=world.shinan))
        entry = CycleGroup.objects.create(cycle=cycle, group=group)
        for ind in inds:
            Score.objects.create(entry=entry, indicator=ind, score=Decimal("5"), self_note="x")
        FactualFlag.objects.create(entry=entry, text="有误")
    entry = _entry(cycle, world.group)
    FactualFlag.objects.create(entry=entry, text="又一条", indicator=inds[0])


def _count(client, url, user):
    from django.core.cache import cache

    from qingdao_groups.core.inbox import inbox_counts

    cache.clear()
    inbox_counts(user)  # the menu's count is cached apart (tests/test_query_counts.py)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# session, user, the cycle (+ scope), entries with their counts, manual count; the part page:
# the entry, the framework (dimensions, indicators), scores + evidence, flags, the draft
# result's reads (framework specs, scores, previous totals), the menu's count.
CEILINGS = {"cycle": 12, "part": 22}


@pytest.mark.parametrize("role", ["city", "district", "principal", "auditor"])
def test_cycle_pages_read_a_constant_number_of_queries(world, client, role):
    cycle = walk_to(world, Cycle.Status.FACTUAL_CHECK)
    user = User.objects.get(pk=world.users[role].pk)
    client.force_login(user)
    urls = {
        "cycle": reverse("cycles:cycle-detail", args=[cycle.pk]),
        "part": reverse("cycles:entry-detail", args=[_entry(cycle, world.group).pk]),
    }
    for url in urls.values():
        client.get(url)
    small = {k: _count(client, u, user) for k, u in urls.items()}
    _grow(world, cycle, 6)
    large = {k: _count(client, u, user) for k, u in urls.items()}
    assert large == small
    for k, n in large.items():
        assert n <= CEILINGS[k], (k, n)
