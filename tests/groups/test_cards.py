"""Yellow and red cards (policy L-6): the transition table, the services (state, audit history,
queued notifications), the pages, a whole yellow → red story, stale forms and query counts."""

import datetime
import threading

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import close_old_connections, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groups.cards.models import Card
from groups.cards.services import (
    card_issue_red,
    card_issue_yellow,
    card_lift,
    card_reject_rectification,
    card_submit_rectification,
    cards_mark_overdue,
)
from groups.cards.tasks import cards_mark_overdue_task
from groups.cards.workflows import CARD_TRANSITIONS, CardAction, CardStatus
from groups.registry.models import Membership, PolicyParameters
from members.models import User
from qingdao_groups.core.messages import render
from qingdao_groups.core.rules import RuleRefusal
from qingdao_groups.core.workflow import StaleVersion, TransitionRefused, next_status
from qingdao_groups.models import Attachment, Notification
from tests.factories import (
    EducationGroupFactory,
    MembershipFactory,
    SchoolFactory,
    UserFactory,
    district_bureau,
)

D = datetime.date
S = CardStatus
A = CardAction


def today() -> datetime.date:
    return timezone.localdate()


# --- The transition table, without the database ------------------------------------------------


@pytest.mark.parametrize(
    ("current", "action", "expected"),
    [
        (S.YELLOW_ISSUED, A.RECTIFY, S.UNDER_REVIEW),
        (S.OVERDUE, A.RECTIFY, S.UNDER_REVIEW),
        (S.UNDER_REVIEW, A.LIFT, S.LIFTED),
        (S.UNDER_REVIEW, A.REJECT_RECTIFICATION, S.YELLOW_ISSUED),
        (S.YELLOW_ISSUED, A.MARK_OVERDUE, S.OVERDUE),
        (S.OVERDUE, A.ESCALATE, S.ESCALATED),
        (S.UNDER_REVIEW, A.ESCALATE, S.ESCALATED),
        (S.YELLOW_ISSUED, A.CLOSE, S.CLOSED),
        (S.UNDER_REVIEW, A.CLOSE, S.CLOSED),
        (S.OVERDUE, A.CLOSE, S.CLOSED),
    ],
)
def test_allowed_card_moves(current, action, expected):
    assert next_status(CARD_TRANSITIONS, current, action) == expected


def test_the_table_has_exactly_the_moves_of_policy_l6():
    assert len(CARD_TRANSITIONS) == 10


@pytest.mark.parametrize(
    ("current", "action"),
    [
        (S.YELLOW_ISSUED, A.LIFT),  # nothing to review yet
        (S.OVERDUE, A.LIFT),
        (S.UNDER_REVIEW, A.RECTIFY),  # already submitted
        (S.UNDER_REVIEW, A.MARK_OVERDUE),  # the clock stops while staff review
        (S.OVERDUE, A.MARK_OVERDUE),
        (S.LIFTED, A.RECTIFY),
        (S.LIFTED, A.ESCALATE),
        (S.RED_ISSUED, A.LIFT),
        (S.RED_ISSUED, A.ESCALATE),
        (S.ESCALATED, A.ESCALATE),
        (S.ESCALATED, A.RECTIFY),
        (S.YELLOW_ISSUED, A.ESCALATE),  # the member first gets its chance to rectify (L-6)
        (S.CLOSED, A.RECTIFY),
        (S.CLOSED, A.ESCALATE),
    ],
)
def test_refused_card_moves(current, action):
    with pytest.raises(TransitionRefused):
        next_status(CARD_TRANSITIONS, current, action)


# --- Fixtures ------------------------------------------------------------------------------------


@pytest.fixture
def w(world):
    """The world with e-mail addresses, so queued notifications can be counted in mail.outbox."""
    for role, user in world.users.items():
        user.email = f"{role}@example.cn"
        user.save(update_fields=["email"])
    world.staff = world.users["district"]
    world.member = world.users["member"]
    return world


def yellow(w, **kw) -> Card:
    args = {
        "membership": w.membership,
        "ground": Card.Ground.AGREEMENT,
        "description": "未按协议派出骨干教师",
        "actor": w.staff,
    } | kw
    return card_issue_yellow(**args)


