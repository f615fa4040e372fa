"""The work list (issue 8): each row says what it is, whose turn, since when, the deadline and
days left (overdue in words); filters by kind, district and deadline; the menu's count, cached
per scope and right after a change; filings acknowledged several at a time; reminders (催办) by
hand and on a schedule, each logged; the home page's attention counted per kind."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from groups.cards.models import Card
from groups.cards.services import card_issue_yellow, cards_mark_overdue
from groups.enrollment.hooks import plan_deadline
from groups.filings.models import Filing
from groups.filings.selectors import filing_deadline
from groups.filings.services import filing_acknowledge, filings_acknowledge_many
from groups.registry.models import PolicyParameters
from members.models import User
from qingdao_groups.core.inbox import WorkFilter, inbox_counts, inbox_page, inbox_total
from qingdao_groups.core.reminders import reminder_send, reminders_send_due
from qingdao_groups.core.rules import RuleRefusal
from qingdao_groups.models import Notification, Outbox, Reminder
from tests.factories import UserFactory

D = datetime.date


def today() -> datetime.date:
    return timezone.localdate()


def days_ago(n: int) -> datetime.date:
    return today() - datetime.timedelta(days=n)


def filing(world, *, authority=None, filed_on=None, kind=Filing.Kind.POLICY, **extra) -> Filing:
    authority = authority or world.shinan
    filer = (
        world.users["district"]
        if authority == world.shinan
        else UserFactory(role=User.Role.DISTRICT_STAFF, authority=authority)
    )
    return Filing.objects.create(
        authority=authority,
        kind=kind,
        title=extra.pop("title", "测试配套政策"),
        filed_on=filed_on or today(),
        first_filed_on=filed_on or today(),
        filed_by=filer,
        **extra,
    )


def overdue_card(world, *, overdue_days: int = 5) -> Card:
    """A yellow card to the world's member school whose deadline passed `overdue_days` ago."""
    issued = timezone.now() - datetime.timedelta(days=overdue_days + 10)
    card = card_issue_yellow(
        membership=world.membership,
        ground=Card.Ground.AGREEMENT,
        description="未履行协议",
        actor=world.users["district"],
        deadline=timezone.localdate(issued) + datetime.timedelta(days=10),
        now=issued,
    )
    cards_mark_overdue(today=today())
    card.refresh_from_db()
    assert card.status == Card.Status.OVERDUE
    return card


# --- deadlines where the workflows set none (derived, each citing its clause) ------------------


def test_filing_deadline_is_the_decision_time_or_the_day_before_a_project_starts(world):
    """Policy L-2, D-1: decision_days after filing; D-2 (提前报备): a project filed ahead of
    its start is due the day before it starts if that comes first."""
    days = PolicyParameters.current().decision_days
    policy = filing(world, filed_on=D(2026, 3, 1))
    assert filing_deadline(policy) == D(2026, 3, 1) + datetime.timedelta(days=days)
    soon = filing(
        world, filed_on=D(2026, 3, 1), kind=Filing.Kind.PROJECT, project_starts_on=D(2026, 3, 10)
    )
    assert filing_deadline(soon) == D(2026, 3, 9)
    late = filing(
        world, filed_on=D(2026, 3, 1), kind=Filing.Kind.PROJECT, project_starts_on=D(2026, 2, 1)
    )
    assert filing_deadline(late) == D(2026, 3, 1) + datetime.timedelta(days=days)


def test_a_filed_plan_is_due_within_the_decision_time(world):
    """Policy L-7 names no time: the authority's decision_days apply."""
    from groups.enrollment.models import EnrollmentPlan

    plan = EnrollmentPlan(filed_at=timezone.make_aware(datetime.datetime(2026, 3, 1, 10)))
    days = PolicyParameters.current().decision_days
    assert plan_deadline(plan) == D(2026, 3, 1) + datetime.timedelta(days=days)


# --- the rows ------------------------------------------------------------------------------


def test_rows_say_whose_turn_since_when_and_the_days_left(client, world):
    """Policy L-2, L-6: the city's filing due in the future, the district's overdue card
    marked overdue in words (not colour only)."""
    filing(world, title="待确认的配套政策", filed_on=days_ago(2))
    overdue_card(world, overdue_days=5)
    city = client
    city.force_login(world.users["city"])
    page = city.get(reverse("applications:inbox"))
    assert page.status_code == 200
    text = page.text
    assert "待确认的配套政策" in text and world.city.name in text
    days = PolicyParameters.current().decision_days
    assert f"还剩 {days - 2} 天" in text
    client.force_login(world.users["district"])
    text = client.get(reverse("applications:inbox")).text
    assert "整改逾期" in text and "已逾期 5 天" in text
    assert 'class="table-danger"' in text and world.shinan.name in text


