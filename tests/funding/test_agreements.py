"""Members' cooperation agreements, receivables and payments (policy F-2, 谁受益谁出资)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from funding.agreements.models import Agreement, Payment, Receivable
from funding.agreements.services import agreement_create, agreement_edit, payment_record
from funding.ledgers.models import Ledger
from funding.ledgers.services import ledger_confirm, ledger_lock, ledgers_compute
from groups.charter.models import GroupDocument
from groups.registry.models import Membership
from members.models import User
from qingdao_groups.core.documents import attachments_of
from qingdao_groups.core.rules import RuleRefusal
from tests.factories import MembershipFactory, SchoolFactory, UserFactory
from tests.test_uploads import make_pdf, upload

pytestmark = pytest.mark.django_db

D = datetime.date


def _create(world, actor=None, **changes):
    terms = dict(
        group=world.group,
        school_id=world.member_school.pk,
        title="市北成员校合作办学协议",
        fee=Decimal("12000"),
        period=Agreement.Period.YEARLY,
        starts_on=D(2025, 4, 1),
        ends_on=D(2028, 3, 31),
        payer=Agreement.Payer.AUTHORITY,
        actor=actor or world.users["principal"],
    )
    return agreement_create(**(terms | changes))


def _receivable(agreement, year=2025):
    return Receivable.objects.get(agreement=agreement, fiscal_year=year)


# --- the worked example ------------------------------------------------------------------------


def test_f2_worked_example_fee_from_april_payment_up_to_the_balance(world, login):
    """F-2 worked by hand: 青岛测试核心学校 (市南) leads the group; 市北测试成员学校 is under
    市北's bureau, another district's, so it gets no F-1 subsidy and pays by agreement instead.
    Its authority pays a yearly fee of 12,000.00 from 2025-04-01. Months of 2025 whose 15th the
    agreement covers: April … December = 9, so 12,000.00 × 9 / 12 = 9,000.00. A payment of
    9,000.01 is above the balance and refused, nothing saved; 9,000.00 is accepted; balance 0."""
    agreement = _create(world)
    ledgers_compute(year=2025, actor=world.users["principal"])
    receivable = _receivable(agreement)
    assert receivable.amount == Decimal("9000.00")
    assert receivable.due_on == D(2025, 12, 31)

    with pytest.raises(RuleRefusal) as refused:
        payment_record(
            receivable=receivable,
            amount=Decimal("9000.01"),
            paid_on=D(2025, 12, 20),
            actor=world.users["principal"],
        )
    assert "9,000.00" in str(refused.value.message)  # names the balance
    assert Payment.objects.count() == 0

    payment_record(
        receivable=receivable,
        amount=Decimal("9000.00"),
        paid_on=D(2025, 12, 20),
        actor=world.users["principal"],
    )
    page = login(world.users["principal"]).get(
        reverse("funding:agreement-detail", args=[agreement.pk])
    )
    assert page.status_code == 200
    [balance] = page.context["receivables"]
    assert balance.paid == Decimal("9000.00") and balance.balance == Decimal("0.00")
    assert not balance.overdue


# --- creating: who, which member, which terms ----------------------------------------------------


def test_f2_agreement_for_a_school_not_in_the_group_is_refused_clearly(world):
    """F-2: an agreement binds a member of the group; 崂山其他成员学校 belongs to another group."""
    with pytest.raises(RuleRefusal) as refused:
        _create(world, school_id=world.other_school.pk)
    assert "崂山其他成员学校不是测试核心教育集团的成员校" in str(refused.value.message)
    assert refused.value.field == "school"
    assert not Agreement.objects.exists()


def test_f2_agreement_of_a_member_that_left_before_it_starts_is_refused(world):
    """F-2: the membership must not have ended before the agreement starts (membership API)."""
    school = SchoolFactory(name="已退出成员校", authority=world.shibei)
    MembershipFactory(
        group=world.group,
        school=school,
        joined_on=D(2021, 9, 1),
        left_on=D(2024, 9, 1),
        end_reason=Membership.EndReason.EXIT,
    )
    with pytest.raises(RuleRefusal) as refused:
        _create(world, school_id=school.pk)
    assert "没有重叠" in str(refused.value.message)
    assert not Agreement.objects.exists()


def test_f2_end_before_start_is_refused(world):
    with pytest.raises(RuleRefusal) as refused:
        _create(world, starts_on=D(2025, 9, 1), ends_on=D(2025, 8, 31))
    assert refused.value.field == "ends_on"
    assert "不能早于开始日期" in str(refused.value.message)
    assert not Agreement.objects.exists()


@pytest.mark.parametrize(
    ("fee", "words"), [(Decimal("-1"), "负数"), (Decimal("10000000.01"), "不能超过")]
)
def test_f2_negative_or_absurd_fee_is_refused(world, fee, words):
    with pytest.raises(RuleRefusal) as refused:
        _create(world, fee=fee)
    assert refused.value.field == "fee" and words in str(refused.value.message)
    assert not Agreement.objects.exists()


def test_f2_a_second_overlapping_agreement_of_the_member_is_refused(world):
    """F-2: two agreements of one member at once would bill the year twice."""
    _create(world)
    with pytest.raises(RuleRefusal) as refused:
        _create(world, starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31))
    assert "期限重叠" in str(refused.value.message)
    assert Agreement.objects.count() == 1


def test_f2_only_the_core_principal_or_the_groups_authority_records_agreements(world):
    for role in ("member", "auditor", "finance", "city"):
        with pytest.raises(PermissionDenied):
            _create(world, actor=world.users[role])
    assert _create(world, actor=world.users["district"]).payer == "authority"


def test_f2_agreement_file_uploaded_through_the_documents_registry(world, login):
    agreement = _create(world, file=upload(make_pdf(), "协议.pdf"))
    [attachment] = attachments_of(agreement)
    assert attachment.kind == "agreement" and attachment.original_name == "协议.pdf"
    # The member's principal reads it; someone outside gets 404.
    assert (
        login(world.users["member"])
        .get(reverse("attachments:download", args=[attachment.pk]))
        .status_code
        == 200
    )
    outsider = UserFactory(role=User.Role.MEMBER_PRINCIPAL, school=world.other_school)
    assert (
        login(outsider).get(reverse("attachments:download", args=[attachment.pk])).status_code
        == 404
    )


def test_f2_the_groups_agreement_document_is_copied_to_the_members_agreement(world, settings):
    """A founding's agreements became group documents, tied to no member (policy L-1): the form
    offers them, and the chosen one is copied as this agreement's file (F-2)."""
    from django.core.files.base import ContentFile

    document = GroupDocument(
        group=world.group,
        kind=GroupDocument.Kind.AGREEMENT,
        version=1,
        title="合作办学协议（市北）",
        original_name="合作办学协议.pdf",
        adopted_on=D(2024, 9, 1),
    )
    document.file.save("agreement.pdf", ContentFile(make_pdf()), save=False)
    document.save()
    agreement = _create(world, group_document=document)
    [attachment] = attachments_of(agreement)
    assert attachment.original_name == "合作办学协议.pdf"
    assert attachment.file.read() == make_pdf()
    other = GroupDocument.objects.create(
        group=world.other_group,
        kind=GroupDocument.Kind.AGREEMENT,
        version=1,
        title="别的集团",
        adopted_on=D(2024, 9, 1),
    )
    with pytest.raises(RuleRefusal):
        _create(world, starts_on=D(2030, 1, 1), ends_on=D(2030, 12, 31), group_document=other)