def reasons(card: Card) -> list[str]:
    return [
        render(reason)
        for reason in card.history.order_by("history_date", "history_id").values_list(
            "history_change_reason", flat=True
        )
    ]


def outbox_to() -> list[str]:
    return sorted(addr for m in mail.outbox for addr in m.to)


# --- Services ------------------------------------------------------------------------------------


def test_yellow_card_defaults_deadline_records_who_and_notifies_after_commit(
    w, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        card = yellow(w)
        assert mail.outbox == []  # nothing leaves before the commit
    # the relay nudge, and the work list's counts made stale again at the commit (issue 8)
    assert len(callbacks) == 2
    days = PolicyParameters.current().rectification_days
    assert (card.level, card.status, card.version) == ("yellow", S.YELLOW_ISSUED, 1)
    assert card.deadline == today() + datetime.timedelta(days=days)
    assert card.group == w.group
    record = card.history.get()
    assert record.history_user == w.staff and render(record.history_change_reason) == "发出黄牌预警"
    assert outbox_to() == ["member@example.cn"]
    assert Notification.objects.get(user=w.member).url == reverse("cards:detail", args=[card.pk])


def test_only_the_core_authority_issues_cards(w):
    # policy L-6: bureau staff of the core school's authority (市南), not the city or a principal
    for role in ("city", "principal", "member", "auditor", "admin"):
        with pytest.raises(PermissionDenied):
            yellow(w, actor=w.users[role])
    assert not Card.objects.exists()


def test_yellow_card_needs_a_future_deadline_and_a_description(w):
    with pytest.raises(RuleRefusal) as exc:
        yellow(w, deadline=today())
    assert exc.value.field == "deadline"
    with pytest.raises(RuleRefusal) as exc:
        yellow(w, description="  ")
    assert exc.value.field == "description"
    assert not Card.objects.exists()


def test_rectification_goes_to_review_and_tells_the_bureau(w, django_capture_on_commit_callbacks):
    card = yellow(w)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        card = card_submit_rectification(
            card=card, rectification="已派出三名骨干教师", actor=w.member, expected_version=1
        )
    assert (card.status, card.version) == (S.UNDER_REVIEW, 2)
    assert card.rectified_at is not None
    assert card.history.count() == 2
    latest = card.history.first()
    assert (
        latest.history_user == w.member and render(latest.history_change_reason) == "提交整改材料"
    )
    assert outbox_to() == ["district@example.cn"]


def test_lift_closes_the_card(w, django_capture_on_commit_callbacks):
    card = yellow(w)
    card = card_submit_rectification(card=card, rectification="已整改", actor=w.member)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        card = card_lift(card=card, note="整改到位", actor=w.staff)
    assert (card.status, card.review_note, card.version) == (S.LIFTED, "整改到位", 3)
    assert card.closed_at is not None
    assert reasons(card) == ["发出黄牌预警", "提交整改材料", "整改通过，撤销预警"]
    assert outbox_to() == ["member@example.cn"]


def test_lift_before_rectification_is_refused_with_a_clear_message(w):
    card = yellow(w)
    with pytest.raises(RuleRefusal) as exc:
        card_lift(card=card, note="", actor=w.staff)
    assert "黄牌预警中" in exc.value.message
    card.refresh_from_db()
    assert (card.status, card.version, card.history.count()) == (S.YELLOW_ISSUED, 1, 1)


def test_reject_needs_a_reason_and_a_future_deadline(w):
    card = card_submit_rectification(card=yellow(w), rectification="已整改", actor=w.member)
    with pytest.raises(RuleRefusal) as exc:
        card_reject_rectification(card=card, note="材料不全", new_deadline=today(), actor=w.staff)
    assert exc.value.field == "new_deadline"
    with pytest.raises(RuleRefusal) as exc:
        card_reject_rectification(card=card, note=" ", new_deadline=D(2099, 1, 1), actor=w.staff)
    assert exc.value.field == "note"
    card.refresh_from_db()
    assert (card.status, card.version, card.history.count()) == (S.UNDER_REVIEW, 2, 2)
    new = today() + datetime.timedelta(days=30)
    card = card_reject_rectification(card=card, note="材料不全", new_deadline=new, actor=w.staff)
    assert (card.status, card.deadline, card.review_note) == (S.YELLOW_ISSUED, new, "材料不全")
    assert render(card.history.first().history_change_reason) == f"整改不通过，新期限 {new}"


def test_overdue_task_marks_only_open_yellows_past_deadline(w, django_capture_on_commit_callbacks):
    late = yellow(w)
    on_time = yellow(w)
    reviewed = card_submit_rectification(card=yellow(w), rectification="已整改", actor=w.member)
    Card.objects.filter(pk__in=[late.pk, reviewed.pk]).update(
        deadline=today() - datetime.timedelta(days=3)
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert cards_mark_overdue_task() == 1
    late.refresh_from_db()
    assert (late.status, late.version) == (S.OVERDUE, 2)
    record = late.history.first()
    assert record.history_user is None and render(record.history_change_reason) == "整改逾期"
    on_time.refresh_from_db()
    reviewed.refresh_from_db()
    assert on_time.status == S.YELLOW_ISSUED and reviewed.status == S.UNDER_REVIEW
    # the issuing authority's staff and the member's principal
    assert outbox_to() == ["district@example.cn", "member@example.cn"]
    assert cards_mark_overdue(today=today()) == 0  # a second run changes nothing


def test_red_card_without_a_ground_of_policy_l6_is_refused(w):
    yellow(w)  # one yellow card is not enough to expel without escalating it
    with pytest.raises(RuleRefusal) as exc:
        card_issue_red(membership=w.membership, reason="屡次不配合", actor=w.staff)
    assert "L-6" in exc.value.message and "第二次" in exc.value.message
    w.membership.refresh_from_db()
    assert w.membership.left_on is None
    assert not Card.objects.filter(level="red").exists()


def test_severe_incident_red_card_requires_a_written_reason(w):
    with pytest.raises(RuleRefusal) as exc:
        card_issue_red(membership=w.membership, reason="  ", severe=True, actor=w.staff)
    assert exc.value.field == "reason" and "重大事故" in exc.value.message
    w.membership.refresh_from_db()
    assert w.membership.left_on is None


def test_severe_incident_red_card_expels_at_once(w, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        red = card_issue_red(
            membership=w.membership,
            reason="发生重大安全事故，造成恶劣影响",
            severe=True,
            actor=w.staff,
        )
    assert (red.level, red.status, red.ground) == ("red", S.RED_ISSUED, Card.Ground.INCIDENT)
    assert red.history.get().history_user == w.staff
    membership = Membership.objects.get(pk=w.membership.pk)
    assert (membership.left_on, membership.end_reason) == (today(), "expulsion")
    ended = membership.history.first()
    assert ended.history_user == w.staff and render(ended.history_change_reason) == "红牌淘汰"
    # the member, the core school's principal and the issuing bureau are told
    assert outbox_to() == ["district@example.cn", "member@example.cn", "principal@example.cn"]


def test_second_yellow_within_the_window_allows_red_without_severe(w):
    first = yellow(w)
    card_lift(
        card=card_submit_rectification(card=first, rectification="已整改", actor=w.member),
        note="",
        actor=w.staff,
    )
    yellow(w, ground=Card.Ground.INCIDENT)
    red = card_issue_red(membership=w.membership, reason="一年内第二次黄牌", actor=w.staff)
    assert red.escalated_from is None and red.ground == Card.Ground.INCIDENT
    assert Membership.objects.get(pk=w.membership.pk).end_reason == "expulsion"
    # the open second yellow ends with the membership
    assert not Card.objects.filter(level="yellow", closed_at__isnull=True).exists()


def test_a_yellow_older_than_the_window_does_not_count(w):
    first = yellow(w)
    window = PolicyParameters.current().yellow_card_window_days
    Card.objects.filter(pk=first.pk).update(
        issued_at=timezone.now() - datetime.timedelta(days=window + 1)
    )
    yellow(w)
    with pytest.raises(RuleRefusal):
        card_issue_red(membership=w.membership, reason="第二次黄牌", actor=w.staff)
    assert Membership.objects.get(pk=w.membership.pk).left_on is None


def test_a_fresh_yellow_cannot_be_escalated_before_the_member_could_rectify(w):
    card = yellow(w)
    with pytest.raises(RuleRefusal):
        card_issue_red(
            membership=w.membership,
            reason="拒不整改",
            escalate_from=card,
            expected_version=1,
            actor=w.staff,
        )
    assert Membership.objects.get(pk=w.membership.pk).left_on is None


def test_escalating_a_yellow_creates_a_red_card_and_closes_the_yellow(w):
    card = card_submit_rectification(card=yellow(w), rectification="敷衍整改", actor=w.member)
    red = card_issue_red(
        membership=w.membership,
        reason="拒不整改",
        escalate_from=card,
        expected_version=card.version,
        actor=w.staff,
    )
    card.refresh_from_db()
    assert red.escalated_from == card and red.ground == card.ground
    assert red.membership.left_on == today()  # the returned card carries the ended membership
    assert card.level == "yellow" and card.closed_at is not None and card.version == 3
    assert card.status == S.ESCALATED
    assert reasons(card)[0] == "发出黄牌预警" and reasons(card)[-1] == "升级为红牌"
    assert reasons(red) == ["由黄牌升级为红牌"]
    with pytest.raises(RuleRefusal):  # closed: nothing more to do on it
        card_submit_rectification(card=card, rectification="补交", actor=w.member)


def test_a_lifted_yellow_cannot_be_escalated(w):
    card = card_submit_rectification(card=yellow(w), rectification="已整改", actor=w.member)
    card = card_lift(card=card, note="", actor=w.staff)
    with pytest.raises(RuleRefusal):
        card_issue_red(membership=w.membership, reason="x", escalate_from=card, actor=w.staff)
    assert Membership.objects.get(pk=w.membership.pk).left_on is None


def test_a_stale_version_changes_nothing(w):
    card = card_submit_rectification(card=yellow(w), rectification="已整改", actor=w.member)
    card_reject_rectification(card=card, note="不全", new_deadline=D(2099, 1, 1), actor=w.staff)
    with pytest.raises(RuleRefusal) as exc:
        card_lift(card=card, note="整改到位", actor=w.staff, expected_version=2)
    assert exc.value.message == (
        "该黄牌/红牌已被他人处理或修改（当前状态：黄牌预警中），请刷新页面查看最新状态后再操作。"
    )
    card.refresh_from_db()
    assert (card.status, card.version, card.history.count()) == (S.YELLOW_ISSUED, 3, 3)


def test_the_principal_of_another_school_cannot_respond(w):
    card = yellow(w)
    sibling = MembershipFactory(group=w.group, school=SchoolFactory(authority=w.shibei))
    other = UserFactory(role=User.Role.MEMBER_PRINCIPAL, school=sibling.school)
    with pytest.raises(PermissionDenied):
        card_submit_rectification(card=card, rectification="代为整改", actor=other)
    with pytest.raises(PermissionDenied):  # nor may the core school answer for its member
        card_submit_rectification(card=card, rectification="代为整改", actor=w.users["principal"])
    card.refresh_from_db()
    assert (card.status, card.version) == (S.YELLOW_ISSUED, 1)


# --- Pages ---------------------------------------------------------------------------------------


def csrf_client(user: User) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(reverse("cards:list"))  # sets the CSRF cookie
    return client


def post(client: Client, url: str, data: dict, **kw):
    return client.post(url, data | {"csrfmiddlewaretoken": client.cookies["csrftoken"].value}, **kw)


def test_whole_story_yellow_rectify_reject_overdue_escalate_red(
    w, django_capture_on_commit_callbacks
):
    """Policy L-6 from end to end through the pages, with CSRF enforced."""
    staff, member = csrf_client(w.staff), csrf_client(w.member)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            staff,
            reverse("cards:issue", args=[w.membership.pk]),
            {
                "level": "yellow",
                "ground": "agreement",
                "description": "未按协议派出骨干教师",
                "deadline": (today() + datetime.timedelta(days=30)).isoformat(),
            },
            follow=True,
        )
    card = Card.objects.get()
    assert response.redirect_chain[-1][0] == reverse("cards:detail", args=[card.pk])
    assert "已发出黄牌预警" in response.content.decode()
    detail = reverse("cards:detail", args=[card.pk])
    assert 'data-testid="respond-form"' in member.get(detail).content.decode()
    assert 'data-testid="respond-form"' not in staff.get(detail).content.decode()

    response = post(
        member,
        reverse("cards:respond", args=[card.pk]),
        {"respond-rectification": "已派出三名骨干教师", "respond-version": 1},
        follow=True,
    )
    assert "已提交整改材料" in response.content.decode()
    html = staff.get(detail).content.decode()
    assert 'data-testid="lift-form"' in html and 'data-testid="reject-form"' in html

    new_deadline = today() + datetime.timedelta(days=10)
    response = post(
        staff,
        reverse("cards:reject", args=[card.pk]),
        {
            "reject-note": "证明材料不全",
            "reject-new_deadline": new_deadline.isoformat(),
            "reject-version": 2,
        },
        follow=True,
    )
    assert "整改不通过" in response.content.decode()

    Card.objects.filter(pk=card.pk).update(deadline=today() - datetime.timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert cards_mark_overdue_task() == 1
    html = staff.get(detail).content.decode()
    assert 'data-testid="overdue"' in html and "逾期 2 天" in html

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            staff,
            reverse("cards:escalate", args=[card.pk]),
            {"escalate-reason": "逾期拒不整改", "escalate-version": 4},
            follow=True,
        )
    red = Card.objects.get(level="red")
    assert response.redirect_chain[-1][0] == reverse("cards:detail", args=[red.pk])
    assert (
        f"已发出红牌：{w.member_school.name} 的成员关系自 {today()} 起结束"
        in response.content.decode()
    )
    assert red.escalated_from_id == card.pk and red.description == "逾期拒不整改"
    membership = Membership.objects.get(pk=w.membership.pk)
    assert (membership.left_on, membership.end_reason) == (today(), "expulsion")
    assert reasons(Card.objects.get(pk=card.pk)) == [
        "发出黄牌预警",
        "提交整改材料",
        f"整改不通过，新期限 {new_deadline}",
        "整改逾期",
        "升级为红牌",
    ]
    assert "member@example.cn" in outbox_to()
    html = staff.get(reverse("cards:detail", args=[red.pk])).content.decode()
    assert "红牌淘汰" in html and "逾期拒不整改" in html


def test_a_post_without_the_csrf_token_is_refused(w):
    card = yellow(w)
    client = Client(enforce_csrf_checks=True)
    client.force_login(w.member)
    response = client.post(
        reverse("cards:respond", args=[card.pk]),
        {"respond-rectification": "已整改", "respond-version": 1},
    )
    assert response.status_code == 403
    card.refresh_from_db()
    assert card.status == S.YELLOW_ISSUED


def test_a_stale_form_shows_a_clear_message_and_the_current_state(w, login):
    card = card_submit_rectification(card=yellow(w), rectification="已整改", actor=w.member)
    card_lift(card=card, note="整改到位", actor=w.staff)  # someone else was quicker
    client = login(w.staff)
    later = (timezone.localdate() + datetime.timedelta(days=200)).isoformat()
    response = client.post(
        reverse("cards:reject", args=[card.pk]),
        {"reject-note": "不全", "reject-new_deadline": later, "reject-version": 2},
        follow=True,
    )
    html = response.content.decode()
    assert "该黄牌/红牌已被他人处理或修改（当前状态：已撤销预警）" in html
    assert "已撤销预警" in html
    card.refresh_from_db()
    assert (card.status, card.version) == (S.LIFTED, 3)


def test_bad_input_is_explained_and_kept(w, login):
    card = card_submit_rectification(card=yellow(w), rectification="已整改", actor=w.member)
    client = login(w.staff)
    response = client.post(
        reverse("cards:reject", args=[card.pk]),
        {
            "reject-note": "我写的理由",
            "reject-new_deadline": today().isoformat(),
            "reject-version": 2,
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "新的整改期限须晚于今天" in html and "我写的理由" in html
    response = client.post(
        reverse("cards:issue", args=[w.membership.pk]),
        {"level": "yellow", "ground": "agreement", "description": "", "deadline": "不是日期"},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"description", "deadline"}
    card.refresh_from_db()
    assert card.status == S.UNDER_REVIEW and Card.objects.count() == 1


def test_red_on_the_issue_page_without_grounds_explains_the_rule(w, login):
    client = login(w.staff)
    response = client.post(
        reverse("cards:issue", args=[w.membership.pk]),
        {"level": "red", "ground": "incident", "description": "影响恶劣"},
    )
    assert response.status_code == 200
    assert "第二次被黄牌预警" in response.content.decode()
    assert Membership.objects.get(pk=w.membership.pk).left_on is None
    response = client.post(
        reverse("cards:issue", args=[w.membership.pk]),
        {"level": "red", "ground": "incident", "description": "", "severe": "on"},
    )
    assert "description" in response.context["form"].errors
    response = client.post(
        reverse("cards:issue", args=[w.membership.pk]),
        {"level": "red", "ground": "incident", "description": "重大安全事故", "severe": "on"},
        follow=True,
    )
    assert "已发出红牌" in response.content.decode()
    assert Membership.objects.get(pk=w.membership.pk).end_reason == "expulsion"


def test_member_principal_of_another_school_gets_404(w, login):
    card = yellow(w)
    sibling = MembershipFactory(group=w.group, school=SchoolFactory(authority=w.shibei))
    other = UserFactory(role=User.Role.MEMBER_PRINCIPAL, school=sibling.school)
    client = login(other)
    assert client.get(reverse("cards:detail", args=[card.pk])).status_code == 404
    response = client.post(
        reverse("cards:respond", args=[card.pk]),
        {"respond-rectification": "代为整改", "respond-version": 1},
    )
    assert response.status_code == 404
    assert w.membership.school.name not in client.get(reverse("cards:list")).content.decode()


def test_list_filters_open_and_closed_and_highlights_overdue(w, login):
    late = yellow(w)
    Card.objects.filter(pk=late.pk).update(
        status=S.OVERDUE, deadline=today() - datetime.timedelta(days=5)
    )
    done = card_lift(
        card=card_submit_rectification(card=yellow(w), rectification="已整改", actor=w.member),
        note="",
        actor=w.staff,
    )
    client = login(w.staff)
    response = client.get(reverse("cards:list"))
    rows = response.context["rows"]
    assert [(c.pk, days) for c, _label, days in rows] == [(late.pk, 5)]
    assert "逾期 5 天" in response.content.decode()
    rows = client.get(reverse("cards:list") + "?state=closed").context["rows"]
    assert [c.pk for c, _label, _days in rows] == [done.pk]
    rows = client.get(reverse("cards:list") + "?state=all").context["rows"]
    assert {c.pk for c, _label, _days in rows} == {late.pk, done.pk}


def test_detail_lists_evidence_attachments(w, login):
    card = yellow(w)
    Attachment.objects.create(
        owner=card,
        kind=Attachment.Kind.EVIDENCE,
        file="attachments/x",
        original_name="督导通报.pdf",
        content_type="application/pdf",
        size=2048,
        sha256="0" * 64,
        uploaded_by=w.staff,
    )
    html = login(w.member).get(reverse("cards:detail", args=[card.pk])).content.decode()
    assert "督导通报.pdf" in html and "证明材料" in html


# --- Query counts --------------------------------------------------------------------------------


def _grow(w, n: int, card: Card) -> None:
    """n more members with a card each, n/5 more rounds of rectify-and-reject on `card` with as
    many yellow cards of its member and rectification attachments."""
    for _i in range(n):
        membership = MembershipFactory(group=w.group, school=SchoolFactory(authority=w.shibei))
        yellow(w, membership=membership)
    base = card.history.count()
    for i in range(n // 5):
        card = card_submit_rectification(card=card, rectification=f"整改{i}", actor=w.member)
        card = card_reject_rectification(
            card=card, note=f"不全{i}", new_deadline=D(2099, 1, 1 + i), actor=w.staff
        )
        yellow(w)
        Attachment.objects.create(
            owner=card,
            kind=Attachment.Kind.RECTIFICATION,
            version=i + 1,
            file=f"attachments/{i}",
            original_name=f"整改{i}.pdf",
            content_type="application/pdf",
            size=10,
            sha256="0" * 64,
            uploaded_by=w.member,
        )
    assert card.history.count() == base + 2 * (n // 5)


def _count(client, url: str) -> int:
    client.get(url)  # warm the per-process caches (content types) first
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


# Pinned ceilings: session, user and authority (3), the session save (3), the page itself.
# cards:list + 2 (issue 7): the page's keys first, and the visible-group ids once per request
CEILINGS = {"cards:list": 10, "cards:detail": 12, "cards:issue": 12}  # + 1: visible ids


@pytest.mark.parametrize("role", ["district", "member", "city"])
def test_card_pages_run_a_constant_number_of_queries(w, login, role, django_assert_max_num_queries):
    card = yellow(w)
    client = login(w.users[role])
    urls = {
        "cards:list": reverse("cards:list") + "?state=all",
        "cards:detail": reverse("cards:detail", args=[card.pk]),
    }
    if role == "district":
        urls["cards:issue"] = reverse("cards:issue", args=[w.membership.pk])
    small = {name: _count(client, url) for name, url in urls.items()}
    _grow(w, 40, card)
    for name, url in urls.items():
        client.get(url)
        with django_assert_max_num_queries(CEILINGS[name], info=name):
            response = client.get(url)
        assert _count(client, url) == small[name], name
    if role == "district":  # the issue page lists the member's earlier cards, all in one query
        assert len(response.context["previous"]) == 1 + 40 // 5


# --- Two staff at once, on PostgreSQL --------------------------------------------------------------

THREADS = 20
ROUNDS = 3


def _decide(card: Card, actor: User, lift: bool, barrier, outcomes: list[str]) -> None:
    try:
        barrier.wait()
        if lift:
            card_lift(card=card, note="通过", actor=actor, expected_version=2)
        else:
            card_reject_rectification(
                card=card,
                note="不通过",
                new_deadline=D(2099, 1, 1),
                actor=actor,
                expected_version=2,
            )
        outcomes.append("ok")
    except RuleRefusal as exc:
        outcomes.append("stale" if isinstance(exc, StaleVersion) else exc.message)
    finally:
        close_old_connections()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_deciding_the_same_card_at_once_land_once():
    """Twenty staff lift or reject the same rectification at the same moment: exactly one
    decision lands, the others are told the card was handled (policy L-6)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL")
    authority = district_bureau()
    group = EducationGroupFactory(core_school=SchoolFactory(authority=authority))
    staff = [
        UserFactory(role=User.Role.DISTRICT_STAFF, authority=authority) for _ in range(THREADS)
    ]
    for round_no in range(ROUNDS):
        membership = MembershipFactory(group=group, school=SchoolFactory())
        principal = UserFactory(role=User.Role.MEMBER_PRINCIPAL, school=membership.school)
        card = card_submit_rectification(
            card=card_issue_yellow(
                membership=membership, ground="agreement", description="x", actor=staff[0]
            ),
            rectification="已整改",
            actor=principal,
        )
        barrier = threading.Barrier(THREADS)
        outcomes: list[str] = []
        threads = [
            threading.Thread(target=_decide, args=(card, staff[i], i % 2, barrier, outcomes))
            for i in range(THREADS)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes) == ["ok"] + ["stale"] * (THREADS - 1), (round_no, outcomes)
        card.refresh_from_db()
        assert card.version == 3
        assert card.history.count() == 3  # issued, rectified, one decision


def test_open_yellow_closes_when_the_membership_ends_by_exit(w):
    # policy L-5/L-6: a warning does not outlive the membership; nothing stays overdue
    from groups.registry.services import membership_end

    card = yellow(w)
    membership_end(membership=w.membership, left_on=today(), end_reason="exit", actor=w.staff)
    card.refresh_from_db()
    assert card.status == S.CLOSED and card.closed_at is not None
    assert "退出" in reasons(card)[-1]
    assert cards_mark_overdue(today=today() + datetime.timedelta(days=400)) == 0
