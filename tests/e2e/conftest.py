"""Browser tests: Playwright for Python driving Debian's chromium (never a downloaded browser).

Without /usr/bin/chromium the browser tests are skipped, unless REQUIRE_BROWSER=1 (CI), when
they fail instead."""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run next to
# one unless told it is safe (the test code and the live server never share a connection).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = (
        f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium "
        "fonts-noto-cjk); `playwright install` is not used here"
    )
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _chromium_present(request):
    if request.node.get_closest_marker("browser"):
        _require_chromium()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    _require_chromium()
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
        "timeout": 15_000,
    }


@pytest.fixture(scope="session")
def base_url(pytestconfig):
    # Same as pytest-playwright's fallback, minus its pytest-9 deprecation warning (it is
    # defined as an instance method there). The tests use live_server.url anyway.
    return pytestconfig.getoption("--base-url", None) or None


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A Chinese user's browser: Accept-Language zh-CN, so pages come in Chinese by default.
    return {
        **browser_context_args,
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        "viewport": {"width": 1280, "height": 900},
    }


# What Chromium writes to the console when the Content-Security-Policy refuses something (an
# inline script or style, eval, a source from elsewhere) or cannot read the Permissions-Policy.
POLICY_COMPLAINT = ("Content Security Policy", "Content-Security-Policy", "Permissions-Policy")
# Refusals that are the policy doing its work: Redoc's footer asks for its logo from a CDN, which
# the intranet's pages never load from (api/urls.py).
POLICY_REFUSAL_EXPECTED = ("'https://cdn.redoc.ly/redoc/logo-mini.svg'",)


def policy_complaints(page) -> list[str]:
    """A list that fills with the page's console complaints about its security headers."""
    complaints: list[str] = []

    def listen(message):
        text = message.text
        if any(w in text for w in POLICY_COMPLAINT) and not any(
            w in text for w in POLICY_REFUSAL_EXPECTED
        ):
            complaints.append(f"{page.url}: {text}")

    page.on("console", listen)
    return complaints


@pytest.fixture
def page(page):
    """Every browser test also proves its pages work under the headers (issue 12): a policy
    complaint in the console fails the test."""
    page.set_default_timeout(5_000)
    complaints = policy_complaints(page)
    yield page
    assert complaints == [], "the page broke its security headers:\n" + "\n".join(complaints)
