"""The enrollment plan list's export (issue 8): the plans the user sees, under the page's
filters and in its order, read as plain values (policy L-7)."""

from __future__ import annotations

from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from groups.enrollment.filters import PlanFilter
from groups.enrollment.models import EnrollmentPlan
from groups.enrollment.selectors import enrollment_plan_list_for_user
from members.models import User
from qingdao_groups.core.exports import ExportQuery, ListExport, local_date, spec_of
from qingdao_groups.core.labels import choice_labels

PLANS_SPEC = spec_of(
    "招生计划",
    (_("学校"), 28),
    (_("主管部门"), 24),
    (_("招生年度"), 10),
    (_("计划招生人数"), 12),
    (_("计划班数"), 10),
    (_("招生方式"), 14),
    (_("贯通培养"), 10),
    (_("拔尖创新人才培养"), 12),
    (_("访学"), 8),
    (_("状态"), 10),
    (_("报送日期"), 12),
)
_FIELDS = (
    "school__name",
    "school__authority__name",
    "year",
    "places",
    "classes",
    "method",
    "through_training",
    "gifted_programme",
    "visiting_study",
    "status",
    "filed_at",
)


def plans_query(user: User, params: QueryDict) -> ExportQuery:
    qs = PlanFilter(params, queryset=enrollment_plan_list_for_user(user=user)).qs
    methods, statuses = (choice_labels(EnrollmentPlan, f) for f in ("method", "status"))
    yes, no = gettext("是"), gettext("否")

    def row(values: tuple) -> list:
        school, authority, year, places, classes, method, through, gifted, visiting = values[:9]
        status, filed = values[9:]
        return [
            school,
            authority,
            year,
            places,
            classes,
            str(methods.get(method, method)),
            yes if through else no,
            yes if gifted else no,
            yes if visiting else no,
            str(statuses.get(status, status)),
            local_date(filed),
        ]

    return ExportQuery(qs.order_by("-year", "school__name", "pk"), _FIELDS, row)


PLANS_EXPORT = ListExport(
    key="plans",
    title=_("招生计划"),
    spec=PLANS_SPEC,
    query=plans_query,
    stem="enrollment-plans",
    list_url="enrollment:plan-list",
)