# --- editing -----------------------------------------------------------------------------------


def test_f2_editing_the_fee_after_the_lock_books_an_adjustment_not_a_rewrite(world):
    """F-2: a locked ledger is never rewritten; the next computation books the difference and the
    receivable follows the ledgers (9,000.00 locked + 2,250.00 adjustment = 11,250.00)."""
    agreement = _create(world)
    ledgers_compute(year=2025, actor=world.users["principal"])
    shibei = Ledger.objects.get(group=world.group, authority=world.shibei, fiscal_year=2025)
    shibei_staff = UserFactory(role=User.Role.DISTRICT_STAFF, authority=world.shibei)
    ledger_confirm(ledger=shibei, actor=shibei_staff, expected_version=shibei.version)
    shibei.refresh_from_db()
    finance = UserFactory(role=User.Role.FINANCE_REVIEWER)
    ledger_lock(ledger=shibei, actor=finance, expected_version=shibei.version)
    agreement_edit(
        agreement=agreement,
        expected_version=agreement.version,
        title=agreement.title,
        fee=Decimal("15000"),
        period=agreement.period,
        starts_on=agreement.starts_on,
        ends_on=agreement.ends_on,
        payer=agreement.payer,
        actor=world.users["district"],
    )
    ledgers_compute(year=2025, actor=world.users["principal"])
    shibei.refresh_from_db()
    assert shibei.lines.get(rule="F-2").amount == Decimal("9000.00")  # untouched
    supplement = Ledger.objects.get(
        group=world.group, authority=world.shibei, fiscal_year=2025, sequence=2
    )
    assert supplement.lines.get().amount == Decimal("2250.00")
    assert _receivable(agreement).amount == Decimal("11250.00")


