"""Sign-in lockout behind the reverse proxy (issue 12).

Every request reaches Django from the proxy (REMOTE_ADDR), with the client's address in the
X-Forwarded-For the proxy appends to; the production settings tell django-ipware so.
"""

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.test import override_settings

from tests.conftest import PASSWORD

PROXY = "10.0.0.2"
CLIENT_1 = "203.0.113.10"
CLIENT_2 = "198.51.100.20"


@pytest.fixture(autouse=True)
def behind_proxy(settings):
    """As settings.production has them with DJANGO_TRUSTED_PROXY_COUNT=1 (one nginx)."""
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    settings.AXES_IPWARE_PROXY_COUNT = 0
    settings.IPWARE_STRICT = False


def _login(client, username, password, xff):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=xff,
    )


def test_production_settings_match_the_simulated_proxy(monkeypatch):
    import importlib

    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 60)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "groups.example.cn")
    monkeypatch.setenv("DJANGO_TRUSTED_PROXY_COUNT", "1")
    prod = importlib.reload(importlib.import_module("qingdao_groups.settings.production"))
    assert prod.AXES_IPWARE_META_PRECEDENCE_ORDER == ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    assert prod.AXES_IPWARE_PROXY_COUNT == 0
    assert prod.IPWARE_STRICT is False
    assert prod.AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT is False
    assert prod.AXES_ADDRESS_FAILURE_LIMIT > prod.AXES_FAILURE_LIMIT
    assert prod.REST_FRAMEWORK["NUM_PROXIES"] == 1
    monkeypatch.setenv("DJANGO_TRUSTED_PROXY_COUNT", "0")
    prod = importlib.reload(prod)
    assert prod.AXES_IPWARE_META_PRECEDENCE_ORDER == ("REMOTE_ADDR",)


def test_five_failures_lock_the_account_from_that_client_only(client, world):
    user = world.users["city"]
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, user.username, "wrong", CLIENT_1).status_code == 200
    assert _login(client, user.username, "wrong", CLIENT_1).status_code == 429  # the fifth
    locked = _login(client, user.username, PASSWORD, CLIENT_1)
    assert locked.status_code == 429
    assert "该账号在本地址的登录已锁定" in locked.content.decode()
    # the same account from another client is not locked: nobody locks an account from elsewhere
    assert _login(client, user.username, PASSWORD, CLIENT_2).status_code == 302

    # recorded with the client's address, never the proxy's
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {CLIENT_1}
    assert set(AccessFailureLog.objects.values_list("ip_address", flat=True)) == {CLIENT_1}
    assert list(AccessLog.objects.values_list("username", "ip_address")) == [
        (user.username, CLIENT_2)
    ]


def test_a_spoofed_forwarded_for_is_ignored(client, world):
    """What a client writes into X-Forwarded-For itself stands left of what the proxy appends."""
    user = world.users["city"]
    for n in range(settings.AXES_FAILURE_LIMIT):
        _login(client, user.username, "wrong", f"192.0.2.{n + 1}, {CLIENT_1}")
    assert _login(client, user.username, PASSWORD, CLIENT_1).status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {CLIENT_1}


def test_failures_while_locked_do_not_extend_the_lock(client, world):
    user = world.users["city"]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, user.username, "wrong", CLIENT_1)
    attempt = AccessAttempt.objects.get()
    locked_at = attempt.attempt_time
    for _ in range(3):
        assert _login(client, user.username, "wrong", CLIENT_1).status_code == 429
    attempt.refresh_from_db()
    assert attempt.attempt_time == locked_at
    assert attempt.failures_since_start == settings.AXES_FAILURE_LIMIT


@override_settings(AXES_ADDRESS_FAILURE_LIMIT=8)
def test_the_address_limit_locks_a_client_across_user_names(client, world):
    names = [u.username for u in world.users.values()][:3]
    assert len(names) == 3
    failures = 0
    for name in names:  # fewer than the pair limit per name, 8 in all
        for _ in range(settings.AXES_FAILURE_LIMIT - 2):
            if failures < 8:
                response = _login(client, name, "wrong", CLIENT_1)
                failures += 1
    assert response.status_code == 429
    # any account, even with its right password, from that client
    fresh = world.users["principal"].username
    locked = _login(client, fresh, PASSWORD, CLIENT_1)
    assert locked.status_code == 429
    assert "来自本地址的登录已锁定" in locked.content.decode()
    # from another client the same account signs in
    assert _login(client, fresh, PASSWORD, CLIENT_2).status_code == 302


@pytest.mark.parametrize("count", [1, 2])
def test_the_client_is_read_from_the_right_with_more_proxies(client, world, count):
    """Two proxies (e.g. a load balancer and nginx): the header holds the client and the first
    proxy; the client is the one before it."""
    user = world.users["city"]
    xff = "192.0.2.99, " + ", ".join([CLIENT_1, "10.9.9.9"][:count])
    with override_settings(AXES_IPWARE_PROXY_COUNT=count - 1):
        _login(client, user.username, "wrong", xff)
    assert AccessAttempt.objects.get().ip_address == CLIENT_1
