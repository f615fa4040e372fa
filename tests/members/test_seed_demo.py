"""The demo seed (issue 2, "Demo data"): idempotent, faithful to CLAUSES.md "History", valid data,
one working login per role, and never under the production settings."""

import datetime
import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Q
from django.test import RequestFactory

from groups.models import CouncilSeat, EducationGroup, GroupDocument, Membership, Partnership
from members.management.commands.seed_demo import DEMO_PASSWORD, build_plan
from members.models import Authority, District, Partner, School, User

DEMO_ROLES = {
    "city": User.Role.CITY_STAFF,
    "district": User.Role.DISTRICT_STAFF,
    "principal": User.Role.CORE_PRINCIPAL,
    "member": User.Role.MEMBER_PRINCIPAL,
    "auditor": User.Role.AUDITOR,
    "admin": User.Role.SYSADMIN,
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
    """Rows of every model of the registry apps, their historical models included."""
    models = [m for label in ("members", "groups") for m in apps.get_app_config(label).get_models()]
    assert any(m.__name__.startswith("Historical") for m in models)
    return {m._meta.label: m._default_manager.count() for m in models}


@pytest.fixture(scope="module")
def _seeded_module(django_db_setup, django_db_blocker):
    """Seed once for the module inside a transaction rolled back at its end; each test runs in a
    savepoint within it (pytest-django's `db`), so tests stay independent and the suite fast."""
    with django_db_blocker.unblock(), transaction.atomic():
        output = seed()
        yield output
        transaction.set_rollback(True)


@pytest.fixture
def seeded(_seeded_module, db):
    return _seeded_module


def test_second_run_creates_nothing_and_writes_no_history(seeded):
    before = _model_counts()
    assert before["members.School"] > 0 and before["members.HistoricalSchool"] > 0
    out = seed()
    assert _model_counts() == before
    assert "未作任何改动" in out


def test_plan_is_deterministic():
    first, second = build_plan(), build_plan()
    assert [(s.name, s.code, s.stage, s.nature, s.weak_year, s.principal) for s in first.schools] \
        == [(s.name, s.code, s.stage, s.nature, s.weak_year, s.principal) for s in second.schools]
    assert first.members == second.members


def test_authorities(seeded):
    city = Authority.objects.get(code="city")
    assert city.name == "青岛市教育局" and city.kind == Authority.Kind.CITY
    districts = Authority.objects.districts()
    assert sorted(districts.values_list("district", flat=True)) == sorted(District.values)
    assert all(a.parent_id == city.pk for a in districts)
    assert all(a.code == f"district-{a.district}" for a in districts)
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
    assert {s.district for s in schools} == set(District.values)
    # Every school has its creation in the history, recorded by the seed's actor.
    admin = User.objects.get(username="admin")
    created = School.history.filter(history_type="+")
    assert created.count() == n
    assert not created.exclude(history_user=admin).exists()


def test_real_schools_of_the_history_are_there(seeded):
    city_schools = ["青岛第二中学", "青岛第五十八中学", "青岛实验初级中学", "青岛第一中学",
                    "琴岛学校", "青岛第九中学", "青岛第二十六中学", "青岛五十八中高新校区"]
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
        open_members = members.open()
        assert 4 <= open_members.count() <= 8, name
        # Policy A-4: weak schools make up a share of the members (20 %: the default minimum).
        assert open_members.filter(school__is_weak=True).count() >= 0.2 * open_members.count()
        assert len({m.school.district for m in open_members}) >= 3, name
        assert len({m.school.stage for m in open_members}) >= 2, name
        assert open_members.filter(school__nature=School.Nature.PRIVATE).exists(), name  # G-6
        assert not members.filter(joined_on__lt=founded).exists()
        ended = members.filter(left_on__isnull=False)
        assert ended.filter(end_reason=Membership.EndReason.EXIT).exists(), name
        # The ending shows in the history as a change after the joining.
        m = ended.first()
        assert list(m.history.order_by("history_date").values_list("history_type", flat=True)) \
            == ["+", "~"]
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
    assert set(Partnership.objects.values_list("partner__kind", flat=True)) \
        == set(Partner.Kind.values)
    assert not Partnership.objects.filter(projects="").exists()


def test_no_school_is_in_two_groups_at_once(seeded):
    doubled = (Membership.objects.open().values("school").annotate(n=Count("id"))
               .filter(n__gt=1))
    assert not doubled.exists()
    by_school: dict[int, list[Membership]] = {}
    for m in Membership.objects.order_by("school_id", "joined_on"):
        by_school.setdefault(m.school_id, []).append(m)
    for memberships in by_school.values():
        for earlier, later in zip(memberships, memberships[1:], strict=False):
            assert earlier.left_on is not None and earlier.left_on <= later.joined_on
    # Fusion members share their core's legal entity (T-1): never a separate legal entity here.
    fusion = Membership.objects.open().filter(relation_type="T-1", school__authority__code="city")
    assert not fusion.filter(school__is_legal_entity=True).exists()


def test_every_history_row_names_the_seed_actor(seeded):
    admin = User.objects.get(username="admin")
    for model in (Authority, School, Partner, User, EducationGroup, Membership, Partnership,
                  CouncilSeat, GroupDocument):
        history = model.history.all()
        assert history.exists(), model
        assert not history.filter(~Q(history_user=admin) | Q(history_user__isnull=True)).exists()


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
    assert Membership.objects.open().filter(
        group__name__in=PILOT_CORES, school__authority=district).exists()
    assert EducationGroup.objects.filter(authority=district).exists()
    assert users["principal"].school.name == "青岛第二中学"
    member_school = users["member"].school
    assert Membership.objects.open().members().filter(
        school=member_school, group__name="青岛二中教育集团").exists()
    assert users["admin"].is_staff and users["admin"].is_superuser
    assert not users["auditor"].is_staff

    rf = RequestFactory()
    for username in DEMO_ROLES:
        # django-axes needs the request to authenticate; the test client passes it on.
        assert client.login(request=rf.post("/accounts/login/"), username=username,
                            password=DEMO_PASSWORD), username
        client.logout()
        response = client.post("/accounts/login/",
                               {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        assert client.session["_auth_user_id"] == str(users[username].pk)
        client.logout()


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
