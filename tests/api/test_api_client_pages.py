"""The pages where the city's administrators register clients and manage keys (issue 11)."""

import pytest
from django.urls import reverse

from api.models import ApiClient, ApiKey
from tests.api.helpers import Api

pytestmark = pytest.mark.django_db


def _register(client, world, **extra):
    data = {
        "name": "市南区教育管理平台",
        "authority": world.shinan.pk,
        "scopes": ["registry:read", "filings:write"],
        "contact": "王老师 0532-00000000",
        "valid_days": 30,
    } | extra
    return client.post(reverse("api:client-create"), data)


def test_the_key_is_shown_once_then_only_its_prefix(world, client):
    client.force_login(world.users["admin"])
    response = _register(client, world)
    assert response.status_code == 302
    api_client = ApiClient.objects.get()
    page = client.get(response["Location"]).content.decode()
    key = ApiKey.objects.get(client=api_client)
    token = next(
        w
        for w in page.replace("<", " ").replace(">", " ").split()
        if w.startswith(f"qg_{key.prefix}_")
    )
    assert "只显示这一次" in page
    assert Api(token).get("/api/v1/schools/").status_code == 200
    again = client.get(response["Location"]).content.decode()
    assert token not in again and f"qg_{key.prefix}_" in again  # the prefix, never the secret


def test_bad_input_keeps_what_was_typed_and_says_why(world, client):
    client.force_login(world.users["city"])
    response = _register(client, world, school_code="9999999999", scopes=[])
    assert response.status_code == 200
    page = response.content.decode()
    assert "市南区教育管理平台" in page  # the typed name stays
    assert "没有标识码为 9999999999 的学校" in page
    assert ApiClient.objects.count() == 0
    both = _register(client, world, school_code=world.core.code)
    assert "二者选一" in both.content.decode() and ApiClient.objects.count() == 0


def test_rotation_ends_the_old_key_and_revoking_the_client_ends_all(world, client):
    client.force_login(world.users["admin"])
    location = _register(client, world)["Location"]
    first = _token(client.get(location).content.decode())
    api_client = ApiClient.objects.get()
    rotated = client.post(
        reverse("api:key-rotate", args=[api_client.pk]), {"valid_days": 10, "keep_old_hours": 0}
    )
    second = _token(client.get(rotated["Location"]).content.decode())
    assert Api(first).get("/api/v1/schools/").status_code == 401
    assert Api(second).get("/api/v1/schools/").status_code == 200
    client.post(reverse("api:client-revoke", args=[api_client.pk]))
    assert Api(second).get("/api/v1/schools/").status_code == 401
    api_client.refresh_from_db()
    assert not api_client.is_active and not api_client.user.is_active
    assert api_client.history.count() >= 2  # registered, revoked: who and when


def _token(page: str) -> str:
    return next(
        w
        for w in page.replace("<", " ").replace(">", " ").split()
        if w.startswith("qg_") and w.count("_") == 2 and len(w) > 40
    )


@pytest.mark.parametrize("role", ["district", "principal", "auditor", "finance"])
def test_only_the_citys_administrators_and_staff_manage_clients(world, client, role):
    client.force_login(world.users[role])
    assert client.get(reverse("api:client-list")).status_code == 403
    assert _register(client, world).status_code == 403
    assert ApiClient.objects.count() == 0
