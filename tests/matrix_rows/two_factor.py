"""Permission-matrix rows for the two-factor pages (issue 12).

Everyone signed in has their own two-factor page and enrolment; the matrix runs with the test
settings' TWO_FACTOR_ENFORCED off and nobody enrolled, so verification, the recovery codes and
their renewal send people on (302; tests/members/test_two_factor.py walks the real flow).
Resetting someone's lost device is for system administrators alone (403 for every other role),
on another person's account ("own": the world's member principal; "other": a 崂山 principal)."""

from tests.factories import UserFactory

ROLES = ["anon", "city", "district", "principal", "member", "auditor", "admin", "finance"]
ALL_OK = dict.fromkeys(ROLES, 200) | {"anon": 302}
ALL_ON = dict.fromkeys(ROLES, 302)
ADMIN_ONLY = dict.fromkeys(ROLES, 403) | {"anon": 302, "admin": 200}


def _person(world, which) -> dict:
    if which == "own":
        return {"user_id": world.users["member"].pk}
    from members.models import User

    other = UserFactory(role=User.Role.MEMBER_PRINCIPAL, school=world.other_school)
    return {"user_id": other.pk}


ROWS = [
    ("two-factor-settings", None, "get", ALL_OK, None),
    ("two-factor-enrol", None, "get", ALL_OK, None),
    ("two-factor-verify", None, "get", ALL_ON, None),
    ("two-factor-codes", None, "get", ALL_ON, None),
    ("two-factor-codes-renew", None, "post", ALL_ON, None),
    ("two-factor-disable", None, "post", ALL_ON, None),
    ("two-factor-reset", "own", "get", ADMIN_ONLY, _person),
    ("two-factor-reset", "other", "get", ADMIN_ONLY, _person),
    ("two-factor-reset", "own", "post", ADMIN_ONLY, _person),
]

WRONG_STATE: dict = {}
POST_WITHOUT_STATE = {"two-factor-codes-renew", "two-factor-disable", "two-factor-reset"}
READ_ONLY = {"two-factor-settings", "two-factor-enrol", "two-factor-verify", "two-factor-codes"}
