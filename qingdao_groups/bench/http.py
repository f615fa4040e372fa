"""A tiny loopback HTTP client for logging in and probing (no redirects followed)."""

from __future__ import annotations

import http.client
import re
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    cookies: dict[str, str]
    body: bytes


@dataclass
class Session:
    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in sorted(self.cookies.items()))

    @property
    def csrf(self) -> str:
        return self.cookies.get("csrftoken", "")

    def request(
        self, method: str, path: str, form: dict | None = None, headers: dict | None = None
    ) -> Reply:
        headers = {**({"Cookie": self.cookie_header} if self.cookies else {}), **(headers or {})}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.csrf
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            cookies = {}
            for raw in response.headers.get_all("Set-Cookie") or []:
                parsed = SimpleCookie()
                parsed.load(raw)
                cookies.update({name: morsel.value for name, morsel in parsed.items()})
            self.cookies.update({k: v for k, v in cookies.items() if v})
            return Reply(response.status, dict(response.headers.items()), cookies, data)
        finally:
            conn.close()


CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def login(port: int, username: str, password: str, otp_key_hex: str = "") -> Session:
    """A logged-in session (session and CSRF cookies), or an error naming the user."""
    session = Session(port)
    page = session.request("GET", "/accounts/login/")
    match = CSRF_INPUT.search(page.body)
    if page.status != 200 or not match:
        raise RuntimeError(f"login page: status {page.status}")
    reply = session.request(
        "POST",
        "/accounts/login/",
        {
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": match.group(1).decode(),
        },
    )
    if reply.status != 302 or "sessionid" not in session.cookies:
        raise RuntimeError(
            f"cannot log in as {username!r} (status {reply.status}): is the data set's password "
            "the one in qingdao_groups/bench/config.py (or BENCH_PASSWORD)?"
        )
    if otp_key_hex:
        _second_factor(session, username, otp_key_hex)
    return session


def _second_factor(session: Session, username: str, key_hex: str) -> None:
    """Give the code of the bench's authenticator when the sign-in asks for one (issue 12; the
    runner gives each bench login a fresh device with this key: runner.bench_second_factors)."""
    from django_otp.oath import TOTP

    home = session.request("GET", "/")
    location = home.headers.get("Location", "")
    if home.status != 302 or "/accounts/two-factor/verify/" not in location:
        return
    page = session.request("GET", "/accounts/two-factor/verify/")
    match = CSRF_INPUT.search(page.body)
    token = f"{TOTP(bytes.fromhex(key_hex)).token():06d}"
    reply = session.request(
        "POST",
        "/accounts/two-factor/verify/",
        {"token": token, "csrfmiddlewaretoken": match.group(1).decode() if match else ""},
    )
    if reply.status != 302:
        raise RuntimeError(f"second factor refused for {username!r} (status {reply.status})")
