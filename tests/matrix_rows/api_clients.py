"""Permission-matrix rows for the API's pages (issue 11).

The pages where clients are registered and keys issued, rotated and revoked are for the city's
administrators only (api.permissions.can_manage_api_clients: the city bureau's staff, system
administrators and superusers); everyone else signed in gets 403, the anonymous the login page.
A POST that goes through ends on the client's page (302). The schema and its two documentation
pages are public (200 for everyone, signed in or not).

The /api/v1/ endpoints answer keys, not pages: tests/api/test_api_matrix.py holds their matrix
(client kind × scope × own/other object) and fails on an endpoint without rows there, so they
are listed in ELSEWHERE here rather than given page rows."""

from api.models import ApiClient

ROLES = ["anon", "city", "district", "principal", "member", "auditor", "admin", "finance"]
MANAGE = dict.fromkeys(ROLES, 403) | {"anon": 302, "city": 200, "admin": 200, "staffing": 403}
MANAGE_POST = MANAGE | {"city": 302, "admin": 302}
PUBLIC = dict.fromkeys([*ROLES, "staffing"], 200)


def _client(world, revoked: bool = False) -> ApiClient:
    from api.services import api_client_register, api_client_revoke

    client, _new = api_client_register(
        name=f"矩阵接口客户端-{ApiClient.objects.count()}",
        scopes=["registry:read"],
        authority=world.shinan,
        actor=world.users["admin"],
    )
    if revoked:
        api_client_revoke(client=client, actor=world.users["admin"])
    return client


def _client_kwargs(world, which) -> dict:
    return {"client_id": _client(world).pk}


def _key_kwargs(world, which) -> dict:
    client = _client(world)
    return {"client_id": client.pk, "key_id": client.keys.get().pk}


def _revoked_client(world, which) -> dict:
    return {"client_id": _client(world, revoked=True).pk}


def _revoked_key(world, which) -> dict:
    client = _client(world, revoked=True)  # its keys are revoked with it
    return {"client_id": client.pk, "key_id": client.keys.get().pk}


ROWS = [
    ("api:schema", None, "get", PUBLIC, None),
    ("api:docs", None, "get", PUBLIC, None),
    ("api:redoc", None, "get", PUBLIC, None),
    ("api:client-list", None, "get", MANAGE, None),
    ("api:client-create", None, "get", MANAGE, None),
    ("api:client-detail", None, "get", MANAGE, _client_kwargs),
    ("api:key-rotate", None, "post", MANAGE_POST, _client_kwargs),
    ("api:client-revoke", None, "post", MANAGE_POST, _client_kwargs),
    ("api:key-revoke", None, "post", MANAGE_POST, _key_kwargs),
]

# "403 before state" (tests/test_permission_matrix.py): rotating or stopping a stopped client,
# revoking a revoked key; registering posts about nothing that has a state.
WRONG_STATE = {
    "api:key-rotate": _revoked_client,
    "api:client-revoke": _revoked_client,
    "api:key-revoke": _revoked_key,
}
POST_WITHOUT_STATE = {"api:client-create"}
READ_ONLY = {"api:schema", "api:docs", "api:redoc", "api:client-list", "api:client-detail"}


def _api_v1_names() -> set[str]:
    from django.urls import URLPattern, get_resolver

    [api] = [p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "api"]
    return {
        f"api:{p.name}"
        for p in api.url_patterns
        if isinstance(p, URLPattern) and str(p.pattern).lstrip("^").startswith("v1/")
    }


# URL names whose access another matrix checks: every /api/v1/ endpoint (tests/api/test_api_matrix.py).
ELSEWHERE = _api_v1_names()
