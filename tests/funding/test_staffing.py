"""Staffing requests (policy S-1) and principals' ranks (policy S-2): the core principal asks,
the request keeps the group context of the day it was submitted, the staffing office or the
human-resources bureau marks it handled through the workflow runner; city staff record ranks."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from funding.dispatches.models import Dispatch
from funding.staffing.models import StaffingRequest
from funding.staffing.services import (
    principal_rank_set,
    staffing_request_handle,
    staffing_request_submit,
)
from members.models import User
from qingdao_groups.core.history import history_rows
from qingdao_groups.core.workflow import StaleVersion
from tests.factories import EducationGroupFactory, MembershipFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db


def _submit(world, **extra) -> StaffingRequest:
    values = dict(
        group=world.group,
        kind=StaffingRequest.Kind.QUOTA,
        count=4,
        reason="派出 3 名骨干教师到成员校，本校缺编",
        actor=world.users["principal"],
    )
    return staffing_request_submit(**values | extra)


def test_s1_s2_principal_submits_and_the_group_context_is_stored(world, client):
    """Policy S-1, S-2: the request stores the group, its members today, the weak share, the
    staff dispatched now and the principal's rank, as they stood at submission."""
    principal = world.users["principal"]
    principal.rank = User.Rank.SECOND
    principal.save()
    weak = SchoolFactory(authority=world.shinan, is_weak=True, weak_rated_year=2022)
    weak_membership = MembershipFactory(
        group=world.group, school=weak, joined_on=datetime.date(2022, 9, 1)
    )
    # A member that has left is not counted (the membership API decides).
    MembershipFactory(
        group=world.group,
        school=SchoolFactory(authority=world.shinan),
        joined_on=datetime.date(2020, 9, 1),
        left_on=datetime.date(2021, 9, 1),
        end_reason="exit",
    )
    today = timezone.localdate()
    Dispatch.objects.create(
        group=world.group,
        membership=weak_membership,
        person_name="李老师",
        role=Dispatch.Role.KEY_TEACHER,
        starts_on=today - datetime.timedelta(days=30),
    )
    Dispatch.objects.create(  # over
        group=world.group,
        membership=weak_membership,
        person_name="王老师",
        role=Dispatch.Role.KEY_TEACHER,
        starts_on=datetime.date(2020, 1, 1),
        ends_on=datetime.date(2020, 12, 31),
    )
    client.force_login(principal)
    form = client.get(reverse("funding:staffing-create")).context["form"]
    response = client.post(
        reverse("funding:staffing-create"),
        {
            "group": world.group.pk,
            "kind": "quota",
            "count": "4",
            "reason": "派出骨干教师，本校缺编",
            "submission": form["submission"].value(),
        },
    )
    staffing = StaffingRequest.objects.get()
    assert response["Location"] == reverse("funding:staffing-detail", args=[staffing.pk])
    assert staffing.status == "open" and staffing.school == world.core
    ctx = staffing.context
    assert ctx["group_name"] == world.group.name and ctx["group_code"] == world.group.code
    assert ctx["founded_on"] == world.group.founded_on.isoformat()
    assert (ctx["members"], ctx["weak_members"], ctx["weak_share_percent"]) == (2, 1, "50.0")
    assert ctx["dispatches_current"] == 1
    assert ctx["principal_rank"] == "second"
    # The context is the day's: a later rank does not rewrite it; the page shows both.
    principal_rank_set(principal=principal, rank=User.Rank.FIRST, actor=world.users["city"])
    staffing.refresh_from_db()
    assert staffing.context["principal_rank"] == "second"
    page = client.get(reverse("funding:staffing-detail", args=[staffing.pk])).content.decode()
    assert "二级校长" in page and "一级校长" in page
    # The principal sees the status of their own requests.
    listed = client.get(reverse("funding:staffing-list"))
    assert [r.pk for r in listed.context["page_obj"]] == [staffing.pk]
    assert "待处理" in listed.content.decode()


