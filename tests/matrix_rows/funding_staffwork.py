"""Permission-matrix rows for dispatched staff (policy F-4), spending (policy F-3) and awards
(policy F-5).

"own" objects belong to the world's group (core school 市南, approved by 市南: `district`; its
member school is the `member` principal's, under 市北); "other" ones to the 崂山 group."""

import datetime

from funding.dispatches.models import Dispatch


def _row(**statuses) -> dict:
    return {"anon": 302} | statuses


# Whoever sees the group's money sees all its dispatches; the member principal those to its
# school (policy F-4).
LIST_OWN = _row(city=200, district=200, principal=200, member=200, auditor=200, admin=200)
LIST_OTHER = _row(city=200, district=404, principal=404, member=404, auditor=200, admin=200)
# The core principal and the group's approving authority record and change (policy F-4).
MANAGE_OWN = _row(city=403, district=200, principal=200, member=403, auditor=403, admin=403)
MANAGE_OTHER = _row(city=403, district=404, principal=404, member=404, auditor=403, admin=403)
# Income against spending: not for member schools (policy F-3).
SPENDING_OWN = LIST_OWN | {"member": 403}
# Only the core principal records spending (policy F-3).
SPEND_OWN = MANAGE_OWN | {"district": 403}
# Awards: everyone reads those of the groups they see; the city and the districts record (F-5).
AWARD_LIST = _row(city=200, district=200, principal=200, member=200, auditor=200, admin=200)
AWARD_CREATE = _row(city=200, district=200, principal=403, member=403, auditor=403, admin=403)


def _group(world, which: str) -> dict:
    return {"group_id": (world.group if which == "own" else world.other_group).pk}


def _year(world, which: str) -> dict:
    return _group(world, which) | {"year": 2025}


def _dispatch(world, which: str) -> dict:
    group = world.group if which == "own" else world.other_group
    membership = group.memberships.filter(role="member").order_by("pk").first()
    dispatch = Dispatch.objects.create(
        group=group,
        membership=membership,
        person_name="派驻测试",
        role=Dispatch.Role.KEY_TEACHER,
        starts_on=datetime.date(2025, 9, 1),
    )
    return {"dispatch_id": dispatch.pk}


ROWS = [
    ("funding:dispatch-list", "own", "get", LIST_OWN, _group),
    ("funding:dispatch-list", "other", "get", LIST_OTHER, _group),
    ("funding:dispatch-create", "own", "get", MANAGE_OWN, _group),
    ("funding:dispatch-create", "other", "get", MANAGE_OTHER, _group),
    ("funding:dispatch-edit", "own", "get", MANAGE_OWN, _dispatch),
    ("funding:dispatch-edit", "other", "get", MANAGE_OTHER, _dispatch),
    # an empty POST comes back with the form's errors (200) for those who may end it
    ("funding:dispatch-end", "own", "post", MANAGE_OWN, _dispatch),
    ("funding:dispatch-end", "other", "post", MANAGE_OTHER, _dispatch),
    ("funding:spending-list", "own", "get", SPENDING_OWN, _year),
    ("funding:spending-list", "other", "get", LIST_OTHER, _year),
    ("funding:spending-create", "own", "get", SPEND_OWN, _group),
    ("funding:spending-create", "other", "get", MANAGE_OTHER, _group),
    ("funding:award-list", None, "get", AWARD_LIST, None),
    ("funding:award-create", None, "get", AWARD_CREATE, None),
]

# Dispatches, spending and awards have no status: their POSTs are about nothing with a state.
WRONG_STATE: dict = {}
POST_WITHOUT_STATE = {
    "funding:dispatch-create",
    "funding:dispatch-edit",
    "funding:dispatch-end",
    "funding:spending-create",
    "funding:award-create",
}
READ_ONLY = {"funding:dispatch-list", "funding:spending-list", "funding:award-list"}

# The staffing office reads staffing requests, not money (funding.ledgers.permissions.
# can_view_group_funding): a group's dispatch allowances and spending are not found for it.
# The lists refuse the kind of person (403); a dispatch is not found for it (404).
_NO_MONEY = {
    "funding:dispatch-list": 403,
    "funding:spending-list": 403,
    "funding:dispatch-edit": 404,
    "funding:dispatch-end": 404,
}
ROWS = [
    (
        name,
        which,
        method,
        expected | {"staffing": _NO_MONEY[name]} if name in _NO_MONEY else expected,
        build,
    )
    for name, which, method, expected, build in ROWS
]
