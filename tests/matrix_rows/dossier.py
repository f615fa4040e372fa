"""Permission-matrix rows for the group dossier (案卷, policy A-1; issue 10).

Auditors, city staff and administrators take any group's dossier; district staff the groups
they see (the world's group is approved by their 市南 bureau; the 崂山 group is out of scope:
404); the core principal their own group (another group: 404); a member school's principal, the
finance reviewer and the staffing office are not among those who export dossiers (403)."""

REQUEST_OWN = {
    "anon": 302,
    "city": 200,
    "district": 200,
    "principal": 200,
    "member": 403,
    "auditor": 200,
    "admin": 200,
    "finance": 403,
    "staffing": 403,
}
REQUEST_OTHER = REQUEST_OWN | {"district": 404, "principal": 404}
# POST: the job is recorded and the asker sent to its page.
START_OWN = {role: 302 if code == 200 else code for role, code in REQUEST_OWN.items()}
START_OTHER = {role: 302 if code == 200 else code for role, code in REQUEST_OTHER.items()}


def _group(world, which) -> dict:
    group = world.group if which == "own" else world.other_group
    return {"group_id": group.pk}


ROWS = [
    ("dossier:request", "own", "get", REQUEST_OWN, _group),
    ("dossier:request", "other", "get", REQUEST_OTHER, _group),
    ("dossier:start", "own", "post", START_OWN, _group),
    ("dossier:start", "other", "post", START_OTHER, _group),
]

# Starting a dossier posts about nothing that has a state (every group has a dossier).
WRONG_STATE: dict = {}
POST_WITHOUT_STATE = {"dossier:start"}
READ_ONLY = {"dossier:request"}
