"""Role × page × own/other object → expected status, for every URL pattern of the project.

`test_every_url_pattern_is_in_the_matrix` fails when a page is added without a row here."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ROLES = [
    "anon",
    "city",
    "district",
    "principal",
    "member",
    "auditor",
    "admin",
    "finance",
    "staffing",
]
# Issue 9's read-only roles (the finance reviewer, the staffing office) are refused and shown
# what the auditor is, unless a row says otherwise for their own task (locking ledgers, handling
# staffing requests).
READ_ONLY_LIKE_AUDITOR = ("finance", "staffing")

# Shorthands for a row of expected statuses, in ROLES order.
ALL_OK = dict.fromkeys(ROLES, 200) | {"anon": 302}
STAFF_WRITE = {
    "anon": 302,
    "city": 200,
    "district": 200,
    "principal": 403,
    "member": 403,
    "auditor": 403,
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
OTHER_WRITE = OTHER_READ | {"auditor": 403}
# Direct registry writes are for administrators entering pre-system history (policy L-1 … L-6
# changes go through the workflows).
ADMIN_WRITE = dict.fromkeys(ROLES, 403) | {"anon": 302, "admin": 200}
ADMIN_WRITE_OTHER = ADMIN_WRITE | {"district": 404, "principal": 404, "member": 404}
PARTNER_WRITE = ADMIN_WRITE | {"district": 200}

# (url name, object: "own" / "other" / None, method, {role: status})
# "own" objects belong to the world's group led by a 市南 school whose 市南 bureau is `district`;
# "other" objects belong to a 崂山 group that none of the acting users is part of.
MATRIX = [
    ("home", None, "get", ALL_OK),
    ("login", None, "get", dict.fromkeys(ROLES, 200)),
    ("logout", None, "post", dict.fromkeys(ROLES, 302)),
    ("password_change", None, "get", ALL_OK),
    ("password_change_done", None, "get", ALL_OK),
    ("set_language", None, "post", dict.fromkeys(ROLES, 302)),
    ("healthz", None, "get", dict.fromkeys(ROLES, 200)),
    ("bench-floor", None, "get", ALL_OK),
    ("groups:group-list", None, "get", ALL_OK),
    ("groups:group-create", None, "get", ADMIN_WRITE),
    ("groups:group-detail", "own", "get", ALL_OK),
    ("groups:group-detail", "other", "get", OTHER_READ),
    ("groups:membership-add", "own", "get", ADMIN_WRITE),
    ("groups:membership-add", "other", "get", ADMIN_WRITE_OTHER),
    ("groups:membership-end", "own", "get", ADMIN_WRITE),
    ("groups:membership-end", "other", "get", ADMIN_WRITE_OTHER),
    ("groups:partnership-add", "own", "get", PARTNER_WRITE),
    ("groups:partnership-add", "other", "get", ADMIN_WRITE_OTHER),
    ("members:school-list", None, "get", ALL_OK),
    ("members:school-create", None, "get", STAFF_WRITE),
    ("members:school-import", None, "get", STAFF_WRITE),
    ("members:school-export", None, "get", ALL_OK),
    ("members:school-detail", "own", "get", ALL_OK),
    ("members:school-detail", "other", "get", OTHER_READ),
    # The core school is run by the 市南 bureau (`district`): it may edit it.
    ("members:school-edit", "own", "get", STAFF_WRITE),
    ("members:school-edit", "other", "get", OTHER_WRITE),
    # The Django admin is for system administrators only; everyone else is sent to its login.
    ("admin:index", None, "get", dict.fromkeys(ROLES, 302) | {"admin": 200}),
]


# Other areas add their rows in tests/matrix_rows/<area>.py as ROWS: (name, which, method,
# {role: status}, kwargs(world, which) -> dict) — the fifth element builds the URL's arguments.
from tests.matrix_rows import ELSEWHERE, EXTRA_ROWS  # noqa: E402

MATRIX = [row + (None,) for row in MATRIX] + EXTRA_ROWS
MATRIX = [
    (
        name,
        which,
        method,
        {r: expected["auditor"] for r in READ_ONLY_LIKE_AUDITOR} | expected,
        build,
    )
    for name, which, method, expected, build in MATRIX
]


def _kwargs(name: str, which: str | None, world, build=None) -> dict:
    if build is not None:
        return build(world, which)
    if which is None:
        return {}
    group = world.group if which == "own" else world.other_group
    school = world.member_school if which == "own" else world.other_school
    if name == "members:school-edit":
        school = world.core if which == "own" else world.other_school
    if name.startswith("members:"):
        return {"school_id": school.pk}
    kwargs = {"group_id": group.pk}
    if name == "groups:membership-end":
        kwargs["membership_id"] = group.memberships.get(role="member").pk
    return kwargs


def _all_url_names(resolver=None, namespace="") -> set[str]:
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            if ns == "admin":
                names.add("admin:index")  # the admin's own views are covered by its index row
                continue
            prefix = f"{namespace}{ns}:" if ns else namespace
            names |= _all_url_names(pattern, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


def test_every_url_pattern_is_in_the_matrix():
    """Every URL name has rows here, or is one another matrix covers (ELSEWHERE), not both."""
    rows = {row[0] for row in MATRIX}
    assert not rows & ELSEWHERE
    assert _all_url_names() == rows | ELSEWHERE


def _roles_for(name: str) -> list[str]:
    """Every role on every row, except the staffing office outside funding: outside its own
    pages it goes through exactly the finance reviewer's code (`User.READ_ONLY_ROLES`), which
    every row checks; on the funding pages the two differ (money) and both are checked."""
    if name.startswith("funding:"):
        return ROLES
    return [role for role in ROLES if role != "staffing"]


CASES = [
    pytest.param(name, which, method, role, expected[role], build, id=f"{name}-{which}-{role}")
    for name, which, method, expected, build in MATRIX
    for role in _roles_for(name)
]


@pytest.mark.parametrize(("name", "which", "method", "role", "expected", "build"), CASES)
def test_page_access(client, world, name, which, method, role, expected, build):
    if role != "anon":
        client.force_login(world.users[role])
    url = reverse(name, kwargs=_kwargs(name, which, world, build))
    data = {"language": "en", "next": "/"} if name == "set_language" else None
    response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
    assert response.status_code == expected, (name, which, role, response.status_code)
    if expected == 302 and role == "anon" and name not in {"logout", "set_language", "admin:index"}:
        assert response["Location"].startswith("/accounts/login/"), response["Location"]


# --- 403 before state -----------------------------------------------------------------------
# A person who may not act on an item gets 403 before its state is considered: for every POST
# URL, each role the matrix refuses (403) posts on an object in a state where the action is not
# allowed at all, and still gets 403 (not a redirect with a message about the state).
from tests.matrix_rows import POST_WITHOUT_STATE, READ_ONLY, WRONG_STATE  # noqa: E402


def _ended_membership(world, which):
    import datetime

    from groups.registry.models import Membership
    from tests.factories import MembershipFactory, SchoolFactory

    group = world.group if which == "own" else world.other_group
    membership = MembershipFactory(
        group=group,
        school=SchoolFactory(authority=world.shibei),
        left_on=datetime.date(2024, 9, 1),
        end_reason=Membership.EndReason.EXIT,
    )
    return {"group_id": group.pk, "membership_id": membership.pk}


WRONG_STATE = WRONG_STATE | {"groups:membership-end": _ended_membership}
POST_WITHOUT_STATE = POST_WITHOUT_STATE | {
    "login",
    "logout",
    "password_change",
    "set_language",
    "groups:group-create",
    "groups:membership-add",
    "groups:partnership-add",
    "members:school-create",
    "members:school-import",
    "members:school-edit",
}
READ_ONLY = READ_ONLY | {
    "home",
    "password_change_done",
    "healthz",
    "bench-floor",
    "groups:group-list",
    "groups:group-detail",
    "members:school-list",
    "members:school-export",
    "members:school-detail",
    "admin:index",
}


def test_every_url_is_sorted_for_the_wrong_state_test():
    """A new URL is declared a POST with a state (and gets a wrong-state builder), a POST about
    nothing with a state, or a page only read."""
    sorts = [set(WRONG_STATE), POST_WITHOUT_STATE, READ_ONLY]
    assert set().union(*sorts) == {row[0] for row in MATRIX}
    assert sum(len(s) for s in sorts) == len(set().union(*sorts)), "a URL is sorted twice"


WRONG_STATE_CASES = sorted(
    {
        (name, which, role)
        for name, which, _method, expected, _build in MATRIX
        if name in WRONG_STATE
        for role in _roles_for(name)
        if expected[role] == 403
    },
    key=str,
)


@pytest.mark.parametrize(
    ("name", "which", "role"),
    [pytest.param(*case, id="-".join(map(str, case))) for case in WRONG_STATE_CASES],
)
def test_wrong_person_posting_in_a_wrong_state_gets_403(client, world, name, which, role):
    client.force_login(world.users[role])
    url = reverse(name, kwargs=WRONG_STATE[name](world, which))
    response = client.post(url)
    assert response.status_code == 403, (name, which, role, response.status_code)
