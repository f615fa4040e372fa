"""Dispatched staff (policy F-4), spending autonomy (policy F-3) and awards (policy F-5): the
services' refusals, the figures their pages show against the ledgers, receipts, filters and
query counts. Worked examples are computed by hand in the tests."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from funding.agreements.models import Agreement
from funding.awards.models import Award
from funding.awards.services import award_record
from funding.dispatches.models import Dispatch
from funding.dispatches.services import dispatch_create, dispatch_edit, dispatch_end
from funding.ledgers.models import Ledger, LedgerLine
from funding.ledgers.services import ledger_confirm, ledger_lock, ledgers_compute
from funding.rates.models import RateTable
from funding.spending.models import Spending
from funding.spending.services import spending_record
from groups.registry.models import Membership
from members.models import User
from qingdao_groups.core.inbox import inbox_counts
from qingdao_groups.core.rules import RuleRefusal
from qingdao_groups.models import Attachment
from tests.factories import (
    EducationGroupFactory,
    MembershipFactory,
    SchoolFactory,
    UserFactory,
)
from tests.groups.workflow_helpers import pdf

pytestmark = pytest.mark.django_db

D = datetime.date


def _rates(authority, year, transport, lodging, subsidy="0"):
    return RateTable.objects.create(
        authority=authority,
        fiscal_year=year,
        subsidy_per_member=Decimal(subsidy),
        transport_per_month=Decimal(transport),
        lodging_per_month=Decimal(lodging),
    )


def _dispatch(world, **kwargs):
    values = dict(
        group=world.group,
        school_id=world.member_school.pk,
        person_name="王老师",
        role=Dispatch.Role.KEY_TEACHER,
        starts_on=D(2025, 9, 1),
        actor=world.users["principal"],
    )
    return dispatch_create(**(values | kwargs))


# --- F-4 dispatched staff --------------------------------------------------------------------


def test_f4_a_dispatch_to_a_school_not_in_the_group_is_refused_and_nothing_saved(world):
    """Policy F-4: staff are sent to a member school of the group; any other school (here the
    other group's member) is refused with the rule's words, on the service and on the page."""
    with pytest.raises(RuleRefusal) as refused:
        _dispatch(world, school_id=world.other_school.pk)
    assert "不是本集团的成员校" in str(refused.value.message)
    client = _client(world, "principal")
    response = client.post(
        reverse("funding:dispatch-create", args=[world.group.pk]),
        {
            "school": world.other_school.pk,
            "person_name": "李老师",
            "role": "key_teacher",
            "starts_on": "2025-09-01",
        },
    )
    assert response.status_code == 200
    assert "不是本集团的成员校" in response.content.decode()
    assert 'value="李老师"' in response.content.decode()  # what was typed comes back
    assert not Dispatch.objects.exists()


def test_f4_a_member_must_be_one_on_the_first_day_and_until_the_last(world):
    """Policy F-4: asked of the membership API — a school that joins later, or leaves before the
    dispatch ends, is refused."""
    late = MembershipFactory(
        group=world.group, school=SchoolFactory(authority=world.shibei), joined_on=D(2026, 3, 1)
    )
    with pytest.raises(RuleRefusal) as refused:
        _dispatch(world, school_id=late.school_id, starts_on=D(2026, 1, 1))
    assert refused.value.field == "starts_on" and "2026-03-01" in str(refused.value.message)
    leaving = MembershipFactory(
        group=world.group,
        school=SchoolFactory(authority=world.shibei),
        joined_on=D(2020, 9, 1),
        left_on=D(2026, 7, 1),
        end_reason=Membership.EndReason.EXIT,
    )
    with pytest.raises(RuleRefusal) as refused:
        _dispatch(world, school_id=leaving.school_id)  # open-ended: runs past the exit
    assert refused.value.field == "ends_on" and "2026-06-30" in str(refused.value.message)
    ok = _dispatch(world, school_id=leaving.school_id, ends_on=D(2026, 6, 30))
    assert ok.membership_id == leaving.pk
    assert Dispatch.objects.count() == 1


def test_f4_end_before_start_is_refused(world):
    """Policy F-4 (issue 9 "end before start"): on recording and on ending, nothing saved."""
    with pytest.raises(RuleRefusal) as refused:
        _dispatch(world, ends_on=D(2025, 8, 31))
    assert refused.value.field == "ends_on"
    assert not Dispatch.objects.exists()
    dispatch = _dispatch(world)
    with pytest.raises(RuleRefusal):
        dispatch_end(
            dispatch=dispatch,
            ends_on=D(2025, 8, 1),
            actor=world.users["principal"],
            expected_version=dispatch.version,
        )
    dispatch.refresh_from_db()
    assert dispatch.ends_on is None and dispatch.version == 1
    client = _client(world, "principal")
    response = client.post(
        reverse("funding:dispatch-end", args=[dispatch.pk]),
        {"end-ends_on": "2025-08-01", "end-version": dispatch.version},
    )
    assert response.status_code == 200
    assert "派驻结束日期不能早于开始日期" in response.content.decode()


def test_f4_edit_carries_the_version_and_only_managers_change(world):
    """Policy F-4: a stale edit is refused; the member principal and the auditor may not edit."""
    dispatch = _dispatch(world)
    fields = dict(
        school_id=world.member_school.pk,
        person_name="王老师",
        role=Dispatch.Role.EXECUTIVE_PRINCIPAL,
        starts_on=D(2025, 9, 1),
        ends_on=None,
        actor=world.users["district"],
    )
    dispatch = dispatch_edit(dispatch=dispatch, expected_version=1, **fields)
    assert dispatch.version == 2 and dispatch.role == "executive_principal"
    with pytest.raises(RuleRefusal):
        dispatch_edit(dispatch=dispatch, expected_version=1, **fields)
    for role in ("member", "auditor", "city"):
        from django.core.exceptions import PermissionDenied

        with pytest.raises(PermissionDenied):
            dispatch_edit(
                dispatch=dispatch, expected_version=2, **fields | {"actor": world.users[role]}
            )


def test_f4_a_dispatch_across_a_year_end_is_split_by_fiscal_year(world):
    """Policy F-4 worked example: 2025-09-01 … 2026-01-31 to the 市北 member. 市北's rates:
    2025 transport 300 + lodging 500 = 800 yuan a month; 2026 320 + 520 = 840. The 15th of
    Sep, Oct, Nov, Dec 2025 is served: 4 × 800 = 3,200.00 in 2025; the 15th of January 2026:
    1 × 840 = 840.00 in 2026. The member school pays, in its authority's ledger."""
    _rates(world.shibei, 2025, "300", "500")
    _rates(world.shibei, 2026, "320", "520")
    dispatch = _dispatch(world, ends_on=D(2026, 1, 31))
    for year, months, amount in ((2025, 4, "3200.00"), (2026, 1, "840.00")):
        ledgers_compute(year=year, group_ids=[world.group.pk], actor=world.users["city"])
        line = LedgerLine.objects.get(
            ledger__fiscal_year=year, ledger__authority=world.shibei, dispatch=dispatch
        )
        assert line.rule == "F-4" and line.amount == Decimal(amount)
        assert line.inputs["months"] == months
        assert line.payer_kind == "school" and line.payer_id == world.member_school.pk
        # the dispatch page shows the very figures the ledger holds
        page = _client(world, "principal").get(
            reverse("funding:dispatch-list", args=[world.group.pk]), {"year": year}
        )
        (row,) = page.context["page_obj"].object_list
        assert row.figure.months == months and row.figure.amount == Decimal(amount)
        assert page.context["year_total"] == f"{Decimal(amount):,.2f}"


def test_f4_the_member_principal_sees_the_dispatches_to_their_school_only(world):
    """Policy F-4: the member school pays, so its principal sees the dispatches to it; not the
    others of the group, and cannot record."""
    _dispatch(world)
    other = MembershipFactory(group=world.group, school=SchoolFactory(authority=world.shinan))
    _dispatch(world, school_id=other.school_id, person_name="赵主任")
    client = _client(world, "member")
    page = client.get(reverse("funding:dispatch-list", args=[world.group.pk]), {"year": 2025})
    html = page.content.decode()
    assert page.status_code == 200 and "王老师" in html and "赵主任" not in html
    assert client.get(reverse("funding:dispatch-create", args=[world.group.pk])).status_code == 403


# --- F-3 spending ----------------------------------------------------------------------------


def _spend(world, amount="100.00", **kwargs):
    values = dict(
        group=world.group,
        category=Spending.Category.TRAINING,
        amount=Decimal(amount),
        spent_on=D(2025, 5, 6),
        note="骨干教师培训",
        actor=world.users["principal"],
    )
    return spending_record(**(values | kwargs))


def test_f3_spending_amount_must_be_above_zero(world):
    """Policy F-3: any positive amount is recorded (a fen is fine); zero or negative amounts are
    refused with a clear message, on the service and the form, nothing saved."""
    assert _spend(world, "0.01").amount == Decimal("0.01")
    for bad in ("0", "-5", "0.004"):
        with pytest.raises(RuleRefusal) as refused:
            _spend(world, bad)
        assert refused.value.field == "amount"
    client = _client(world, "principal")
    for bad in ("0", "-5"):
        response = client.post(
            reverse("funding:spending-create", args=[world.group.pk]),
            {"category": "training", "amount": bad, "spent_on": "2025-05-06", "note": "培训"},
        )
        assert response.status_code == 200 and "支出金额须大于 0 元" in response.content.decode()
    assert Spending.objects.count() == 1


def test_f3_the_fiscal_year_is_the_days_year_and_not_a_day_to_come(world):
    """Policy F-3: the spending counts in the year of its date; a date after today is refused."""
    assert _spend(world, spent_on=D(2024, 12, 31)).fiscal_year == 2024
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(RuleRefusal) as refused:
        _spend(world, spent_on=tomorrow)
    assert refused.value.field == "spent_on"


def test_f3_only_the_core_principal_records_spending(world):
    """Policy F-3: the core principal decides how the income is spent; the group's authority
    and the auditor see it, the member principal does not."""
    from django.core.exceptions import PermissionDenied

    for role in ("district", "city", "member", "auditor"):
        with pytest.raises(PermissionDenied):
            _spend(world, actor=world.users[role])
    url = reverse("funding:spending-list", args=[world.group.pk, 2025])
    assert _client(world, "district").get(url).status_code == 200
    assert _client(world, "auditor").get(url).status_code == 200
    assert _client(world, "member").get(url).status_code == 403


def test_f3_a_receipt_is_stored_and_downloaded_by_the_principal_404_for_another_group(world):
    """Policy F-3: the receipt uploaded with a spending is kept as its document (支出凭证) and
    downloaded by the principal; another group's principal gets 404."""
    client = _client(world, "principal")
    response = client.post(
        reverse("funding:spending-create", args=[world.group.pk]),
        {
            "category": "equipment",
            "amount": "1234.5",
            "spent_on": "2025-03-02",
            "note": "实验室设备",
            "receipt": pdf("发票.pdf"),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("funding:spending-list", args=[world.group.pk, 2025])
    spending = Spending.objects.get()
    assert spending.amount == Decimal("1234.50") and spending.fiscal_year == 2025
    (receipt,) = spending.attachments.all()
    assert receipt.kind == Attachment.Kind.RECEIPT and receipt.original_name == "发票.pdf"
    page = client.get(response["Location"])
    download = reverse("attachments:download", args=[receipt.pk])
    assert download in page.content.decode()
    assert client.get(download).status_code == 200
    other = UserFactory(role=User.Role.CORE_PRINCIPAL, school=world.other_core)
    assert _client_for(world, other).get(download).status_code == 404
    assert _client(world, "member").get(download).status_code == 404
    assert _client(world, "auditor").get(download).status_code == 200


def test_f3_income_against_spending_equals_the_ledgers_f1_and_f2_sums(world):
    """Policy F-3 with F-1 and F-2: the income shown is what the year's ledgers (locked and open,
    adjustments included) pay the core school under F-1 and F-2. Worked example for 2025:
    a 市南 public member from 2025-03-20 at 60,000 a year (Apr … Dec = 9 months) = 45,000.00,
    locked; then its join is moved to 2025-01-01: an adjustment of +15,000.00; the 市北 member's
    agreement of 10,000 a year from 2025-07-01 (Jul … Dec) = 5,000.00 under F-2; the 市北
    dispatch (F-4) is not the core school's income. Income 65,000.00; spending 1,200.00 +
    300.00; balance 63,500.00."""
    _rates(world.shinan, 2025, "0", "0", subsidy="60000")
    _rates(world.shibei, 2025, "300", "500", subsidy="1")
    same = SchoolFactory(authority=world.shinan, nature="public")
    joined = MembershipFactory(group=world.group, school=same, joined_on=D(2025, 3, 20))
    Agreement.objects.create(
        group=world.group,
        membership=world.membership,
        title="协议",
        fee=Decimal("10000"),
        period="yearly",
        starts_on=D(2025, 7, 1),
        ends_on=D(2027, 6, 30),
        payer="school",
    )
    _dispatch(world, ends_on=D(2025, 12, 31))
    ledgers_compute(year=2025, group_ids=[world.group.pk], actor=world.users["principal"])
    shinan = Ledger.objects.get(group=world.group, authority=world.shinan, fiscal_year=2025)
    ledger_confirm(ledger=shinan, actor=world.users["district"], expected_version=shinan.version)
    shinan.refresh_from_db()
    ledger_lock(ledger=shinan, actor=world.users["finance"], expected_version=shinan.version)
    joined.joined_on = D(2025, 1, 1)
    joined.save()
    ledgers_compute(year=2025, group_ids=[world.group.pk], actor=world.users["city"])
    _spend(world, "1200.00")
    _spend(world, "300.00", category=Spending.Category.OTHER, note="其他")

    lines = LedgerLine.objects.filter(ledger__group=world.group, ledger__fiscal_year=2025)
    f1 = sum(x.amount for x in lines if x.rule == "F-1")
    f2 = sum(x.amount for x in lines if x.rule == "F-2")
    assert (f1, f2) == (Decimal("60000.00"), Decimal("5000.00"))
    assert lines.filter(is_adjustment=True, rule="F-1").get().amount == Decimal("15000.00")
    page = _client(world, "principal").get(
        reverse("funding:spending-list", args=[world.group.pk, 2025])
    )
    ctx = page.context
    assert {r["rule"]: r["amount"] for r in ctx["income_rows"]} == {
        "F-1": "60,000.00",
        "F-2": "5,000.00",
    }
    assert ctx["income_total"] == "65,000.00" and ctx["income_locked"] == "45,000.00"
    assert ctx["spending_total"] == "1,500.00" and ctx["balance"] == "63,500.00"
    assert len(ctx["page_obj"].object_list) == 2


# --- F-5 awards ------------------------------------------------------------------------------


def _award(world, **kwargs):
    values = dict(
        group=world.group,
        recipient_kind=Award.RecipientKind.GROUP,
        recipient_name="",
        title="集团化办学先进集体",
        level=Award.Level.CITY,
        year=2024,
        actor=world.users["city"],
    )
    return award_record(**(values | kwargs))


def test_f5_awards_are_recorded_by_the_city_or_the_groups_authority(world):
    """Policy F-5: the city bureau and the group's approving authority record awards; a group's
    award is named after the group; a negative amount is refused; others may not record."""
    from django.core.exceptions import PermissionDenied

    award = _award(world)
    assert award.recipient_name == world.group.name and award.amount is None
    assert _award(world, actor=world.users["district"], amount=Decimal("0")).amount == 0
    with pytest.raises(RuleRefusal):
        _award(world, amount=Decimal("-1"))
    with pytest.raises(RuleRefusal):
        _award(world, recipient_kind=Award.RecipientKind.PERSON, recipient_name=" ")
    for role in ("principal", "member", "auditor"):
        with pytest.raises(PermissionDenied):
            _award(world, actor=world.users[role])
    with pytest.raises(PermissionDenied):  # 市南 did not approve the 崂山 group
        _award(world, group=world.other_group, actor=world.users["district"])
    client = _client(world, "district")
    response = client.post(
        reverse("funding:award-create"),
        {
            "group": world.other_group.code,
            "recipient_kind": "team",
            "recipient_name": "科创团队",
            "title": "优秀团队",
            "level": "district",
            "year": 2024,
        },
    )
    assert response.status_code == 200 and "找不到该集团" in response.content.decode()
    assert Award.objects.count() == 2


def test_f5_the_award_list_filters_by_year_level_and_group(world):
    """Policy F-5: the list filters by year, level, group search and one group (?group=<id>)."""
    _award(world, year=2023, level=Award.Level.NATIONAL, title="全国先进")
    _award(world, year=2024, level=Award.Level.CITY, title="市级先进")
    _award(world, group=world.other_group, year=2024, level=Award.Level.CITY, title="崂山先进")
    client = _client(world, "city")
    url = reverse("funding:award-list")

    def titles(**params):
        page = client.get(url, params)
        assert page.status_code == 200
        return sorted(a.title for a in page.context["page_obj"].object_list)

    assert titles() == ["全国先进", "崂山先进", "市级先进"]
    assert titles(year=2024) == ["崂山先进", "市级先进"]
    assert titles(level="national") == ["全国先进"]
    assert titles(q="崂山其他") == ["崂山先进"]
    assert titles(group=world.group.pk) == ["全国先进", "市级先进"]
    # a principal sees their own group's awards only
    page = _client(world, "principal").get(url)
    assert sorted(a.title for a in page.context["page_obj"].object_list) == ["全国先进", "市级先进"]
    export = client.get(reverse("exports:list", args=["awards"]), {"format": "csv", "year": 2024})
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "崂山先进" in body and "全国先进" not in body


# --- pages: English, query counts -------------------------------------------------------------


def _client_for(world, user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _client(world, role):
    return _client_for(world, world.users[role])


def test_f3_f4_f5_pages_read_in_english(world):
    """Policies F-3, F-4, F-5: the pages follow the reader's language."""
    _dispatch(world)
    _spend(world)
    _award(world)
    user = world.users["principal"]
    user.language = "en"
    user.save(update_fields=["language"])
    client = _client_for(world, user)
    for url, words in (
        (reverse("funding:dispatch-list", args=[world.group.pk]), "Dispatched staff"),
        (reverse("funding:spending-list", args=[world.group.pk, 2025]), "Income"),
        (reverse("funding:spending-create", args=[world.group.pk]), "Record spending"),
        (reverse("funding:award-list"), "Awards"),
    ):
        html = client.get(url).content.decode()
        assert words in html, url
        assert "派驻人员" not in html and "经费收支" not in html and "表彰奖励" not in html, url


def _count(client, url):
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def _grow(world, n):
    """n more member schools with dispatches, spending rows with receipts, and awards."""
    for i in range(n):
        m = MembershipFactory(group=world.group, school=SchoolFactory(authority=world.shibei))
        _dispatch(world, school_id=m.school_id, person_name=f"教师{i}")
        _spend(world, receipt=pdf(f"凭证{i}.pdf"))
        _award(world, title=f"奖项{i}")
        group = EducationGroupFactory(core_school=SchoolFactory(authority=world.shinan))
        _award(world, group=group, title=f"他组奖项{i}")


@pytest.mark.parametrize("role", ["principal", "district", "city"])
def test_f3_f4_f5_list_queries_do_not_grow_with_data(world, role):
    """Policies F-3, F-4, F-5: each list runs the same number of queries at two data sizes."""
    _rates(world.shibei, 2025, "300", "500")
    _grow(world, 2)
    ledgers_compute(year=2025, group_ids=[world.group.pk], actor=world.users["city"])
    user = User.objects.get(pk=world.users[role].pk)
    client = _client_for(world, user)
    urls = [
        reverse("funding:dispatch-list", args=[world.group.pk]) + "?year=2025",
        reverse("funding:spending-list", args=[world.group.pk, 2025]),
        reverse("funding:award-list"),
    ]
    if role == "city":
        urls.pop(1)  # the city sees it too; one role's count is enough for spending
    for url in urls:
        client.get(url)
    inbox_counts(user)
    small = [_count(client, url) for url in urls]
    _grow(world, 12)
    ledgers_compute(year=2025, group_ids=[world.group.pk], actor=world.users["city"])
    inbox_counts(user)
    large = [_count(client, url) for url in urls]
    assert large == small
    assert max(large) <= 18, large  # the work-list badge's providers: issue 10 added cycles


def test_f5_a_groups_awards_page_and_form_start_from_the_group(world):
    """Policy F-5: ?group=<id> names the group on the list even before it has an award, and
    fills the form in with its code; a group the reader does not see is ignored."""
    client = _client(world, "district")
    page = client.get(reverse("funding:award-list"), {"group": world.group.pk})
    assert page.context["group"] == world.group
    assert world.group.name in page.content.decode()
    form = client.get(reverse("funding:award-create"), {"group": world.group.pk})
    assert form.context["form"].initial["group"] == world.group.code
    hidden = client.get(reverse("funding:award-list"), {"group": world.other_group.pk})
    assert hidden.context["group"] is None and not hidden.context["page_obj"].object_list
    response = client.post(
        reverse("funding:award-create"),
        {
            "group": world.group.code,
            "recipient_kind": "person",
            "recipient_name": "王海涛",
            "title": "优秀校长",
            "level": "district",
            "year": 2024,
            "amount": "3000",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("funding:award-list") + f"?group={world.group.pk}"
    award = Award.objects.get()
    assert (award.recipient_name, award.amount) == ("王海涛", Decimal("3000.00"))


def test_f4_a_dispatch_moved_to_a_school_not_in_the_group_is_refused(world):
    """Policy F-4: a correction is held to the same rule; the dispatch stays as it was."""
    dispatch = _dispatch(world)
    with pytest.raises(RuleRefusal):
        dispatch_edit(
            dispatch=dispatch,
            school_id=world.other_school.pk,
            person_name="王老师",
            role=Dispatch.Role.KEY_TEACHER,
            starts_on=D(2025, 9, 1),
            ends_on=None,
            actor=world.users["principal"],
            expected_version=1,
        )
    dispatch.refresh_from_db()
    assert dispatch.membership_id == world.membership.pk and dispatch.version == 1
