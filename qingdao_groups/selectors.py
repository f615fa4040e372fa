"""Reads of the home page: the figures of what a user may see, shared by everyone with the
same scope and cached until the registry changes (qingdao_groups.core.figures, issue 7)."""

import datetime

from django.db.models import F

from groups.registry.models import EducationGroup
from groups.registry.selectors import group_gap_counts, group_list_for_user, group_scope_key
from members.models import User
from members.selectors import school_list_for_user
from qingdao_groups.core.figures import shared_figures

# Policy A-5: at least 10 groups city-wide by 2020, at least 30 by 2025.
CITY_GROUP_TARGETS = ((2020, 10), (2025, 30))
HOME_GROUPS = 10  # the first groups the home page lists


def group_targets(*, today: datetime.date) -> list[dict]:
    """Policy A-5, each target judged by the groups in being at the end of its year (a year not
    yet over counts what is known today for its end: approved groups, not hopes)."""
    rows = []
    for year, target in CITY_GROUP_TARGETS:
        as_of = datetime.date(year, 12, 31)
        actual = EducationGroup.objects.active_on(as_of).count()
        rows.append(
            {
                "year": year,
                "target": target,
                "actual": actual,
                "as_of": as_of,
                "met": actual >= target,
            }
        )
    return rows


def home_figures(*, user: User, today: datetime.date) -> dict:
    """How many groups and schools `user` may see, the first groups by founding, how many of
    them have each registry gap, and for those who see the whole city the A-5 targets: computed once per scope (two officers of one
    district share them, two districts share nothing) and recomputed after any change to the
    registry."""

    def compute() -> dict:
        groups = group_list_for_user(user=user, today=today).order_by("founded_on", "id")
        figures = {
            "groups": list(
                groups.values(  # type: ignore[misc]  # member_count: the selector's annotation
                    "pk", "name", "member_count", core_school_name=F("core_school__name")
                )[:HOME_GROUPS]
            ),
            "group_count": groups.count(),
            "school_count": school_list_for_user(user=user).count(),
            # the registry gaps of "需要关注" (G-4, G-3, A-4): an aggregate over every group
            # the user sees, 700 ms at nation scale for the city (issue 8's bench)
            "gap_counts": group_gap_counts(user=user, today=today),
        }
        if user.sees_everything:
            figures["targets"] = group_targets(today=today)
        return figures

    scope = group_scope_key(user, today=today)
    return compute() if scope is None else shared_figures(f"home:{scope}", compute)
