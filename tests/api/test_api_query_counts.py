"""Every list of the API (issue 11) runs a constant number of queries whatever the number of rows:
each is read as a district bureau's client with 2 rows of its own and again with 20, and the
counts must be equal (no N+1: each row's school, group, members, documents come in the page's
few queries)."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from funding.ledgers.models import Ledger
from groups.applications.models import Application
from groups.cards.models import Card
from groups.enrollment.models import EnrollmentPlan
from groups.filings.models import Filing
from members.models import User
from tests.api.helpers import Api, make_client
from tests.assessments.builders import archive_fake_report, make_cycle
from tests.factories import EducationGroupFactory, MembershipFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 9, 1)


def _group(world, n: int):
    """A 市南 group with its core school and two members (one of which left before DAY)."""
    group = EducationGroupFactory(core_school=SchoolFactory(authority=world.shinan))
    MembershipFactory(group=group, school=SchoolFactory(authority=world.shinan))
    left = MembershipFactory(group=group, school=SchoolFactory(authority=world.shibei))
    left.left_on, left.end_reason = datetime.date(2024, 1, 1), "exit"
    left.save()
    return group


class Rows:
    """Adds rows the 市南 district bureau sees, `n` at a time, to one list."""

    def __init__(self, world):
        self.world = world
        self.staff = world.users["district"]
        self.principal = UserFactory(role=User.Role.CORE_PRINCIPAL, school=world.core)
        self.cycle = None
        self.serial = 0

    def _next(self) -> int:
        self.serial += 1
        return self.serial

    def groups(self, n):
        for _ in range(n):
            _group(self.world, self._next())

    def schools(self, n):
        for _ in range(n):
            SchoolFactory(authority=self.world.shinan)

    def applications(self, n):
        for _ in range(n):
            Application.objects.create(
                kind=Application.Kind.FOUNDING,
                status="under_decision",
                applicant_school=SchoolFactory(authority=self.world.shinan),
                proposed_name=f"申请集团{self._next()}",
                deciding_authority=self.world.shinan,
                created_by=self.principal,
                submitted_at=timezone.now(),
            )

    def cards(self, n):
        for _ in range(n):
            group = _group(self.world, self._next())
            Card.objects.create(
                membership=group.memberships.get(role="member", left_on__isnull=True),
                group=group,
                level=Card.Level.YELLOW,
                status="yellow_issued",
                ground=Card.Ground.AGREEMENT,
                description="未履行协议",
                deadline=datetime.date(2099, 1, 1),
                issued_by=self.staff,
            )

    def filings(self, n):
        for _ in range(n):
            Filing.objects.create(
                authority=self.world.shinan,
                kind=Filing.Kind.POLICY,
                title=f"配套政策{self._next()}",
                filed_on=DAY,
                status=Filing.Status.FILED,
                filed_by=self.staff,
            )

    def plans(self, n):
        for _ in range(n):
            EnrollmentPlan.objects.create(
                school=SchoolFactory(authority=self.world.shinan),
                year=2026,
                places=200,
                classes=5,
                catchment="测试片区",
                method=EnrollmentPlan.Method.CATCHMENT,
                status="filed",
                filed_by=self.principal,
            )

    def ledgers(self, n):
        for _ in range(n):
            Ledger.objects.create(
                group=_group(self.world, self._next()),
                authority=self.world.shinan,
                fiscal_year=2024,
                total="100.00",
            )

    def reports(self, n):
        # one published group report (with its archived PDF) per version of the world's group
        if self.cycle is None:
            self.cycle = make_cycle(self.world, groups=[self.world.group])
        for _ in range(n):
            archive_fake_report(self.cycle, group=self.world.group, number=self._next())


LISTS = {
    "groups": f"/api/v1/groups/?as_of={DAY.isoformat()}",
    "schools": "/api/v1/schools/",
    "applications": "/api/v1/applications/",
    "cards": "/api/v1/cards/",
    "filings": "/api/v1/filings/",
    "plans": "/api/v1/enrollment-plans/",
    "ledgers": "/api/v1/ledgers/",
    "reports": "/api/v1/reports/",
}


def _read(api, url) -> tuple[int, int]:
    """(queries, rows) of one read of the list's first page, computed (the registry lists kept
    in the cache are emptied first: api.base.SharedRegistryList)."""
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), len(response.json()["results"])


@pytest.mark.parametrize("name", list(LISTS))
def test_api_list_queries_do_not_grow_with_rows(world, name):
    _client, token = make_client(world, authority=world.shinan)  # every scope
    api = Api(token)
    url = LISTS[name]
    add = getattr(Rows(world), name)
    add(2)
    api.get(url)  # warm per-process caches and the key's last_used_at (written once a minute)
    small, rows_small = _read(api, url)
    add(18)
    large, rows_large = _read(api, url)
    assert rows_large == rows_small + 18  # the new rows are the district's, on the first page
    assert large == small, (
        f"{name}: {small} queries with {rows_small} rows, {large} with {rows_large}"
    )


# --- the registry lists kept per caller (api.base.SharedRegistryList) ---------------------------


def test_a_kept_registry_list_costs_no_query_of_its_own_and_sees_every_change(world):
    _client, token = make_client(world, authority=world.shinan, scopes=["registry:read"])
    api = Api(token)
    api.get(LISTS["schools"])
    computed, rows = _read(api, LISTS["schools"])
    with CaptureQueriesContext(connection) as ctx:
        again = api.get(LISTS["schools"])
    # the key (with its client, account and authority), the call's record: nothing of the list
    assert len(ctx.captured_queries) < computed
    assert not [q for q in ctx.captured_queries if "members_school" in q["sql"]]
    assert len(again.json()["results"]) == rows
    school = SchoolFactory(authority=world.shinan)  # a change to the registry: seen at once
    codes = [row["code"] for row in api.get(LISTS["schools"]).json()["results"]]
    assert school.code in codes and len(codes) == rows + 1


def test_kept_lists_are_per_caller_and_follow_grants(world):
    from guardian.shortcuts import assign_perm, remove_perm

    shinan, shinan_token = make_client(world, authority=world.shinan, scopes=["registry:read"])
    _laoshan, laoshan_token = make_client(world, authority=world.laoshan, scopes=["registry:read"])
    url = "/api/v1/groups/"
    codes = lambda token: {row["code"] for row in Api(token).get(url).json()["results"]}  # noqa: E731
    assert world.group.code in codes(shinan_token)
    assert world.other_group.code not in codes(shinan_token)
    assert codes(laoshan_token) == {world.other_group.code}  # not the 市南 client's page
    assign_perm("groups.view_educationgroup", shinan.user, world.other_group)
    assert world.other_group.code in codes(shinan_token)  # a grant: a new generation
    remove_perm("groups.view_educationgroup", shinan.user, world.other_group)
    assert world.other_group.code not in codes(shinan_token)


def test_the_group_lists_member_rows_are_what_the_member_serializer_gives(world):
    """api.serializers.member_row writes MemberSerializer's shape out (for speed): the same for
    a core school, a current member and one that left, with and without a subtype."""
    from api.serializers import MemberSerializer, member_row
    from groups.registry.models import Membership

    group = _group(world, 1)
    rows = list(Membership.objects.filter(group=group).select_related("school"))
    rows[-1].relation_subtype = "T-1a"
    assert {m.left_on is None for m in rows} == {True, False}
    for m in rows:
        assert member_row(m) == dict(MemberSerializer(m).data)
