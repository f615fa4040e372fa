"""Permission-matrix rows for the assessment reports (policy A-1; issue 10).

A city cycle covers both world groups. "own" is the world group's report (led by a 市南 school,
approved by the 市南 bureau, the `district` user's; the `principal` leads it, the `member`'s
school is a member); "other" is the 崂山 group's. Reports are read by the group's principals,
its district, the organising authority (the city) and whoever sees the whole city; others get
404. Only the organising authority or the city bureau makes a new version."""

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
OTHER = ALL_OK | {"district": 404, "principal": 404, "member": 404}
REGENERATE = {
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


def _cycle(world):
    from tests.assessments.builders import make_published_cycle

    return make_published_cycle(world)


def _cycle_kwargs(world, which) -> dict:
    from tests.assessments.builders import archive_fake_report

    cycle = _cycle(world)
    archive_fake_report(cycle, group=world.group)
    archive_fake_report(cycle, group=world.other_group)
    return {"cycle_id": cycle.pk}


def _report_kwargs(world, which) -> dict:
    from tests.assessments.builders import archive_fake_report

    cycle = _cycle(world)
    report = archive_fake_report(cycle, group=world.group if which == "own" else world.other_group)
    return {"report_id": report.pk}


ROWS = [
    ("reports:cycle", None, "get", ALL_OK, _cycle_kwargs),
    ("reports:detail", "own", "get", ALL_OK, _report_kwargs),
    ("reports:detail", "other", "get", OTHER, _report_kwargs),
    ("reports:pdf", "own", "get", ALL_OK, _report_kwargs),
    ("reports:pdf", "other", "get", OTHER, _report_kwargs),
    ("reports:regenerate", "own", "post", REGENERATE, _report_kwargs),
]

WRONG_STATE: dict = {}
# A new version can be made of any report at any time (a report exists only for a published
# cycle): no state to be wrong.
POST_WITHOUT_STATE = {"reports:regenerate"}
READ_ONLY = {"reports:cycle", "reports:detail", "reports:pdf"}
