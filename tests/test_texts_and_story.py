"""Issue 8: texts the system writes are stored as codes and read in the reader's language; the
group's story (集团历程) is the business history on effective dates, apart from the audit log;
policy citations read like the policy (《意见》 part and article, with the clause ID as a tag)."""

import datetime
import json

import pytest
from django.core import mail
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from groups.applications import checks
from groups.applications.models import Application, CheckResult, ProposedMember
from groups.registry.models import Membership
from groups.registry.services import membership_add, membership_end
from members.models import School, User
from qingdao_groups.core import messages
from qingdao_groups.core.clauses import CLAUSE_TEXT, article_of, citation
from qingdao_groups.core.messages import decode, label, legacy_message, msg, render
from qingdao_groups.core.notifications import notify
from qingdao_groups.models import Notification
from tests.factories import MembershipFactory, SchoolFactory, UserFactory
from tests.test_query_counts import count_queries

TODAY = timezone.localdate()


def _application(world, **fields) -> Application:
    return Application.objects.create(
        kind=Application.Kind.ADMISSION,
        applicant_school=world.core,
        group=world.group,
        deciding_authority=world.shinan,
        created_by=world.users["principal"],
        **fields,
    )


# --- message codes -----------------------------------------------------------------------------


def test_a_check_result_stored_in_chinese_reads_in_english(world):
    """Policy T-1: a warning run by a Chinese reader is stored as a code; an English reader of
    the stored result reads it in English, with the stage and nature translated too."""
    core = world.core
    other = SchoolFactory(
        name="某初中", authority=world.shinan, stage=School.Stage.JUNIOR, nature=core.nature
    )
    app = _application(world)
    ProposedMember.objects.create(
        application=app, school=other, relation_type="T-1", relation_subtype="T-1a"
    )
    with translation.override("zh-hans"):
        outcomes = [o for o in checks.run_checks(app, TODAY) if o.clause == "T-1"]
        checks.record_checks(app, CheckResult.Stage.SUBMISSION, outcomes)
        assert "学段或性质不同" in outcomes[0].message
    row = CheckResult.objects.get(application=app, clause="T-1")
    stored = json.loads(row.message)
    assert stored["code"] == "check.t1.stage_mismatch" and stored["params"]["school"] == "某初中"
    with translation.override("en"):
        shown = app.stored_outcomes(CheckResult.Stage.SUBMISSION)
        assert len(shown) == 1 and shown[0].clause == "T-1" and not shown[0].passed
        assert "某初中" in shown[0].message and "junior" in shown[0].message.lower()
        assert "学段" not in shown[0].message
        assert shown[0].text == outcomes[0].text  # the code compares equal to the live one
        assert row.text == shown[0].message
    with translation.override("zh-hans"):
        assert "初中" in app.stored_outcomes()[0].message


def test_the_decision_page_shows_stored_checks_in_the_readers_language(world, login):
    """Policy A-4: the stored weak-share result on the application page follows the reader."""
    app = _application(world)
    with translation.override("zh-hans"):
        checks.record_checks(app, CheckResult.Stage.SUBMISSION, checks.run_checks(app, TODAY))
    reader = world.users["city"]
    reader.language = "en"  # the reader's choice, kept on the account
    reader.save(update_fields=["language"])
    client = login(reader)
    page = client.get(reverse("applications:detail", args=[app.pk]))
    html = page.content.decode()
    assert "Weak schools" in html or "weak schools" in html
    assert "薄弱学校占成员校" not in html


def test_a_notification_reads_in_its_readers_language_and_mails_in_the_recipients(world):
    """Policy L-6: a notice created while a Chinese user acts reads in English for an English
    reader; its e-mail is written in the recipient's language (User.language when present)."""
    english = UserFactory(username="t-english", email="en@example.org")
    chinese = UserFactory(username="t-chinese", email="zh@example.org")
    english.language = "en"  # the `layout` helper adds the field; the mail reads it when there
    with translation.override("zh-hans"):
        notify(
            [english, chinese],
            msg("notice.card.lifted", school=world.member_school.name),
            "/cards/1/",
        )
    notice = Notification.objects.get(user=english)
    assert decode(notice.message)["code"] == "notice.card.lifted"
    with translation.override("en"):
        assert world.member_school.name in notice.text and "lifted" in notice.text
    with translation.override("zh-hans"):
        assert notice.text == f"{world.member_school.name} 的黄牌预警已撤销（政策 L-6）。"
    from qingdao_groups.core.notifications import relay_outbox

    relay_outbox()
    by_address = {m.to[0]: m for m in mail.outbox}
    assert "撤销" not in by_address["en@example.org"].body
    assert "撤销" in by_address["zh@example.org"].body


