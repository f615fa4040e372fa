"""The demo seed (issue 2, "Demo data"; issue 3, a group's life in progress): idempotent,
faithful to CLAUSES.md "History", valid data, one working login per role with something to do,
and never under the production settings."""

import datetime
import io
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Q
from django.test import RequestFactory, override_settings
from django.utils import timezone

from groups.applications.models import (
    AdmissionCriterion,
    AdmissionScore,
    Application,
    Consent,
    ProposedMember,
)
from groups.cards.models import Card
from groups.charter.models import GroupDocument
from groups.enrollment.models import EnrollmentPlan
from groups.filings.models import Filing
from groups.registry.membership import MembershipState
from groups.registry.models import (
    CouncilSeat,
    EducationGroup,
    Membership,
    Partnership,
    PolicyParameters,
)
from members.models import Authority, Partner, School, User
from qingdao_groups.core.inbox import inbox_for_user
from qingdao_groups.core.uploads import PDF, extract_text, validate_upload
from qingdao_groups.demo.api import DEMO_API_KEY, DEMO_API_PREFIX, DEMO_API_SCOPES
from qingdao_groups.demo.data import (
    ADMISSION_CRITERIA,
    DEMO_PASSWORD,
    LATE_EXIT_GROUP,
    LATE_EXIT_ON,
    OVERDUE_CARD_SCHOOL,
    District,
    build_plan,
    group_name_for,
)
from qingdao_groups.demo.story import demo_pdf
from qingdao_groups.models import Attachment
from tests.conftest import PDF_TEXT_AVAILABLE

DEMO_ROLES = {
    "city": User.Role.CITY_STAFF,
    "district": User.Role.DISTRICT_STAFF,
    "principal": User.Role.CORE_PRINCIPAL,
    "member": User.Role.MEMBER_PRINCIPAL,
    "auditor": User.Role.AUDITOR,
    "admin": User.Role.SYSADMIN,
    "finance": User.Role.FINANCE_REVIEWER,
    "finance2": User.Role.FINANCE_REVIEWER,
    "staffing": User.Role.STAFFING_OFFICE,
    "hr": User.Role.HR_BUREAU,
}
PILOT_CORES = {
    "青岛二中教育集团": ("青岛第二中学", datetime.date(2019, 3, 1)),
    "青岛五十八中教育集团": ("青岛第五十八中学", datetime.date(2019, 12, 13)),
    "青岛实验初级中学教育集团": ("青岛实验初级中学", datetime.date(2019, 12, 13)),
}


def seed() -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("seed_demo", stdout=out, stderr=err)
    assert err.getvalue() == "", err.getvalue()  # nothing was skipped on the way
    return out.getvalue()


def _model_counts() -> dict[str, int]:
    """Rows of every model of every app, the historical models included."""
    models = apps.get_models()
    assert any(m.__name__.startswith("Historical") for m in models)
    return {m._meta.label: m._default_manager.count() for m in models}


@pytest.fixture(scope="module")
def _seeded_module(django_db_setup, django_db_blocker, tmp_path_factory):
    """Seed once for the module inside a transaction rolled back at its end; each test runs in a
    savepoint within it (pytest-django's `db`), so tests stay independent and the suite fast.
    The story's uploads go to a temporary folder, never to the project's var/."""
    media = tmp_path_factory.mktemp("seed-media")
    with override_settings(MEDIA_ROOT=media), django_db_blocker.unblock(), transaction.atomic():
        output = seed()
        yield output
        transaction.set_rollback(True)


@pytest.fixture
def seeded(_seeded_module, db):
    return _seeded_module


def test_second_run_creates_nothing_and_writes_no_history(seeded, settings):
    before = _model_counts()
    assert before["members.School"] > 0 and before["members.HistoricalSchool"] > 0
    assert before["groups.Application"] > 0 and before["qingdao_groups.Notification"] > 0
    out = seed()
    assert _model_counts() == before  # every table of every app, history and notices included
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.*"))  # and no file stored
    assert "未作任何改动" in out


def test_plan_is_deterministic():
    first, second = build_plan(), build_plan()
    assert [
        (s.name, s.code, s.stage, s.nature, s.weak_year, s.principal) for s in first.schools
    ] == [(s.name, s.code, s.stage, s.nature, s.weak_year, s.principal) for s in second.schools]
    assert first.members == second.members
    assert first.story == second.story


def test_story_schools_belong_to_no_group_of_the_plan():
    plan = build_plan()
    story = plan.story
    in_groups = {g.core for g in plan.groups} | {
        m.school for members in plan.members.values() for m in members
    }
    chosen = [
        story.pending_core,
        story.pending_local,
        story.pending_other,
        story.founded_core,
        story.founded_local,
        story.founded_other,
        story.candidate,
    ]
    assert len(set(chosen)) == len(chosen)
    assert not in_groups & set(chosen)
    by_name = {s.name: s for s in plan.schools}
    assert by_name[story.pending_other].district == District.SHIBEI
    assert by_name[story.founded_other].district == District.LAOSHAN
    for name in (
        story.pending_core,
        story.pending_local,
        story.founded_core,
        story.founded_local,
        story.candidate,
    ):
        assert by_name[name].district == District.LICANG
    # A weak member in each founding (policy A-4); aggregation across stages (T-2).
    assert by_name[story.pending_local].weak_year and by_name[story.founded_other].weak_year
    assert by_name[story.pending_local].stage != by_name[story.pending_core].stage
    assert by_name[OVERDUE_CARD_SCHOOL].name in {m.school for m in plan.members["QD2019001"]}


