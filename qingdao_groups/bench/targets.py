"""The pages to measure, with object ids picked by querying the database once before the run
(each through the role's own selector, so every id is one the role may see)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from urllib.parse import quote

from django.db.models import Count
from django.utils import timezone

from groups.applications.models import Application
from groups.applications.selectors import application_list_for_user
from groups.registry.models import Membership
from groups.registry.selectors import group_list_for_user
from members.models import User
from members.selectors import school_list_for_user
from qingdao_groups.bench.exports import ExportTarget
from qingdao_groups.core.pagination import COUNT_CAP

GROUP_PAGE_SIZE = 25  # groups.registry.views.PAGE_SIZE
SCHOOL_PAGE_SIZE = 50  # members.views.PAGE_SIZE


@dataclass(frozen=True)
class Page:
    """One page as one role requests it; kind decides the target ratio (report.TARGET_RATIO)."""

    name: str
    role: str
    kind: str
    path: str
    method: str = "GET"
    form: dict = field(default_factory=dict)
    note: str = ""
    expect: int = 200
    # Extra request headers (an API client's `Authorization: Bearer …`); a page with headers is
    # requested without the role's session cookies.
    headers: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.name}:{self.role}"


def _search_term(name: str) -> str:
    """A selective piece of a real name (skipping a leading city prefix)."""
    text = name.removeprefix("青岛市")
    return text[:4] if len(text) >= 4 else text


def pick_pages(usernames: dict[str, str]) -> list[Page]:
    users = {role: User.objects.get(username=username) for role, username in usernames.items()}
    pages: list[Page] = []

    def add(name, role, kind, path, **kw):
        pages.append(Page(name, role, kind, path, **kw))

    for role in users:
        add("home", role, "home", "/")
        add("inbox", role, "home", "/applications/inbox/")
        # the work list filtered and ordered by deadline (issue 8): every role has one
        add(
            "work list by deadline",
            role,
            "home",
            "/applications/inbox/?due=week&sort=deadline",
            note="due within 7 days",
        )
        add("group list", role, "list", "/groups/")
        add("school list", role, "list", "/schools/")

    for role in ("city", "district"):
        user = users[role]
        groups = group_list_for_user(user=user)
        last = max(1, math.ceil(min(groups.count(), COUNT_CAP) / GROUP_PAGE_SIZE))
        add("group list deep", role, "list", f"/groups/?page={last}", note=f"page {last}")
        sample = groups.order_by("founded_on", "id")[groups.count() // 2 :].first()
        if sample:
            term = _search_term(sample.name)
            add("group search", role, "list", f"/groups/?q={quote(term)}", note=f"q={term}")
        schools = school_list_for_user(user=user)
        school_count = schools.count()
        if role == "city":
            # the last page a list offers (it lists the first COUNT_CAP rows)
            last = max(1, math.ceil(min(school_count, COUNT_CAP) / SCHOOL_PAGE_SIZE))
            add("school list deep", role, "list", f"/schools/?page={last}", note=f"page {last}")
        school = schools.order_by("name", "id")[school_count // 2 :].first()
        if school:
            term = _search_term(school.name)
            add("school search", role, "list", f"/schools/?q={quote(term)}", note=f"q={term}")

    for role in ("city", "district", "principal", "member"):
        group_id, size = _largest_group(users[role])
        if group_id:
            add("group detail", role, "detail", f"/groups/{group_id}/", note=f"{size} members")
            # the whole 集团历程 (issue 8), and the audit log for those who may read it
            add("group history", role, "detail", f"/groups/{group_id}/history/")
            if role in ("city", "district"):
                add("group audit log", role, "detail", f"/groups/{group_id}/audit/")
                # the dossier (案卷) request page (issue 10; its ZIP is built by the worker)
                add("group dossier", role, "detail", f"/assessments/dossiers/groups/{group_id}/")

    for role in ("city", "district"):
        school_id = _busiest_school(users[role])
        if school_id:
            add("school detail", role, "detail", f"/schools/{school_id}/")

    for role in ("city", "district", "principal"):
        application = _an_application(users[role])
        if application:
            add("application detail", role, "detail", f"/applications/{application.pk}/")

    for role in ("city", "district", "auditor"):
        add("card list", role, "list", "/cards/")
    for role in ("city", "district"):
        add("filing list", role, "list", "/filings/")
        add("application list", role, "list", "/applications/")
        add("plan list", role, "list", "/enrollment-plans/")

    _funding_pages(users, add)
    _practice_pages(users, add)
    # issue 10: the bureau's statistics, as the city and as a district
    for role in ("city", "district"):
        if role in users:
            add("dashboard", role, "home", "/dashboard/")
            add("dashboard schools outside", role, "list", "/dashboard/schools-outside/")
    _audit_pages(users, add)
    _framework_pages(users, add)
    _report_pages(add)
    _cycle_pages(users, add)
    _api_pages(users, add)
    # issue 12: one's own two-factor page, and the enrolment page (a replacement phone's QR code)
    for role in ("city", "principal"):
        if role in users:
            add("two-factor settings", role, "detail", "/accounts/two-factor/")
    if "city" in users:
        add("two-factor enrol", "city", "detail", "/accounts/two-factor/enrol/")

    for role in ("city", "district"):
        application = _decidable(users[role])
        if application:
            add(
                "decision POST",
                role,
                "post",
                f"/applications/{application.pk}/decide/",
                method="POST",
                form={"version": "0", "action": "approve", "reason": "bench", "conditions": ""},
                **_refusal(application),
            )
            break
    return pages


def _audit_pages(users: dict[str, User], add) -> None:
    """The auditors' desk (issue 10): the whole audit log as an auditor, unfiltered, by the
    person who changed most lately (the district's officer) and by the largest group."""
    auditor = users.get("auditor")
    if auditor is None:
        return
    add("audit log", "auditor", "list", "/audit/")
    district = users.get("district")
    if district is not None:
        add("audit log by person", "auditor", "list", f"/audit/?person={district.pk}")
    group_id, size = _largest_group(auditor)
    if group_id:
        add(
            "audit log by group",
            "auditor",
            "list",
            f"/audit/?group={group_id}",
            note=f"{size} members",
        )


def _report_pages(add) -> None:
    """Issue 10: a cycle's reports and one group report's page (the latest archived), when the
    data set has one (the bench's cycle_s keeps its first cycle)."""
    from assessments.reports.models import Report

    report = Report.objects.filter(scope=Report.Scope.GROUP).order_by("-pk").first()
    if report is None:
        return
    add("assessment reports", "city", "list", f"/assessments/reports/cycle/{report.cycle_id}/")
    add("assessment report", "city", "detail", f"/assessments/reports/{report.pk}/")


def _funding_pages(users: dict[str, User], add) -> None:
    """Issue 9's pages: a group's year and its money pages as its principal and its authority,
    an authority's year, the city's totals, every ledger, the largest ledger, the lists."""
    from funding.ledgers.models import Ledger

    year = timezone.localdate().year - 1  # the year `measure_ledgers` computes first
    for role in ("principal", "district", "city"):
        group_id, size = _largest_group(users[role])
        if not group_id:
            continue
        add("funding group year", role, "detail", f"/funding/ledgers/groups/{group_id}/{year}/")
        if role == "principal":
            add("funding spending", role, "detail", f"/funding/spending/groups/{group_id}/{year}/")
            add("funding agreements", role, "list", f"/funding/agreements/groups/{group_id}/")
            add("funding dispatches", role, "list", f"/funding/dispatches/groups/{group_id}/")
    district = users.get("district")
    if district is not None and district.authority_id:
        add(
            "funding authority year",
            "district",
            "list",
            f"/funding/authorities/{district.authority_id}/{year}/",
        )
        ledger = (
            Ledger.objects.filter(authority_id=district.authority_id, fiscal_year=year)
            .order_by("-line_count", "pk")
            .first()
        )
        if ledger:
            add(
                "funding ledger detail",
                "district",
                "detail",
                f"/funding/ledgers/{ledger.pk}/",
                note=f"{ledger.line_count} lines",
            )
    for role in ("city", "auditor"):
        add("funding city totals", role, "home", "/funding/city/")
        add("funding ledger list", role, "list", f"/funding/all-ledgers/?year={year}")
    for role in ("city", "district"):
        add("funding receivables", role, "list", "/funding/agreements/receivables/")
        add("funding rates", role, "list", "/funding/rates/")
    add("funding awards", "city", "list", "/funding/awards/")
    add("funding staffing", "city", "list", "/funding/staffing/")
    add("funding overview", "district", "home", "/funding/")


def _practice_pages(users: dict[str, User], add) -> None:
    """Good-practice cases (policy A-6): the public list (no login needed; the bench has no
    anonymous session, so it is requested as the city, which sees the same page), a search of
    it, the staff list and the newest published case."""
    from assessments.practice.models import PracticeCase

    add("practice public list", "city", "list", "/practice/")
    add("practice public search", "city", "list", f"/practice/?q={quote('教研')}", note="q=教研")
    for role in ("city", "district"):
        add("practice case list", role, "list", "/practice/manage/")
    case = (
        PracticeCase.objects.filter(status=PracticeCase.Status.PUBLISHED)
        .order_by("-published_at", "-id")
        .first()
    )
    if case:
        add("practice public case", "city", "detail", f"/practice/{case.pk}/")
        add("practice case", "city", "detail", f"/practice/manage/{case.pk}/")


def _framework_pages(users: dict[str, User], add) -> None:
    """Issue 10's assessment frameworks: the list, and the largest published framework's page
    (its whole tree, the worked example) as the city bureau and as a principal."""
    from django.db.models import Count

    from assessments.frameworks.models import Framework

    for role in ("city", "principal"):
        if role in users:
            add("framework list", role, "list", "/assessments/frameworks/")
    framework = (
        Framework.objects.filter(status=Framework.Status.PUBLISHED)
        .annotate(n=Count("dimensions__indicators"))
        .order_by("-n", "pk")
        .first()
    )
    if framework is not None:
        for role in ("city", "principal"):
            if role in users:
                add(
                    "framework page",
                    role,
                    "detail",
                    f"/assessments/frameworks/{framework.pk}/",
                    note=f"{framework.n} indicators",
                )


def _cycle_pages(users: dict[str, User], add) -> None:
    """The assessment cycles (issue 10): the list, the largest cycle's page and one group's part
    (the one with the most scores), each for the roles that read them."""
    from assessments.cycles.selectors import cycle_list_for_user, entry_list_for_user

    for role in ("city", "district", "principal", "auditor"):
        if role not in users:
            continue
        user = users[role]
        add("cycle list", role, "list", "/assessments/cycles/")
        cycle = (
            cycle_list_for_user(user=user)
            .annotate(n=Count("entries"))
            .order_by("-n", "-pk")
            .first()
        )
        if cycle is None:
            continue
        add("cycle detail", role, "detail", f"/assessments/cycles/{cycle.pk}/")
        entry = (
            entry_list_for_user(user=user, cycle=cycle).order_by().values_list("pk", flat=True)[:1]
        )
        entry_id = next(iter(entry), None)
        if entry_id:
            add("cycle group part", role, "detail", f"/assessments/cycles/parts/{entry_id}/")


# The API client the bench registers for the district bureau (issue 11), found again by name.
BENCH_API_CLIENT = "压测接口客户端"


def bench_api_token(district: User, city: User) -> str:
    """A fresh key for the district bureau's bench client (registered by the city bureau's user
    on the first run, its key rotated on the next ones: a key is shown only once)."""
    from api.models import ApiClient, Scope
    from api.services import api_client_register, api_key_rotate

    client = ApiClient.objects.filter(
        name=BENCH_API_CLIENT, authority_id=district.authority_id, revoked_at__isnull=True
    ).first()
    if client is None:
        _client, new = api_client_register(
            name=BENCH_API_CLIENT,
            scopes=[Scope.REGISTRY_READ.value],
            authority=district.authority,
            actor=city,
        )
    else:
        new = api_key_rotate(client=client, actor=city)
    return new.token


def _api_pages(users: dict[str, User], add) -> None:
    """Issue 11: the group list (with the members of the day) and the school list through the
    API as a district bureau's client (its key in `Authorization`), and the city's page of
    API clients."""
    if "city" in users:
        add("api client list", "city", "list", "/api/clients/")
    district, city = users.get("district"), users.get("city")
    if district is None or city is None or not district.authority_id:
        return
    headers = {"Authorization": f"Bearer {bench_api_token(district, city)}"}
    add("api group list", "district", "api", "/api/v1/groups/", headers=headers)
    add("api school list", "district", "api", "/api/v1/schools/", headers=headers)


# The whole data set (the city bureau sees every school), and one district bureau's share.
EXPORT_ROLES = ("city", "district")
EXPORT_FORMATS = ("xlsx", "csv")


def pick_exports(usernames: dict[str, str]) -> list[ExportTarget]:
    """The school export and the groups-with-members export (issue 8) in each format for each
    export role, with the number of rows the file must hold (the role's schools; the memberships
    of today in the role's groups), counted through the same selectors as the exports."""
    targets = []
    for role in EXPORT_ROLES:
        if role not in usernames:
            continue
        user = User.objects.get(username=usernames[role])
        count = school_list_for_user(user=user).count()
        targets += [ExportTarget(role, fmt, count) for fmt in EXPORT_FORMATS]
        members = (
            Membership.objects.current()
            .filter(group__in=group_list_for_user(user=user).order_by().values("pk"))
            .count()
        )
        targets += [ExportTarget(role, fmt, members, list="groups") for fmt in EXPORT_FORMATS]
    return targets


def _largest_group(user: User) -> tuple[int | None, int]:
    row = (
        Membership.objects.current()
        .filter(group__in=group_list_for_user(user=user).values("pk"))
        .values("group")
        .annotate(n=Count("id"))
        .order_by("-n", "group")
        .first()
    )
    return (row["group"], row["n"]) if row else (None, 0)


def _busiest_school(user: User) -> int | None:
    """A visible school with the longest membership history."""
    row = (
        Membership.objects.filter(school__in=school_list_for_user(user=user).values("pk"))
        .values("school")
        .annotate(n=Count("id"))
        .order_by("-n", "school")
        .first()
    )
    if row:
        return row["school"]
    school = school_list_for_user(user=user).order_by("id").first()
    return school.pk if school else None


def _an_application(user: User) -> Application | None:
    qs = application_list_for_user(user=user).order_by("-id")
    if user.school_id:
        own = qs.filter(applicant_school_id=user.school_id).first()
        if own:
            return own
    return qs.filter(status=Application.Status.UNDER_DECISION).first() or qs.first()


DECIDED = (
    Application.Status.APPROVED,
    Application.Status.APPROVED_WITH_CONDITIONS,
    Application.Status.REJECTED,
)


def _decidable(user: User) -> Application | None:
    """An application the user's bureau decides: one awaiting its decision if there is one,
    else one it has decided."""
    if not user.authority_id:
        return None
    qs = application_list_for_user(user=user).filter(deciding_authority_id=user.authority_id)
    return (
        qs.filter(status=Application.Status.UNDER_DECISION).order_by("id").first()
        or qs.filter(status__in=DECIDED).order_by("id").first()
    )


def _refusal(application: Application) -> dict:
    """The POST carries version 0, so nothing ever changes: an application awaiting the
    decision is locked and refused as stale, one already decided is refused as decided; either
    way the refusal redirects to its page with the message (post/redirect/get, issue 8: 302)."""
    if application.status == Application.Status.UNDER_DECISION:
        return {"note": "refused as stale (version 0), redirected", "expect": 302}
    return {"note": f"refused: already {application.status}, redirected", "expect": 302}