def test_typed_text_stays_as_typed_and_labels_translate(world):
    """What people typed is never translated; a stored label is."""
    assert render("同意：理由充分") == "同意：理由充分"
    assert render('{"not": "a message"}') == '{"not": "a message"}'
    stored = label(Membership.EndReason.EXIT.label).encode()
    with translation.override("en"):
        assert render(stored) == "Exit"
    with translation.override("zh-hans"):
        assert render(stored) == "退出"
    with pytest.raises(KeyError):
        msg("no.such.code")


def test_every_code_renders_in_both_languages():
    """Every template of the registry is in the English catalogue (no Chinese left)."""
    for code, template in messages.MESSAGES.items():
        with translation.override("en"):
            text = str(template)
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in text.replace("《意见》", "")), code


def test_legacy_rows_are_mapped_keeping_their_text(world):
    """The data migration maps rows written before the codes: a known template becomes its code
    (the old text kept as fallback), an action label its label, typed text stays."""
    old = "市北测试成员学校 已是“崂山其他教育集团”的在册学校，不能同时加入两个集团。"
    coded = legacy_message(old)
    data = decode(coded)
    assert data["code"] == "check.g1.busy" and data["fallback"] == old
    with translation.override("en"):
        assert "市北测试成员学校" in render(coded) and "已是" not in render(coded)
    with translation.override("zh-hans"):
        assert render(coded) == old
    from groups.filings.workflows import FilingAction

    labels = (FilingAction.ACKNOWLEDGE.label, FilingAction.RETURN.label)
    assert decode(legacy_message("确认", labels=labels))["code"] == "label"
    remarks = decode(legacy_message("退回：请补充经费来源", labels=labels))
    assert remarks["code"] == "reason.with_remarks"
    assert remarks["params"]["remarks"] == "请补充经费来源"
    assert legacy_message("同意：我们认为可以", labels=labels) is None  # typed: stays
    assert legacy_message("随便写的理由") is None