def test_f2_a_stale_edit_is_refused(world):
    agreement = _create(world)
    with pytest.raises(RuleRefusal):
        agreement_edit(
            agreement=agreement,
            expected_version=agreement.version + 1,
            title="x",
            fee=Decimal("1"),
            period="yearly",
            starts_on=agreement.starts_on,
            ends_on=agreement.ends_on,
            payer="school",
            actor=world.users["principal"],
        )
    agreement.refresh_from_db()
    assert agreement.fee == Decimal("12000.00")


# --- payments ----------------------------------------------------------------------------------


def test_f2_payment_refusals_save_nothing(world):
    agreement = _create(world)
    ledgers_compute(year=2025, actor=world.users["principal"])
    receivable = _receivable(agreement)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    for amount, day, field in [
        (Decimal("0"), D(2025, 6, 1), "amount"),
        (Decimal("-5"), D(2025, 6, 1), "amount"),
        (Decimal("100"), tomorrow, "paid_on"),
    ]:
        with pytest.raises(RuleRefusal) as refused:
            payment_record(
                receivable=receivable, amount=amount, paid_on=day, actor=world.users["principal"]
            )
        assert refused.value.field == field
    payment_record(
        receivable=receivable,
        amount=Decimal("5000"),
        paid_on=D(2025, 6, 1),
        actor=world.users["principal"],
    )
    with pytest.raises(RuleRefusal) as refused:
        payment_record(
            receivable=receivable,
            amount=Decimal("4000.01"),
            paid_on=D(2025, 7, 1),
            actor=world.users["principal"],
        )
    assert "4,000.00" in str(refused.value.message)
    assert Payment.objects.count() == 1


def test_f2_who_records_payments(world):
    """The payee (core principal) and the paying authority's staff record payments; the member's
    principal, the group's own authority (not the payer here), read-only roles may not."""
    agreement = _create(world)
    ledgers_compute(year=2025, actor=world.users["principal"])
    receivable = _receivable(agreement)
    for role in ("member", "district", "auditor", "finance", "city"):
        with pytest.raises(PermissionDenied):
            payment_record(
                receivable=receivable,
                amount=Decimal("1"),
                paid_on=D(2025, 6, 1),
                actor=world.users[role],
            )
    shibei_staff = UserFactory(role=User.Role.DISTRICT_STAFF, authority=world.shibei)
    payment_record(
        receivable=receivable, amount=Decimal("1"), paid_on=D(2025, 6, 1), actor=shibei_staff
    )
    assert Payment.objects.count() == 1


# --- pages ---------------------------------------------------------------------------------------


