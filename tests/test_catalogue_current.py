"""The English catalogue covers every string in the source as it is now: makemessages run on a
copy of the project finds nothing new to translate. Fails when someone adds a user-facing string
and forgets `make messages`-style upkeep of locale/en."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [
    "manage.py",
    "qingdao_groups",
    "groups",
    "members",
    "funding",
    "assessments",
    "api",
    "templates",
    "locale",
]


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_makemessages_finds_nothing_untranslated(tmp_path):
    for name in SOURCES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, tmp_path / name)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "en",
            "--no-location",
            "--ignore=tests",
            "-v",
            "0",
        ],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=300,
        env={
            "DJANGO_SETTINGS_MODULE": "qingdao_groups.settings.test",
            "PATH": "/usr/bin:/bin",
            "DJANGO_SECRET_KEY": "x" * 50,
        },
    )
    po = (tmp_path / "locale/en/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    stats = subprocess.run(
        ["msgattrib", "--untranslated", "--no-obsolete", "-"],
        input=po,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    fuzzy = subprocess.run(
        ["msgattrib", "--only-fuzzy", "--no-obsolete", "-"],
        input=po,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    untranslated = [
        line for line in stats.splitlines() if line.startswith("msgid ") and line != 'msgid ""'
    ]
    fuzzy_ids = [
        line for line in fuzzy.splitlines() if line.startswith("msgid ") and line != 'msgid ""'
    ]
    assert untranslated == [] and fuzzy_ids == []
