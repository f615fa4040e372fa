import copy
import os
import shutil

import pytest
from django.db import transaction

from members.models import User
from tests.factories import (
    District,
    EducationGroupFactory,
    MembershipFactory,
    SchoolFactory,
    UserFactory,
    city_bureau,
    district_bureau,
)

PASSWORD = "test-pass-2025"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # Uploads in tests never land in the project's var/ folder.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _default_language():
    # Every test starts in the default language (Chinese): a request served in English (an
    # English account's page, an API call with Accept-Language: en) leaves English active in
    # its thread, as Django's own locale middleware does.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache():
    # Every test starts with an empty cache: figures cached by an earlier test describe a
    # database that test's rollback has since undone.
    from django.core.cache import cache

    cache.clear()


def build_world():
    """Two districts, a group led by a 市南 school with a 市北 member, and one user per role.

    `world.users[role]` holds the users; `other_*` objects belong to nobody the users act for."""

    class World:
        pass

    w = World()
    w.city = city_bureau()
    w.shinan = district_bureau(District.SHINAN)
    w.shibei = district_bureau(District.SHIBEI)
    w.laoshan = district_bureau(District.LAOSHAN)
    w.core = SchoolFactory(name="青岛测试核心学校", authority=w.shinan)
    w.group = EducationGroupFactory(name="测试核心教育集团", core_school=w.core)
    w.member_school = SchoolFactory(name="市北测试成员学校", authority=w.shibei)
    w.membership = MembershipFactory(group=w.group, school=w.member_school)
    w.other_core = SchoolFactory(name="崂山其他核心学校", authority=w.laoshan)
    w.other_group = EducationGroupFactory(name="崂山其他教育集团", core_school=w.other_core)
    w.other_school = SchoolFactory(name="崂山其他成员学校", authority=w.laoshan)
    MembershipFactory(group=w.other_group, school=w.other_school)
    w.users = {
        "city": UserFactory(username="t-city", role=User.Role.CITY_STAFF, authority=w.city),
        "district": UserFactory(
            username="t-district", role=User.Role.DISTRICT_STAFF, authority=w.shinan
        ),
        "principal": UserFactory(
            username="t-principal", role=User.Role.CORE_PRINCIPAL, school=w.core
        ),
        "member": UserFactory(
            username="t-member", role=User.Role.MEMBER_PRINCIPAL, school=w.member_school
        ),
        "auditor": UserFactory(username="t-auditor", role=User.Role.AUDITOR),
        # Issue 9's read-only roles: the city finance bureau's reviewer (locks ledgers) and the
        # staffing office (handles staffing requests, policy S-1).
        "finance": UserFactory(username="t-finance", role=User.Role.FINANCE_REVIEWER),
        "staffing": UserFactory(username="t-staffing", role=User.Role.STAFFING_OFFICE),
        "admin": UserFactory(
            username="t-admin", role=User.Role.SYSADMIN, is_staff=True, is_superuser=True
        ),
    }
    return w


# The world is built once per test module, inside a transaction that stays open while the
# module's tests run: pytest-django's `db` nests each test in a savepoint inside it, so a
# test's writes are rolled back before the next test, and the whole world at the module's end.
# Each test gets its own deep copy of the Python objects, so a test that changes one in memory
# does not leak it into the next. Tests that need real commits (transactional_db, live_server,
# django_db(transaction=True): browser and race tests) build their own world, as before.
_TRANSACTIONAL_FIXTURES = {
    "transactional_db",
    "live_server",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None:
        names = ("transaction", "reset_sequences")
        kwargs = dict(zip(names, marker.args[:2], strict=False)) | marker.kwargs
        if kwargs.get("transaction") or kwargs.get("reset_sequences"):
            return True
    return bool(_TRANSACTIONAL_FIXTURES & set(getattr(item, "fixturenames", ())))


class _SharedWorld:
    """The module's world and the outer transaction holding it (None when not opened)."""

    open_now: "_SharedWorld | None" = None
    next_item = None

    def __init__(self, blocker):
        self.blocker = blocker
        self.world = None
        self._atomic = None

    def open(self):
        with self.blocker.unblock():
            self._atomic = transaction.atomic()
            self._atomic._from_testcase = True  # like TestCase's own: durable blocks may nest
            self._atomic.__enter__()
            _SharedWorld.open_now = self
        try:
            with self.blocker.unblock():
                self.world = build_world()
        except BaseException:
            self.close()
            raise

    def close(self):
        if self._atomic is None:
            return
        atomic, self._atomic, self.world = self._atomic, None, None
        _SharedWorld.open_now = None
        with self.blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # pytest-django runs transactional tests after the others, but the last module of plain
    # tests may still hold its world's transaction open: close it before such a test starts.
    _SharedWorld.next_item = item
    if _SharedWorld.open_now is not None and _is_transactional(item):
        _SharedWorld.open_now.close()


@pytest.fixture(scope="module")
def _module_world(django_db_setup, django_db_blocker):
    shared = _SharedWorld(django_db_blocker)
    item = _SharedWorld.next_item
    if item is not None and not _is_transactional(item):
        shared.open()
    yield shared
    shared.close()


@pytest.fixture
def world(request, _module_world, db):
    """Two districts, a group led by a 市南 school with a 市北 member, and one user per role
    (see build_world); shared by the module's tests, each getting fresh copies of the objects."""
    if _module_world.world is None or _is_transactional(request.node):
        return build_world()
    return copy.deepcopy(_module_world.world)


@pytest.fixture
def login(client):
    """login(user) -> the test client signed in as that user."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


# PDF text (charter comparison) comes from poppler's pdftotext. CI installs it and sets
# REQUIRE_POPPLER=1, so there a missing tool fails the tests; a bare machine skips only the
# text assertions.
PDF_TEXT_AVAILABLE = bool(shutil.which("pdftotext")) or os.environ.get("REQUIRE_POPPLER") == "1"


@pytest.fixture(scope="session")
def clamd(tmp_path_factory):
    """A running ClamAV daemon that knows the EICAR test file (tests/clamd.py), one per test
    process. Skipped only where clamd is not installed, and never in CI (.ci/run installs it)."""
    from tests.clamd import Clamd, clamd_path, clamd_required

    if clamd_path() is None:
        if clamd_required():
            pytest.fail("clamd is not installed; .ci/run installs clamav-daemon")
        pytest.skip("clamd is not installed (apt-get install clamav-daemon)")
    daemon = Clamd(tmp_path_factory.mktemp("clamd")).start()
    yield daemon
    daemon.stop()


@pytest.fixture
def scanning(settings, clamd):
    """Uploads are scanned by the test daemon for the length of one test."""
    settings.CLAMAV_SOCKET = clamd.socket
    settings.CLAMAV_TCP = ""
    return clamd
