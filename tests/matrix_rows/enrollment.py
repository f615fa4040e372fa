"""Permission-matrix rows for enrollment plans (policy L-7).

"own" plans are the world's core school's (a 市南 school: the `district` user's bureau sets it,
the `principal` user files it); "other" plans are a 崂山 school's that no acting user is part of."""

from groups.enrollment.models import EnrollmentPlan

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
# Principals (core or member) file for their own school; nobody else does.
FILE = {
    "anon": 302,
    "city": 403,
    "district": 403,
    "principal": 200,
    "member": 200,
    "auditor": 403,
    "admin": 403,
}
# Only the school's own authority sets or returns the plan.
DECIDE_OWN = {
    "anon": 302,
    "city": 403,
    "district": 200,
    "principal": 403,
    "member": 403,
    "auditor": 403,
    "admin": 403,
}
DECIDE_OTHER = DECIDE_OWN | {"district": 404, "principal": 404, "member": 404}
REFILE_OWN = {
    "anon": 302,
    "city": 403,
    "district": 403,
    "principal": 200,
    "member": 403,
    "auditor": 403,
    "admin": 403,
}
REFILE_OTHER = REFILE_OWN | {"district": 404, "principal": 404, "member": 404}


def _plan(world, which: str, status: str = EnrollmentPlan.Status.FILED) -> dict:
    school = world.core if which == "own" else world.other_school
    plan = EnrollmentPlan.objects.create(
        school=school,
        year=2026,
        places=200,
        classes=5,
        catchment="测试片区",
        method=EnrollmentPlan.Method.CATCHMENT,
        status=status,
        filed_by=world.users["principal"],
        remarks="请核对人数" if status == EnrollmentPlan.Status.RETURNED else "",
    )
    return {"plan_id": plan.pk}


def _returned(world, which: str) -> dict:
    return _plan(world, which, EnrollmentPlan.Status.RETURNED)


ROWS = [
    ("enrollment:plan-list", None, "get", ALL_OK, None),
    ("enrollment:plan-file", None, "get", FILE, None),
    ("enrollment:plan-detail", "own", "get", ALL_OK, _plan),
    ("enrollment:plan-detail", "other", "get", OTHER_READ, _plan),
    ("enrollment:plan-decide", "own", "get", DECIDE_OWN, _plan),
    ("enrollment:plan-decide", "other", "get", DECIDE_OTHER, _plan),
    ("enrollment:plan-refile", "own", "get", REFILE_OWN, _returned),
    ("enrollment:plan-refile", "other", "get", REFILE_OTHER, _returned),
]


def _set(world, which: str) -> dict:
    return _plan(world, which, EnrollmentPlan.Status.SET)


# POST in a state where the action is not allowed (tests/test_permission_matrix.py).
WRONG_STATE = {"enrollment:plan-decide": _set, "enrollment:plan-refile": _plan}
POST_WITHOUT_STATE = {"enrollment:plan-file"}
READ_ONLY = {"enrollment:plan-list", "enrollment:plan-detail"}
