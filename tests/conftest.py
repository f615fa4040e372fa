import os
import shutil

import pytest

from members.models import District, User
from tests.factories import (
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


@pytest.fixture
def world(db):
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
        "district": UserFactory(username="t-district", role=User.Role.DISTRICT_STAFF,
                                authority=w.shinan),
        "principal": UserFactory(username="t-principal", role=User.Role.CORE_PRINCIPAL,
                                 school=w.core),
        "member": UserFactory(username="t-member", role=User.Role.MEMBER_PRINCIPAL,
                              school=w.member_school),
        "auditor": UserFactory(username="t-auditor", role=User.Role.AUDITOR),
        "admin": UserFactory(username="t-admin", role=User.Role.SYSADMIN, is_staff=True,
                             is_superuser=True),
    }
    return w


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