def test_filters_by_kind_district_and_deadline(world):
    """The city's filings are narrowed in the database (policy L-2, D-1, D-2)."""
    city = world.users["city"]
    days = PolicyParameters.current().decision_days
    filing(world, title="市南过期", filed_on=days_ago(days + 3))
    filing(world, title="市南新报", filed_on=today())
    filing(world, authority=world.laoshan, title="崂山新报", filed_on=today())

    def titles(**kw):
        return sorted(i.title for i in inbox_page(city, work_filter=WorkFilter(**kw)).items)

    assert titles(kind="filing") == ["崂山新报", "市南新报", "市南过期"]
    assert titles(district=world.laoshan.district_id) == ["崂山新报"]
    assert titles(due="overdue") == ["市南过期"]
    assert titles(due="none") == []
    assert titles(kind="card-overdue") == []
    ordered = inbox_page(city, work_filter=WorkFilter(sort="deadline")).items
    assert ordered[0].title == "市南过期"


def test_the_filter_form_is_on_the_page_and_a_bad_value_is_said(client, world):
    filing(world, title="市南新报")
    client.force_login(world.users["city"])
    url = reverse("applications:inbox")
    page = client.get(url, {"kind": "filing", "due": "overdue"})
    assert page.status_code == 200 and "市南新报" not in page.text
    bad = client.get(url, {"due": "whenever"})
    assert 'data-testid="filter-errors"' in bad.text and "市南新报" in bad.text


def test_work_list_queries_stay_constant(client, world):
    """Five or forty filings and cards: the same number of queries (a warm request)."""
    client.force_login(world.users["city"])
    url = reverse("applications:inbox")

    def count():
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, {"sort": "deadline"}).status_code == 200
        return len(ctx.captured_queries)

    for i in range(5):
        filing(world, title=f"报备{i}", filed_on=days_ago(i))
    few = count()
    for i in range(35):
        filing(world, authority=world.laoshan, title=f"崂山报备{i}", filed_on=days_ago(i))
    assert count() == few
    assert few <= 14


# --- the menu's count -----------------------------------------------------------------------


def test_the_menu_shows_the_count_cached_and_right_after_a_change(client, world):
    city = world.users["city"]
    first = filing(world, title="甲")
    filing(world, title="乙")
    client.force_login(city)
    url = reverse("groups:group-list")
    page = client.get(url)
    assert 'data-testid="nav-inbox-count">2<' in page.text
    with CaptureQueriesContext(connection) as warm:
        client.get(url)
    assert not [q for q in warm.captured_queries if "groups_filing" in q["sql"]]  # cached
    filing_acknowledge(filing=first, actor=city)
    assert 'data-testid="nav-inbox-count">1<' in client.get(url).text
    assert inbox_total(city) == 1


def test_counts_are_shared_per_scope_and_split_by_kind(world):
    city = world.users["city"]
    colleague = UserFactory(role=User.Role.CITY_STAFF, authority=world.city)
    filing(world)
    assert [(k.key, k.count) for k in inbox_counts(city)] == [("filing", 1)]
    with CaptureQueriesContext(connection) as ctx:
        assert inbox_total(colleague) == 1
    assert not ctx.captured_queries  # the same scope: from the cache
    assert inbox_total(world.users["member"]) == 0


# --- bulk acknowledgement -------------------------------------------------------------------


def test_bulk_acknowledge_goes_through_the_runner_and_reports_each_failure(world):
    """Policy L-2, D-1, D-2: each filing by itself, with its own version check and history
    row; a stale one and an already handled one are reported, the others land."""
    city = world.users["city"]
    good = filing(world, title="好")
    stale = filing(world, title="旧")
    done = filing(world, title="已办")
    filing_acknowledge(filing=done, actor=city)
    outcomes = filings_acknowledge_many(
        picks=[(good.pk, good.version), (stale.pk, stale.version + 5), (done.pk, done.version)],
        actor=city,
    )
    assert [(o.title, o.ok) for o in outcomes] == [("好", True), ("旧", False), ("已办", False)]
    good.refresh_from_db()
    stale.refresh_from_db()
    assert good.status == Filing.Status.ACKNOWLEDGED and stale.status == Filing.Status.FILED
    assert good.history.count() == 2  # created, acknowledged
    assert "已被他人处理" in outcomes[1].message


