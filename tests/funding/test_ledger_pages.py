"""The ledger pages (issue 9; policy F-1, F-2, F-4): a group's year explained line by line, the
steps confirm → lock with separation of duties, the archived statement, the 复核 of a locked
ledger, the work list, and constant queries. The money rules themselves are tested elsewhere;
these tests read the pages as their users do."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funding.agreements.models import Agreement
from funding.dispatches.models import Dispatch
from funding.ledgers.models import Ledger
from funding.ledgers.services import ledger_confirm, ledgers_compute
from funding.rates.models import RateTable
from members.models import User
from qingdao_groups.core.inbox import inbox_counts, inbox_for_user
from tests.factories import MembershipFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db

YEAR = 2025


def _rates(world):
    RateTable.objects.create(
        authority=world.shinan, fiscal_year=YEAR, subsidy_per_member=Decimal("60000")
    )
    RateTable.objects.create(
        authority=world.shibei,
        fiscal_year=YEAR,
        subsidy_per_member=Decimal("1"),
        transport_per_month=Decimal("300"),
        lodging_per_month=Decimal("500"),
    )


def _year(world, members: int = 1):
    """A 市南 group's year: public 市南 members (F-1, from 20 March: 9 months), a private one
    (no F-1, said why), the 市北 member's yearly agreement fee (F-2) and a dispatch to it (F-4)."""
    _rates(world)
    for n in range(members):
        school = SchoolFactory(name=f"市南公办成员{n}", authority=world.shinan, nature="public")
        MembershipFactory(group=world.group, school=school, joined_on=datetime.date(YEAR, 3, 20))
    private = SchoolFactory(name="市南民办成员", authority=world.shinan, nature="private")
    MembershipFactory(group=world.group, school=private, joined_on=datetime.date(2024, 1, 1))
    Agreement.objects.create(
        group=world.group,
        membership=world.membership,
        title="协议",
        fee=Decimal("10000"),
        period="yearly",
        starts_on=datetime.date(YEAR, 7, 1),
        ends_on=datetime.date(YEAR + 2, 6, 30),
        payer="school",
    )
    Dispatch.objects.create(
        group=world.group,
        membership=world.membership,
        person_name="王老师",
        role=Dispatch.Role.KEY_TEACHER,
        starts_on=datetime.date(YEAR, 9, 1),
    )


def _shinan(world) -> Ledger:
    return Ledger.objects.get(group=world.group, authority=world.shinan, fiscal_year=YEAR)


def _year_url(world, year=YEAR):
    return reverse("funding:group-year", args=[world.group.pk, year])


def _detail_url(ledger):
    return reverse("funding:ledger-detail", args=[ledger.pk])


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_principal_computes_the_year_and_reads_each_line_explained(world, login):
    """F-1, F-2, F-4: the core principal computes the year from its page and reads each line's
    clause, inputs and formula; a private member's line says why it pays nothing."""
    _year(world)
    client = login(world.users["principal"])
    response = client.post(reverse("funding:group-compute", args=[world.group.pk, YEAR]))
    assert response.status_code == 302 and response["Location"] == _year_url(world)
    page = client.get(_year_url(world))
    said = " ".join(_messages(page))
    assert "新建 2 本台账" in said and "未变化 0 本" in said
    html = page.content.decode()
    assert page.context["full"] is True
    # F-1: 60,000 a year × 9 of 12 months (from 20 March) = 45,000.00 to the core school.
    assert "45,000.00" in html
    assert "60,000.00 元/年 × 9/12 个月 = 45,000.00 元" in html
    assert "《意见》" in html and 'class="clause-tag">F-1<' in html
    assert "成员校专项奖补标准" not in html  # inputs are in words, not field names
    assert "专项奖补标准" in html and "第 " in html and "版" in html  # rate table version
    assert "加入集团日期" in html and "2025-03-20" in html
    # The private member: no F-1, with its reason shown, not hidden in the explanation.
    assert re.search(r'data-testid="line-reason">[^<]*民办成员校', html)
    # F-2 and F-4 lines of the 市北 ledger.
    assert "10,000.00 元/年 × 6/12 个月 = 5,000.00 元" in html
    assert "王老师" in html and "（交通 300.00 + 食宿 500.00）元/月 × 4 个月" in html
    # Income of the core school: F-1 45,000 + F-2 5,000.
    assert page.context["totals"].income == Decimal("50000.00")
    assert 'data-testid="income">50,000.00' in html
    # Computing again changes nothing, and says so.
    client.post(reverse("funding:group-compute", args=[world.group.pk, YEAR]))
    again = client.get(_year_url(world))
    assert "未变化 2 本" in " ".join(_messages(again))


