"""The A-5 targets on the home page, judged as of each target year's end. A module of its own:
it needs a database holding only its own groups (other modules share a built test world)."""

import datetime

from groups.registry.models import EducationGroup, Membership
from qingdao_groups.selectors import group_targets
from tests.factories import EducationGroupFactory

D = datetime.date
TODAY = D(2026, 3, 2)


def test_targets_count_the_groups_in_being_at_each_years_end(db):
    """Policy A-5: "10 groups by 2020" is judged on 2020-12-31, not on today's count."""
    for n in range(10):
        EducationGroupFactory(founded_on=D(2020, 12, 31) if n < 9 else D(2021, 1, 1))
    late = EducationGroupFactory(founded_on=D(2019, 1, 1))
    Membership.objects.filter(group=late, role="core").update(
        left_on=D(2020, 6, 1), end_reason="dissolution"
    )
    EducationGroup.objects.filter(pk=late.pk).update(status="dissolved", dissolved_on=D(2020, 6, 1))
    targets = {t["year"]: t for t in group_targets(today=TODAY)}
    assert (targets[2020]["actual"], targets[2020]["met"]) == (9, False)
    assert targets[2020]["as_of"] == D(2020, 12, 31)
    assert targets[2025]["actual"] == 10