def test_bulk_acknowledge_from_the_work_list(client, world):
    city = world.users["city"]
    one, two = filing(world, title="一"), filing(world, title="二")
    client.force_login(city)
    inbox = reverse("applications:inbox")
    page = client.get(inbox)
    assert page.text.count('data-testid="ack-pick"') == 2
    response = client.post(
        reverse("filings:filing-bulk-acknowledge"),
        {"pick": [f"{one.pk}:{one.version}", f"{two.pk}:{two.version + 1}"], "next": inbox},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == inbox
    text = response.text
    assert "已确认 1 件报备" in text and "未能确认“二”" in text
    assert Filing.objects.get(pk=one.pk).status == Filing.Status.ACKNOWLEDGED
    empty = client.post(reverse("filings:filing-bulk-acknowledge"), {}, follow=True)
    assert "请先勾选要确认的报备" in empty.text


def test_only_city_staff_acknowledge_in_bulk(client, world):
    f = filing(world)
    client.force_login(world.users["district"])
    response = client.post(
        reverse("filings:filing-bulk-acknowledge"), {"pick": f"{f.pk}:{f.version}"}
    )
    assert response.status_code == 403
    assert Filing.objects.get(pk=f.pk).status == Filing.Status.FILED


# --- reminders ------------------------------------------------------------------------------


def test_staff_remind_whoever_an_item_waits_for_once_a_day(world):
    """A district reminds the city about its filing (policy L-2): a notice, its e-mail copy
    and a log row; a second reminder the same day is refused with a clear message."""
    city = world.users["city"]
    city.email = "city@example.com"
    city.save()
    district = world.users["district"]
    f = filing(world, title="请尽快确认")
    reminder = reminder_send(target=f"filing:{f.pk}", actor=district)
    assert reminder.recipient == world.city.name and not reminder.automatic
    assert reminder.sent_by == district and not reminder.overdue
    assert Notification.objects.filter(user=city, message__contains="请尽快确认").exists()
    assert Outbox.objects.filter(payload__to=["city@example.com"]).exists()
    with pytest.raises(RuleRefusal, match="每个事项每天只能催办一次"):
        reminder_send(target=f"filing:{f.pk}", actor=district)
    colleague = UserFactory(role=User.Role.DISTRICT_STAFF, authority=world.shinan)
    reminder_send(target=f"filing:{f.pk}", actor=colleague)  # another sender may
    with pytest.raises(RuleRefusal, match="正等待您所在单位办理"):
        reminder_send(target=f"filing:{f.pk}", actor=city)
    assert Reminder.objects.count() == 2


def test_the_reminder_log_is_in_the_admin_and_cannot_be_changed(client, world):
    """The administrator finds every reminder in the admin; nobody edits or deletes one."""
    f = filing(world, title="后台可查的催办")
    reminder = reminder_send(target=f"filing:{f.pk}", actor=world.users["district"])
    client.force_login(world.users["admin"])
    page = client.get(reverse("admin:qingdao_groups_reminder_changelist"))
    assert page.status_code == 200 and world.city.name in page.content.decode()
    change = reverse("admin:qingdao_groups_reminder_change", args=[reminder.pk])
    assert client.get(change).status_code == 200  # shown read-only
    client.post(change, {"recipient": "改过的对象"})
    reminder.refresh_from_db()
    assert reminder.recipient == world.city.name
    delete = reverse("admin:qingdao_groups_reminder_delete", args=[reminder.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:qingdao_groups_reminder_add")).status_code == 403
    assert Reminder.objects.filter(pk=reminder.pk).exists()


def test_reminders_are_for_staff_and_visible_items_only(client, world):
    f = filing(world, authority=world.laoshan)
    url = reverse("reminder-send")
    client.force_login(world.users["auditor"])
    assert client.post(url, {"target": f"filing:{f.pk}"}).status_code == 403
    client.force_login(world.users["district"])  # 市南 does not see 崂山's filing
    assert client.post(url, {"target": f"filing:{f.pk}"}).status_code == 404
    assert client.post(url, {"target": "nothing:1"}).status_code == 404
    assert not Reminder.objects.exists()


def test_the_item_page_has_the_button_and_the_log(client, world):
    """Policy L-6: the district reminds the warned school from the card's page; the log shows
    who, to whom, how; a second click says why it is refused."""
    card = overdue_card(world)
    client.force_login(world.users["district"])
    detail = reverse("cards:detail", args=[card.pk])
    page = client.get(detail)
    assert 'data-testid="remind"' in page.text and "尚无催办" in page.text
    done = client.post(
        reverse("reminder-send"), {"target": f"card:{card.pk}", "next": detail}, follow=True
    )
    assert done.redirect_chain[-1][0] == detail
    assert "已向 市北测试成员学校 发出催办" in done.text
    assert done.text.count('data-testid="reminder-row"') == 1 and "手动" in done.text
    again = client.post(
        reverse("reminder-send"), {"target": f"card:{card.pk}", "next": detail}, follow=True
    )
    assert "每个事项每天只能催办一次" in again.text
    reminder = Reminder.objects.get()
    assert reminder.overdue and reminder.deadline == card.deadline


def test_the_daily_run_reminds_before_the_deadline_escalates_after_and_runs_once_a_day(world):
    """Due within three days: the waiting party is reminded; overdue (policy L-6 card): the
    school and, as an escalation, the issuing authority (and the city bureau, which supervises,
    policy A-1); a second run the same day sends
    nothing; the next day it sends again."""
    days = PolicyParameters.current().decision_days
    soon = filing(world, title="快到期", filed_on=days_ago(days - 2))
    filing(world, title="还早", filed_on=today())
    card = overdue_card(world)
    member = UserFactory(role=User.Role.MEMBER_PRINCIPAL, school=world.member_school)
    assert reminders_send_due() == 2
    assert reminders_send_due() == 0  # idempotent per item per day
    logged = {(r.owner_id, r.automatic, r.overdue, r.sent_by) for r in Reminder.objects.all()}
    assert logged == {(soon.pk, True, False, None), (card.pk, True, True, None)}
    card_notices = Notification.objects.filter(message__contains="逾期催办")
    told = {n.user_id for n in card_notices}
    assert told >= {member.pk, world.users["district"].pk, world.users["city"].pk}
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    assert reminders_send_due(now=tomorrow) == 2


def test_the_daily_reminder_is_scheduled_in_the_admin(db):
    call_command("setup_schedules", stdout=open("/dev/null", "w"))  # noqa: SIM115
    task = PeriodicTask.objects.get(task="qingdao_groups.reminders_send_due")
    assert task.enabled and task.crontab.hour == "8"
    call_command("setup_schedules", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert PeriodicTask.objects.filter(task="qingdao_groups.reminders_send_due").count() == 1


def test_the_system_reminder_shows_as_system_on_the_page(client, world):
    f = filing(world, filed_on=days_ago(PolicyParameters.current().decision_days + 1))
    reminders_send_due()
    client.force_login(world.users["district"])
    page = client.get(reverse("filings:filing-detail", args=[f.pk]))
    assert "系统" in page.text and "自动" in page.text and "已逾期" in page.text
    assert ContentType.objects.get_for_model(Filing).pk == Reminder.objects.get().owner_type_id


# --- the home page --------------------------------------------------------------------------


def test_home_attention_counts_each_kind_once_with_a_link(client, world):
    for i in range(4):
        filing(world, title=f"报备{i}")
    client.force_login(world.users["city"])
    page = client.get(reverse("home"))
    assert page.text.count('data-testid="attention-work"') == 1
    line = page.context["work"][0]
    assert line["kind"].count == 4 and line["url"].endswith("?kind=filing")
    gaps = {g["gap"].clause: g["gap"].count for g in page.context["gaps"]}
    assert gaps.get("G-4", 0) >= 2  # the world's groups have no charter: one line, counted
    assert page.text.count('data-testid="attention-gap"') == len(gaps)


def test_a_missed_target_says_so(client, world):
    """Policy A-5: a target year that is over with fewer groups than the target is missed,
    in words and style."""
    client.force_login(world.users["city"])
    page = client.get(reverse("home"))
    assert 'data-testid="target-status-2020"' in page.text
    assert "未达成：差" in page.text and "border-danger" in page.text


def test_the_group_list_filters_by_gap(client, world):
    """Policy G-4: the home page's count links to the groups without a charter."""
    client.force_login(world.users["city"])
    page = client.get(reverse("groups:group-list"), {"gap": "charter"})
    assert page.status_code == 200 and world.group.name in page.text


def test_the_follow_up_view_lists_what_waits_for_others_with_a_remind_button(client, world):
    """A district's own filing waits for the city (policy L-2): it is in the district's 督办
    view with a 催办 button, not in its own list; principals have no such view."""
    f = filing(world, title="等市里确认")
    client.force_login(world.users["district"])
    url = reverse("applications:inbox")
    own = client.get(url)
    assert "等市里确认" not in own.text and 'data-testid="view-watch"' in own.text
    watch = client.get(url, {"view": "watch"})
    assert "等市里确认" in watch.text and 'data-testid="remind"' in watch.text
    assert f"filing:{f.pk}" in watch.text
    with CaptureQueriesContext(connection) as ctx:
        client.get(url, {"view": "watch", "due": "week"})
    few = len(ctx.captured_queries)
    for i in range(10):
        filing(world, title=f"又一件{i}")
    client.get(url)  # the counts cached again (a filing saved makes them stale)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url, {"view": "watch", "due": "week"})
    assert len(ctx.captured_queries) == few
    client.force_login(world.users["principal"])
    page = client.get(url, {"view": "watch"})
    assert 'data-testid="view-watch"' not in page.text and 'data-testid="remind"' not in page.text