def test_authorities(seeded):
    city = Authority.objects.get(code="city")
    assert city.name == "青岛市教育局" and city.kind == Authority.Kind.CITY
    districts = Authority.objects.districts()
    assert sorted(districts.values_list("district", flat=True)) == sorted(District.values)
    assert all(a.parent_id == city.pk for a in districts)
    assert all(a.code == f"district-{a.district_id}" for a in districts)
    assert districts.get(district=District.HUANGDAO).name == "青岛西海岸新区教育和体育局"
    assert districts.get(district=District.SHINAN).name == "市南区教育和体育局"
    others = set(Authority.objects.filter(kind=Authority.Kind.OTHER).values_list("code", flat=True))
    assert others == {"bianban", "finance", "hrss"}


def test_schools_are_many_valid_and_varied(seeded):
    schools = list(School.objects.all())
    assert len(schools) >= 250
    for school in schools:
        school.full_clean()  # the 10-digit code, choices, weak-year rule, uniqueness
        assert school.code.startswith("3702"), school
        assert school.principal_name, school
    n = len(schools)
    private = sum(s.nature == School.Nature.PRIVATE for s in schools)
    weak = sum(s.is_weak for s in schools)
    assert 0.05 * n <= private <= 0.15 * n
    assert 0.08 * n <= weak <= 0.16 * n
    assert {s.stage for s in schools} == set(School.Stage.values)
    assert {s.district_id for s in schools} == set(District.values)
    # Every school has its creation in the history, recorded by the seed's actor.
    admin = User.objects.get(username="admin")
    created = School.history.filter(history_type="+")
    assert created.count() == n
    assert not created.exclude(history_user=admin).exists()


def test_real_schools_of_the_history_are_there(seeded):
    city_schools = [
        "青岛第二中学",
        "青岛第五十八中学",
        "青岛实验初级中学",
        "青岛第一中学",
        "琴岛学校",
        "青岛第九中学",
        "青岛第二十六中学",
        "青岛五十八中高新校区",
    ]
    for name in city_schools:  # 局属学校: run by the city bureau though located in a district
        school = School.objects.get(name=name)
        assert school.authority.code == "city", name
    for name in ["李沧区枣山路学校", "广雅中学", "青岛第四十二中学"]:
        assert School.objects.get(name=name).authority.kind == Authority.Kind.DISTRICT


def test_pilot_groups(seeded):
    for name, (core_name, founded) in PILOT_CORES.items():
        group = EducationGroup.objects.get(name=name)
        assert group.core_school.name == core_name
        assert group.founded_on == founded
        assert group.authority.code == "city"
        assert group.specialty and group.unified_areas
        core = group.memberships.get(role=Membership.Role.CORE)
        assert core.school == group.core_school and core.left_on is None
        members = group.memberships.members()
        open_members = members.current()
        assert 4 <= open_members.count() <= 8, name
        # Policy A-4: weak schools make up a share of the members (20 %: the default minimum).
        assert open_members.filter(school__is_weak=True).count() >= 0.2 * open_members.count()
        assert len({m.school.district_id for m in open_members}) >= 3, name
        assert len({m.school.stage for m in open_members}) >= 2, name
        assert open_members.filter(school__nature=School.Nature.PRIVATE).exists(), name  # G-6
        assert not members.filter(joined_on__lt=founded).exists()
        ended = members.filter(left_on__isnull=False)
        assert ended.filter(end_reason=Membership.EndReason.EXIT).exists(), name
        # The ending shows in the history as a change after the joining.
        m = ended.first()
        assert list(m.history.order_by("history_date").values_list("history_type", flat=True)) == [
            "+",
            "~",
        ]
        # ... each on the story's day, not the seeding moment (issue 8).
        recorded = [
            timezone.localdate(when)
            for when in m.history.order_by("history_date").values_list("history_date", flat=True)
        ]
        assert recorded == [m.joined_on, m.left_on]
        assert timezone.localdate(group.history.earliest("history_date").history_date) == founded
        # Council: the core principal as chief (G-3), member principals, an adviser.
        seats = group.council_seats.all()
        chief = seats.get(role=CouncilSeat.Role.CHIEF_PRINCIPAL)
        assert chief.person_name == group.core_school.principal_name
        assert seats.filter(role=CouncilSeat.Role.MEMBER_PRINCIPAL).count() >= 2
        assert seats.filter(role=CouncilSeat.Role.ADVISER).exists()
        # Charter v1 and v2 (they differ) and rules (G-4, L-8).
        charters = {d.version: d for d in group.documents.filter(kind=GroupDocument.Kind.CHARTER)}
        assert set(charters) == {1, 2}
        assert charters[1].text and charters[2].text and charters[1].text != charters[2].text
        assert not charters[1].file
        assert group.documents.filter(kind=GroupDocument.Kind.RULES).exists()
        assert group.partnerships.exists()
    erzhong = EducationGroup.objects.get(name="青岛二中教育集团")
    assert EducationGroup.objects.order_by("founded_on", "id").first() == erzhong