def test_s1_only_the_core_principal_of_the_group_submits(world):
    """Policy S-1: a core principal asks for the groups their school leads only."""
    from django.core.exceptions import PermissionDenied

    from qingdao_groups.core.rules import RuleRefusal

    with pytest.raises(RuleRefusal):
        _submit(world, group=world.other_group)
    with pytest.raises(PermissionDenied):
        _submit(world, actor=world.users["member"])
    with pytest.raises(RuleRefusal):
        _submit(world, count=0)
    with pytest.raises(RuleRefusal):
        _submit(world, reason="  ")
    assert not StaffingRequest.objects.exists()


@pytest.mark.parametrize("role", [User.Role.STAFFING_OFFICE, User.Role.HR_BUREAU])
def test_s1_staffing_office_or_hr_bureau_marks_a_request_handled(world, client, role):
    """Policy S-1: the staffing office and the human-resources bureau handle; who, when and the
    note are kept, with a history row."""
    staffing = _submit(world)
    handler = UserFactory(role=role)
    client.force_login(handler)
    page = client.get(reverse("funding:staffing-detail", args=[staffing.pk]))
    assert page.context["form"] is not None
    before = timezone.now()
    response = client.post(
        reverse("funding:staffing-handle", args=[staffing.pk]),
        {"version": staffing.version, "note": "已纳入下一年度编制调整"},
    )
    assert response.status_code == 302
    staffing.refresh_from_db()
    assert staffing.status == "handled"
    assert staffing.handled_by == handler and staffing.handled_at >= before
    assert staffing.handled_note == "已纳入下一年度编制调整"
    rows = list(history_rows(StaffingRequest, pk=staffing.pk).order_by("history_id"))
    assert [r.status for r in rows] == ["open", "handled"]
    assert rows[-1].history_user == handler
    # The principal sees it handled.
    client.force_login(world.users["principal"])
    listed = client.get(reverse("funding:staffing-list"))
    assert "已处理" in listed.content.decode()


def test_s1_an_auditor_or_the_city_cannot_handle_and_another_principal_gets_404(world, client):
    """Policy S-1: read-only roles other than staffing and HR get 403; a principal of another
    group does not see the request (404)."""
    staffing = _submit(world)
    url = reverse("funding:staffing-handle", args=[staffing.pk])
    for role in ("auditor", "city", "finance"):
        client.force_login(world.users[role])
        assert client.post(url, {"version": staffing.version}).status_code == 403
    other = UserFactory(role=User.Role.CORE_PRINCIPAL, school=world.other_core)
    client.force_login(other)
    assert client.get(reverse("funding:staffing-detail", args=[staffing.pk])).status_code == 404
    assert client.post(url, {"version": staffing.version}).status_code == 404
    assert StaffingRequest.objects.get().status == "open"


def test_s1_a_stale_form_is_refused(world, client):
    """Policy S-1: the version the handler saw is checked."""
    staffing = _submit(world)
    with pytest.raises(StaleVersion):
        staffing_request_handle(
            request=staffing,
            note="",
            actor=world.users["staffing"],
            expected_version=staffing.version + 1,
        )
    client.force_login(world.users["staffing"])
    response = client.post(
        reverse("funding:staffing-handle", args=[staffing.pk]),
        {"version": staffing.version + 1, "note": "x"},
    )
    assert response.status_code == 302
    staffing.refresh_from_db()
    assert staffing.status == "open" and staffing.handled_by is None
    # Handled by someone else meanwhile: the second form is told so, nothing changes.
    staffing_request_handle(
        request=staffing, note="", actor=world.users["staffing"], expected_version=1
    )
    hr = UserFactory(role=User.Role.HR_BUREAU)
    client.force_login(hr)
    response = client.post(
        reverse("funding:staffing-handle", args=[staffing.pk]), {"version": 1, "note": "y"}
    )
    assert response.status_code == 302
    staffing.refresh_from_db()
    assert staffing.handled_by == world.users["staffing"]