def test_year_switcher_lists_the_years_with_ledgers(world, login):
    """F-1: the years that have ledgers are listed, and the neighbouring years reachable."""
    _year(world)
    ledgers_compute(year=YEAR, group_ids={world.group.pk}, actor=world.users["principal"])
    client = login(world.users["principal"])
    page = client.get(_year_url(world, YEAR + 1))
    assert page.status_code == 200
    assert page.context["years"] == [YEAR, YEAR + 1]
    assert 'data-testid="no-ledgers"' in page.content.decode()
    assert _year_url(world, YEAR) in page.content.decode()


def test_who_sees_the_group_year(world, login):
    """F-3: the group's money is the core principal's, its authority's and the city's to see; a
    member principal gets 404; the 市北 bureau, which pays the F-2 and F-4 lines, sees only the
    ledger it pays."""
    _year(world)
    ledgers_compute(year=YEAR, group_ids={world.group.pk}, actor=world.users["principal"])
    assert login(world.users["member"]).get(_year_url(world)).status_code == 404
    shibei = UserFactory(role=User.Role.DISTRICT_STAFF, authority=world.shibei)
    page = login(shibei).get(_year_url(world))
    assert page.status_code == 200
    assert [x.authority_id for x in page.context["ledgers"]] == [world.shibei.pk]
    assert 'data-testid="partial-view"' in page.content.decode()
    # It may not compute the group's year (not the group's authority): 403.
    response = login(shibei).post(reverse("funding:group-compute", args=[world.group.pk, YEAR]))
    assert response.status_code == 403
    assert (
        login(world.users["auditor"])
        .post(reverse("funding:group-compute", args=[world.group.pk, YEAR]))
        .status_code
        == 403
    )


def test_district_confirms_and_finance_reviewer_locks_and_the_statement_appears(world, login):
    """F-1: the paying authority's staff confirm; a finance reviewer locks; the archived PDF
    statement is linked on the ledger and the year; the history says who did what."""
    _year(world)
    ledgers_compute(year=YEAR, group_ids={world.group.pk}, actor=world.users["principal"])
    ledger = _shinan(world)
    district = login(world.users["district"])
    page = district.get(_detail_url(ledger))
    assert 'data-testid="confirm-form"' in page.content.decode()
    response = district.post(
        reverse("funding:ledger-confirm", args=[ledger.pk]), {"confirm-version": ledger.version}
    )
    assert response.status_code == 302
    ledger.refresh_from_db()
    assert ledger.status == "confirmed" and ledger.confirmed_by == world.users["district"]

    finance = login(world.users["finance"])
    page = finance.get(_detail_url(ledger)).content.decode()
    assert 'data-testid="lock-form"' in page and "data-confirm=" in page
    response = finance.post(
        reverse("funding:ledger-lock", args=[ledger.pk]), {"lock-version": ledger.version}
    )
    assert response.status_code == 302
    ledger.refresh_from_db()
    assert ledger.status == "locked"
    page = finance.get(_detail_url(ledger))
    html = page.content.decode()
    assert 'data-testid="official-document-download"' in html
    document = page.context["official_documents"][0]
    assert reverse("official:download", args=[document.pk]) in html
    download = finance.get(reverse("official:download", args=[document.pk]))
    assert download.status_code == 200 and b"".join(download).startswith(b"%PDF")
    history = page.context["history"]
    assert [h.status for h in history] == ["draft", "confirmed", "locked"]
    assert 'data-testid="verify-link"' in html and 'data-testid="lock-form"' not in html
    year_page = login(world.users["principal"]).get(_year_url(world)).content.decode()
    assert 'data-testid="statement-link"' in year_page


def test_the_district_that_confirmed_cannot_lock(world, login):
    """F-1: locking is the finance reviewer's; the district that confirmed gets 403."""
    _year(world)
    ledgers_compute(year=YEAR, group_ids={world.group.pk}, actor=world.users["principal"])
    ledger = _shinan(world)
    ledger = ledger_confirm(
        ledger=ledger, actor=world.users["district"], expected_version=ledger.version
    )
    response = login(world.users["district"]).post(
        reverse("funding:ledger-lock", args=[ledger.pk]), {"lock-version": ledger.version}
    )
    assert response.status_code == 403
    assert _shinan(world).status == "confirmed"


