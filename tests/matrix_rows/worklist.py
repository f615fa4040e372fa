"""Permission-matrix rows of the work list's actions (issue 8): acknowledging filings in bulk
(city staff; an empty selection is sent back with a message) and reminders (staff of an
education authority; an item that names nothing is a 404)."""

BULK_ACK = {
    "anon": 302,
    "city": 302,
    "district": 403,
    "principal": 403,
    "member": 403,
    "auditor": 403,
    "admin": 403,
}
REMIND = {
    "anon": 302,
    "city": 404,
    "district": 404,
    "principal": 403,
    "member": 403,
    "auditor": 403,
    "admin": 403,
}

ROWS = [
    ("filings:filing-bulk-acknowledge", None, "post", BULK_ACK, None),
    ("reminder-send", None, "post", REMIND, None),
]

# "403 before state": both post about items named in the form, not one object in the URL; the
# person gate comes first either way (tests/qingdao_groups/test_worklist.py).
WRONG_STATE: dict = {}
POST_WITHOUT_STATE = {"filings:filing-bulk-acknowledge", "reminder-send"}
READ_ONLY: set[str] = set()
