"""Permission-matrix rows of the auditors' desk (issue 10, "The auditor's desk"; policy A-1).

The whole audit log and its pickers are for those who see everything — the city bureau,
auditors (and the other read-only roles), administrators — as a group's audit log is; district
staff read their groups' audit logs on the group pages (403 here), schools never. Its export is
the export helper's list "audit-log": 403 to whoever may not read the desk."""

ROLES = ["anon", "city", "district", "principal", "member", "auditor", "admin"]
DESK = {
    "anon": 302,
    "city": 200,
    "district": 403,
    "principal": 403,
    "member": 403,
    "auditor": 200,
    "admin": 200,
}


def _none(world, which) -> dict:
    return {}


def _pick(key: str):
    return lambda world, which: {"key": key}


ROWS = [
    ("audit:log", None, "get", DESK, _none),
    ("audit:pick", None, "get", DESK, _pick("person")),
    ("audit:pick", None, "get", DESK, _pick("group")),
    ("exports:list", None, "get", DESK, _pick("audit-log")),
]

# "403 before state": the desk only reads.
WRONG_STATE: dict = {}
POST_WITHOUT_STATE: set[str] = set()
READ_ONLY = {"audit:log", "audit:pick"}
