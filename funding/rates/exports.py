"""The rate-table list's export (policy F-1, F-4): the versions in force under the page's
filters, in its order, read as plain values."""

from __future__ import annotations

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from funding.rates.filters import RateTableFilter
from funding.rates.models import RateTable
from funding.rates.selectors import rate_tables_in_force
from members.models import User
from qingdao_groups.core.exports import ExportQuery, ListExport, local_date, spec_of
from qingdao_groups.core.labels import choice_labels

RATES_SPEC = spec_of(
    "费率表",
    (_("主管部门"), 24),
    (_("财政年度"), 10),
    (_("现行版本"), 10),
    (_("版本数"), 8),
    (_("成员校专项奖补（元/校/年）"), 16),
    (_("跨年度折算方式"), 24),
    (_("基准日"), 12),
    (_("交通补助（元/人/月）"), 14),
    (_("食宿补助（元/人/月）"), 14),
    (_("录入时间"), 12),
)
_FIELDS = (
    "authority__name",
    "fiscal_year",
    "version",
    "n_versions",
    "subsidy_per_member",
    "proration",
    "reference_date",
    "transport_per_month",
    "lodging_per_month",
    "created_at",
)


def rates_query(user: User, params: QueryDict) -> ExportQuery:
    filterset = RateTableFilter(params, queryset=rate_tables_in_force())
    prorations = choice_labels(RateTable, "proration")

    def row(values: tuple) -> list:
        authority, year, version, n, subsidy, proration, ref, transport, lodging, at = values
        return [
            authority,
            year,
            version,
            n,
            subsidy,
            str(prorations.get(proration, proration)),
            ref,
            transport,
            lodging,
            local_date(at),
        ]

    return ExportQuery(filterset.qs, _FIELDS, row)


RATES_EXPORT = ListExport(
    key="rates",
    title=_("费率表"),
    spec=RATES_SPEC,
    query=rates_query,
    stem="rates",
    list_url="funding:rate-list",
)