def test_s2_city_staff_set_a_principals_rank_with_history(world, client):
    """Policy S-2: the rank is kept on the principal's record; the page lists its changes."""
    principal = world.users["principal"]
    client.force_login(world.users["city"])
    url = reverse("funding:principal-rank", args=[principal.pk])
    response = client.post(url, {"rank": "third", "note": "青教发〔2025〕1号"})
    assert response.status_code == 302
    client.post(url, {"rank": "second", "note": ""})
    principal.refresh_from_db()
    assert principal.rank == "second"
    page = client.get(url)
    history = page.context["history"]
    assert [h.rank for h in history] == ["third", "second"]
    assert history[0].history_user == world.users["city"]
    assert "青教发〔2025〕1号" in page.content.decode()
    same = client.post(url, {"rank": "second"})
    assert same.status_code == 200 and "职级没有变化" in same.content.decode()
    client.force_login(world.users["district"])
    assert client.post(url, {"rank": "first"}).status_code == 403
    client.force_login(world.users["city"])
    assert (
        client.get(reverse("funding:principal-rank", args=[world.users["auditor"].pk])).status_code
        == 404
    )


def _count(client, url) -> int:
    cache.clear()
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_s1_staffing_pages_keep_their_query_count(world, client):
    """Policy S-1: the list and a request's page run as many queries with 1 or 12 requests."""
    first = _submit(world)
    client.force_login(world.users["staffing"])
    urls = (reverse("funding:staffing-list"), reverse("funding:staffing-detail", args=[first.pk]))
    small = tuple(_count(client, u) for u in urls)
    for n in range(5):
        school = SchoolFactory(authority=world.shinan)
        group = EducationGroupFactory(core_school=school)
        principal = UserFactory(role=User.Role.CORE_PRINCIPAL, school=school)
        for _ in range(2):
            request = staffing_request_submit(
                group=group, kind="recruitment", count=n + 1, reason="招聘", actor=principal
            )
        staffing_request_handle(
            request=request, note="已办", actor=world.users["staffing"], expected_version=1
        )
    _submit(world)
    large = tuple(_count(client, u) for u in urls)
    assert small == large
    assert large[0] <= 10 and large[1] <= 10


def test_s1_the_staffing_list_exports_with_the_group_context(world, client):
    """Policy S-1, S-2: the staffing office's CSV carries the context kept at submission; a
    principal's holds their own requests only."""
    from tests.exports.test_exports import export

    _submit(world)
    other = UserFactory(role=User.Role.CORE_PRINCIPAL, school=world.other_core)
    _submit(world, group=world.other_group, actor=other)
    client.force_login(world.users["staffing"])
    rows = export(client, "staffing", "csv")
    assert rows[0][:4] == ["集团", "核心校", "事项", "数量"]
    assert len(rows) == 3 and rows[1][2] == "教师编制" and rows[1][5] == "1"
    client.force_login(world.users["principal"])
    assert [r[0] for r in export(client, "staffing", "csv")[1:]] == [world.group.name]


def test_s1_open_requests_wait_in_the_staffing_offices_work_list(world):
    """Policy S-1: an open request is in the work list of the staffing office and the HR
    bureau, not of the auditor; handled, it leaves."""
    from qingdao_groups.core.inbox import inbox_for_user

    staffing = _submit(world)
    hr = UserFactory(role=User.Role.HR_BUREAU)
    for reader in (world.users["staffing"], hr):
        items = [i for i in inbox_for_user(reader) if i.key == "staffing"]
        assert [i.url for i in items] == [reverse("funding:staffing-detail", args=[staffing.pk])]
    assert not [i for i in inbox_for_user(world.users["auditor"]) if i.key == "staffing"]
    staffing_request_handle(request=staffing, note="", actor=hr, expected_version=staffing.version)
    assert not [i for i in inbox_for_user(hr) if i.key == "staffing"]
