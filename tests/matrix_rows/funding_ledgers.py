"""Permission-matrix rows for the ledger pages (issue 9; policy F-1, F-2, F-4).

"own" ledgers belong to the world's group (led by a 市南 school) and are paid by the 市南 bureau
(the `district` user); "other" ones to the 崂山 group, paid by 崂山. A ledger step posted empty
comes back as the page with the form's error (200) for the one who may take it."""

from django.utils import timezone

from funding.ledgers.models import Ledger

YEAR = 2025

GROUP_READ = {
    "anon": 302,
    "city": 200,
    "district": 200,
    "principal": 200,
    "member": 404,
    "auditor": 200,
    "admin": 200,
}
OTHER_READ = GROUP_READ | {"district": 404, "principal": 404}
# The core principal, the group's authority and the city compute (then redirect); read-only
# roles and administrators are refused.
COMPUTE = {
    "anon": 302,
    "city": 302,
    "district": 302,
    "principal": 302,
    "member": 404,
    "auditor": 403,
    "admin": 403,
}
COMPUTE_OTHER = COMPUTE | {"district": 404, "principal": 404}
# What an authority pays is confirmed by its own staff.
CONFIRM = {
    "anon": 302,
    "city": 403,
    "district": 200,
    "principal": 403,
    "member": 404,
    "auditor": 403,
    "admin": 403,
}
CONFIRM_OTHER = CONFIRM | {"district": 404, "principal": 404}
# Returned by the finance reviewer or the paying authority.
RETURN = CONFIRM | {"finance": 200}
RETURN_OTHER = RETURN | {"district": 404, "principal": 404}
# Locked by the finance reviewer only.
LOCK = CONFIRM | {"district": 403, "finance": 200}
LOCK_OTHER = LOCK | {"district": 404, "principal": 404}


def _year(world, which: str) -> dict:
    group = world.group if which == "own" else world.other_group
    return {"group_id": group.pk, "year": YEAR}


def _ledger(world, which: str, status: str = Ledger.Status.DRAFT) -> dict:
    if which == "own":
        group, authority = world.group, world.shinan
    else:
        group, authority = world.other_group, world.laoshan
    now = timezone.now()
    ledger = Ledger.objects.create(
        group=group,
        authority=authority,
        fiscal_year=YEAR,
        status=status,
        computed_at=now,
        confirmed_at=now if status != Ledger.Status.DRAFT else None,
        locked_at=now if status == Ledger.Status.LOCKED else None,
    )
    return {"ledger_id": ledger.pk}


def _confirmed(world, which: str) -> dict:
    return _ledger(world, which, Ledger.Status.CONFIRMED)


def _locked(world, which: str) -> dict:
    return _ledger(world, which, Ledger.Status.LOCKED)


ROWS = [
    ("funding:group-year", "own", "get", GROUP_READ, _year),
    ("funding:group-year", "other", "get", OTHER_READ, _year),
    ("funding:group-compute", "own", "post", COMPUTE, _year),
    ("funding:group-compute", "other", "post", COMPUTE_OTHER, _year),
    ("funding:ledger-detail", "own", "get", GROUP_READ, _ledger),
    ("funding:ledger-detail", "other", "get", OTHER_READ, _ledger),
    ("funding:ledger-confirm", "own", "post", CONFIRM, _ledger),
    ("funding:ledger-confirm", "other", "post", CONFIRM_OTHER, _ledger),
    ("funding:ledger-return", "own", "post", RETURN, _confirmed),
    ("funding:ledger-return", "other", "post", RETURN_OTHER, _confirmed),
    ("funding:ledger-lock", "own", "post", LOCK, _confirmed),
    ("funding:ledger-lock", "other", "post", LOCK_OTHER, _confirmed),
    ("funding:ledger-verify", "own", "get", GROUP_READ, _locked),
    ("funding:ledger-verify", "other", "get", OTHER_READ, _locked),
]

# Posting in a state where the step is not allowed: confirming a locked ledger, returning a
# draft, locking a draft.
WRONG_STATE = {
    "funding:ledger-confirm": _locked,
    "funding:ledger-return": _ledger,
    "funding:ledger-lock": _ledger,
}
# Computing a year is idempotent and moves no state of its own (each ledger it touches goes
# through the workflow runner).
POST_WITHOUT_STATE = {"funding:group-compute"}
READ_ONLY = {"funding:group-year", "funding:ledger-detail", "funding:ledger-verify"}

# The staffing office reads staffing requests, not money (funding.ledgers.permissions.
# can_view_group_funding): a group's ledgers are not found for it.
ROWS = [
    (name, which, method, expected | {"staffing": 404}, build)
    for name, which, method, expected, build in ROWS
]
