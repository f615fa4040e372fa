"""Good practice, typical cases and experience are collected and published (policy A-6): the
case's workflow through the one runner, who may act, the public pages (no login; only published
cases and their files), and a constant number of queries whatever the number of cases."""

import datetime

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.practice.models import PracticeCase
from assessments.practice.services import (
    case_attachment_add,
    case_create,
    case_edit,
    case_publish,
    case_return,
    case_submit,
    case_withdraw,
)
from members.models import User
from qingdao_groups.core.inbox import inbox_counts
from qingdao_groups.core.messages import render
from qingdao_groups.core.rules import RuleRefusal
from qingdao_groups.models import Notification
from tests.factories import EducationGroupFactory, SchoolFactory, UserFactory
from tests.test_uploads import make_pdf, make_png

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2026, 5, 8, 10, 0))
TEXT = "集团以“大教研”为抓手，统一备课。\n\n成员校教师每周参加联合教研，课堂质量明显提升。"


def _png(name="照片.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, make_png(), content_type="image/png")


def _case(world, actor_role="principal", group=None) -> PracticeCase:
    return case_create(
        group=group or world.group,
        title="联合教研促进成员校共同发展",
        text=TEXT,
        actor=world.users[actor_role],
        now=NOW,
    )


def test_a_case_goes_from_draft_to_public_and_back_off_it(world, client):
    """Policy A-6: the core principal writes up the group's practice with a picture and submits
    it; the group's district publishes it; the public reads it and sees its picture without
    logging in; staff withdraw it with a reason and it is no longer public, its picture
    included."""
    principal, district = world.users["principal"], world.users["district"]
    case = _case(world)
    picture = case_attachment_add(case=case, uploaded_file=_png(), actor=principal, now=NOW)
    case = case_submit(case=case, actor=principal, expected_version=case.version, now=NOW)
    assert case.status == PracticeCase.Status.SUBMITTED and case.submitted_by == principal
    assert Notification.objects.filter(user=district).exists()  # the reviewers are told
    case = case_publish(case=case, actor=district, expected_version=case.version, now=NOW)
    assert case.status == PracticeCase.Status.PUBLISHED and case.published_at == NOW

    listed = client.get(reverse("practice:public-list"))
    assert listed.status_code == 200 and case.title in listed.content.decode()
    page = client.get(reverse("practice:public-detail", args=[case.pk]))
    assert page.status_code == 200
    assert "成员校教师每周参加联合教研" in page.content.decode()
    image = client.get(reverse("practice:public-file", args=[case.pk, picture.pk]))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert image["Content-Disposition"].startswith("inline")

    case = case_withdraw(
        case=case, reason="案例数据需要核实", actor=world.users["city"], expected_version=None
    )
    assert case.status == PracticeCase.Status.WITHDRAWN
    assert client.get(reverse("practice:public-detail", args=[case.pk])).status_code == 404
    image = client.get(reverse("practice:public-file", args=[case.pk, picture.pk]))
    assert image.status_code == 404
    assert case.title not in client.get(reverse("practice:public-list")).content.decode()
    reasons = [render(h.history_change_reason) for h in case.history.order_by("history_id")]
    assert reasons[-1].endswith("案例数据需要核实")  # the history keeps who and why


def test_a_returned_case_is_changed_and_resubmitted(world):
    """Policy A-6: a return needs remarks; the authors change the returned case and resubmit
    it; the remarks stay in the history."""
    principal, city = world.users["principal"], world.users["city"]
    case = case_submit(case=_case(world), actor=principal, now=NOW)
    with pytest.raises(RuleRefusal):
        case_return(case=case, remarks="  ", actor=city)
    case = case_return(case=case, remarks="请补充成效数据", actor=city, now=NOW)
    assert case.status == PracticeCase.Status.RETURNED and case.remarks == "请补充成效数据"
    case = case_edit(
        case=case, title=case.title, text=TEXT + "\n\n学业合格率提高12个百分点。", actor=principal
    )
    case = case_submit(case=case, actor=principal)
    assert case.status == PracticeCase.Status.SUBMITTED
    actions = list(case.history.order_by("history_id").values_list("status", flat=True))
    assert actions == ["draft", "submitted", "returned", "returned", "submitted"]


def test_who_may_act_on_a_case(world):
    """Policy A-6: only the group's core principal and staff in scope write; the city reviews any
    case, a district only its own groups' cases; a member principal and the auditor never."""
    with pytest.raises(PermissionDenied):
        _case(world, "member")
    with pytest.raises(PermissionDenied):
        _case(world, "auditor")
    with pytest.raises(PermissionDenied):  # 市南 staff cannot write for a 崂山 group
        _case(world, "district", group=world.other_group)
    other = case_submit(
        case=_case(world, "city", group=world.other_group), actor=world.users["city"]
    )
    with pytest.raises(PermissionDenied):
        case_publish(case=other, actor=world.users["district"])
    with pytest.raises(PermissionDenied):
        case_publish(case=other, actor=world.users["principal"])
    laoshan = UserFactory(role=User.Role.DISTRICT_STAFF, authority=world.laoshan)
    assert case_publish(case=other, actor=laoshan).status == PracticeCase.Status.PUBLISHED


def test_a_stale_form_and_a_move_the_table_does_not_list_are_refused(world):
    """Policy A-6: the runner refuses a form opened before someone else acted, and publishing a
    draft; nothing changes."""
    principal, city = world.users["principal"], world.users["city"]
    case = _case(world)
    seen = case.version
    case_edit(case=case, title="新标题", text=TEXT, actor=principal, expected_version=seen)
    with pytest.raises(RuleRefusal):
        case_edit(case=case, title="旧标题", text=TEXT, actor=principal, expected_version=seen)
    with pytest.raises(RuleRefusal):
        case_publish(case=case, actor=city)
    case.refresh_from_db()
    assert case.title == "新标题" and case.status == PracticeCase.Status.DRAFT


def test_files_are_added_only_while_the_authors_hold_the_case(world):
    """Policy A-6: pictures and attachments are added to a draft or returned case; a submitted
    case is fixed."""
    principal = world.users["principal"]
    case = _case(world)
    pdf = SimpleUploadedFile("经验总结.pdf", make_pdf("summary"), content_type="application/pdf")
    case_attachment_add(case=case, uploaded_file=pdf, actor=principal)
    case = case_submit(case=case, actor=principal)
    with pytest.raises(RuleRefusal):
        case_attachment_add(case=case, uploaded_file=_png(), actor=principal)
    assert case.attachments.count() == 1


def test_an_unpublished_case_and_its_files_are_not_public(world, client):
    """Policy A-6: the public sees only published cases; a draft's picture is not served to it,
    nor through the login-only download."""
    case = _case(world)
    picture = case_attachment_add(case=case, uploaded_file=_png(), actor=world.users["principal"])
    assert client.get(reverse("practice:public-detail", args=[case.pk])).status_code == 404
    assert (
        client.get(reverse("practice:public-file", args=[case.pk, picture.pk])).status_code == 404
    )
    download = client.get(reverse("attachments:download", args=[picture.pk]))
    assert download.status_code == 302  # to the login page
    client.force_login(world.users["member"])
    assert client.get(reverse("attachments:download", args=[picture.pk])).status_code == 200


def test_the_public_list_searches_and_filters(world, client):
    """Policy A-6: the public finds cases by words of their text, by district and by the
    group's specialty."""
    city = world.users["city"]
    laoshan_group = EducationGroupFactory(
        core_school=SchoolFactory(authority=world.laoshan), specialty="海洋教育"
    )
    first = case_publish(case=case_submit(case=_case(world, "city"), actor=city), actor=city)
    second = case_create(
        group=laoshan_group, title="海洋研学课程", text="依托海洋科普基地开展研学。", actor=city
    )
    second = case_publish(case=case_submit(case=second, actor=city), actor=city)
    url = reverse("practice:public-list")

    def titles(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return [c.title for c in response.context["page_obj"]]

    assert titles() == [second.title, first.title]  # newest first
    assert titles(q="科普基地") == [second.title]
    assert titles(district=world.laoshan.district_id) == [second.title]
    assert titles(specialty="海洋教育") == [second.title]
    assert titles(specialty="科技创新") == [first.title]


def test_english_readers_get_the_public_page_in_english(world, client):
    """Policy A-6: Chinese by default; the language button's cookie gives English."""
    response = client.get(reverse("practice:public-list"))
    assert "集团化办学典型案例" in response.content.decode()
    client.cookies["django_language"] = "en"
    response = client.get(reverse("practice:public-list"))
    assert "Typical cases of school education groups" in response.content.decode()


def _grow(world, n: int) -> None:
    city = world.users["city"]
    for i in range(n):
        group = EducationGroupFactory(core_school=SchoolFactory(authority=world.shinan))
        case = case_create(group=group, title=f"案例{i}", text=TEXT, actor=city)
        case_attachment_add(case=case, uploaded_file=_png(), actor=city)
        case = case_submit(case=case, actor=city)
        if i % 4:
            case_publish(case=case, actor=city)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


# Pinned ceilings (session and user included where signed in). Raise only with a reason.
# public list: its facets (districts and specialties), the count, the page's keys, its rows, the
# cover pictures; a search adds its keys. Staff: session and user first.
CEILINGS = {"public-list": 5, "public-list (search)": 6, "case-list": 6, "case-detail": 6}


def test_pages_run_the_same_number_of_queries_whatever_the_number_of_cases(world, client):
    """Policy A-6: the public list (as anyone), the staff list and a case's page do not grow
    with the number of cases and pictures."""
    _grow(world, 2)
    case = PracticeCase.objects.order_by("pk").first()
    public = {
        "public-list": reverse("practice:public-list"),
        "public-list (search)": reverse("practice:public-list") + "?q=案例&district=shinan",
    }
    staff = {
        "case-list": reverse("practice:case-list"),
        "case-detail": reverse("practice:case-detail", args=[case.pk]),
    }

    def measure() -> dict[str, int]:
        client.logout()
        counts = {}
        for name, url in public.items():
            cache.clear()
            counts[name] = _count(client, url)
        user = world.users["city"]
        client.force_login(user)
        for name, url in staff.items():
            cache.clear()
            inbox_counts(user)  # the menu's count is cached per scope, apart from the page
            counts[name] = _count(client, url)
        return counts

    for url in (*public.values(), *staff.values()):  # warm per-process caches
        client.force_login(world.users["city"])
        client.get(url)
    small = measure()
    _grow(world, 30)
    large = measure()
    assert large == small
    for name, n in large.items():
        assert n <= CEILINGS[name], (name, n)


# --- a reviewer's remarks and a withdrawal's reason are kept whole (issue 6) --------------------


def _long(tag: str, n: int = 10_000) -> str:
    body = "".join(chr(0x4E00 + (i * 37) % 20_900) for i in range(n))
    return (tag + body)[:n]


@pytest.mark.parametrize("decision", ["publish", "return"])
def test_review_remarks_are_kept_whole(world, client, decision):
    """Policy A-6: the reviewer's remarks, 10,000 characters, in the case and its history."""
    city = world.users["city"]
    case = case_submit(case=_case(world, "city"), actor=city)
    remarks = _long("审核意见")
    client.force_login(city)
    response = client.post(
        reverse("practice:case-review", args=[case.pk]),
        {"decision": decision, "remarks": remarks, "version": case.version},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.remarks == remarks
    newest = case.history.order_by("-history_id").first()
    assert newest.remarks == remarks and remarks in render(newest.history_change_reason)


def test_withdrawal_reason_is_kept_whole(world, client):
    """Policy A-6: the reason a published case is taken off the public pages, kept whole."""
    city = world.users["city"]
    case = case_publish(case=case_submit(case=_case(world, "city"), actor=city), actor=city)
    reason = _long("撤回理由")
    client.force_login(city)
    response = client.post(
        reverse("practice:case-withdraw", args=[case.pk]),
        {"reason": reason, "version": case.version},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.withdrawn_reason == reason and case.status == PracticeCase.Status.WITHDRAWN
    newest = case.history.order_by("-history_id").first()
    assert reason in render(newest.history_change_reason)


def test_the_staff_pages_work_end_to_end(world, client):
    """Policy A-6: the core principal writes a case through the form, uploads a picture, submits
    it; the city publishes it through the review page."""
    principal = world.users["principal"]
    client.force_login(principal)
    form = client.get(reverse("practice:case-create"))
    assert form.status_code == 200
    response = client.post(
        reverse("practice:case-create"),
        {
            "group": world.group.pk,
            "title": "集团联合教研",
            "text": TEXT,
            "submission": "6f1c1c1e-9a7b-4c55-9a43-0b1d2f6e7a10",
        },
    )
    case = PracticeCase.objects.get(title="集团联合教研")
    assert response.status_code == 302 and case.created_by == principal
    response = client.post(
        reverse("practice:case-upload", args=[case.pk]),
        {"file": _png(), "submission": "0c4f0a43-6a8e-4b5b-9d7e-1d2a3c4b5e6f"},
    )
    assert response.status_code == 302 and case.attachments.count() == 1
    response = client.post(
        reverse("practice:case-submit", args=[case.pk]), {"version": case.version}
    )
    case.refresh_from_db()
    assert case.status == PracticeCase.Status.SUBMITTED
    client.force_login(world.users["city"])
    page = client.get(reverse("practice:case-detail", args=[case.pk]))
    assert page.status_code == 200 and 'data-testid="case-review"' in page.content.decode()
    client.post(
        reverse("practice:case-review", args=[case.pk]),
        {"decision": "publish", "remarks": "", "version": case.version},
    )
    case.refresh_from_db()
    assert case.status == PracticeCase.Status.PUBLISHED