def test_pilot_details_from_the_history(seeded):
    wuba = EducationGroup.objects.get(name="青岛五十八中教育集团")
    campus = wuba.memberships.get(school__name="青岛五十八中高新校区")
    assert (campus.relation_subtype, campus.joined_on) == ("T-1b", datetime.date(2021, 9, 1))
    assert wuba.memberships.get(school__name="李沧区枣山路学校").relation_type == "T-2"
    shiyan = EducationGroup.objects.get(name="青岛实验初级中学教育集团")
    li_cang = shiyan.memberships.get(school__name="青岛实验初级中学李沧分校")
    assert li_cang.joined_on == datetime.date(2021, 9, 1)
    assert shiyan.memberships.filter(school__name="广雅中学").exists()
    yizhong = EducationGroup.objects.get(name="青岛一中教育集团")
    assert yizhong.memberships.get(school__name="琴岛学校").relation_subtype == "T-1a"
    lixian = EducationGroup.objects.get(name="礼贤教育集团")
    assert lixian.core_school.name == "青岛第九中学"
    assert lixian.memberships.filter(school__name="青岛第四十二中学").exists()


def test_more_groups_city_and_district(seeded):
    assert EducationGroup.objects.count() >= 3 + 8
    district_groups = EducationGroup.objects.filter(authority__kind=Authority.Kind.DISTRICT)
    assert district_groups.count() >= 5
    for group in district_groups:  # approved by the core school's own authority (L-1)
        assert group.core_school.authority_id == group.authority_id
    assert set(Partner.objects.values_list("kind", flat=True)) == set(Partner.Kind.values)
    assert set(Partnership.objects.values_list("partner__kind", flat=True)) == set(
        Partner.Kind.values
    )
    assert not Partnership.objects.filter(projects="").exists()


def test_no_school_is_in_two_groups_at_once(seeded):
    doubled = (
        Membership.objects.without_end().values("school").annotate(n=Count("id")).filter(n__gt=1)
    )
    assert not doubled.exists()
    by_school: dict[int, list[Membership]] = {}
    for m in Membership.objects.order_by("school_id", "joined_on"):
        by_school.setdefault(m.school_id, []).append(m)
    for memberships in by_school.values():
        for earlier, later in zip(memberships, memberships[1:], strict=False):
            assert earlier.left_on is not None and earlier.left_on <= later.joined_on
    # Fusion members share their core's legal entity (T-1): never a separate legal entity here.
    fusion = Membership.objects.current().filter(
        relation_type="T-1", school__authority__code="city"
    )
    assert not fusion.filter(school__is_legal_entity=True).exists()


def test_every_registry_history_row_names_the_seed_actor(seeded):
    """The registry is the admin's; only the group the story's founding created was recorded by
    the 李沧 staff who approved it (policy L-1), and the late exit of a member of 2024 by the
    city staff who recorded it after the year was locked (issue 9)."""
    admin = User.objects.get(username="admin")
    story_group = EducationGroup.objects.get(name=group_name_for(build_plan().story.founded_core))
    late_exit = EducationGroup.objects.get(code=LATE_EXIT_GROUP)
    for model in (
        Authority,
        School,
        Partner,
        User,
        EducationGroup,
        Membership,
        Partnership,
        CouncilSeat,
        GroupDocument,
        AdmissionCriterion,
        PolicyParameters,
    ):
        history = model.history.all()
        assert history.exists(), model
        others = history.filter(~Q(history_user=admin) | Q(history_user__isnull=True))
        if model is Membership:
            late = others.filter(group_id=late_exit.pk)
            assert set(late.values_list("history_user__username", flat=True)) == {"city"}
            assert list(late.values_list("left_on", flat=True)) == [LATE_EXIT_ON]
            others = others.exclude(group_id=late_exit.pk)
        if model in (EducationGroup, Membership, Partnership, CouncilSeat, GroupDocument):
            group_field = "id" if model is EducationGroup else "group_id"
            assert set(others.values_list(group_field, flat=True)) == {story_group.pk}, model
            assert set(others.values_list("history_user__username", flat=True)) == {"district"}, (
                model
            )
        else:
            assert not others.exists(), model