def test_a_finance_reviewer_who_computed_it_is_refused_with_the_separation_message(world, login):
    """F-1 (separation of duties): the one who computed a ledger may not lock it; the page says
    so before and after the attempt, and nothing changes."""
    _year(world)
    finance = world.users["finance"]
    ledgers_compute(year=YEAR, group_ids={world.group.pk}, actor=finance)
    ledger = _shinan(world)
    ledger = ledger_confirm(
        ledger=ledger, actor=world.users["district"], expected_version=ledger.version
    )
    client = login(finance)
    assert 'data-testid="separation"' in client.get(_detail_url(ledger)).content.decode()
    response = client.post(
        reverse("funding:ledger-lock", args=[ledger.pk]),
        {"lock-version": ledger.version},
        follow=True,
    )
    assert any("职责分离" in m for m in _messages(response))
    assert _shinan(world).status == "confirmed"
    # Another finance reviewer may.
    other = UserFactory(role=User.Role.FINANCE_REVIEWER)
    login(other).post(
        reverse("funding:ledger-lock", args=[ledger.pk]), {"lock-version": ledger.version}
    )
    assert _shinan(world).status == "locked"


def test_a_stale_form_changes_nothing_and_says_why(world, login):
    """F-1: a confirm form opened before someone else confirmed gets the runner's message."""
    _year(world)
    ledgers_compute(year=YEAR, group_ids={world.group.pk}, actor=world.users["principal"])
    ledger = _shinan(world)
    old = ledger.version
    ledger_confirm(ledger=ledger, actor=world.users["district"], expected_version=old)
    response = login(world.users["district"]).post(
        reverse("funding:ledger-confirm", args=[ledger.pk]), {"confirm-version": old}, follow=True
    )
    assert any("已被他人处理或修改" in m for m in _messages(response))


def test_return_needs_a_reason_and_keeps_it_in_the_history(world, login):
    """F-1: a confirmed ledger is sent back with a reason; without one the form comes back."""
    _year(world)
    ledgers_compute(year=YEAR, group_ids={world.group.pk}, actor=world.users["principal"])
    ledger = _shinan(world)
    ledger = ledger_confirm(
        ledger=ledger, actor=world.users["district"], expected_version=ledger.version
    )
    client = login(world.users["finance"])
    url = reverse("funding:ledger-return", args=[ledger.pk])
    response = client.post(url, {"return-version": ledger.version, "return-reason": " "})
    assert response.status_code == 200 and response.context["forms"]["return"].errors
    client.post(url, {"return-version": ledger.version, "return-reason": "第 2 行月数有误"})
    assert _shinan(world).status == "draft"
    html = client.get(_detail_url(ledger)).content.decode()
    assert "第 2 行月数有误" in html


def test_the_verify_page_says_the_locked_figures_are_reproduced(world, login):
    """F-1 (reproducibility): a locked ledger recomputed from the history as it stood when it
    was locked gives the same lines; a later change to a membership does not alter that."""
    _year(world)
    ledgers_compute(year=YEAR, group_ids={world.group.pk}, actor=world.users["principal"])
    ledger = _shinan(world)
    ledger = ledger_confirm(
        ledger=ledger, actor=world.users["district"], expected_version=ledger.version
    )
    login(world.users["finance"]).post(
        reverse("funding:ledger-lock", args=[ledger.pk]), {"lock-version": ledger.version}
    )
    membership = world.group.memberships.get(school__name="市南公办成员0")
    membership.joined_on = datetime.date(YEAR, 1, 1)
    membership.save()
    client = login(world.users["auditor"])
    page = client.get(reverse("funding:ledger-verify", args=[ledger.pk]))
    assert page.context["check"].reproduced
    assert "完全一致" in page.content.decode()
    # The next computation books the difference in a supplement whose line names the locked one.
    ledgers_compute(year=YEAR, group_ids={world.group.pk}, actor=world.users["principal"])
    supplement = Ledger.objects.get(
        group=world.group, authority=world.shinan, fiscal_year=YEAR, sequence=2
    )
    html = client.get(_detail_url(supplement)).content.decode()
    assert 'data-testid="adjusts-link"' in html and _detail_url(ledger) in html
    assert "15,000.00" in html
    # A draft cannot be verified: back to the ledger with a message.
    response = client.get(reverse("funding:ledger-verify", args=[supplement.pk]))
    assert response.status_code == 302
    # Once locked, the supplement is verified with the year's locked ledgers added up per line:
    # 45,000 locked + 15,000 adjustment = the 60,000 the rules gave at its lock.
    supplement = ledger_confirm(
        ledger=supplement, actor=world.users["district"], expected_version=supplement.version
    )
    login(world.users["finance"]).post(
        reverse("funding:ledger-lock", args=[supplement.pk]), {"lock-version": supplement.version}
    )
    page = login(world.users["auditor"]).get(reverse("funding:ledger-verify", args=[supplement.pk]))
    check = page.context["check"]
    assert check.reproduced
    assert check.locked_total == Decimal("15000.00") == check.recomputed_total


