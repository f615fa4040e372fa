"""Permission-matrix rows for district filings with the city (policy L-2, D-1, D-2).

"own" filings are the 市南 bureau's (the `district` user's); "other" ones are 崂山's."""

import datetime

from groups.filings.models import Filing
from members.models import User
from tests.factories import UserFactory

ALL_OK = {
    "anon": 302,
    "city": 200,
    "district": 200,
    "principal": 200,
    "member": 200,
    "auditor": 200,
    "admin": 200,
}
OTHER_READ = {
    "anon": 302,
    "city": 200,
    "district": 404,
    "principal": 404,
    "member": 404,
    "auditor": 200,
    "admin": 200,
}
# Principals see no filings at all: filings are between the bureaus.
OWN_READ = OTHER_READ | {"district": 200}
# Only district offices file (D-1, D-2); only city staff handle; only the filing district refiles.
CREATE = {
    "anon": 302,
    "city": 403,
    "district": 200,
    "principal": 403,
    "member": 403,
    "auditor": 403,
    "admin": 403,
}
HANDLE_OWN = {
    "anon": 302,
    "city": 200,
    "district": 403,
    "principal": 404,
    "member": 404,
    "auditor": 403,
    "admin": 403,
}
HANDLE_OTHER = HANDLE_OWN | {"district": 404}
REFILE_OWN = {
    "anon": 302,
    "city": 403,
    "district": 200,
    "principal": 404,
    "member": 404,
    "auditor": 403,
    "admin": 403,
}
REFILE_OTHER = REFILE_OWN | {"district": 404}
# The filing district's staff attach documents while the filing is filed or returned; an empty
# POST gives the page back with the form's error (200); an acknowledged filing redirects with a
# message (302).
UPLOAD_OWN = REFILE_OWN
UPLOAD_OTHER = REFILE_OTHER
UPLOAD_ACKNOWLEDGED = REFILE_OWN | {"district": 302}


def _filing(world, which: str, status: str = Filing.Status.FILED) -> dict:
    if which == "own":
        authority, filer = world.shinan, world.users["district"]
    else:
        authority = world.laoshan
        filer = UserFactory(role=User.Role.DISTRICT_STAFF, authority=authority)
    filing = Filing.objects.create(
        authority=authority,
        kind=Filing.Kind.PROJECT,
        title="测试改革项目",
        project_starts_on=datetime.date(2030, 1, 1),
        filed_on=datetime.date(2025, 3, 1),
        status=status,
        filed_by=filer,
        remarks="请补充实施方案" if status == Filing.Status.RETURNED else "",
    )
    return {"filing_id": filing.pk}


def _returned(world, which: str) -> dict:
    return _filing(world, which, Filing.Status.RETURNED)


def _acknowledged(world, which: str) -> dict:
    return _filing(world, which, Filing.Status.ACKNOWLEDGED)


ROWS = [
    ("filings:filing-list", None, "get", ALL_OK, None),
    ("filings:filing-create", None, "get", CREATE, None),
    ("filings:filing-detail", "own", "get", OWN_READ, _filing),
    ("filings:filing-detail", "other", "get", OTHER_READ, _filing),
    ("filings:filing-handle", "own", "get", HANDLE_OWN, _filing),
    ("filings:filing-handle", "other", "get", HANDLE_OTHER, _filing),
    ("filings:filing-refile", "own", "get", REFILE_OWN, _returned),
    ("filings:filing-refile", "other", "get", REFILE_OTHER, _returned),
    ("filings:upload", "own", "post", UPLOAD_OWN, _filing),
    ("filings:upload", "other", "post", UPLOAD_OTHER, _filing),
    ("filings:upload", "own", "post", UPLOAD_OWN, _returned),
    ("filings:upload", "own", "post", UPLOAD_ACKNOWLEDGED, _acknowledged),
]


# POST in a state where the action is not allowed (tests/test_permission_matrix.py): handling
# an acknowledged filing, refiling one that was not returned (an auditor used to get a redirect
# with a message here), uploading to an acknowledged one.
WRONG_STATE = {
    "filings:filing-handle": _acknowledged,
    "filings:filing-refile": _filing,
    "filings:upload": _acknowledged,
}
POST_WITHOUT_STATE = {"filings:filing-create"}
READ_ONLY = {"filings:filing-list", "filings:filing-detail"}
