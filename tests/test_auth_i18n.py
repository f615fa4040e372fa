"""Login, session limits, throttling and the two languages, as a user meets them."""

import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qingdao_groups.middleware import SESSION_LOGIN_AT, SESSION_SEEN_AT, SESSION_TOUCH_INTERVAL
from tests.conftest import PASSWORD


def test_every_page_needs_login(client, world):
    response = client.get(reverse("groups:group-detail", args=[world.group.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_login_page_is_chinese_by_default(client, db):
    response = client.get("/accounts/login/")
    html = response.content.decode()
    assert '<html lang="zh-CN">' in html
    assert "登录" in html and "用户名" in html


def test_pages_render_in_english_on_request(client, world):
    client.force_login(world.users["city"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("groups:group-list")).content.decode()
    assert '<html lang="en">' in html
    assert "Education groups" in html and "教育集团</h1>" not in html
    html = client.get(reverse("groups:group-detail", args=[world.group.pk])).content.decode()
    assert "Core school" in html and "Aggregation" in html


def test_accept_language_english_still_gets_chinese(client, world):
    """Chinese is the default for everyone, whatever the browser says (issue 8)."""
    client.force_login(world.users["city"])
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="zh-CN">' in response.content.decode()
    assert response["Content-Language"] == "zh-hans"
    client.logout()
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-CN">' in html and "用户名" in html


def test_a_choice_of_english_is_kept_on_the_account(client, world):
    user = world.users["district"]
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/groups/"})
    assert response.status_code == 302 and response["Location"] == "/groups/"
    user.refresh_from_db()
    assert user.language == "en"
    # Another browser (no language cookie), signed in through the login form: English.
    other = Client()
    other.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert '<html lang="en">' in other.get("/").content.decode()
    # Back to Chinese from the button, kept too.
    other.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    user.refresh_from_db()
    assert user.language == "zh-hans"
    assert '<html lang="zh-CN">' in client.get("/").content.decode()


def test_a_choice_on_the_login_page_is_kept_at_login(client, world):
    user = world.users["auditor"]
    assert user.language == "zh-hans"
    client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in html
    client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    user.refresh_from_db()
    assert user.language == "en"


def test_another_account_on_the_same_browser_keeps_its_own_language(client, world):
    """The language cookie left by one person does not choose for the next one."""
    english, chinese = world.users["city"], world.users["member"]
    client.force_login(english)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    client.post(reverse("logout"))
    client.post("/accounts/login/", {"username": chinese.username, "password": PASSWORD})
    assert '<html lang="zh-CN">' in client.get("/").content.decode()


def test_the_language_switch_is_a_button(client, world):
    client.force_login(world.users["city"])
    html = client.get("/").content.decode()
    assert '<button type="submit" name="language" value="en"' in html
    assert '<select name="language"' not in html
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert '<button type="submit" name="language" value="zh-hans"' in html


def test_each_demo_role_lands_on_its_home(client, world):
    for role, user in world.users.items():
        client.force_login(user)
        html = client.get("/").content.decode()
        assert user.get_role_display() in html, role


def test_principal_home_shows_only_their_group(client, world):
    client.force_login(world.users["principal"])
    response = client.get("/")
    assert [g["name"] for g in response.context["groups"]] == [world.group.name]


def test_five_failures_lock_the_account_at_that_address(client, world):
    user = world.users["city"]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/accounts/login/",
            {"username": user.username, "password": "wrong"},
            REMOTE_ADDR="10.0.0.5",
        )
    response = client.post(
        "/accounts/login/",
        {"username": user.username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.5",
    )
    assert response.status_code == 429
    assert "锁定 15 分钟" in response.content.decode()
    # another address is not locked
    response = client.post(
        "/accounts/login/",
        {"username": user.username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.6",
    )
    assert response.status_code == 302


def test_wrong_password_message_is_chinese(client, world):
    response = client.post("/accounts/login/", {"username": "t-city", "password": "nope"})
    assert "请输入一个正确的" in response.content.decode()


def test_idle_sessions_expire_after_thirty_minutes(client, world):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client.force_login(world.users["city"])
    assert client.get("/").status_code == 200
    session = client.session
    session[SESSION_SEEN_AT] = time.time() - 30 * 60 - 1
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def _session_writes(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [
        q["sql"]
        for q in ctx.captured_queries
        if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]


def test_a_plain_page_view_does_not_write_the_session(client, world):
    """The session is saved only when it changed; the idle stamp is refreshed (and the stored
    expiry slid) at most once a minute."""
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    client.force_login(world.users["city"])  # login stamps the login and last-seen times
    assert _session_writes(client, "/") == []
    assert _session_writes(client, "/groups/") == []
    session = client.session
    session[SESSION_SEEN_AT] = time.time() - SESSION_TOUCH_INTERVAL - 1
    session.save()
    before = Session.objects.get(pk=session.session_key).expire_date
    assert len(_session_writes(client, "/")) == 1  # a minute on: touched once, expiry renewed
    assert Session.objects.get(pk=session.session_key).expire_date > before
    assert _session_writes(client, "/") == []


def test_persistent_database_connections():
    """The deployed settings keep connections (issue 7); the test settings alone turn it off so
    live-server threads do not hold the test database open."""
    from qingdao_groups.settings import base

    assert base.DATABASES["default"]["CONN_MAX_AGE"] == 60
    assert base.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] == 0


def test_session_ends_twelve_hours_after_login(client, world):
    client.force_login(world.users["city"])
    assert client.get("/").status_code == 200
    session = client.session
    session[SESSION_LOGIN_AT] = time.time() - 12 * 3600 - 1
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/").status_code == 302  # logged out for good


@pytest.mark.parametrize("module", ["local", "test", "production"])
def test_throttling_and_validators_hold_in_every_settings_module(module, monkeypatch):
    import importlib

    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 60)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "groups.example.cn")
    mod = importlib.import_module(f"qingdao_groups.settings.{module}")
    assert mod.AXES_FAILURE_LIMIT == 5
    assert mod.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert "axes.middleware.AxesMiddleware" in mod.MIDDLEWARE
    assert mod.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert len(mod.AUTH_PASSWORD_VALIDATORS) >= 4
    assert "django.contrib.auth.middleware.LoginRequiredMiddleware" in mod.MIDDLEWARE


def test_weak_password_is_refused_in_chinese(client, world):
    client.force_login(world.users["city"])
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    html = response.content.decode()
    assert "密码太短" in html or "这个密码太常见" in html


def test_city_home_shows_progress_against_the_a5_targets(client, world):
    # policy A-5: at least 10 groups by 2020 and 30 by 2025
    client.force_login(world.users["city"])
    targets = client.get("/").context["targets"]
    assert [(t["year"], t["target"], t["actual"], t["met"]) for t in targets] == [
        (2020, 10, 2, False),
        (2025, 30, 2, False),
    ]
    client.force_login(world.users["principal"])
    assert "targets" not in client.get("/").context


def test_a_refusal_explains_itself_in_the_users_language(client, world, settings):
    settings.DEBUG = False
    client.force_login(world.users["auditor"])
    response = client.get(reverse("members:school-create"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "只有教育行政部门工作人员可以登记学校" in html and "<nav" in html
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "该页面不存在" in response.content.decode()
