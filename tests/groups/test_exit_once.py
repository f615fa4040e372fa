"""One open exit per membership, drafts included (policy L-5, issue 8): the service refuses a
second one naming the first and linking to it, the database keeps it so under a race, the group
page links to the open exit instead of offering another, and the member may withdraw its exit at
every step before the decision. Exit pages show only the checks an exit is checked against."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from groups.applications import checks
from groups.applications.models import OPEN_EXIT_STATUSES, Application
from groups.applications.services import application_create, application_withdraw
from groups.applications.workflows import OPEN_STATUSES
from qingdao_groups.core.rules import RuleRefusal
from qingdao_groups.models import Notification
from tests.factories import MembershipFactory, SchoolFactory
from tests.groups import workflow_helpers as h
from tests.test_query_counts import count_queries

S = Application.Status


def test_the_index_condition_lists_the_open_statuses():
    assert set(OPEN_EXIT_STATUSES) == {str(s) for s in OPEN_STATUSES}


def test_a_second_exit_draft_is_refused_naming_and_linking_the_first(world):
    # policy L-5: drafts included
    built = h.exit_draft(world)
    with pytest.raises(RuleRefusal) as exc:
        application_create(
            kind=Application.Kind.EXIT,
            actor=built.principal,
            membership=world.membership,
            reason="再来一份",
        )
    message = str(exc.value.message)
    assert "L-5" in message
    assert "退出集团" in message and world.group.name in message and "草稿" in message
    assert reverse("applications:detail", args=[built.application.pk]) in message
    assert Application.objects.filter(kind="exit", membership=world.membership).count() == 1


@pytest.mark.parametrize("step", ["submitted", "under_decision", "returned"])
def test_a_second_exit_is_refused_at_every_open_step(world, step):
    built = h.exit_draft(world)
    h.submit(built)
    if step != "submitted":
        h.give_opinion(world, built)
    if step == "returned":
        from groups.applications.services import application_decide

        app = built.refresh()
        application_decide(
            application=app,
            action="return",
            reason="请补充材料",
            actor=built.decider,
            expected_version=app.version,
        )
    with pytest.raises(RuleRefusal, match="L-5"):
        application_create(
            kind=Application.Kind.EXIT, actor=built.principal, membership=world.membership
        )


def test_after_a_withdrawal_a_new_exit_may_be_started(world):
    built = h.exit_draft(world)
    application_withdraw(application=built.refresh(), actor=built.principal)
    again = application_create(
        kind=Application.Kind.EXIT, actor=built.principal, membership=world.membership
    )
    assert again.status == S.DRAFT


def test_the_database_refuses_a_second_open_exit_written_past_the_service(world):
    built = h.exit_draft(world)
    first = built.application
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(
            kind="exit",
            status=S.UNDER_DECISION,
            applicant_school=first.applicant_school,
            group=first.group,
            membership=first.membership,
            deciding_authority=first.deciding_authority,
            created_by=first.created_by,
        )
    # a closed one beside it is fine
    Application.objects.create(
        kind="exit",
        status=S.WITHDRAWN,
        applicant_school=first.applicant_school,
        group=first.group,
        membership=first.membership,
        deciding_authority=first.deciding_authority,
        created_by=first.created_by,
    )


def test_the_exit_check_names_and_links_an_other_open_exit(world):
    # The check stays as a second guard (policy L-5): a row written past the service.
    built = h.exit_draft(world)
    other = Application.objects.create(
        kind="exit",
        status=S.WITHDRAWN,
        applicant_school=built.application.applicant_school,
        group=world.group,
        membership=world.membership,
        deciding_authority=built.application.deciding_authority,
        created_by=built.principal,
    )
    outcomes = checks.check_one_open_application(checks.load_context(other, timezone.localdate()))
    assert [(o.clause, o.passed) for o in outcomes] == [("L-5", False)]
    assert outcomes[0].url == reverse("applications:detail", args=[built.application.pk])
    assert "草稿" in outcomes[0].message


# --- withdrawing at every step before the decision (policy L-5) ------------------------------


@pytest.mark.parametrize("step", ["draft", "awaiting_opinion", "under_decision"])
def test_the_member_withdraws_its_exit_before_the_decision(world, step, login):
    built = h.exit_draft(world)
    if step != "draft":
        h.submit(built)
    if step == "under_decision":
        h.give_opinion(world, built)
    app = built.refresh()
    assert app.status == step
    client = login(built.principal)
    page = client.get(reverse("applications:detail", args=[app.pk])).content.decode()
    assert 'data-testid="withdraw"' in page
    response = client.post(
        reverse("applications:withdraw", args=[app.pk]), {"version": app.version}
    )
    assert response.status_code == 302
    assert built.refresh().status == S.WITHDRAWN
    if step == "under_decision":  # the authority that had it on its desk hears of it
        assert Notification.objects.filter(
            user=built.decider, message__contains="撤回退出申请"
        ).exists()


def test_only_the_applicant_side_withdraws_and_not_after_the_decision(world, login):
    built = h.exit_ready(world)
    core_principal = h.principal(world.core)
    with pytest.raises(PermissionDenied):
        application_withdraw(application=built.refresh(), actor=core_principal)
    with pytest.raises(PermissionDenied):
        application_withdraw(application=built.refresh(), actor=built.decider)
    page = login(built.decider).get(reverse("applications:detail", args=[built.application.pk]))
    assert 'data-testid="withdraw"' not in page.content.decode()
    from groups.applications.services import application_decide

    app = built.refresh()
    application_decide(
        application=app,
        action="reject",
        reason="不同意",
        actor=built.decider,
        expected_version=app.version,
    )
    with pytest.raises(RuleRefusal):
        application_withdraw(application=built.refresh(), actor=built.principal)


# --- the group page and the exit pages --------------------------------------------------------


def test_the_group_page_links_to_the_open_exit_instead_of_offering_another(world, login):
    client = login(world.users["member"])
    url = reverse("groups:group-detail", args=[world.group.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="new-exit"' in page and 'data-testid="open-exit"' not in page
    built = h.exit_draft(world)
    page = client.get(url).content.decode()
    assert 'data-testid="new-exit"' not in page
    assert 'data-testid="open-exit"' in page
    assert reverse("applications:detail", args=[built.application.pk]) in page
    assert "退出申请进行中" in page


def test_the_group_page_reads_open_exits_in_one_query(world, login):
    client = login(world.users["district"])
    url = reverse("groups:group-detail", args=[world.group.pk])
    h.exit_draft(world)
    client.get(url)
    few = count_queries(client, url)
    for _i in range(5):
        membership = MembershipFactory(group=world.group, school=SchoolFactory())
        h.exit_draft(world, membership=membership)
    page = client.get(url).content.decode()
    assert page.count('data-testid="open-exit"') == 6
    assert count_queries(client, url) == few


def test_the_exit_form_of_a_membership_with_an_open_exit_leads_to_it(world, login):
    built = h.exit_draft(world)
    client = login(built.principal)
    url = reverse("applications:new-exit", args=[world.membership.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="open-exit"' in page
    assert reverse("applications:detail", args=[built.application.pk]) in page
    assert "创建草稿" not in page
    # a form left open in another tab and posted: refused, nothing created, the link shown
    response = client.post(url, {"reason": "再来一份", "submission": "x" * 32})
    assert response.status_code == 200
    assert reverse("applications:detail", args=[built.application.pk]) in response.content.decode()
    assert Application.objects.filter(kind="exit", membership=world.membership).count() == 1


def test_an_exit_is_checked_only_against_the_exit_clauses(world):
    # Issue 8: no founding-only checks (G-1 "proposed schools", G-6 the core's nature, L-1
    # documents) on an exit.
    built = h.exit_draft(world)
    clauses = {o.clause for o in checks.run_checks(built.refresh(), timezone.localdate())}
    assert clauses <= {"L-5", "A-4"}
    assert "L-5" in clauses


@pytest.mark.parametrize("role", ["member", "district"])
def test_exit_pages_show_no_founding_checks(world, login, role):
    world.core.nature = "private"  # would raise G-6 on a founding or admission
    world.core.save()
    built = h.exit_ready(world)
    user = built.principal if role == "member" else built.decider
    page = login(user).get(reverse("applications:detail", args=[built.application.pk]))
    text = page.content.decode()
    assert "拟加入学校均未加入其他集团" not in text
    assert "G-6" not in text and "民办学校" not in text
    assert "L-5" in text
    new = login(built.principal).get(reverse("applications:new-exit", args=[world.membership.pk]))
    assert "G-1" not in new.content.decode() and "G-6" not in new.content.decode()
