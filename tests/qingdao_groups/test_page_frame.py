"""The page frame every page shares (templates/base.html, issue 8): no inline script anywhere,
the current section marked in the menu, the skip link, the user menu, the printed identity."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

ROOT = Path(settings.BASE_DIR)
TEMPLATE_DIRS = [
    "templates",
    "groups",
    "members",
    "qingdao_groups",
    "funding",
    "assessments",
    "api",
]

# An inline script: a <script> element without src or the request's CSP nonce (issue 12: the
# API's documentation pages), or an on…= event handler attribute.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(?:src|nonce)=)[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
JS_URL = re.compile(r"""href\s*=\s*["']\s*javascript:""", re.IGNORECASE)


def templates() -> list[Path]:
    found = []
    for folder in TEMPLATE_DIRS:
        if (ROOT / folder).exists():
            found += [p for p in (ROOT / folder).rglob("*.html") if "static" not in p.parts]
    return sorted(found)


def inline_scripts(text: str) -> list[str]:
    return [
        m.group(0) for pattern in (INLINE_SCRIPT, HANDLER, JS_URL) for m in pattern.finditer(text)
    ]


def test_the_scan_catches_inline_scripts():
    assert inline_scripts('<select onchange="this.form.submit()">')
    assert inline_scripts("<script>alert(1)</script>")
    assert inline_scripts('<a href="javascript:void(0)">')
    assert not inline_scripts('<script src="/static/js/app.js" defer></script>')
    assert not inline_scripts('<button data-confirm="确定？" class="btn">')
    assert not inline_scripts('<script nonce="{{ CSP_NONCE }}">')


# An inline style the Content-Security-Policy refuses: a style="" attribute, or a <style> element
# without the nonce. The PDF templates (WeasyPrint, never served to a browser) are exempt.
INLINE_STYLE = re.compile(r"""\sstyle\s*=\s*["']|<style(?![^>]*\bnonce=)[^>]*>""", re.IGNORECASE)


def test_no_page_template_has_an_inline_style():
    assert INLINE_STYLE.search('<body style="margin: 0">')
    assert INLINE_STYLE.search("<style>body { margin: 0 }</style>")
    assert not INLINE_STYLE.search('<style nonce="{{ CSP_NONCE }}">')
    found = {
        str(path.relative_to(ROOT)): hits
        for path in templates()
        if "pdf" not in str(path.relative_to(ROOT))
        if (hits := INLINE_STYLE.findall(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_no_template_has_an_inline_script():
    """The Content-Security-Policy refuses inline script (issue 12): behaviour lives in static files."""
    assert len(templates()) > 40
    found = {
        str(path.relative_to(ROOT)): hits
        for path in templates()
        if (hits := inline_scripts(path.read_text(encoding="utf-8")))
    }
    assert found == {}


@pytest.mark.parametrize(
    ("url", "section"),
    [
        ("/", "首页"),
        ("/applications/inbox/", "待办"),
        ("/groups/", "教育集团"),
        ("/schools/", "学校"),
        ("/applications/", "申请"),
        ("/cards/", "黄牌/红牌"),
        ("/filings/", "报备"),
        ("/enrollment-plans/", "招生计划"),
    ],
)
def test_the_current_section_is_marked_in_the_menu(client, world, url, section):
    client.force_login(world.users["city"])
    html = client.get(url).content.decode()
    html = html[html.index('data-testid="menu"') :]  # the menu, not the page's own tabs
    html = html[: html.index("</ul>")]
    marked = re.findall(
        r'<a class="nav-link active"[^>]*aria-current="page"[^>]*>([^<]+)</a>', html
    )
    assert marked == [section]


def test_a_detail_page_is_marked_under_its_section(client, world):
    client.force_login(world.users["city"])
    html = client.get(reverse("groups:group-detail", args=[world.group.pk])).content.decode()
    assert re.findall(r'aria-current="page"[^>]*>([^<]+)</a>', html) == ["教育集团"]


def test_the_frame_has_a_skip_link_a_user_menu_and_no_language_select(client, world):
    user = world.users["district"]
    client.force_login(user)
    html = client.get("/").content.decode()
    assert html.index('href="#main"') < html.index("<nav")
    assert "跳到正文" in html and '<main id="main"' in html
    menu = html[html.index('data-testid="user-menu"') :]
    menu = menu[: menu.index("</ul>")]
    assert user.get_role_display() in menu and str(user.authority) in menu
    assert reverse("password_change") in menu and "退出登录" in menu
    assert "<select" not in html[: html.index("<main")]


def test_the_printed_page_says_what_it_is_and_when(client, world):
    client.force_login(world.users["city"])
    html = client.get(reverse("groups:group-detail", args=[world.group.pk])).content.decode()
    header = html[html.index('data-testid="print-header"') :]
    header = header[: header.index("</div>\n</div>") if "</div>\n</div>" in header else 600]
    assert "青岛市中小学集团化办学管理系统" in header
    assert world.group.code in header
    assert timezone.localdate().isoformat() in header  # the one date format, YYYY-MM-DD
    html = client.get(reverse("members:school-detail", args=[world.core.pk])).content.decode()
    assert world.core.code in html[html.index('data-testid="print-header"') :][:600]


def test_the_house_stylesheet_closes_every_block():
    """A rule left open (a lost closing brace in a merge once put the whole page frame inside a
    phone-only media query, and the menu lost its contrast at desktop widths)."""
    from django.conf import settings

    css = (settings.BASE_DIR / "static" / "css" / "app.css").read_text(encoding="utf-8")
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    depth = 0
    for char in css:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0, "a closing brace without its block"
    assert depth == 0, "a block left open"