def test_f2_member_principal_sees_their_agreement_but_cannot_record_a_payment(world, login):
    agreement = _create(world)
    ledgers_compute(year=2025, actor=world.users["principal"])
    client = login(world.users["member"])
    page = client.get(reverse("funding:agreement-detail", args=[agreement.pk]))
    assert page.status_code == 200
    assert page.context["payment_form"] is None
    assert "9,000.00" in page.content.decode()
    receivable = _receivable(agreement)
    posted = client.post(
        reverse("funding:payment-add", args=[agreement.pk]),
        {"pay-receivable": receivable.pk, "pay-amount": "1", "pay-paid_on": "2025-06-01"},
    )
    assert posted.status_code == 403
    assert not Payment.objects.exists()


def test_f2_payment_above_the_balance_on_the_page_keeps_the_input_and_saves_nothing(world, login):
    agreement = _create(world)
    ledgers_compute(year=2025, actor=world.users["principal"])
    receivable = _receivable(agreement)
    client = login(world.users["principal"])
    url = reverse("funding:payment-add", args=[agreement.pk])
    data = {"pay-receivable": receivable.pk, "pay-amount": "9000.01", "pay-paid_on": "2025-12-01"}
    page = client.post(url, data)
    assert page.status_code == 200
    text = page.content.decode()
    assert "未收余额 9,000.00 元" in text and 'value="9000.01"' in text
    assert not Payment.objects.exists()
    done = client.post(url, data | {"pay-amount": "9000.00"})
    assert done.status_code == 302
    assert Payment.objects.get().amount == Decimal("9000.00")


def test_f2_balances_and_overdue_are_shown(world, login):
    """A receivable is due at the end of its agreement's due month; unpaid after it, overdue."""
    agreement = _create(world, due_month=6)
    ledgers_compute(year=2025, actor=world.users["principal"])
    receivable = _receivable(agreement)
    assert receivable.due_on == D(2025, 6, 30)
    payment_record(
        receivable=receivable,
        amount=Decimal("1000"),
        paid_on=D(2025, 6, 1),
        actor=world.users["principal"],
    )
    client = login(world.users["district"])
    page = client.get(reverse("funding:agreement-list", args=[world.group.pk]) + "?year=2025")
    [row] = page.context["page_obj"]
    assert (row.year_amount, row.year_paid, row.year_balance) == (
        Decimal("9000.00"),
        Decimal("1000.00"),
        Decimal("8000.00"),
    )
    assert row.any_overdue
    listing = client.get(reverse("funding:receivable-list"), {"overdue": "on"})
    [item] = listing.context["page_obj"]
    assert item.balance == Decimal("8000.00") and item.overdue
    payment_record(
        receivable=receivable,
        amount=Decimal("8000"),
        paid_on=D(2025, 7, 1),
        actor=world.users["principal"],
    )
    assert (
        not client.get(reverse("funding:receivable-list"), {"overdue": "on"})
        .context["page_obj"]
        .object_list
    )


def test_f2_receivable_list_is_scoped(world, login):
    agreement = _create(world)
    ledgers_compute(year=2025, actor=world.users["principal"])
    url = reverse("funding:receivable-list")
    for role in ("principal", "member", "district", "city", "auditor", "finance"):
        rows = list(login(world.users[role]).get(url).context["page_obj"])
        assert [r.agreement_id for r in rows] == [agreement.pk], role
    other_principal = UserFactory(role=User.Role.CORE_PRINCIPAL, school=world.other_core)
    laoshan = UserFactory(role=User.Role.DISTRICT_STAFF, authority=world.laoshan)
    for user in (other_principal, laoshan):
        assert not list(login(user).get(url).context["page_obj"])


def test_f2_create_page_refuses_a_foreign_school_with_the_rules_words(world, login):
    client = login(world.users["principal"])
    page = client.post(
        reverse("funding:agreement-create", args=[world.group.pk]),
        {
            "school": world.other_school.pk,
            "title": "协议",
            "fee": "100",
            "period": "yearly",
            "starts_on": "2025-04-01",
            "ends_on": "2026-03-31",
            "payer": "school",
            "due_month": "12",
        },
    )
    assert page.status_code == 200
    assert "不是测试核心教育集团的成员校" in page.content.decode()
    assert not Agreement.objects.exists()


