"""Permission-matrix rows for the funding overview pages (policy F-1, F-2, F-4; issue 9).

"own" is the 市南 bureau's year (the `district` user's authority, which pays the world group's
subsidy); "other" is 崂山's. Money is read by the city, auditors, the finance reviewer and
administrators (everything), district staff (their authority) and principals (their group's);
the staffing office reads staffing requests, not money (403)."""

ALL_OK = {
    "anon": 302,
    "city": 200,
    "district": 200,
    "principal": 200,
    "member": 200,
    "auditor": 200,
    "admin": 200,
    "finance": 200,
    "staffing": 200,
}
LEDGER_LIST = ALL_OK | {"staffing": 403}
AUTHORITY_YEAR_OWN = {
    "anon": 302,
    "city": 200,
    "district": 200,
    "principal": 404,
    "member": 404,
    "auditor": 200,
    "admin": 200,
    "finance": 200,
    "staffing": 403,
}
AUTHORITY_YEAR_OTHER = AUTHORITY_YEAR_OWN | {"district": 404}
CITY = {
    "anon": 302,
    "city": 200,
    "district": 403,
    "principal": 403,
    "member": 403,
    "auditor": 200,
    "admin": 200,
    "finance": 200,
    "staffing": 403,
}
# Only the city bureau computes the whole city's year; an empty POST is refused with a message
# and sent back to the city page (302).
COMPUTE = {
    "anon": 302,
    "city": 302,
    "district": 403,
    "principal": 403,
    "member": 403,
    "auditor": 403,
    "admin": 403,
    "finance": 403,
    "staffing": 403,
}


def _authority_year(world, which: str) -> dict:
    authority = world.shinan if which == "own" else world.laoshan
    return {"authority_id": authority.pk, "year": 2025}


ROWS = [
    ("funding:overview", None, "get", ALL_OK, None),
    ("funding:authority-year", "own", "get", AUTHORITY_YEAR_OWN, _authority_year),
    ("funding:authority-year", "other", "get", AUTHORITY_YEAR_OTHER, _authority_year),
    ("funding:city", None, "get", CITY, None),
    ("funding:compute-year", None, "post", COMPUTE, None),
    ("funding:ledger-list", None, "get", LEDGER_LIST, None),
]

WRONG_STATE: dict = {}
# Computing a year is about no one object's state: the year is computed whatever it holds
# (idempotent; a locked ledger gets adjustment lines, never a rewrite).
POST_WITHOUT_STATE = {"funding:compute-year"}
READ_ONLY = {"funding:overview", "funding:authority-year", "funding:city", "funding:ledger-list"}
