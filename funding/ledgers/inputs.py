"""The facts a fiscal year's ledgers are computed from, read live or as the audit history held
them at a moment (issue 9: a locked year recomputed from the history as it stood when it was
locked gives the locked figures exactly).

One code path for both: each model is read from `Model.objects` or from
`Model.history.as_of(moment)` (django-simple-history: the latest historical row of each object
up to that moment, as instances), with plain filters and `values()`. Memberships are selected by
the membership-as-of-date API's own condition (`overlapping_q`), never by comparing dates here.
A handful of queries for any number of groups: the whole nation's year is read at once."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from funding import rules
from funding.agreements.models import Agreement
from funding.dispatches.models import Dispatch
from funding.rates.models import RateTable, SubsidyStageRate
from groups.registry.membership import overlapping_q
from groups.registry.models import EducationGroup, Membership
from members.models import Authority, School

CHUNK = 20_000


def _source(model, as_of: datetime.datetime | None):
    """`Model.objects`, or the audit history's latest row of each object up to `as_of`. Filter
    both by `id`, never `pk`: on the history a `pk__in` is the audit row's own id."""
    return model.history.as_of(as_of) if as_of else model.objects


def _rows(queryset, as_of: datetime.datetime | None, *fields: str) -> list[dict]:
    """`values(*fields)` ordered by id. From the history, one row per object: two audit rows of
    an object stamped with the same moment (a service saving twice with one `now`) are both
    "latest" to `as_of`; the later one (highest history_id) is what the object held."""
    if as_of is None:
        return list(queryset.values(*fields).order_by("id"))
    latest: dict[int, dict] = {}
    for row in queryset.values(*fields, "history_id").order_by("history_id"):
        latest[row["id"]] = {name: row[name] for name in fields}
    return [latest[key] for key in sorted(latest)]


def _in_chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ids = sorted(set(ids))
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


@dataclass
class YearFacts:
    year: int
    members: list[rules.MemberFacts] = field(default_factory=list)
    agreements: list[rules.AgreementFacts] = field(default_factory=list)
    dispatches: list[rules.DispatchFacts] = field(default_factory=list)
    rates: dict[int, rules.Rates] = field(default_factory=dict)
    group_ids: set[int] = field(default_factory=set)


def rates_for_year(year: int, *, as_of: datetime.datetime | None = None) -> dict[int, rules.Rates]:
    """The version of each authority's rate table in force for `year`: its highest version (as
    of `as_of`)."""
    latest: dict[int, dict] = {}
    for row in _rows(
        _source(RateTable, as_of).filter(fiscal_year=year),
        as_of,
        "id",
        "authority_id",
        "version",
        "proration",
        "reference_date",
        "subsidy_per_member",
        "transport_per_month",
        "lodging_per_month",
        "spring_term_starts",
        "autumn_term_starts",
    ):
        held = latest.get(row["authority_id"])
        if held is None or row["version"] > held["version"]:
            latest[row["authority_id"]] = row
    by_table: dict[int, dict[str, Decimal]] = defaultdict(dict)
    if latest:
        for row in _rows(
            _source(SubsidyStageRate, as_of).filter(
                table_id__in=[r["id"] for r in latest.values()]
            ),
            as_of,
            "id",
            "table_id",
            "stage",
            "amount",
        ):
            by_table[row["table_id"]][row["stage"]] = row["amount"]
    return {
        authority_id: rules.Rates(
            table_id=row["id"],
            authority_id=authority_id,
            year=year,
            version=row["version"],
            proration=row["proration"],
            reference_date=row["reference_date"],
            subsidy_default=row["subsidy_per_member"],
            subsidy_by_stage=dict(by_table[row["id"]]),
            transport_per_month=row["transport_per_month"],
            lodging_per_month=row["lodging_per_month"],
            spring_term_starts=row["spring_term_starts"],
            autumn_term_starts=row["autumn_term_starts"],
        )
        for authority_id, row in latest.items()
    }