def test_f2_create_page_records_and_redirects(world, login):
    client = login(world.users["district"])
    response = client.post(
        reverse("funding:agreement-create", args=[world.group.pk]),
        {
            "school": world.member_school.pk,
            "title": "协议",
            "fee": "12000",
            "period": "yearly",
            "starts_on": "2025-04-01",
            "ends_on": "2026-03-31",
            "payer": "authority",
            "due_month": "12",
            "file": upload(make_pdf(), "协议.pdf"),
        },
    )
    agreement = Agreement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("funding:agreement-detail", args=[agreement.pk])
    assert attachments_of(agreement).count() == 1


def test_f2_pages_in_english(world, login):
    agreement = _create(world)
    ledgers_compute(year=2025, actor=world.users["principal"])
    user = world.users["principal"]
    user.language = "en"
    user.save()
    client = login(user)
    detail = client.get(reverse("funding:agreement-detail", args=[agreement.pk])).content.decode()
    assert "Record a payment" in detail and "Outstanding" in detail
    listing = client.get(reverse("funding:agreement-list", args=[world.group.pk])).content.decode()
    assert "Cooperation agreements of members" in listing
    receivables = client.get(reverse("funding:receivable-list")).content.decode()
    assert "Receivables and overdue items" in receivables


def test_f2_receivables_export_has_the_balances(world, login):
    """The receivable list's export (CSV) carries each year's receivable, paid and balance."""
    agreement = _create(world)
    ledgers_compute(year=2025, actor=world.users["principal"])
    payment_record(
        receivable=_receivable(agreement),
        amount=Decimal("1000"),
        paid_on=D(2025, 6, 1),
        actor=world.users["principal"],
    )
    response = login(world.users["city"]).get(
        reverse("exports:list", args=["receivables"]), {"format": "csv", "overdue": "on"}
    )
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header, row = text.strip().splitlines()
    assert header.startswith("财政年度,集团,成员校")
    assert "2025,测试核心教育集团,市北测试成员学校" in row
    assert row.split(",")[3] == "市北区教育和体育局"  # the paying authority, by name
    assert "9000.00,1000.00,8000.00,2025-12-31" in row


def test_f2_receivable_follows_an_agreement_moved_out_of_an_unlocked_year(world):
    """F-2: an agreement moved out of a year that is not locked owes nothing for it any more:
    the next computation sets that year's receivable to 0 (needs main's _receivables_sync,
    which zeroes receivables whose lines are gone)."""
    agreement = _create(world)
    ledgers_compute(year=2025, actor=world.users["principal"])
    agreement_edit(
        agreement=agreement,
        expected_version=agreement.version,
        title=agreement.title,
        fee=agreement.fee,
        period=agreement.period,
        starts_on=D(2026, 1, 1),
        ends_on=agreement.ends_on,
        payer=agreement.payer,
        actor=world.users["principal"],
    )
    ledgers_compute(year=2025, actor=world.users["principal"])
    assert _receivable(agreement).amount == 0


def test_f2_a_member_principal_lists_only_their_own_agreement(world, login):
    """F-2: the member principal sees their school's agreement, not another member's; a
    principal of a school outside the group gets 404."""
    mine = _create(world)
    other = SchoolFactory(name="另一成员校", authority=world.shibei)
    MembershipFactory(group=world.group, school=other, joined_on=D(2024, 9, 1))
    theirs = _create(world, school_id=other.pk, title="另一成员校协议")
    url = reverse("funding:agreement-list", args=[world.group.pk])
    rows = list(login(world.users["member"]).get(url).context["page_obj"])
    assert [a.pk for a in rows] == [mine.pk]
    assert (
        login(world.users["member"])
        .get(reverse("funding:agreement-detail", args=[theirs.pk]))
        .status_code
        == 404
    )
    assert {a.pk for a in login(world.users["district"]).get(url).context["page_obj"]} == {
        mine.pk,
        theirs.pk,
    }
    outsider = UserFactory(role=User.Role.MEMBER_PRINCIPAL, school=world.other_school)
    assert login(outsider).get(url).status_code == 404