def test_the_migration_maps_stored_rows(world):
    """Run the migration's mapping over rows holding old texts."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("groups.migrations.0020_system_texts_as_codes")
    app = _application(world)
    row = CheckResult.objects.create(
        application=app,
        stage="submission",
        clause="G-3",
        severity="warning",
        passed=True,
        message="由核心校校长任总校长。",
    )
    typed = Notification.objects.create(user=world.users["city"], message="请尽快处理")
    migration.forwards(apps, None)
    row.refresh_from_db()
    typed.refresh_from_db()
    assert decode(row.message)["code"] == "check.g3.core_chief"
    assert typed.message == "请尽快处理"


# --- the group's story and the audit log -------------------------------------------------------


@pytest.fixture
def story_world(world):
    """The world's group with a member that joined, one that left, one that joins later and one
    leaving later, each recorded by a named administrator on another day than its own."""
    admin = world.users["admin"]
    admin.last_name, admin.first_name = "王", "海涛"
    admin.save()
    recorded = timezone.now() - datetime.timedelta(days=1)
    group = world.group
    left = membership_add(
        group=group,
        school=SchoolFactory(name="已退出学校", authority=world.shinan),
        relation_type="T-3",
        relation_subtype="T-3a",
        joined_on=datetime.date(2021, 3, 1),
        actor=admin,
        now=recorded,
    )
    membership_end(
        membership=left,
        left_on=datetime.date(2023, 7, 1),
        end_reason=Membership.EndReason.EXIT,
        actor=admin,
        now=recorded,
    )
    membership_add(
        group=group,
        school=SchoolFactory(name="拟加入学校", authority=world.shinan),
        relation_type="T-3",
        relation_subtype="T-3a",
        joined_on=TODAY + datetime.timedelta(days=20),
        actor=admin,
        now=recorded,
    )
    leaving = membership_add(
        group=group,
        school=SchoolFactory(name="拟退出学校", authority=world.shinan),
        relation_type="T-3",
        relation_subtype="T-3a",
        joined_on=datetime.date(2022, 9, 1),
        actor=admin,
        now=recorded,
    )
    membership_end(
        membership=leaving,
        left_on=TODAY + datetime.timedelta(days=40),
        end_reason=Membership.EndReason.EXIT,
        actor=admin,
        now=recorded,
    )
    return world


def _story(world, role="city"):
    from qingdao_groups.core.timeline import story_for

    with translation.override("zh-hans"):
        return story_for(group_id=world.group.pk, user=world.users[role], today=TODAY)


def test_the_story_is_in_effective_order_with_names_and_dates(story_world):
    """Policy L-3, L-5: each event on its effective day (not the day it was recorded), newest
    first, naming the person by full name, not login."""
    events = _story(story_world)
    days = [e.day for e in events]
    assert days == sorted(days, reverse=True)
    by_text = {e.text: e for e in events}
    joined = next(e for e in events if e.text.startswith("已退出学校") and e.kind == "joined")
    left = next(e for e in events if e.text.startswith("已退出学校") and e.kind == "left")
    assert joined.day == datetime.date(2021, 3, 1) and left.day == datetime.date(2023, 7, 1)
    assert joined.who == "王海涛" and "t-admin" not in joined.who
    founded = next(e for e in events if e.kind == "founded")
    assert founded.day == story_world.group.founded_on and events[-1] is founded
    assert by_text  # texts are unique enough to look up


def test_future_joins_and_exits_show_as_upcoming_and_leaving(story_world, login):
    """Policy L-3, L-5: a join or an exit not yet in effect is 拟加入 / 拟退出 with its date."""
    events = _story(story_world)
    upcoming = next(e for e in events if e.text.startswith("拟加入学校"))
    leaving = next(e for e in events if e.text.startswith("拟退出学校") and e.kind == "left")
    assert (upcoming.pending, upcoming.day) == ("拟加入", TODAY + datetime.timedelta(days=20))
    assert (leaving.pending, leaving.day) == ("拟退出", TODAY + datetime.timedelta(days=40))
    assert events[0] is leaving and events[1] is upcoming  # the future comes first
    past = next(e for e in events if e.text.startswith("已退出学校") and e.kind == "left")
    assert past.pending == ""
    page = login(story_world.users["member"]).get(
        reverse("groups:group-detail", args=[story_world.group.pk])
    )
    html = page.content.decode()
    assert 'data-testid="story-pending">拟加入' in html and "拟退出" in html
    assert (TODAY + datetime.timedelta(days=20)).isoformat() in html


def test_the_group_page_shows_the_latest_ten_and_links_to_the_rest(story_world, login):
    for i in range(30):
        MembershipFactory(
            group=story_world.group, joined_on=datetime.date(2020, 1, 1) + datetime.timedelta(i)
        )
    client = login(story_world.users["principal"])
    page = client.get(reverse("groups:group-detail", args=[story_world.group.pk]))
    assert len(page.context["story"]) == 10 and page.context["story_more"]
    html = page.content.decode()
    assert reverse("groups:group-history", args=[story_world.group.pk]) in html
    assert 'data-testid="audit-link"' not in html  # a principal does not read the audit log
    history = client.get(reverse("groups:group-history", args=[story_world.group.pk]))
    assert history.status_code == 200
    first = history.context["page_obj"]
    assert first.paginator.count == len(_story(story_world, "principal")) > 25
    second = client.get(
        reverse("groups:group-history", args=[story_world.group.pk]) + "?page=2"
    ).context["page_obj"]
    assert first.object_list[-1].day >= second.object_list[0].day


def test_the_story_shows_a_decision_with_its_justification(world):
    """Policy L-3: a decision is in the story on its day, with the written justification."""
    decided = timezone.now() - datetime.timedelta(days=3)
    _application(
        world,
        status="approved",
        decided_at=decided,
        decided_by=world.users["district"],
        decision_reason="同意吸纳。",
        justification="薄弱学校比例将在明年达标。",
    )
    event = next(e for e in _story(world) if e.kind == "decision")
    assert event.day == timezone.localdate(decided)
    assert "薄弱学校比例将在明年达标" in event.note and "同意吸纳" in event.note


def test_the_audit_log_is_paginated_and_names_field_changes(story_world, login):
    """Every recorded change, who and which field from what to what; 50 a page."""
    client = login(story_world.users["district"])
    url = reverse("groups:group-audit", args=[story_world.group.pk])
    for _i in range(60):
        MembershipFactory(group=story_world.group)
    first = client.get(url)
    assert first.status_code == 200
    page = first.context["page_obj"]
    assert page.paginator.num_pages >= 2 and len(page.object_list) == 50
    last = client.get(url + f"?page={page.paginator.num_pages}").context["page_obj"]
    assert last.object_list and last.number == page.paginator.num_pages
    ended = [
        e
        for p in range(1, page.paginator.num_pages + 1)
        for e in client.get(url + f"?page={p}").context["page_obj"].object_list
        if any(c.after == "2023-07-01" for c in e.changes)
    ]
    assert ended and ended[0].who == "王海涛"
    assert any(c.before == "—" for c in ended[0].changes)


@pytest.mark.parametrize("role", ["principal", "member"])
def test_the_audit_log_is_forbidden_to_schools(world, login, role):
    response = login(world.users[role]).get(reverse("groups:group-audit", args=[world.group.pk]))
    assert response.status_code == 403


@pytest.mark.parametrize("name", ["groups:group-history", "groups:group-audit"])
def test_story_and_audit_pages_keep_a_constant_number_of_queries(world, client, name):
    client.force_login(User.objects.get(pk=world.users["city"].pk))
    url = reverse(name, args=[world.group.pk])

    def grow(n):
        for _i in range(n):
            m = MembershipFactory(group=world.group)
            m.note = "改"
            m.save()

    grow(30)  # the page then reads the same sources whatever the size
    client.get(url)  # warm per-process caches
    small = count_queries(client, url)
    grow(60)
    large = count_queries(client, url)
    assert small == large <= 16


# --- citations ---------------------------------------------------------------------------------


def test_citations_read_like_the_policy():
    """Every clause of the digest has a place in the text (policy T-2, L-5 as examples)."""
    for clause in CLAUSE_TEXT:
        assert article_of(clause), clause
    # every clause of the digest is placed (core/clauses.CLAUSE_ARTICLES)
    every = "G-1 G-2 G-3 G-4 G-5 G-6 T-1 T-1a T-1b T-2 T-2a T-2b T-2c T-3 T-3a T-3b L-1 L-2 L-3 "
    every += "L-4 L-5 L-6 L-7 L-8 F-1 F-2 F-3 F-4 F-5 S-1 S-2 A-1 A-2 A-3 A-4 A-5 A-6 D-1 D-2"
    assert all(article_of(c) for c in every.split())
    with translation.override("zh-hans"):
        assert citation("T-2") == "《意见》三、（二）"
        assert citation("T-2a") == "《意见》三、（二）1"
        assert citation("L-5") == "《意见》四、（五）"
        assert citation("XX-9") == ""
        html = Template('{% load qg_texts %}{{ "T-2"|citation }}').render(Context())
        assert "《意见》三、（二）" in html and 'class="clause-tag">T-2<' in html
    with translation.override("en"):
        assert citation("T-2") == "Opinions III (2)"


def test_one_date_format_in_both_languages():
    """A bare date, the date filter's default and the project's filters print the same."""
    day = datetime.date(2024, 9, 1)
    moment = timezone.make_aware(datetime.datetime(2024, 9, 1, 8, 30))
    source = "{% load qg_labels %}{{ d }}|{{ d|date }}|{{ d|ymd }}|{{ m|date:'DATETIME_FORMAT' }}|{{ m|ymd_hm }}"
    for language in ("zh-hans", "en"):
        with translation.override(language):
            out = Template(source).render(Context({"d": day, "m": moment}))
        assert out == "2024-09-01|2024-09-01|2024-09-01|2024-09-01 08:30|2024-09-01 08:30", language


def test_a_founded_group_is_numbered_like_the_registry(db):
    """One group-code format: QD, the founding year and a three-digit number (QD2019001)."""
    import re

    from groups.applications.services import _next_group_code

    code = _next_group_code(2031)
    assert re.fullmatch(r"QD2031\d{3}", code)
