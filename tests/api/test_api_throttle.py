"""Rate limits per client, counted in Redis (issue 11): past the limit a client gets 429 with
Retry-After; another client is not affected; the counters are Redis keys shared by every web
process."""

import os
import uuid

import pytest
import redis

from api.throttling import ClientRateThrottle, ClientWriteRateThrottle
from tests.api.helpers import Api, make_client

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("API_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture
def redis_counters(settings, monkeypatch):
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL} (required in CI)")
        pytest.skip("Redis is not running")
    prefix = f"api-throttle-test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = settings.CACHES | {
        "api": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    rates = {"client": "3/min", "client_write": "2/min"}
    monkeypatch.setattr(ClientRateThrottle, "THROTTLE_RATES", rates)
    monkeypatch.setattr(ClientWriteRateThrottle, "THROTTLE_RATES", rates)
    yield redis.Redis.from_url(REDIS_URL), prefix
    connection = redis.Redis.from_url(REDIS_URL)
    for key in connection.scan_iter(f"{prefix}*"):
        connection.delete(key)


def test_past_its_limit_a_client_gets_429_with_retry_after(world, redis_counters):
    connection, prefix = redis_counters
    first, token = make_client(world, authority=world.shinan, scopes=["registry:read"])
    _second, other = make_client(world, authority=world.laoshan, scopes=["registry:read"])
    api = Api(token)
    assert [api.get("/api/v1/authorities/").status_code for _ in range(3)] == [200] * 3
    refused = api.get("/api/v1/authorities/")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "throttled"
    assert 1 <= int(refused["Retry-After"]) <= 60
    # Counted per client in Redis, not per address: the other client still gets through.
    assert Api(other).get("/api/v1/authorities/").status_code == 200
    assert any(f"client-{first.pk}".encode() in k for k in connection.scan_iter(f"{prefix}*"))
