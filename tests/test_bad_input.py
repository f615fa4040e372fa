"""Bad input never makes a server error (issue 6, item 7): each input seen to fail, and the shared
bounds of qingdao_groups/core/forms.py and the one zip-bomb guard of core/uploads.py."""

import datetime
import io
import zipfile

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from groups.cards.models import Card
from groups.filings.models import Filing
from groups.registry.models import EducationGroup, Membership
from members.services import check_core_school_keeps_authority, led_group_names
from qingdao_groups.core.forms import (
    DATE_MIN,
    PROSE_MAX,
    clean_line,
    clean_prose,
    date_max,
    validate_sane_date,
)
from qingdao_groups.core.messages import render
from qingdao_groups.core.uploads import ZipRefused, zip_entries
from qingdao_groups.models import Attachment
from tests.factories import SchoolFactory
from tests.groups.test_card_filing_uploads import make_card, make_filing
from tests.test_uploads import make_pdf, upload

LONG_NAME = "督" * 296 + ".pdf"  # 300 characters
RLO = "\u202e"


def test_a_user_name_longer_than_any_account_is_a_form_error_not_a_500(client, db):
    response = client.post(reverse("login"), {"username": "a" * 300, "password": "x"})
    assert response.status_code == 200
    assert "用户名最长 150 个字符" in response.content.decode()
    assert not AccessAttempt.objects.exists()  # never reached authentication


@pytest.mark.parametrize(
    "where", ["card-upload", "filing-upload", "card-issue", "filing-create", "application-upload"]
)
def test_a_300_character_file_name_is_stored_shortened(client, world, where):
    client.force_login(world.users["district"])
    later = (timezone.localdate() + datetime.timedelta(days=100)).isoformat()
    if where == "card-upload":
        url, data = reverse("cards:upload", args=[make_card(world).pk]), {"upload-file": None}
        key = "upload-file"
    elif where == "filing-upload":
        url = reverse("filings:upload", args=[make_filing(world).pk])
        data, key = {"upload-kind": "policy"}, "upload-file"
    elif where == "card-issue":
        url = reverse("cards:issue", args=[world.membership.pk])
        data = {"level": "yellow", "ground": "agreement", "description": "情况", "deadline": later}
        key = "evidence"
    elif where == "filing-create":
        url, data, key = (
            reverse("filings:filing-create"),
            {"kind": "policy", "title": "政策"},
            "file",
        )
    else:
        from tests.groups import workflow_helpers as h

        built = h.founding_draft(world)
        client.force_login(built.principal)
        url, data, key = (
            reverse("applications:upload", args=[built.application.pk]),
            {"kind": "plan"},
            "file",
        )
    before = Attachment.objects.count()
    response = client.post(url, data | {key: upload(make_pdf(), LONG_NAME)})
    assert response.status_code == 302
    attachment = Attachment.objects.order_by("-pk").first()
    assert Attachment.objects.count() == before + 1
    assert len(attachment.original_name) <= 255 and attachment.original_name.endswith(".pdf")
    assert render(attachment.history.first().history_change_reason).startswith("上传附件：")


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1900-01-01"])
def test_extreme_dates_are_refused_with_a_message(admin_client_for, world, day):
    client = admin_client_for(world)
    school = SchoolFactory(authority=world.shinan)
    response = client.post(
        reverse("groups:membership-add", args=[world.group.pk]),
        {"school": school.pk, "relation_type": "T-1", "relation_subtype": "T-1b", "joined_on": day},
    )
    assert response.status_code == 200
    assert "日期须在 1949-10-01 至" in response.content.decode()
    assert not Membership.objects.filter(school=school).exists()


def test_an_extreme_card_deadline_is_refused(client, world):
    client.force_login(world.users["district"])
    response = client.post(
        reverse("cards:issue", args=[world.membership.pk]),
        {"level": "yellow", "ground": "agreement", "description": "情况", "deadline": "9999-12-31"},
    )
    assert response.status_code == 200 and "deadline" in response.context["form"].errors
    assert not Card.objects.exists()


@pytest.fixture
def admin_client_for(client):
    def _for(world):
        client.force_login(world.users["admin"])
        return client

    return _for


