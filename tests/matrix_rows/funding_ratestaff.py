"""Permission-matrix rows for rate tables (policy F-1, F-4) and staffing requests and
principals' ranks (policy S-1, S-2).

Rates are read by every signed-in role (principals need to know them); "own" rate tables are the
市南 bureau's (the `district` user's), "other" ones 崂山's. Staffing requests: "own" ones come
from the world's group (its core principal, approved by 市南), "other" ones from the 崂山 group.
The staffing office (`staffing`) handles requests; the HR bureau behaves the same and is tested
in tests/funding/test_staffing.py."""

from decimal import Decimal

from funding.rates.models import RateTable
from funding.staffing.models import StaffingRequest

ALL = ["anon", "city", "district", "principal", "member", "auditor", "admin", "finance", "staffing"]
ALL_OK = dict.fromkeys(ALL, 200) | {"anon": 302}
# The city bureau keeps any authority's rates, a district its own; nobody else (F-1, F-4).
RATE_CREATE_OWN = dict.fromkeys(ALL, 403) | {"anon": 302, "city": 200, "district": 200}
RATE_CREATE_OTHER = RATE_CREATE_OWN | {"district": 403}
# Only a core principal asks (S-1).
STAFFING_CREATE = dict.fromkeys(ALL, 403) | {"anon": 302, "principal": 200}
# Requests are seen by whoever sees everything, the group's approving district and its core
# principal.
STAFFING_OWN_READ = ALL_OK | {"member": 404}
STAFFING_OTHER_READ = ALL_OK | {"district": 404, "principal": 404, "member": 404}
# The staffing office handles (an empty POST gives the page back with the form's error); those
# who see the request but may not handle it get 403, those who do not see it 404.
HANDLE_OWN = dict.fromkeys(ALL, 403) | {"anon": 302, "member": 404, "staffing": 200}
HANDLE_OTHER = HANDLE_OWN | {"district": 404, "principal": 404}
# City staff record a principal's rank (S-2).
RANK = dict.fromkeys(ALL, 403) | {"anon": 302, "city": 200}


def _authority(world, which: str):
    return world.shinan if which == "own" else world.laoshan


def _rate_create(world, which: str) -> dict:
    return {"authority_id": _authority(world, which).pk, "year": 2025}


def _rate_table(world, which: str) -> dict:
    table = RateTable.objects.create(
        authority=_authority(world, which),
        fiscal_year=2025,
        subsidy_per_member=Decimal("50000"),
    )
    return {"table_id": table.pk}


def _request(world, which: str, status: str = StaffingRequest.Status.OPEN) -> dict:
    group = world.group if which == "own" else world.other_group
    staffing = StaffingRequest.objects.create(
        group=group,
        school=group.core_school,
        kind=StaffingRequest.Kind.QUOTA,
        count=3,
        reason="派出骨干教师后缺编",
        status=status,
    )
    return {"request_id": staffing.pk}


def _handled(world, which: str) -> dict:
    return _request(world, which, StaffingRequest.Status.HANDLED)


def _principal(world, which: str) -> dict:
    return {"user_id": world.users["principal"].pk}


ROWS = [
    ("funding:rate-list", None, "get", ALL_OK, None),
    ("funding:rate-create", "own", "get", RATE_CREATE_OWN, _rate_create),
    ("funding:rate-create", "other", "get", RATE_CREATE_OTHER, _rate_create),
    ("funding:rate-detail", "own", "get", ALL_OK, _rate_table),
    ("funding:rate-detail", "other", "get", ALL_OK, _rate_table),
    ("funding:staffing-list", None, "get", ALL_OK, None),
    ("funding:staffing-create", None, "get", STAFFING_CREATE, None),
    ("funding:staffing-detail", "own", "get", STAFFING_OWN_READ, _request),
    ("funding:staffing-detail", "other", "get", STAFFING_OTHER_READ, _request),
    ("funding:staffing-handle", "own", "post", HANDLE_OWN, _request),
    ("funding:staffing-handle", "other", "post", HANDLE_OTHER, _request),
    ("funding:principal-rank", None, "get", RANK, _principal),
]

# Handling a request already handled: whoever may not handle gets 403 before its state.
WRONG_STATE = {"funding:staffing-handle": _handled}
POST_WITHOUT_STATE = {
    "funding:rate-create",
    "funding:staffing-create",
    "funding:principal-rank",
}
READ_ONLY = {
    "funding:rate-list",
    "funding:rate-detail",
    "funding:staffing-list",
    "funding:staffing-detail",
}