def year_facts(
    year: int,
    *,
    group_ids: Iterable[int] | None = None,
    as_of: datetime.datetime | None = None,
) -> YearFacts:
    """Everything the rules need for `year`, for the given groups (all groups when None)."""
    first, last = rules.year_bounds(year)
    wanted = None if group_ids is None else set(group_ids)
    facts = YearFacts(year=year, rates=rates_for_year(year, as_of=as_of))

    memberships = _source(Membership, as_of).filter(
        overlapping_q(first, last), role=Membership.Role.MEMBER
    )
    groups = _source(EducationGroup, as_of)
    agreements = _source(Agreement, as_of).filter(starts_on__lte=last, ends_on__gte=first)
    dispatches = _source(Dispatch, as_of).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=first), starts_on__lte=last
    )
    if wanted is not None:
        memberships = memberships.filter(group_id__in=wanted)
        groups = groups.filter(id__in=wanted)
        agreements = agreements.filter(group_id__in=wanted)
        dispatches = dispatches.filter(group_id__in=wanted)

    member_rows = _rows(memberships, as_of, "id", "group_id", "school_id", "joined_on", "left_on")
    group_rows = {g["id"]: g for g in _rows(groups, as_of, "id", "core_school_id")}
    school_ids = {m["school_id"] for m in member_rows} | {
        g["core_school_id"] for g in group_rows.values()
    }
    schools: dict[int, dict] = {}
    school_source = _source(School, as_of)
    if wanted is None and as_of is None:
        rows = school_source.values("id", "name", "nature", "stage", "authority_id")
        schools = {s["id"]: s for s in rows.iterator(chunk_size=5000)}
    else:
        for chunk in _in_chunks(school_ids):
            for s in _rows(
                school_source.filter(id__in=chunk),
                as_of,
                "id",
                "name",
                "nature",
                "stage",
                "authority_id",
            ):
                schools[s["id"]] = s
    authority_names = {
        a["id"]: a["name"] for a in _rows(_source(Authority, as_of), as_of, "id", "name")
    }

    by_membership: dict[int, rules.MemberFacts] = {}
    for m in member_rows:
        group = group_rows.get(m["group_id"])
        school = schools.get(m["school_id"])
        core = schools.get(group["core_school_id"]) if group else None
        if group is None or school is None or core is None:
            continue
        fact = rules.MemberFacts(
            membership_id=m["id"],
            group_id=m["group_id"],
            school_id=school["id"],
            school_name=school["name"],
            school_nature=school["nature"],
            school_stage=school["stage"],
            school_authority_id=school["authority_id"],
            school_authority_name=authority_names.get(school["authority_id"], ""),
            core_school_id=core["id"],
            core_school_name=core["name"],
            core_authority_id=core["authority_id"],
            core_authority_name=authority_names.get(core["authority_id"], ""),
            joined_on=m["joined_on"],
            left_on=m["left_on"],
        )
        by_membership[m["id"]] = fact
        facts.members.append(fact)
        facts.group_ids.add(m["group_id"])

    for a in _rows(
        agreements, as_of, "id", "membership_id", "fee", "period", "starts_on", "ends_on", "payer"
    ):
        member = by_membership.get(a["membership_id"])
        if member is None:
            continue
        facts.agreements.append(
            rules.AgreementFacts(
                agreement_id=a["id"],
                member=member,
                fee=a["fee"],
                period=a["period"],
                starts_on=a["starts_on"],
                ends_on=a["ends_on"],
                payer=a["payer"],
            )
        )
    role_labels = dict(Dispatch.Role.choices)
    for d in _rows(
        dispatches, as_of, "id", "membership_id", "person_name", "role", "starts_on", "ends_on"
    ):
        member = by_membership.get(d["membership_id"])
        if member is None:
            continue
        facts.dispatches.append(
            rules.DispatchFacts(
                dispatch_id=d["id"],
                member=member,
                person_name=d["person_name"],
                role_label=str(role_labels.get(d["role"], d["role"])),
                starts_on=d["starts_on"],
                ends_on=d["ends_on"],
            )
        )
    return facts


def year_lines(facts: YearFacts) -> list[rules.LineDraft]:
    """Every line the rules give for the year, in a stable order."""
    lines: list[rules.LineDraft] = []
    for member in facts.members:
        lines += rules.subsidy_lines(facts.year, member, facts.rates.get(member.core_authority_id))
    for agreement in facts.agreements:
        lines += rules.agreement_lines(
            facts.year, agreement, facts.rates.get(agreement.member.school_authority_id)
        )
    for dispatch in facts.dispatches:
        lines += rules.dispatch_lines(
            facts.year, dispatch, facts.rates.get(dispatch.member.school_authority_id)
        )
    order = {"F-1": 0, "F-2": 1, "F-4": 2}
    lines.sort(
        key=lambda line: (
            line.group_id,
            line.ledger_authority_id,
            order[line.rule],
            line.member_school_id,
            line.subject_id,
            line.slot,
        )
    )
    return lines
