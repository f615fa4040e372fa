"""generate_scale (issue 7): a tiny scale on PostgreSQL — counts, every constraint holding (the
rows went in through COPY, so the database checked each), the same rows for the same seed, and
a home page for each bench user."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from groups.applications.models import Application, CheckResult, Consent
from groups.applications.workflows import APPLICATION_TRANSITIONS
from groups.registry.models import EducationGroup, Membership
from members.models import Authority, District, School, User
from qingdao_groups.scale.generate import BENCH_PASSWORD, BENCH_USERNAMES, SCALES

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("generate_scale writes with PostgreSQL's COPY")


def generate(*args: str) -> str:
    out = io.StringIO()
    call_command("generate_scale", "--scale", "tiny", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, list[tuple]]:
    return {
        "schools": list(School.objects.order_by("id").values_list()),
        "groups": list(EducationGroup.objects.order_by("id").values_list()),
        "memberships": list(Membership.objects.order_by("id").values_list()),
        "applications": list(Application.objects.order_by("id").values_list()),
        # The generated people; not the API client's system account that picking the bench's
        # pages registers (issue 11: its name is random, and it is the bench's, not the data's).
        "users": list(
            User.objects.filter(is_system_account=False)
            .order_by("id")
            .values_list("username", "role", "school_id")
        ),
    }


def test_tiny_scale_is_valid_deterministic_and_usable(client):
    output = generate("--seed", "7", "--reset")
    assert "bench_principal" in output and BENCH_PASSWORD in output
    tiny = SCALES["tiny"]
    assert School.objects.count() == tiny.schools
    assert 0.75 * tiny.groups <= EducationGroup.objects.count() <= tiny.groups
    assert District.objects.count() == tiny.districts
    assert Authority.objects.districts().count() == tiny.districts
    # Five years of memberships: current ones, and ended by exit and by expulsion.
    assert Membership.objects.filter(left_on__isnull=True).count() >= tiny.schools // 2
    ended = set(Membership.objects.exclude(left_on=None).values_list("end_reason", flat=True))
    assert ended <= {"exit", "expulsion"} and "exit" in ended
    # Every application state, with consents and stored checks.
    assert set(Application.objects.values_list("status", flat=True)) == set(
        Application.Status.values
    )
    assert Consent.objects.exists() and CheckResult.objects.exists()
    assert School.history.count() == tiny.schools
    big = EducationGroup.objects.get(core_school__staff__username="bench_principal")
    assert big.memberships.current().count() == tiny.big_current
    # Every row is valid as the models see it too (the database checked its constraints).
    for school in School.objects.all()[:20]:
        school.full_clean()
    for membership in Membership.objects.all()[:50]:
        membership.full_clean(validate_constraints=False)

    for username in BENCH_USERNAMES:
        user = User.objects.get(username=username)
        assert user.check_password(BENCH_PASSWORD), username
        client.force_login(user)
        client.logout()

    # Every page the bench drives answers its role as the bench expects (the inbox once failed
    # on generated states no workflow can reach; the group's history and audit log joined the
    # bench with issue 8).
    from qingdao_groups.bench.targets import pick_pages

    usernames = {name.removeprefix("bench_"): name for name in BENCH_USERNAMES}
    pages = pick_pages(usernames)
    assert {"group history", "group audit log", "application list"} <= {p.name for p in pages}
    for page in pages:
        client.force_login(User.objects.get(username=usernames[page.role]))
        if page.method == "GET":
            assert client.get(page.path).status_code == page.expect, page.key
        client.logout()

    # Every application is in a state its kind's transition table can reach (L-1, L-3, L-5).
    for kind, table in APPLICATION_TRANSITIONS.items():
        reachable = {"draft"} | set(table.values())
        found = set(Application.objects.filter(kind=kind).values_list("status", flat=True))
        assert found <= reachable, (kind, found - reachable)

    first = snapshot()
    with pytest.raises(CommandError):
        generate("--seed", "7")  # data exists: refused without --reset
    generate("--seed", "7", "--reset")
    assert snapshot() == first
    generate("--seed", "8", "--reset")
    assert snapshot()["memberships"] != first["memberships"]


def test_the_generator_knows_which_states_are_open():
    """The generator writes with COPY, not the services: its list of unsettled states must be
    the workflow's, or it writes two open exits for a membership (L-5)."""
    from groups.applications.workflows import OPEN_STATUSES
    from qingdao_groups.scale.generate import OPEN_APPLICATION_STATUSES

    assert {str(s) for s in OPEN_STATUSES} == OPEN_APPLICATION_STATUSES


def test_tiny_scale_has_funding_facts_and_the_bench_computes_a_year():
    """Issue 9: rates for every authority and bench year, an agreement for every member under
    another authority than its core school (F-2), dispatches (F-4), spending (F-3), awards,
    staffing requests and principals' ranks; the bench's ledger_s computes the year for the
    whole data set from nothing, then again writing nothing (idempotent)."""
    from funding.agreements.models import Agreement
    from funding.dispatches.models import Dispatch
    from funding.ledgers.models import Ledger
    from funding.rates.models import RateTable
    from funding.spending.models import Spending
    from qingdao_groups.bench.runner import ledger_year, measure_ledgers
    from qingdao_groups.scale.generate import Generator

    generate("--seed", "3", "--reset")
    years = Generator(SCALES["tiny"]).funding_years()
    authorities = Authority.objects.count()
    for year in years:
        assert (
            RateTable.objects.filter(fiscal_year=year).values("authority").distinct().count()
            == authorities
        )
    for agreement in Agreement.objects.select_related("membership__school", "group__core_school"):
        assert agreement.membership.school.authority_id != agreement.group.core_school.authority_id
        agreement.full_clean()
    assert Dispatch.objects.exists() and Spending.objects.exists()
    for dispatch in Dispatch.objects.all()[:20]:
        dispatch.full_clean()
    assert User.objects.filter(role="core_principal").exclude(rank="").exists()

    figures = measure_ledgers()
    row = figures["ledger"]
    assert row["year"] == ledger_year() and row["ledgers"] > 0 and row["lines"] > 0
    assert row["second_run_written"] == 0 and row["second_run_unchanged"] == row["ledgers"]
    assert figures["ledger_s"] == row["seconds"] and row["kept"]
    kept = Ledger.objects.filter(fiscal_year=row["year"]).count()
    assert kept == row["ledgers"]
    again = measure_ledgers()["ledger"]  # computed before: measured from nothing, rolled back
    assert not again["kept"] and again["ledgers"] == row["ledgers"]
    assert Ledger.objects.filter(fiscal_year=row["year"]).count() == kept
