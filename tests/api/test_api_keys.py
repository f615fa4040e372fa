"""Keys, scopes, errors, ETags and the record of calls (issue 11)."""

import re

import pytest
from django.urls import reverse

from api.models import ApiCall, ApiKey
from api.services import api_client_revoke, api_key_revoke, api_key_rotate
from tests.api.helpers import Api, expire, make_client

pytestmark = pytest.mark.django_db

SCHOOLS = "/api/v1/schools/"


def test_a_key_is_shown_once_and_stored_only_as_its_hash(world):
    client, token = make_client(world, authority=world.shinan)
    key = ApiKey.objects.get(client=client)
    secret = token.split("_")[2]
    assert secret not in key.secret_sha256 and len(key.secret_sha256) == 64
    assert token.startswith(f"qg_{key.prefix}_")
    assert client.user.is_system_account and not client.user.has_usable_password()


def test_a_district_reads_its_schools_and_not_another_districts(world):
    _client, token = make_client(world, authority=world.shinan)
    api = Api(token)
    response = api.get(SCHOOLS)
    assert response.status_code == 200
    codes = {row["code"] for row in response.json()["results"]}
    assert world.core.code in codes
    assert world.other_school.code not in codes  # 崂山's school
    # District A reading district B's school by id: 404, the same as an id that does not exist.
    other = api.get(f"{SCHOOLS}{world.other_school.pk}/")
    missing = api.get(f"{SCHOOLS}999999999/")
    assert other.status_code == missing.status_code == 404
    assert other["Content-Type"] == "application/problem+json"
    assert other.json()["code"] == missing.json()["code"] == "not_found"
    assert other.json()["detail"] == missing.json()["detail"]
    group = api.get(f"/api/v1/groups/{world.other_group.pk}/")
    assert group.status_code == 404


@pytest.mark.parametrize("how", ["revoked", "expired", "client_revoked", "rotated", "garbled"])
def test_a_refused_key_gets_401_and_learns_nothing(world, how):
    client, token = make_client(world, authority=world.shinan)
    assert Api(token).get(SCHOOLS).status_code == 200
    if how == "revoked":
        api_key_revoke(key=client.keys.get(), actor=world.users["admin"])
    elif how == "expired":
        expire(token)
    elif how == "client_revoked":
        api_client_revoke(client=client, actor=world.users["admin"])
    elif how == "rotated":
        new = api_key_rotate(client=client, actor=world.users["admin"])
        assert Api(new.token).get(SCHOOLS).status_code == 200
    else:
        token = token[:-1] + ("A" if token[-1] != "A" else "B")
    response = Api(token).get(SCHOOLS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert body["code"] == "key_refused" and body["status"] == 401
    assert "接口密钥" in body["detail"]


def test_no_key_is_401_not_a_login_redirect(world):
    response = Api(None).get(SCHOOLS)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_password_in_a_header_is_never_accepted(world):
    import base64

    user = world.users["district"]
    user.set_password("Pass-word-123")
    user.save()
    basic = base64.b64encode(b"t-district:Pass-word-123").decode()
    response = Api(None).get(SCHOOLS, HTTP_AUTHORIZATION=f"Basic {basic}")
    assert response.status_code == 401


def test_a_missing_scope_is_403_naming_the_scope(world):
    _client, token = make_client(world, authority=world.shinan, scopes=["reports:read"])
    response = Api(token).get(SCHOOLS)
    assert response.status_code == 403
    assert response.json()["code"] == "scope_missing"
    assert "registry:read" in response.json()["detail"]


def test_errors_are_in_english_when_the_caller_asks(world):
    _client, token = make_client(world, authority=world.shinan)
    zh = Api(token).get(f"{SCHOOLS}999999999/").json()
    en = Api(token, language="en-US,en;q=0.9").get(f"{SCHOOLS}999999999/").json()
    assert zh["title"] == "未找到"
    assert en["title"] == "Not found"
    assert en["detail"] != zh["detail"] and en["detail"].isascii()


def test_etag_answers_304_when_nothing_changed(world):
    _client, token = make_client(world, authority=world.shinan)
    api = Api(token)
    first = api.get(SCHOOLS)
    tag = first["ETag"]
    assert tag
    again = api.get(SCHOOLS, HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304 and again["ETag"] == tag
    world.core.name = "青岛测试核心学校（更名）"
    world.core.save()
    changed = api.get(SCHOOLS, HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200 and changed["ETag"] != tag


def test_every_call_is_recorded_with_its_client_endpoint_and_status(world):
    client, token = make_client(world, authority=world.shinan)
    api = Api(token)
    api.get(SCHOOLS)
    api.get(f"{SCHOOLS}{world.other_school.pk}/")
    api_key_revoke(key=client.keys.get(), actor=world.users["admin"])
    api.get(SCHOOLS)
    calls = list(ApiCall.objects.filter(client=client).order_by("id"))
    assert [(c.endpoint, c.status) for c in calls] == [
        ("api:school-list", 200),
        ("api:school-detail", 404),
        ("api:school-list", 401),
    ]


def test_the_schema_and_its_documentation_pages_need_no_cdn(client):
    schema = client.get(reverse("api:schema"))
    assert schema.status_code == 200
    text = schema.content.decode()
    assert "openapi: 3" in text and "/api/v1/groups/" in text
    assert "接口密钥" in text
    for name in ("api:docs", "api:redoc"):
        page = client.get(reverse(name)).content.decode()
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), (
            "an address off this server"
        )
        assert "/static/drf_spectacular_sidecar/" in page


def test_the_schema_speaks_english_to_an_english_reader(world, client):
    world.users["city"].language = "en"
    world.users["city"].save()
    client.force_login(world.users["city"])
    text = client.get(reverse("api:schema")).content.decode()
    assert "Education groups and their members on a date" in text
    assert "教育集团及其某日的成员" not in text