def test_the_work_list_asks_the_payer_to_confirm_and_finance_to_lock(world):
    """F-1, F-2: a draft waits for the paying authority's staff, a confirmed ledger for the
    finance reviewers; the counts refresh when a ledger moves."""
    _year(world)
    ledgers_compute(year=YEAR, group_ids={world.group.pk}, actor=world.users["principal"])
    district, finance = world.users["district"], world.users["finance"]
    items = [i for i in inbox_for_user(district) if i.key == "ledger-confirm"]
    assert len(items) == 1 and "2025" in items[0].title
    assert items[0].url == _detail_url(_shinan(world))
    assert not [i for i in inbox_for_user(finance) if i.key == "ledger-lock"]
    counts = {k.key: k.count for k in inbox_counts(district)}
    assert counts.get("ledger-confirm") == 1
    ledger = _shinan(world)
    ledger_confirm(ledger=ledger, actor=district, expected_version=ledger.version)
    assert "ledger-confirm" not in {k.key for k in inbox_counts(district)}
    assert {k.key: k.count for k in inbox_counts(finance)}.get("ledger-lock") == 1
    assert not [i for i in inbox_for_user(world.users["principal"]) if i.key.startswith("ledger")]


def test_the_english_page_has_english_labels(world, login):
    """F-1: an English reader gets the page's labels in English (the stored formula stays as
    computed, in Chinese, like every archived record)."""
    _year(world)
    ledgers_compute(year=YEAR, group_ids={world.group.pk}, actor=world.users["principal"])
    principal = world.users["principal"]
    principal.language = "en"
    principal.save()
    html = login(principal).get(_year_url(world)).content.decode()
    assert "Compute this year" in html
    assert "Basis and calculation" in html
    assert "Date joined the group" in html
    assert "Agreement starts" in html and "By months of membership" in html
    assert "Nothing due: Private member school" in html
    assert "计算本年度" not in html and "依据与计算" not in html
    html = login(principal).get(_detail_url(_shinan(world))).content.decode()
    assert "Processing history" in html and "Paying authority" in html


# --- constant queries -------------------------------------------------------------------------


def _count(client, url, user) -> int:
    cache.clear()
    inbox_counts(user)  # the menu's count is cached apart from the page (tests/test_query_counts)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["principal", "district"])
def test_the_pages_run_the_same_queries_with_few_or_many_lines(world, login, role):
    """F-1, F-2, F-4: the group's year and a ledger cost the same number of queries whatever
    the number of lines."""
    _year(world, members=2)
    user = world.users[role]
    ledgers_compute(year=YEAR, group_ids={world.group.pk}, actor=world.users["principal"])
    client = login(user)
    client.get(_year_url(world))  # process-wide caches (content types) warmed once
    client.get(_detail_url(_shinan(world)))
    small = (
        _count(client, _year_url(world), user),
        _count(client, _detail_url(_shinan(world)), user),
    )
    for n in range(2, 40):
        school = SchoolFactory(authority=world.shinan, nature="public" if n % 3 else "private")
        MembershipFactory(group=world.group, school=school, joined_on=datetime.date(YEAR, 2, 1))
    ledgers_compute(year=YEAR, group_ids={world.group.pk}, actor=world.users["principal"])
    assert _shinan(world).line_count > 40
    big = (
        _count(client, _year_url(world), user),
        _count(client, _detail_url(_shinan(world)), user),
    )
    assert big == small
    assert max(big) <= 16, big
