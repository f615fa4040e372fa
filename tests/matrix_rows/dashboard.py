"""Permission-matrix rows for the bureau's statistics (issue 10; policy A-1).

The city, district staff (their own scope), auditors, administrators and the finance reviewer
read them; schools and the staffing office are refused (403). Every page only reads."""

READ = {
    "anon": 302,
    "city": 200,
    "district": 200,
    "principal": 403,
    "member": 403,
    "auditor": 200,
    "admin": 200,
    "finance": 200,
    "staffing": 403,
}

ROWS = [
    ("dashboard:index", None, "get", READ, None),
    ("dashboard:schools-outside", None, "get", READ, None),
    ("dashboard:export", None, "get", READ, None),
]

WRONG_STATE: dict = {}
POST_WITHOUT_STATE: set = set()
READ_ONLY = {"dashboard:index", "dashboard:schools-outside", "dashboard:export"}
