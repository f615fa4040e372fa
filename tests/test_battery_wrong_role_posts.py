"""Issue 12's battery: every URL of the page matrix, POSTed by every role it refuses, answers
403 or 404 (the anonymous: the login page) and changes nothing at all.

"Nothing" is read from PostgreSQL's own counters for the test's transaction
(pg_stat_xact_user_tables: rows inserted, updated and deleted in any table so far), before and
after the refused POSTs, so a write to a table without history, a notification, an outbox row
or a half-done update would show too. Only the session row (the idle-time stamp) may move.

The matrix's rows and expectations are tests/test_permission_matrix.py's (and
tests/matrix_rows/): a GET page that refuses a role is POSTed as well, since its view handles
the form's POST. The API's endpoints are tests/api/test_api_matrix.py's (it asserts the same
for keys of every scope)."""

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from tests.test_permission_matrix import MATRIX, _kwargs, _roles_for

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="reads PostgreSQL's per-transaction write counters; set DATABASE_URL",
    ),
]

# Rows that only sign in or out, or choose a language: any role "changes" its own session.
NOT_STATE_CHANGING = {"login", "logout", "set_language"}
ALLOWED_TO_MOVE = {"django_session"}
# Rows POSTed in the battery: (name, which) with the roles the matrix refuses.
ROWS = {}
for name, which, _method, expected, build in MATRIX:
    if name in NOT_STATE_CHANGING:
        continue
    refused = [
        role
        for role in _roles_for(name)
        if expected[role] in (403, 404) or (role == "anon" and expected[role] == 302)
    ]
    ROWS.setdefault((name, which), (build, set()))[1].update(refused)
CASES = sorted(
    ((name, which, build, sorted(roles)) for (name, which), (build, roles) in ROWS.items()),
    key=lambda case: (case[0], str(case[1])),
)


def writes() -> dict[str, tuple[int, int, int]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_xact_user_tables "
            "WHERE n_tup_ins + n_tup_upd + n_tup_del > 0"
        )
        return {
            table: counts for table, *counts in cursor.fetchall() if table not in ALLOWED_TO_MOVE
        }


@pytest.mark.parametrize(
    ("name", "which", "build", "roles"),
    [pytest.param(*case, id=f"{case[0]}-{case[1]}") for case in CASES],
)
def test_refused_posts_answer_403_or_404_and_write_nothing(
    client, world, name, which, build, roles
):
    url = reverse(name, kwargs=_kwargs(name, which, world, build))
    for role in roles:
        client.logout()
        if role != "anon":
            client.force_login(world.users[role])
        before = writes()
        response = client.post(url, {"reason": "越权尝试", "note": "x", "decision": "approve"})
        after = writes()
        if response.status_code == 302:  # only the anonymous, sent to sign in
            assert role == "anon", (name, which, role)
            assert response["Location"].startswith(("/accounts/login/", "/admin/login/")), name
        else:
            assert response.status_code in (403, 404, 405), (
                name,
                which,
                role,
                response.status_code,
            )
        changed = {t: (before.get(t), c) for t, c in after.items() if before.get(t) != c}
        assert not changed, (name, which, role, changed)


def test_the_battery_covers_every_refused_row():
    """The figure for the note: how many refused POSTs the battery makes."""
    total = sum(len(roles) for *_rest, roles in CASES)
    assert len(CASES) > 150 and total > 600, (len(CASES), total)