def test_a_direction_override_in_a_title_is_refused(client, world):
    client.force_login(world.users["district"])
    response = client.post(
        reverse("filings:filing-create"), {"kind": "policy", "title": f"配套政策{RLO}fdp.exe"}
    )
    assert response.status_code == 200
    assert "改变文字方向的控制字符" in response.content.decode()
    assert not Filing.objects.exists()


def test_a_direction_override_in_a_group_name_is_refused(admin_client_for, world):
    response = admin_client_for(world).post(
        reverse("groups:group-create"),
        {
            "name": f"集团{RLO}abc",
            "code": "QD-RLO",
            "core_school": SchoolFactory().pk,
            "specialty": "艺术",
            "founded_on": "2024-09-01",
        },
    )
    assert response.status_code == 200 and "name" in response.context["form"].errors
    assert not EducationGroup.objects.filter(code="QD-RLO").exists()


def test_control_characters_are_removed_and_prose_keeps_its_lines(client, world):
    client.force_login(world.users["district"])
    client.post(
        reverse("filings:filing-create"),
        {"kind": "policy", "title": "配套\x07政策\x1b", "description": "第一行\n第二行\x00\x08"},
    )
    filing = Filing.objects.get()
    assert (filing.title, filing.description) == ("配套政策", "第一行\n第二行")


def test_prose_of_twenty_thousand_characters_is_accepted_and_more_is_refused(client, world):
    client.force_login(world.users["district"])
    url = reverse("filings:filing-create")
    ok = client.post(url, {"kind": "policy", "title": "甲", "description": "说" * PROSE_MAX})
    assert ok.status_code == 302
    too_long = client.post(
        url, {"kind": "policy", "title": "乙", "description": "说" * (PROSE_MAX + 1)}
    )
    assert too_long.status_code == 200 and "description" in too_long.context["form"].errors


def test_huge_numbers_and_versions_are_form_errors(client, world):
    client.force_login(world.users["member"])
    response = client.post(
        reverse("cards:respond", args=[make_card(world).pk]),
        {"respond-rectification": "已整改", "respond-version": "9" * 40},
    )
    assert response.status_code == 200


# --- the shared pieces ---------------------------------------------------------------------------


def test_date_bounds():
    validate_sane_date(DATE_MIN)
    validate_sane_date(date_max())
    for bad in (
        DATE_MIN - datetime.timedelta(days=1),
        date_max() + datetime.timedelta(days=1),
        datetime.date(1, 1, 1),
        datetime.date(9999, 12, 31),
    ):
        with pytest.raises(ValidationError):
            validate_sane_date(bad)
    assert date_max(datetime.date(2024, 2, 29)) == datetime.date(2034, 2, 28)


def test_cleaners():
    assert clean_line("a\x00b\tc\nd") == "abcd"
    assert clean_prose("a\x00b\tc\nd\u202e") == "ab\tc\nd"
    for char in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069":
        with pytest.raises(ValidationError):
            clean_line(f"标题{char}")


def _zip(entries: dict[str, bytes]) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    buffer.seek(0)
    return buffer


def test_one_zip_guard_with_one_limit_for_uploads_and_imports(settings, world, client):
    settings.UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES = 1000
    with pytest.raises(ZipRefused):
        zip_entries(_zip({"a.xml": b"x" * 2000}))
    assert len(zip_entries(_zip({"a.xml": b"x" * 10}))) == 1
    # The school import obeys the same setting.
    big = _zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b" " * 2000,
        }
    ).getvalue()
    client.force_login(world.users["city"])
    response = client.post(
        reverse("members:school-import"), {"file": upload(big, "schools.xlsx", "application/zip")}
    )
    assert "解压后过大" in response.content.decode()


def test_a_core_school_keeps_its_authority_one_rule(world):
    """Policy L-1: the form and the import ask members.services."""
    led = led_group_names([world.core.pk, world.member_school.pk])
    assert led == {world.core.pk: [world.group.name]}
    refused = check_core_school_keeps_authority(
        school_id=world.core.pk, old_authority_id=world.shinan.pk, new_authority_id=world.shibei.pk
    )
    assert not refused and world.group.name in refused.reason
    assert check_core_school_keeps_authority(
        school_id=world.member_school.pk,
        old_authority_id=world.shibei.pk,
        new_authority_id=world.shinan.pk,
    )
    assert check_core_school_keeps_authority(
        school_id=world.core.pk, old_authority_id=world.shinan.pk, new_authority_id=world.shinan.pk
    )
