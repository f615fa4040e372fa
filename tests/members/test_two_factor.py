"""Two-factor sign-in (issue 12): who must use it, enrolment with a QR code, verification with a
TOTP code or a one-time recovery code, the back-off after wrong codes, principals' choice, and an
administrator's reset of a lost device with a record."""

import time

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import DatabaseError, connection, transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from members.models import SecondFactorEvent
from members.two_factor import is_required

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_factor(settings):
    """The production rule: enforced (the test settings turn it off for force_login), and no
    back-off between attempts unless a test asks for it."""
    settings.TWO_FACTOR_ENFORCED = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    return settings


def code(device: TOTPDevice, steps: int = 0) -> str:
    """The device's code now (or `steps` periods of 30 s later: a code is accepted once)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = time.time() + steps * device.step
    return f"{totp.token():06d}"


def enrol(client, user, steps: int = 0) -> list[str]:
    client.force_login(user)
    client.get("/accounts/two-factor/enrol/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/accounts/two-factor/enrol/", {"token": code(device, steps)})
    assert response.status_code == 302
    page = client.get(response["Location"])
    return page.context["codes"]


ROLES_REQUIRED = ["city", "district", "auditor", "admin", "finance", "staffing"]


@pytest.mark.parametrize("role", ROLES_REQUIRED)
def test_staff_finance_and_administrators_cannot_pass_the_password_alone(
    client, world, two_factor, role
):
    client.force_login(world.users[role])  # the password step done
    for path in ("/", "/groups/", "/schools/", "/audit/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/two-factor/enrol/?next=")


@pytest.mark.parametrize("role", ["principal", "member"])
def test_principals_may_go_on_without_it(client, world, two_factor, role):
    assert not is_required(world.users[role])
    client.force_login(world.users[role])
    assert client.get("/").status_code == 200


def test_enrolment_shows_a_qr_code_and_the_key_then_gives_recovery_codes(client, world, two_factor):
    user = world.users["city"]
    client.force_login(user)
    page = client.get("/accounts/two-factor/enrol/?next=/groups/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "身份验证器" in html
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert page.context["enrolment"].secret.replace(" ", "") in device.config_url
    assert client.get("/accounts/two-factor/enrol/").context["enrolment"].device == device  # same

    wrong = client.post("/accounts/two-factor/enrol/", {"token": "000000", "next": "/groups/"})
    assert wrong.status_code == 200
    assert "验证码不正确" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()

    response = client.post(
        "/accounts/two-factor/enrol/", {"token": code(device), "next": "/groups/"}
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/two-factor/codes/"
    codes_page = client.get("/accounts/two-factor/codes/")
    codes = codes_page.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert codes_page.context["after"] == "/groups/"
    assert client.get("/accounts/two-factor/codes/").status_code == 302  # shown once
    assert client.get("/groups/").status_code == 200  # verified in this session
    kinds = set(SecondFactorEvent.objects.filter(user=user).values_list("kind", flat=True))
    assert kinds == {"enrolled", "recovery_issued"}


def test_next_sign_in_asks_for_the_code_and_takes_a_fresh_one(client, world, two_factor):
    user = world.users["district"]
    enrol(client, user)
    client.logout()
    client.force_login(user)
    response = client.get("/schools/")
    assert response["Location"] == "/accounts/two-factor/verify/?next=%2Fschools%2F"
    device = TOTPDevice.objects.get(user=user)
    replay = client.post("/accounts/two-factor/verify/?next=/schools/", {"token": code(device)})
    assert replay.status_code == 200, "the enrolment's code was used once already"
    assert "验证码不正确" in replay.content.decode()
    response = client.post(
        "/accounts/two-factor/verify/", {"token": code(device, 1), "next": "/schools/"}
    )
    assert response.status_code == 302 and response["Location"] == "/schools/"
    assert client.get("/schools/").status_code == 200


def test_next_is_never_another_site(client, world, two_factor):
    user = world.users["district"]
    enrol(client, user)
    client.logout()
    client.force_login(user)
    device = TOTPDevice.objects.get(user=user)
    response = client.post(
        "/accounts/two-factor/verify/", {"token": code(device, 1), "next": "https://evil.test/"}
    )
    assert response["Location"] == "/"


def test_a_recovery_code_works_once_and_is_recorded(client, world, two_factor):
    user = world.users["finance"]
    codes = enrol(client, user)
    for attempt in range(2):
        client.logout()
        client.force_login(user)
        response = client.post("/accounts/two-factor/verify/", {"token": codes[0].upper()})
        if attempt == 0:
            assert response.status_code == 302
            assert client.get("/").status_code == 200
        else:
            assert response.status_code == 200
            assert "恢复码不正确或已用过" in response.content.decode()
    assert StaticToken.objects.filter(device__user=user).count() == 9
    used = SecondFactorEvent.objects.get(user=user, kind="recovery_used")
    assert used.actor == user and used.address == "127.0.0.1"


def test_renewing_recovery_codes_ends_the_old_ones(client, world, two_factor):
    user = world.users["city"]
    old = enrol(client, user)
    response = client.post("/accounts/two-factor/codes/renew/")
    new = client.get(response["Location"]).context["codes"]
    assert not set(old) & set(new)
    assert set(
        StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    ) == set(new)


def test_wrong_codes_make_the_next_attempt_wait(client, world, two_factor):
    two_factor.OTP_TOTP_THROTTLE_FACTOR = 30
    user = world.users["city"]
    enrol(client, user)
    client.logout()
    client.force_login(user)
    client.post("/accounts/two-factor/verify/", {"token": "123456"})
    device = TOTPDevice.objects.get(user=user)
    response = client.post("/accounts/two-factor/verify/", {"token": code(device, 1)})
    assert response.status_code == 200
    assert "错误次数过多" in response.content.decode()
    assert client.get("/").status_code == 302  # still not in


def test_an_api_call_on_an_unverified_session_is_refused(client, world, two_factor):
    client.force_login(world.users["district"])
    response = client.get("/api/v1/schools/")
    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required"


def test_signing_out_and_the_public_pages_need_no_code(client, world, two_factor):
    client.force_login(world.users["city"])
    assert client.get("/healthz").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert not client.session.get("_auth_user_id")


def test_a_principal_who_enrols_is_asked_for_the_code_and_may_turn_it_off(
    client, world, two_factor
):
    user = world.users["principal"]
    enrol(client, user)
    client.logout()
    client.force_login(user)
    assert client.get("/")["Location"].startswith("/accounts/two-factor/verify/")
    client.post(
        "/accounts/two-factor/verify/", {"token": code(TOTPDevice.objects.get(user=user), 1)}
    )
    client.post("/accounts/two-factor/disable/")
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticDevice.objects.filter(user=user).exists()
    client.logout()
    client.force_login(user)
    assert client.get("/").status_code == 200


def test_staff_cannot_turn_it_off(client, world, two_factor):
    user = world.users["city"]
    enrol(client, user)
    response = client.post("/accounts/two-factor/disable/", follow=True)
    assert "不能关闭" in response.content.decode()
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_an_administrator_resets_a_lost_device_with_a_reason_on_record(client, world, two_factor):
    person = world.users["district"]
    enrol(client, person)
    admin = world.users["admin"]
    enrol(client, admin)  # the administrator is verified too

    empty = client.post(f"/accounts/two-factor/reset/{person.pk}/", {"reason": " "})
    assert empty.status_code == 200 and TOTPDevice.objects.filter(user=person).exists()

    response = client.post(
        f"/accounts/two-factor/reset/{person.pk}/", {"reason": "手机遗失，电话回拨核实本人"}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert not StaticDevice.objects.filter(user=person).exists()
    event = SecondFactorEvent.objects.get(user=person, kind="reset")
    assert event.actor == admin and event.reason == "手机遗失，电话回拨核实本人"

    client.logout()
    client.force_login(person)
    assert client.get("/")["Location"].startswith("/accounts/two-factor/enrol/")


@pytest.mark.parametrize("role", ["city", "district", "principal", "auditor", "finance"])
def test_only_an_administrator_may_reset(client, world, settings, role):
    target = world.users["member"]
    client.force_login(world.users[role])
    assert client.get(f"/accounts/two-factor/reset/{target.pk}/").status_code == 403
    assert (
        client.post(f"/accounts/two-factor/reset/{target.pk}/", {"reason": "随便"}).status_code
        == 403
    )
    assert not SecondFactorEvent.objects.exists()


def test_an_administrator_cannot_reset_their_own(client, world):
    admin = world.users["admin"]
    client.force_login(admin)
    assert client.get(f"/accounts/two-factor/reset/{admin.pk}/").status_code == 403


def test_the_admin_never_shows_the_secrets(client, world):
    client.force_login(world.users["admin"])
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404
    assert client.get("/admin/members/secondfactorevent/").status_code == 200


def test_the_record_cannot_be_altered(world):
    if connection.vendor != "postgresql":
        pytest.skip("the audit triggers are PostgreSQL's")
    user = world.users["city"]
    event = SecondFactorEvent.objects.create(
        user=user, kind="reset", actor=user, at="2026-01-01T00:00Z"
    )
    for statement in (
        "UPDATE members_secondfactorevent SET reason = 'x' WHERE id = %s",
        "DELETE FROM members_secondfactorevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [event.pk])
    assert SecondFactorEvent.objects.filter(pk=event.pk, reason="").exists()


def test_check_deploy_refuses_a_deployment_without_it(settings):
    settings.TWO_FACTOR_ENFORCED = False
    with pytest.raises(SystemCheckError, match="members.E001"):
        call_command("check", "--deploy", "--fail-level", "ERROR", tags=["security"])


def test_demo_logins_share_the_published_demo_secret(world):
    from qingdao_groups.demo.two_factor import demo_code, demo_second_factors

    names = [u.username for u in world.users.values()]
    assert demo_second_factors(names) == len([u for u in world.users.values() if is_required(u)])
    assert demo_second_factors(names) == 0
    device = TOTPDevice.objects.get(user=world.users["city"])
    assert demo_code() == code(device)
    assert not TOTPDevice.objects.filter(user=world.users["principal"]).exists()
