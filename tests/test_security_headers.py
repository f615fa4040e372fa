"""Response headers (issue 12): a strict Content-Security-Policy, Permissions-Policy, the opener
and resource policies, and no-store on signed-in pages, read from real responses. The browser
side (no page breaks under the policy, no violation in the console) is in
tests/e2e/test_layout_browser.py and tests/e2e/test_api_clients_browser.py."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.api.helpers import Api, make_client

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy as {directive: [sources]}."""
    header = response["Content-Security-Policy"]
    out = {}
    for part in header.split(";"):
        if words := part.split():
            out[words[0]] = words[1:]
    return out


def assert_strict(response) -> dict[str, list[str]]:
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    for directive in ("script-src", "style-src"):
        sources = csp[directive]
        assert sources[0] == "'self'"
        assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources
        # nothing but this server, the request's nonce, or a hash of one known element
        assert all(s == "'self'" or s.startswith(("'nonce-", "'sha256-")) for s in sources)
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    return csp


def assert_frame_headers(response):
    permissions = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_a_signed_in_page_is_strict_and_not_stored(client, world):
    client.force_login(world.users["city"])
    response = client.get(reverse("home"))
    assert response.status_code == 200
    csp = assert_strict(response)
    # the home page has no inline script, so no nonce is issued for it
    assert not any(s.startswith("'nonce-") for s in csp["script-src"])
    assert_frame_headers(response)
    assert response["Cache-Control"] == "no-store"


def test_the_dashboard_is_strict_and_not_stored(client, world):
    client.force_login(world.users["city"])
    response = client.get(reverse("dashboard:index"))
    assert response.status_code == 200
    assert_strict(response)
    assert response["Cache-Control"] == "no-store"


def test_the_login_page(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert_strict(response)
    assert_frame_headers(response)
    # anonymous: nothing personal to keep out of the cache (Django's login view says its own)
    assert "public" not in response.get("Cache-Control", "")


def test_an_api_list_keeps_its_own_revalidated_caching(world):
    _, token = make_client(world, authority=world.city)
    response = Api(token).get("/api/v1/groups/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"
    assert_strict(response)
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


@pytest.mark.parametrize("name", ["api:docs", "api:redoc"])
def test_the_api_documentation_pages_carry_the_nonce_on_their_inline_code(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    csp = assert_strict(response)
    nonces = {s for s in csp["script-src"] if s.startswith("'nonce-")}
    assert len(nonces) == 1 and nonces == {s for s in csp["style-src"] if s.startswith("'nonce-")}
    nonce = nonces.pop()[len("'nonce-") : -1]
    html = response.content.decode()
    inline = re.findall(r"<(script|style)(?![^>]*\bsrc=)([^>]*)>", html)
    assert {tag for tag, _ in inline} == {"script", "style"}
    for _, attrs in inline:
        assert f'nonce="{nonce}"' in attrs
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    if name == "api:redoc":  # its search worker (api/urls.py)
        assert csp["worker-src"] == ["'self'", "blob:"]
    else:
        assert "worker-src" not in csp and not any("sha256" in s for s in csp["style-src"])
    # a second request has another nonce
    assert nonce not in client.get(reverse(name))["Content-Security-Policy"]


def test_a_static_file_is_cacheable(client, world):
    assert finders.find("css/app.css")
    client.force_login(world.users["city"])
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_a_download_keeps_its_own_cache_control(client, world):
    """The middleware adds no-store only where a response said nothing itself."""
    from django.http import HttpResponse

    from qingdao_groups.middleware import SecurityHeadersMiddleware

    class Request:
        user = world.users["city"]

    said = HttpResponse()
    said["Cache-Control"] = "public, max-age=3600"
    out = SecurityHeadersMiddleware(lambda request: said)(Request())
    assert out["Cache-Control"] == "public, max-age=3600"
    silent = SecurityHeadersMiddleware(lambda request: HttpResponse())(Request())
    assert silent["Cache-Control"] == "no-store"
