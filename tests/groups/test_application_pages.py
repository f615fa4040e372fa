"""The application pages as users meet them: constant queries, CSRF, a decision that fails keeps
the approver's input, a forged id reveals nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from groups.applications.models import Application
from tests.groups import workflow_helpers as h

INBOX_CEILING = 14
DETAIL_CEILING = 30


def _queries(client, url, django_assert_max_num_queries, ceiling):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    assert len(ctx.captured_queries) <= ceiling, len(ctx.captured_queries)
    return len(ctx.captured_queries)


def test_inbox_queries_do_not_grow_with_work(client, world, django_assert_max_num_queries):
    built = h.founding_ready(world)
    client.force_login(built.decider)
    url = reverse("applications:inbox")
    client.get(url)
    small = _queries(client, url, django_assert_max_num_queries, INBOX_CEILING)
    for _ in range(6):
        h.founding_ready(world)
    response = client.get(url)
    assert len(response.context["items"]) == 7
    large = _queries(client, url, django_assert_max_num_queries, INBOX_CEILING)
    assert large == small


def test_inbox_lists_oldest_first_with_days_waited(client, world):
    first = h.founding_ready(world)
    second = h.founding_ready(world)
    Application.objects.filter(pk=first.application.pk).update(
        step_started_at=first.application.step_started_at.replace(year=2025)
    )
    client.force_login(first.decider)
    items = client.get(reverse("applications:inbox")).context["items"]
    assert items[0].title == first.application.proposed_name
    assert items[0].days_waiting > items[1].days_waiting >= 0
    assert second.application.proposed_name in items[1].title


def test_decision_page_queries_do_not_grow_with_members(
    client, world, django_assert_max_num_queries
):
    small = h.founding_ready(world)
    client.force_login(small.decider)
    url = reverse("applications:detail", args=[small.application.pk])
    client.get(url)
    n_small = _queries(client, url, django_assert_max_num_queries, DETAIL_CEILING)
    assert "decision_form" in client.get(url).context
    big = h.founding_ready(world)
    for i in range(8):
        school = h.SchoolFactory(name=f"追加学校{i}", authority=world.shinan)
        from groups.applications.models import ProposedMember

        ProposedMember.objects.create(
            application=big.application,
            school=school,
            relation_type="T-3",
            relation_subtype="T-3a",
            projects="项目",
        )
    client.force_login(big.decider)
    client.get(
        reverse("applications:detail", args=[big.application.pk])
    )  # the work list's count, recomputed once after a change (issue 8), is not the page's
    n_big = _queries(
        client,
        reverse("applications:detail", args=[big.application.pk]),
        django_assert_max_num_queries,
        DETAIL_CEILING,
    )
    assert n_big == n_small


def test_decision_needs_csrf(world):
    built = h.founding_ready(world)
    client = Client(enforce_csrf_checks=True)
    client.force_login(built.decider)
    url = reverse("applications:decide", args=[built.application.pk])
    data = {
        "version": built.application.version,
        "action": "approve",
        "reason": "同意",
        "justification": "说明",
    }
    assert client.post(url, data).status_code == 403
    assert built.refresh().status == Application.Status.UNDER_DECISION
    page = client.get(reverse("applications:detail", args=[built.application.pk]))
    data["csrfmiddlewaretoken"] = page.context["csrf_token"]
    assert client.post(url, data).status_code == 302
    assert built.refresh().status in (Application.Status.APPROVED,)


def test_failed_decision_keeps_the_input_and_explains(client, world):
    built = h.founding_ready(world, fusion_warning=True)  # a T-1 warning needs a justification
    client.force_login(built.decider)
    url = reverse("applications:decide", args=[built.application.pk])
    response = client.post(
        url, {"version": built.application.version, "action": "approve", "reason": "我写的审批意见"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "批准前须填写书面说明" in html and "我写的审批意见" in html
    assert built.refresh().status == Application.Status.UNDER_DECISION


def test_stale_decision_form_says_so(client, world):
    built = h.founding_ready(world)
    client.force_login(built.decider)
    url = reverse("applications:decide", args=[built.application.pk])
    stale = built.application.version - 1
    response = client.post(
        url, {"version": stale, "action": "reject", "reason": "不同意"}, follow=True
    )
    assert response.redirect_chain == [
        (reverse("applications:detail", args=[built.application.pk]), 302)
    ]
    assert "已被他人处理或修改" in response.content.decode()
    assert built.refresh().status == Application.Status.UNDER_DECISION


def test_decision_by_another_district_is_forbidden(client, world):
    built = h.founding_ready(world)
    client.force_login(built.consenters[world.shibei.pk])  # may see it, may not decide
    url = reverse("applications:decide", args=[built.application.pk])
    response = client.post(
        url, {"version": built.application.version, "action": "approve", "reason": "越权"}
    )
    assert response.status_code == 403
    assert built.refresh().status == Application.Status.UNDER_DECISION


@pytest.mark.parametrize("name", ["detail", "decide", "submit"])
def test_swapped_id_of_an_unseen_application_is_404(client, world, name):
    built = h.founding_ready(world)
    client.force_login(world.users["member"])
    url = reverse(f"applications:{name}", args=[built.application.pk])
    response = client.post(url, {"version": 1}) if name != "detail" else client.get(url)
    assert response.status_code == 404
    assert built.application.proposed_name not in response.content.decode()


def test_decisions_past_their_deadline_are_marked_overdue(client, world):
    from datetime import timedelta

    from groups.registry.models import PolicyParameters

    built = h.founding_ready(world)
    days = PolicyParameters.current().decision_days
    Application.objects.filter(pk=built.application.pk).update(
        step_started_at=built.application.step_started_at - timedelta(days=days + 1)
    )
    client.force_login(built.decider)
    response = client.get(reverse("applications:inbox"))
    [item] = response.context["items"]
    assert item.is_overdue and item.days_waiting == days + 1
    assert 'class="table-danger"' in response.content.decode()


def test_documents_cannot_change_once_submitted(client, world):
    # policy L-1: the authorities consent to and decide on the documents as submitted

    built = h.founding_ready(world)
    before = built.application.attachments.count()
    client.force_login(built.principal)
    response = client.post(
        reverse("applications:upload", args=[built.application.pk]),
        {"kind": "charter", "file": h.pdf("换掉的章程.pdf")},
        follow=True,
    )
    assert "不能修改申请" in response.content.decode()
    assert built.application.attachments.count() == before


def test_bad_spin_off_value_is_404_not_500(client, world):
    client.force_login(world.users["member"])
    response = client.get(reverse("applications:new-founding"), {"spin_off": "abc"})
    assert response.status_code == 404


def test_start_date_far_in_the_past_is_refused(client, world):
    client.force_login(world.users["member"])
    response = client.post(
        reverse("applications:new-exit", args=[world.membership.pk]),
        {"version": 0, "reason": "理由", "start_on": "0001-01-01"},
    )
    assert response.status_code == 200
    assert "生效日期须在一年前至三年后之间" in response.content.decode()
    assert not Application.objects.filter(kind="exit").exists()


def test_member_principal_does_not_see_another_members_card_on_the_group_page(client, world):
    from groups.cards.services import card_issue_yellow
    from tests.factories import MembershipFactory, SchoolFactory

    other = MembershipFactory(group=world.group, school=SchoolFactory(name="另一成员校"))
    staff = h.staff(world.shinan)
    card_issue_yellow(membership=other, ground="incident", description="重大事故", actor=staff)
    client.force_login(world.users["member"])
    response = client.get(reverse("groups:group-detail", args=[world.group.pk]))
    assert response.context["open_cards"] == []
    assert all("黄牌" not in e.text for e in response.context["story"])
    client.force_login(world.users["principal"])  # the core school sees its group's cards
    response = client.get(reverse("groups:group-detail", args=[world.group.pk]))
    assert len(response.context["open_cards"]) == 1


def test_principal_inbox_lists_a_returned_enrollment_plan(client, world):
    from groups.enrollment.services import enrollment_plan_file, enrollment_plan_return

    plan = enrollment_plan_file(
        school=world.member_school,
        year=2026,
        places=120,
        classes=3,
        catchment="划片",
        method="catchment",
        through_training=False,
        gifted_programme=False,
        visiting_study=False,
        notes="",
        actor=world.users["member"],
    )
    enrollment_plan_return(plan=plan, remarks="人数超出核定规模", actor=h.staff(world.shibei))
    client.force_login(world.users["member"])
    items = client.get(reverse("applications:inbox")).context["items"]
    assert [(i.kind, i.note) for i in items] == [("招生计划被退回", "人数超出核定规模")]