def test_demo_users_can_log_in(seeded, client):
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_ROLES)}
    assert {name: u.role for name, u in users.items()} == DEMO_ROLES
    for user in users.values():
        assert user.first_name and user.last_name
        user.full_clean()
    assert users["city"].authority.code == "city"
    district = users["district"].authority
    assert district.kind == Authority.Kind.DISTRICT
    # The district user's bureau has schools in pilot groups and founded a group of its own.
    assert (
        Membership.objects.current()
        .filter(group__name__in=PILOT_CORES, school__authority=district)
        .exists()
    )
    assert EducationGroup.objects.filter(authority=district).exists()
    assert users["principal"].school.name == "青岛第二中学"
    member_school = users["member"].school
    assert (
        Membership.objects.current()
        .members()
        .filter(school=member_school, group__name="青岛二中教育集团")
        .exists()
    )
    assert users["admin"].is_staff and users["admin"].is_superuser
    assert not users["auditor"].is_staff

    rf = RequestFactory()
    for username in DEMO_ROLES:
        # django-axes needs the request to authenticate; the test client passes it on.
        assert client.login(
            request=rf.post("/accounts/login/"), username=username, password=DEMO_PASSWORD
        ), username
        client.logout()
        response = client.post(
            "/accounts/login/", {"username": username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, username
        assert client.session["_auth_user_id"] == str(users[username].pk)
        client.logout()


def test_the_printed_demo_api_key_reads_the_shinan_groups(seeded, client):
    """Issue 11: the key seed_demo prints with the logins (and `make run` echoes) works against
    the API as the 市南区 bureau's system, with the four scopes; a second run keeps it."""
    from api.models import ApiClient

    line = next(x for x in seeded.splitlines() if "Authorization: Bearer " in x)
    key = line.split("Bearer ", 1)[1].strip()
    assert key == DEMO_API_KEY
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text(encoding="utf-8")
    assert f"Bearer {DEMO_API_KEY}" in makefile
    demo = ApiClient.objects.get(keys__prefix=DEMO_API_PREFIX)
    assert demo.authority.code == "district-shinan"
    assert sorted(demo.scopes) == sorted(DEMO_API_SCOPES)
    assert demo.user.is_system_account and not demo.user.has_usable_password()

    response = client.get("/api/v1/groups/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert rows and all(row["members"] for row in rows)
    shinan = set(
        EducationGroup.objects.filter(authority=demo.authority).values_list("code", flat=True)
    )
    assert shinan and shinan <= {row["code"] for row in rows}
    wrong = key[:-1] + ("A" if key[-1] != "A" else "B")
    assert client.get("/api/v1/groups/", HTTP_AUTHORIZATION=f"Bearer {wrong}").status_code == 401


def test_refuses_under_production_settings(db, settings):
    # SETTINGS_MODULE last: each override_settings layer resets it to None (UserSettingsHolder).
    settings.DEBUG = False
    settings.SETTINGS_MODULE = "qingdao_groups.settings.production"
    before = _model_counts()
    with pytest.raises(CommandError, match="生产"):
        call_command("seed_demo", stdout=io.StringIO())
    assert _model_counts() == before


def test_runs_under_other_settings_even_without_debug(db, settings):
    settings.DEBUG = False
    settings.SETTINGS_MODULE = "qingdao_groups.settings.local"
    out = seed()
    assert "demo-pass-2025" in out and "principal" in out


# --- issue 3: a group's life in progress ---------------------------------------------------------

STORY_USERS = {
    "licang_principal": (User.Role.CORE_PRINCIPAL, "story.pending_core"),
    "licang_principal2": (User.Role.CORE_PRINCIPAL, "story.founded_core"),
    "shibei": (User.Role.DISTRICT_STAFF, District.SHIBEI),
    "laoshan": (User.Role.DISTRICT_STAFF, District.LAOSHAN),
}


@pytest.fixture
def story():
    return build_plan().story


@pytest.fixture
def demo_users(seeded):
    return {u.username: u for u in User.objects.select_related("school", "authority")}


def test_story_users_log_in_and_are_listed(seeded, demo_users, story):
    for username, (role, unit) in STORY_USERS.items():
        user = demo_users[username]
        assert user.role == role and user.check_password(DEMO_PASSWORD), username
        user.full_clean()
        if role == User.Role.DISTRICT_STAFF:
            assert user.authority.district_id == unit
        else:
            school = getattr(story, unit.removeprefix("story."))
            assert user.school.name == school
            assert f"{user.last_name}{user.first_name}" == user.school.principal_name
        assert f"  {username} " in seeded  # the printed login table


def test_admission_checklist_and_policy_parameters(seeded):
    criteria = AdmissionCriterion.objects.filter(group__isnull=True, active=True)
    assert [(c.name, c.max_score) for c in criteria] == [(n, 20) for n, _ in ADMISSION_CRITERIA]
    assert [c.name for c in criteria] == [
        "办学理念契合度",
        "教育质量基础",
        "师资队伍",
        "合作意愿与承诺",
        "区域布局与资源条件",
    ]
    assert all(c.description for c in criteria)
    assert PolicyParameters.objects.count() == 1


def test_every_demo_login_has_something_to_do(seeded, demo_users):
    """Each role opens the demo to an inbox with work in it, oldest first (issue 3)."""
    inbox = {
        name: inbox_for_user(demo_users[name])
        for name in ("city", "district", "principal", "member", "shibei")
    }
    every = {name: [str(item.kind) for item in items] for name, items in inbox.items()}
    # Issue 9: each paying bureau has the draft ledgers of 2026 (and 2025's it has not
    # confirmed) to confirm; the finance reviewers have the confirmed ones to lock.
    ledgers = "待确认经费台账"
    for name in ("city", "district", "shibei"):
        assert ledgers in every[name], name
    assert "待锁定经费台账" in {str(i.kind) for i in inbox_for_user(demo_users["finance"])}
    kinds = {name: [k for k in found if k != ledgers] for name, found in every.items()}
    assert sorted(kinds["city"]) == ["待确认报备", "待确认报备", "待确认报备", "整改逾期"]
    assert sorted(kinds["district"]) == ["待出具意见", "招生计划待核定"]
    assert kinds["principal"] == ["待提出意见"]
    assert kinds["member"] == ["黄牌待整改"]
    assert kinds["shibei"] == ["待出具意见"]
    for items in inbox.values():
        assert [i.since for i in items] == sorted(i.since for i in items)
    # The story is dated: items have waited for days; the overdue card is overdue (policy L-6),
    # the late project filing is flagged in its note (D-2; its deadline has not passed).
    overdue = [i for i in inbox["city"] if i.is_overdue]
    assert {str(i.kind) for i in overdue} == {"整改逾期"}
    assert [i.title for i in inbox["city"] if "D-2" in i.note] != []
    assert max(i.days_waiting for i in inbox["city"]) >= 20
    assert inbox["shibei"][0].days_waiting == 10


def test_founding_awaiting_the_other_districts_consent(seeded, demo_users, story):
    """Policy L-1: 李沧 decides for its core school; 市北 must consent first."""
    application = Application.objects.select_related("deciding_authority").get(
        kind=Application.Kind.FOUNDING, proposed_name=group_name_for(story.pending_core)
    )
    assert application.status == Application.Status.AWAITING_CONSENTS
    assert application.created_by == demo_users["licang_principal"]
    assert application.deciding_authority == demo_users["district"].authority
    assert list(application.consents.values_list("authority__district", "status")) == [
        (District.SHIBEI, Consent.Status.PENDING)
    ]
    members = {p.school.name: p for p in application.proposed_members.select_related("school")}
    assert set(members) == {story.pending_local, story.pending_other}
    assert members[story.pending_other].relation_type == "T-3"
    assert members[story.pending_other].projects  # an alliance names a project (T-3)
    assert application.proposed_partners.exists()
    kinds = sorted(application.attachments.values_list("kind", flat=True))
    assert kinds == ["agreement", "agreement", "charter", "plan"]
    assert not application.check_results.filter(passed=False).exists()
    assert timezone.localdate(
        application.submitted_at
    ) == timezone.localdate() - datetime.timedelta(days=10)


def test_founding_approved_by_the_district_awaits_the_citys_acknowledgement(
    seeded, demo_users, story
):
    """Policy L-1, L-2: 崂山 consented, 李沧 approved; the group is active and filed with the
    city, which has not acknowledged it yet."""
    application = Application.objects.get(
        kind=Application.Kind.FOUNDING, proposed_name=group_name_for(story.founded_core)
    )
    assert application.status == Application.Status.APPROVED
    assert application.decided_by == demo_users["district"]
    consent = application.consents.get()
    assert (consent.authority.district_id, consent.status, consent.decided_by) == (
        District.LAOSHAN,
        Consent.Status.GIVEN,
        demo_users["laoshan"],
    )
    group = application.group
    assert group.status == EducationGroup.Status.ACTIVE
    assert group.authority == demo_users["district"].authority
    assert group.core_school == demo_users["licang_principal2"].school
    assert set(group.memberships.current().members().values_list("school__name", flat=True)) == {
        story.founded_local,
        story.founded_other,
    }
    assert set(group.documents.values_list("kind", flat=True)) == {"plan", "agreement", "charter"}
    assert group.partnerships.exists()
    filing = Filing.objects.get(application=application)
    assert (filing.kind, filing.status, filing.group, filing.filed_by) == (
        Filing.Kind.GROUP_FOUNDING,
        Filing.Status.FILED,
        group,
        demo_users["district"],
    )
    # The steps happened on different days, in order.
    steps = list(application.history.order_by("history_date").values_list("status", "history_date"))
    assert [s for s, _ in steps][-3:] == ["awaiting_consents", "under_decision", "approved"]
    assert (steps[-1][1] - steps[0][1]).days >= 13


def test_admission_awaiting_the_candidates_authority(seeded, demo_users, story):
    """Policy L-3: 青岛二中 (a city school) applies; 李沧 consents before the city decides."""
    application = Application.objects.get(kind=Application.Kind.ADMISSION, group__code="QD2019001")
    assert application.status == Application.Status.AWAITING_CONSENTS
    assert application.created_by == demo_users["principal"]
    assert application.deciding_authority == demo_users["city"].authority
    assert application.admission_mode == Application.AdmissionMode.OWN_CHOICE
    assert application.start_on > timezone.localdate()
    assert list(application.consents.values_list("authority", "status")) == [
        (demo_users["district"].authority_id, Consent.Status.PENDING)
    ]
    candidate = ProposedMember.objects.get(application=application)
    assert candidate.school.name == story.candidate
    assert not Membership.objects.current_or_upcoming().filter(school=candidate.school).exists()
    scores = AdmissionScore.objects.filter(application=application).select_related("criterion")
    assert len(scores) == len(ADMISSION_CRITERIA)
    assert all(0 < s.score <= s.criterion.max_score for s in scores)
    assert application.evaluation_recommendation == Application.Recommendation.ADMIT
    assert list(application.attachments.values_list("kind", flat=True)) == ["agreement"]


def test_exit_awaiting_the_core_principals_opinion(seeded, demo_users):
    """Policy L-5: 九水路中学 applies to leave a few months ahead."""
    member = demo_users["member"]
    application = Application.objects.get(
        kind=Application.Kind.EXIT, applicant_school=member.school
    )
    assert application.status == Application.Status.AWAITING_OPINION
    assert application.created_by == member and application.reason
    assert (
        application.membership.state == MembershipState.ACTIVE
        and application.group.code == "QD2019001"
    )
    assert application.start_on.day == 1
    assert application.start_on > timezone.localdate() + datetime.timedelta(days=80)


def test_cards_overdue_and_awaiting_response(seeded, demo_users):
    """Policy L-6: the city's yellow cards; the one past its deadline was marked overdue by the
    daily task (no user), the member's awaits its rectification."""
    today = timezone.localdate()
    overdue = Card.objects.get(membership__school__name=OVERDUE_CARD_SCHOOL)
    assert (overdue.level, overdue.status, overdue.issued_by) == (
        Card.Level.YELLOW,
        Card.Status.OVERDUE,
        demo_users["city"],
    )
    assert overdue.deadline < today and overdue.group.code == "QD2019001"
    history = list(overdue.history.order_by("history_date").values_list("status", "history_user"))
    assert history == [("yellow_issued", demo_users["city"].pk), ("overdue", None)]
    assert timezone.localdate(overdue.issued_at) < overdue.deadline
    pending = Card.objects.get(membership__school=demo_users["member"].school)
    assert pending.status == Card.Status.YELLOW_ISSUED and pending.deadline > today


def test_district_filings_one_late(seeded, demo_users):
    """Policy D-1, D-2: a policy and a project filed by 李沧; the project started first."""
    filings = {
        f.kind: f
        for f in Filing.objects.filter(filed_by=demo_users["district"]).exclude(
            kind=Filing.Kind.GROUP_FOUNDING
        )
    }
    assert set(filings) == {Filing.Kind.POLICY, Filing.Kind.PROJECT}
    assert all(f.status == Filing.Status.FILED for f in filings.values())
    assert not filings[Filing.Kind.POLICY].is_late
    project = filings[Filing.Kind.PROJECT]
    assert project.project_starts_on < project.filed_on and project.is_late


def test_enrollment_plans_one_set_one_waiting(seeded, demo_users):
    """Policy L-7: 青岛二中's plan set by the city, 九水路中学's awaiting 李沧."""
    year = timezone.localdate().year
    erzhong = EnrollmentPlan.objects.get(school=demo_users["principal"].school, year=year)
    assert (erzhong.status, erzhong.filed_by, erzhong.set_by) == (
        EnrollmentPlan.Status.SET,
        demo_users["principal"],
        demo_users["city"],
    )
    member = EnrollmentPlan.objects.get(school=demo_users["member"].school, year=year)
    assert (member.status, member.filed_by, member.set_by) == (
        EnrollmentPlan.Status.FILED,
        demo_users["member"],
        None,
    )


def test_workflow_history_names_the_people_who_acted(seeded):
    """Each step recorded by whoever took it; the admin only set up the registry."""
    allowed = {
        Application: {
            "licang_principal",
            "licang_principal2",
            "principal",
            "member",
            "laoshan",
            "district",
        },
        Consent: {"licang_principal", "licang_principal2", "principal", "laoshan"},
        # the city collects three of the good-practice cases with their pictures
        Attachment: {"licang_principal", "licang_principal2", "principal", "city"},
        AdmissionScore: {"principal"},
        Card: {"city", None},  # None: the daily overdue task (policy L-6)
        # 市北 files a policy that the city acknowledges (its 备案回执, issue 8).
        Filing: {"district", "shibei", "city"},
        EnrollmentPlan: {"principal", "member", "city"},
    }
    for model, usernames in allowed.items():
        recorded = set(model.history.values_list("history_user__username", flat=True))
        assert recorded and recorded <= usernames, (model, recorded)


def test_attachments_are_small_valid_pdfs(seeded):
    from assessments.frameworks.models import Indicator
    from assessments.practice.models import PracticeCase

    practice = ContentType.objects.get_for_model(PracticeCase)
    attachments = list(Attachment.objects.exclude(owner_type=practice))
    # issue 10: the 青岛二中 group's self-assessment evidence, one file per indicator that
    # requires it (policy A-1)
    evidence = Indicator.objects.filter(
        dimension__framework__code="QD-JTHBX", evidence_required=True
    ).count()
    assert Attachment.objects.filter(kind=Attachment.Kind.EVIDENCE).count() == evidence
    assert len(attachments) == 9 + evidence
    for attachment in attachments:
        assert attachment.content_type == PDF and 0 < attachment.size < 4096
        assert attachment.original_name.endswith(".pdf")
        assert attachment.file.name.startswith("attachments/")
        assert attachment.original_name not in attachment.file.name  # a generated name
        assert "demo" in attachment.text or not PDF_TEXT_AVAILABLE


def test_good_practice_cases_are_published_with_small_pictures(seeded):
    """Policy A-6: four published cases of the three pilot groups, one awaiting the city's
    review; their pictures are small PNGs made at seed time, public with the case."""
    from assessments.practice.models import PracticeCase
    from qingdao_groups.core.uploads import PNG

    cases = list(PracticeCase.objects.select_related("group"))
    published = [c for c in cases if c.status == PracticeCase.Status.PUBLISHED]
    assert len(published) == 4 and len(cases) == 5
    assert {c.group.name for c in published} == set(PILOT_CORES)
    assert [c.status for c in cases if c not in published] == [PracticeCase.Status.SUBMITTED]
    pictures = Attachment.objects.filter(owner_type=ContentType.objects.get_for_model(PracticeCase))
    assert pictures.count() == 7
    assert all(p.content_type == PNG and 0 < p.size < 40_000 for p in pictures)


def test_demo_pdf_passes_the_upload_checks(tmp_path):
    data = demo_pdf("李沧区教育集团章程", ("第一条 总则",), "group charter (demo)")
    path = tmp_path / "charter.pdf"
    path.write_bytes(data)
    with path.open("rb") as fh:
        info = validate_upload(fh, max_bytes=1024 * 1024)
    assert info.content_type == PDF and info.size == len(data)
    assert "group charter (demo)" in extract_text(str(path), PDF)


def test_the_demo_decision_and_acknowledgement_have_their_documents(seeded):
    """Issue 8: the approved 李沧 founding has its 批复 (policy L-1) and the acknowledged 市北
    policy its 备案回执 (policy D-1), each numbered 1 in its authority's year, as issued."""
    import hashlib

    from qingdao_groups.models import OfficialDocument

    documents = {
        d.kind: d
        for d in OfficialDocument.objects.select_related("authority").exclude(
            kind__in=("ledger_statement", "assessment_report")
        )
    }
    assert set(documents) == {"application_reply", "filing_receipt"}
    reply, receipt = documents["application_reply"], documents["filing_receipt"]
    approved = Application.objects.get(status=Application.Status.APPROVED)
    assert reply.owner == approved and reply.authority == approved.deciding_authority
    assert reply.number.startswith("李沧教体发〔") and reply.serial == 1
    assert receipt.owner.status == Filing.Status.ACKNOWLEDGED
    assert receipt.authority.kind == "city" and receipt.number.startswith("青教发〔")
    for document in documents.values():
        pdf = bytes(OfficialDocument.objects.values_list("pdf", flat=True).get(pk=document.pk))
        assert hashlib.sha256(pdf).hexdigest() == document.sha256


def test_the_demo_published_cycle_has_its_reports_archived(seeded):
    """Issue 10: the published pilot cycle's reports were produced by the seeder, so
    `export_report QD2019001` works right after seed_demo (A-1): one report per covered group
    and the city summary, each with its archived PDF."""
    from assessments.cycles.models import Cycle, CycleGroup
    from assessments.reports.models import Report
    from qingdao_groups.models import OfficialDocument

    cycle = Cycle.objects.get(status=Cycle.Status.PUBLISHED)
    groups = set(CycleGroup.objects.filter(cycle=cycle).values_list("group__code", flat=True))
    assert "QD2019001" in groups and len(groups) == 3
    reports = Report.objects.filter(cycle=cycle, scope=Report.Scope.GROUP)
    assert set(reports.values_list("group__code", flat=True)) == groups
    assert Report.objects.filter(cycle=cycle, scope=Report.Scope.CITY).count() == 1
    archived = OfficialDocument.objects.filter(kind="assessment_report")
    assert archived.count() == Report.objects.filter(cycle=cycle).count()


# --- funding (issue 9) -------------------------------------------------------------------------


def test_funding_logins_and_principal_ranks(seeded, demo_users):
    """The finance reviewers, the staffing office and the HR bureau log in like the others and
    are printed; demo principals carry their rank (policy S-2)."""
    for username in ("finance", "finance2", "staffing", "hr"):
        user = demo_users[username]
        assert user.is_read_only and user.check_password(DEMO_PASSWORD), username
        assert f"  {username} " in seeded
    assert demo_users["finance"].is_finance_reviewer and demo_users["hr"].is_staffing_reader
    assert demo_users["principal"].rank == User.Rank.SPECIAL
    assert demo_users["member"].rank and demo_users["licang_principal"].rank
    # Every district bureau has a staff login to confirm what it pays (F-1, F-2, F-4).
    bureaus = Authority.objects.filter(kind=Authority.Kind.DISTRICT)
    staffed = set(
        User.objects.filter(role=User.Role.DISTRICT_STAFF).values_list("authority_id", flat=True)
    )
    assert set(bureaus.values_list("pk", flat=True)) <= staffed


def test_rate_tables_for_three_years_versioned(seeded):
    """Rates are data per authority and fiscal year (policy F-1, F-4): the city and every
    district for 2024–2026, stage overrides, one authority counting on a reference date and
    one with a second 2025 version, which the 2025 ledgers name."""
    from funding.ledgers.models import LedgerLine
    from funding.rates.models import RateTable, SubsidyStageRate

    tables = RateTable.objects.select_related("authority")
    for year in (2024, 2025, 2026):
        assert tables.filter(fiscal_year=year).values("authority").distinct().count() == 11
    assert SubsidyStageRate.objects.filter(table__authority__code="city").exists()
    assert tables.filter(proration="reference_date", reference_date__isnull=False).exists()
    licang = tables.filter(authority__code="district-licang", fiscal_year=2025)
    assert list(licang.order_by("version").values_list("version", flat=True)) == [1, 2]
    v2 = licang.get(version=2)
    assert v2.subsidy_per_member > licang.get(version=1).subsidy_per_member
    named = LedgerLine.objects.filter(
        ledger__fiscal_year=2025, rule="F-1", ledger__authority__code="district-licang"
    ).values_list("inputs", flat=True)
    assert named and {i["rate_table"] for i in named if "rate_table" in i} == {v2.pk}


def test_agreements_fees_receivables_and_payments(seeded):
    """Each member under another authority than its core school, a member since 2024, has its
    agreement (policy F-2): yearly, per term and one-off, paid by the school or its authority;
    the ledgers made receivables; payments are recorded, one 2024 receivable is overdue."""
    from funding.agreements.models import Agreement, Payment, Receivable

    members = (
        Membership.objects.members()
        .exclude(left_on__lte=datetime.date(2024, 1, 1))
        .select_related("school", "group__core_school")
    )
    other = {m.pk for m in members if m.school.authority_id != m.group.core_school.authority_id}
    agreements = Agreement.objects.all()
    assert set(agreements.values_list("membership_id", flat=True)) == other
    assert set(agreements.values_list("period", flat=True)) == {"yearly", "per_term", "one_off"}
    assert set(agreements.values_list("payer", flat=True)) == {"school", "authority"}
    assert Agreement.objects.filter(membership__school__staff__username="member").exists()
    receivables = Receivable.objects.filter(amount__gt=0)
    assert set(receivables.values_list("fiscal_year", flat=True)) == {2024, 2025, 2026}
    assert Payment.objects.filter(receivable__fiscal_year=2024).exists()
    assert Payment.objects.filter(receivable__fiscal_year=2025).exists()
    unpaid_2024 = receivables.filter(fiscal_year=2024, payments__isnull=True)
    assert unpaid_2024.count() == 1 and unpaid_2024.get().due_on < datetime.date.today()
    for payment in Payment.objects.select_related("receivable"):
        assert 0 < payment.amount <= payment.receivable.amount


def test_dispatches_spending_awards_and_staffing(seeded):
    """Dispatched staff (F-4) — one across the 2024/2025 year end, paid in both years' ledgers —,
    spending by category (F-3), awards (F-5) and two staffing requests, one handled by the
    staffing office (S-1)."""
    from funding.awards.models import Award
    from funding.dispatches.models import Dispatch
    from funding.ledgers.models import LedgerLine
    from funding.spending.models import Spending
    from funding.staffing.models import StaffingRequest

    across = Dispatch.objects.get(
        starts_on__year=2024, ends_on__year=2025, membership__school__staff__username="member"
    )
    years = set(
        LedgerLine.objects.filter(dispatch=across, amount__gt=0).values_list(
            "ledger__fiscal_year", flat=True
        )
    )
    assert years == {2024, 2025}
    assert Dispatch.objects.count() >= 4
    spending = Spending.objects.all()
    assert len(set(spending.values_list("category", flat=True))) >= 5
    assert set(spending.values_list("fiscal_year", flat=True)) == {2024, 2025, 2026}
    assert Award.objects.filter(amount__isnull=True).exists() and Award.objects.count() >= 3
    requests = StaffingRequest.objects.order_by("created_at")
    assert [r.status for r in requests] == ["handled", "open"]
    handled = requests.first()
    assert handled.handled_by.username == "staffing" and handled.context["members"] > 0


def test_ledgers_2024_locked_2025_confirmed_and_draft_2026_draft(seeded):
    """The yearly ledgers through the real services (issue 9): 2024 locked by the two finance
    reviewers in turn, never by who computed or confirmed it (separation of duties), each with
    its archived PDF statement; a member's exit recorded after the lock gives a supplement with
    an adjustment line referring to the locked one; 2025 confirmed by some authorities and a
    draft for the others; 2026 a draft."""
    import hashlib

    from funding.ledgers.models import Ledger
    from qingdao_groups.models import OfficialDocument

    ledgers = Ledger.objects.select_related("computed_by", "confirmed_by", "locked_by")
    first_2024 = ledgers.filter(fiscal_year=2024, sequence=1)
    assert first_2024.exists()
    assert set(first_2024.values_list("status", flat=True)) == {"locked"}
    assert set(first_2024.values_list("locked_by__username", flat=True)) == {
        "finance",
        "finance2",
    }
    for ledger in first_2024:
        assert ledger.locked_by_id not in (ledger.computed_by_id, ledger.confirmed_by_id)
        assert ledger.confirmed_by.authority_id == ledger.authority_id
        assert ledger.total == sum(line.amount for line in ledger.lines.all())
    statements = OfficialDocument.objects.filter(kind="ledger_statement")
    assert statements.count() == first_2024.count()
    statement = statements.first()
    assert statement.owner.status == "locked" and statement.code
    pdf = bytes(OfficialDocument.objects.values_list("pdf", flat=True).get(pk=statement.pk))
    assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == statement.sha256

    supplement = ledgers.get(fiscal_year=2024, sequence=2)
    assert supplement.status == "draft" and supplement.group.code == LATE_EXIT_GROUP
    adjustment = supplement.lines.get()
    assert adjustment.is_adjustment and adjustment.amount < 0
    assert adjustment.adjusts.ledger.status == "locked"
    assert adjustment.adjusts.ledger.fiscal_year == 2024

    by_status_2025 = set(ledgers.filter(fiscal_year=2025).values_list("status", flat=True))
    assert by_status_2025 == {"confirmed", "draft"}
    confirmed = ledgers.filter(fiscal_year=2025, status="confirmed")
    assert set(confirmed.values_list("authority__code", flat=True)) == {
        "city",
        "district-licang",
        "district-shibei",
    }
    assert set(ledgers.filter(fiscal_year=2026).values_list("status", flat=True)) == {"draft"}


def test_ledgers_are_as_the_rules_give_them(seeded):
    """Computing the years again changes nothing (the seed went through the services)."""
    from funding.ledgers.services import ledgers_compute

    for year in (2024, 2025, 2026):
        result = ledgers_compute(year=year)
        assert result.created == result.rewritten == 0, year
