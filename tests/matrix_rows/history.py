"""Permission-matrix rows of the group's story and audit log (issue 8 "History that tells the
story").

The story (集团历程) is read by whoever sees the group; the audit log (every field change) by those
who oversee it: the city, auditors, administrators and the group's approving authority (the 市南
bureau, `district`), 403 for the schools' principals. A group the reader does not see is 404 on
both, before the audit rule is asked."""

ROLES = ["anon", "city", "district", "principal", "member", "auditor", "admin"]
ALL_OK = dict.fromkeys(ROLES, 200) | {"anon": 302}
OTHER_READ = {
    "anon": 302,
    "city": 200,
    "district": 404,
    "principal": 404,
    "member": 404,
    "auditor": 200,
    "admin": 200,
}
AUDIT_OWN = ALL_OK | {"principal": 403, "member": 403}


def group_kwargs(world, which):
    return {"group_id": (world.group if which == "own" else world.other_group).pk}


ROWS = [
    ("groups:group-history", "own", "get", ALL_OK, group_kwargs),
    ("groups:group-history", "other", "get", OTHER_READ, group_kwargs),
    ("groups:group-audit", "own", "get", AUDIT_OWN, group_kwargs),
    ("groups:group-audit", "other", "get", OTHER_READ, group_kwargs),
]

# "403 before state": both pages only read.
WRONG_STATE: dict = {}
POST_WITHOUT_STATE: set[str] = set()
READ_ONLY = {"groups:group-history", "groups:group-audit"}
