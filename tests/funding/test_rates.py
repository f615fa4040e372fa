"""Rate tables (policy F-1, F-4): versioned rows per authority and fiscal year with their own
history; a new version copies the previous one's values and supersedes it for computations,
the old one never changes; bad input is refused with a clear message and nothing saved."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funding.ledgers.inputs import rates_for_year
from funding.ledgers.models import Ledger
from funding.ledgers.services import ledgers_compute
from funding.rates.models import MAX_RATE, Proration, RateTable, SubsidyStageRate
from funding.rates.selectors import rate_tables_in_force
from funding.rates.services import rate_table_create_version
from qingdao_groups.core.history import history_rows
from qingdao_groups.core.rules import RuleRefusal
from tests.factories import MembershipFactory, SchoolFactory

pytestmark = pytest.mark.django_db


def _v1(world, **extra):
    values = dict(
        authority=world.shinan,
        fiscal_year=2025,
        actor=world.users["district"],
        subsidy_per_member=Decimal("60000"),
        stage_rates={"junior": Decimal("80000")},
        transport_per_month=Decimal("300"),
        lodging_per_month=Decimal("500"),
        note="2025 年标准",
    )
    return rate_table_create_version(**values | extra)


def _post_data(**changes) -> dict:
    data = {
        "subsidy_per_member": "70000",
        "stage_junior": "90000",
        "proration": "months",
        "reference_date": "",
        "transport_per_month": "300",
        "lodging_per_month": "600",
        "spring_term_starts": "2025-02-17",
        "autumn_term_starts": "2025-09-01",
        "note": "上调标准",
        "based_on": "1",
    }
    return data | changes


def _create_url(authority, year=2025) -> str:
    return reverse("funding:rate-create", args=[authority.pk, year])


def test_f1_f4_new_version_copies_the_previous_and_supersedes_it(world, client):
    """Policy F-1, F-4: the form of a new version starts from the version in force; saving makes
    version 2, which rates_for_year then returns and a draft year's computation uses (its lines
    name the new version), while version 1 stays as it was, with its one history row."""
    v1 = _v1(world)
    member = SchoolFactory(name="市南公办成员", authority=world.shinan, nature="public")
    MembershipFactory(group=world.group, school=member, joined_on=datetime.date(2024, 1, 1))
    ledgers_compute(year=2025, group_ids=[world.group.pk], actor=world.users["district"])
    line = Ledger.objects.get(group=world.group, authority=world.shinan).lines.get(
        member_school=member
    )
    assert line.inputs["rate_table"] == v1.pk and line.amount == Decimal("60000.00")

    client.force_login(world.users["district"])
    form = client.get(_create_url(world.shinan)).context["form"]
    assert form.initial["subsidy_per_member"] == Decimal("60000.00")
    assert form.initial["stage_junior"] == Decimal("80000.00")
    assert form.initial["lodging_per_month"] == Decimal("500.00")
    assert form.initial["based_on"] == 1

    response = client.post(_create_url(world.shinan), _post_data())
    v2 = RateTable.objects.get(authority=world.shinan, fiscal_year=2025, version=2)
    assert response.status_code == 302 and response["Location"] == reverse(
        "funding:rate-detail", args=[v2.pk]
    )
    assert v2.created_by == world.users["district"]
    assert dict(v2.stage_rates.values_list("stage", "amount")) == {"junior": Decimal("90000")}

    in_force = rates_for_year(2025)[world.shinan.pk]
    assert (in_force.table_id, in_force.version) == (v2.pk, 2)
    assert in_force.subsidy_default == Decimal("70000.00")
    ledgers_compute(year=2025, group_ids=[world.group.pk], actor=world.users["district"])
    line = Ledger.objects.get(group=world.group, authority=world.shinan).lines.get(
        member_school=member
    )
    assert line.inputs["rate_table"] == v2.pk and line.amount == Decimal("70000.00")

    v1_again = RateTable.objects.get(pk=v1.pk)
    assert (v1_again.version, v1_again.subsidy_per_member, v1_again.lodging_per_month) == (
        1,
        Decimal("60000.00"),
        Decimal("500.00"),
    )
    assert v1_again.note == "2025 年标准"
    assert history_rows(RateTable, pk=v1.pk).count() == 1
    assert list(SubsidyStageRate.objects.filter(table=v1).values_list("amount", flat=True)) == [
        Decimal("80000.00")
    ]
    # The list's version in force is the computation's.
    listed = rate_tables_in_force().get(authority=world.shinan, fiscal_year=2025)
    assert (listed.pk, listed.n_versions) == (in_force.table_id, 2)

    page = client.get(reverse("funding:rate-detail", args=[v1.pk]))
    text = page.content.decode()
    assert 'data-testid="superseded"' in text
    assert "60000.00" in text and "70000.00" in text  # side by side, and what changed
    assert "上调标准" in text
    assert text.count('data-testid="ledger-use"') == 1  # the draft now names version 2


BAD_INPUT = [
    pytest.param({"subsidy_per_member": "-1"}, "subsidy_per_member", "不能为负数", id="negative"),
    pytest.param(
        {"subsidy_per_member": str(MAX_RATE + 1)}, "subsidy_per_member", "多输了位数", id="absurd"
    ),
    pytest.param({"stage_junior": "-5"}, "stage_junior", "不能为负数", id="negative-stage"),
    pytest.param(
        {"transport_per_month": "-0.01"}, "transport_per_month", "不能为负数", id="transport"
    ),
    pytest.param(
        {"lodging_per_month": "99999999"}, "lodging_per_month", "多输了位数", id="absurd-lodging"
    ),
    pytest.param(
        {"proration": "reference_date", "reference_date": ""},
        "reference_date",
        "须填写基准日",
        id="reference-date-missing",
    ),
    pytest.param(
        {"proration": "reference_date", "reference_date": "2024-09-01"},
        "reference_date",
        "财政年度之内",
        id="reference-date-outside-year",
    ),
    pytest.param(
        {"spring_term_starts": "2026-02-17"},
        "spring_term_starts",
        "财政年度之内",
        id="term-outside",
    ),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_INPUT)
def test_f1_f4_bad_rates_are_refused_with_a_clear_message_and_nothing_saved(
    world, client, changes, field, message
):
    """Policy F-1, F-4: negative or absurd rates, a reference date missing or outside the
    fiscal year: the form comes back with the message next to the field, as typed."""
    _v1(world)
    client.force_login(world.users["district"])
    response = client.post(_create_url(world.shinan), _post_data(**changes))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors.get(field, [])), errors
    assert RateTable.objects.filter(authority=world.shinan).count() == 1
    assert response.context["form"]["note"].value() == "上调标准"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"subsidy_per_member": Decimal("-1")}, "subsidy_per_member"),
        ({"subsidy_per_member": MAX_RATE + 1}, "subsidy_per_member"),
        ({"stage_rates": {"senior": Decimal("-3")}}, "stage_senior"),
        ({"proration": Proration.REFERENCE_DATE}, "reference_date"),
        (
            {"proration": Proration.REFERENCE_DATE, "reference_date": datetime.date(2026, 1, 1)},
            "reference_date",
        ),
    ],
)
def test_f1_f4_the_service_refuses_bad_rates_itself(world, extra, field):
    """Policy F-1, F-4: the service checks again (a caller other than the form)."""
    with pytest.raises(RuleRefusal) as refused:
        _v1(world, **extra)
    assert refused.value.field == field
    assert not RateTable.objects.exists()


def test_f1_reference_date_inside_the_year_is_kept(world):
    """Policy F-1: proration by reference date keeps its date; by months, no date is kept."""
    table = _v1(world, proration=Proration.REFERENCE_DATE, reference_date=datetime.date(2025, 9, 1))
    assert table.reference_date == datetime.date(2025, 9, 1)
    by_months = _v1(world, reference_date=datetime.date(2025, 9, 1))
    assert by_months.version == 2 and by_months.reference_date is None


def test_f1_district_cannot_create_another_districts_rates(world, client):
    """Policy F-1, F-4: a district keeps its own rate tables only (403); the city any."""
    client.force_login(world.users["district"])
    assert client.get(_create_url(world.laoshan)).status_code == 403
    response = client.post(_create_url(world.laoshan), _post_data(based_on="0"))
    assert response.status_code == 403
    assert not RateTable.objects.filter(authority=world.laoshan).exists()
    with pytest.raises(Exception, match="本部门"):
        rate_table_create_version(
            authority=world.laoshan,
            fiscal_year=2025,
            actor=world.users["district"],
            subsidy_per_member=Decimal("1"),
        )
    client.force_login(world.users["city"])
    response = client.post(_create_url(world.laoshan), _post_data(based_on="0"))
    assert response.status_code == 302
    assert RateTable.objects.get(authority=world.laoshan).version == 1


def test_f1_a_version_saved_meanwhile_refuses_the_stale_form(world, client):
    """Policy F-1, F-4: a form opened on version 1 is refused once version 2 exists (its values
    would silently supersede the other person's)."""
    _v1(world)
    _v1(world, based_on=1)
    client.force_login(world.users["district"])
    response = client.post(_create_url(world.shinan), _post_data(based_on="1"))
    assert response.status_code == 200
    assert "已有新版本" in response.content.decode()
    assert RateTable.objects.filter(authority=world.shinan).count() == 2


def test_f1_the_list_shows_the_version_in_force_per_authority_and_year(world, client):
    """Policy F-1, F-4: one row per authority and year, its version in force and count."""
    _v1(world)
    _v1(world, subsidy_per_member=Decimal("65000"))
    _v1(world, fiscal_year=2026)
    client.force_login(world.users["principal"])  # principals read the rates
    response = client.get(reverse("funding:rate-list"))
    rows = list(response.context["page_obj"])
    assert [(r.fiscal_year, r.version, r.n_versions) for r in rows] == [(2026, 1, 1), (2025, 2, 2)]
    assert not any(r.may_add for r in rows)
    filtered = client.get(reverse("funding:rate-list"), {"fiscal_year": "2025"})
    assert [r.version for r in filtered.context["page_obj"]] == [2]
    client.force_login(world.users["district"])
    response = client.get(
        reverse("funding:rate-list"), {"new_authority": world.shinan.pk, "new_year": 2027}
    )
    assert response["Location"] == _create_url(world.shinan, 2027)


def _count(client, url) -> int:
    cache.clear()
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_f1_rate_pages_keep_their_query_count(world, client):
    """Policy F-1, F-4: the list and a version's page run as many queries with 1 or 6 versions
    and 1 or 8 authority-years."""
    first = _v1(world)
    client.force_login(world.users["city"])
    list_url, detail_url = (
        reverse("funding:rate-list"),
        reverse("funding:rate-detail", args=[first.pk]),
    )
    small = (_count(client, list_url), _count(client, detail_url))
    for n in range(5):
        _v1(world, subsidy_per_member=Decimal(61000 + n), stage_rates={"senior": Decimal(n)})
    for year in range(2026, 2033):
        _v1(world, fiscal_year=year)
    member = SchoolFactory(authority=world.shinan, nature="public")
    MembershipFactory(group=world.group, school=member, joined_on=datetime.date(2024, 1, 1))
    ledgers_compute(year=2025, actor=world.users["city"])
    large = (_count(client, list_url), _count(client, detail_url))
    assert small == large
    assert large[0] <= 10 and large[1] <= 10


def test_f1_f4_the_rate_list_exports_the_versions_in_force(world, client):
    """Policy F-1, F-4: the list's CSV has Chinese headers and the version in force."""
    from tests.exports.test_exports import export

    _v1(world)
    _v1(world, subsidy_per_member=Decimal("65000"))
    client.force_login(world.users["auditor"])
    rows = export(client, "rates", "csv")
    assert rows[0][:3] == ["主管部门", "财政年度", "现行版本"]
    assert [r[2:5] for r in rows[1:]] == [["2", "2", "65000.00"]]
