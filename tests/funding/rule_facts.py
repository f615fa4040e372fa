"""Plain facts for the money rules' tests (`funding.rules` reads no database): a member, its
agreement, a dispatch and a rate table, with defaults a test overrides by keyword.

The world these stand for: a group whose core school sits under 市南 (authority 1); its members
under 市南 (same authority: F-1) or 市北 (authority 2: F-2, F-4 at 市北's rates)."""

import datetime
from decimal import Decimal

from funding import rules

D = datetime.date
SHINAN, SHIBEI = 1, 2
SINCE_2020 = D(2020, 9, 1)
NEW_YEAR_2025 = D(2025, 1, 1)
END_2027 = D(2027, 12, 31)
NAMES = {SHINAN: "市南区教育和体育局", SHIBEI: "市北区教育和体育局"}


def member(
    *,
    joined_on: datetime.date = SINCE_2020,
    left_on: datetime.date | None = None,
    authority: int = SHINAN,
    nature: str = "public",
    stage: str = "primary",
    membership_id: int = 11,
    school_id: int = 101,
) -> rules.MemberFacts:
    return rules.MemberFacts(
        membership_id=membership_id,
        group_id=7,
        school_id=school_id,
        school_name=f"成员校{school_id}",
        school_nature=nature,
        school_stage=stage,
        school_authority_id=authority,
        school_authority_name=NAMES[authority],
        core_school_id=100,
        core_school_name="核心校",
        core_authority_id=SHINAN,
        core_authority_name=NAMES[SHINAN],
        joined_on=joined_on,
        left_on=left_on,
    )


def rates(
    *,
    authority: int = SHINAN,
    year: int = 2025,
    subsidy: str = "60000",
    by_stage: dict[str, str] | None = None,
    transport: str = "0",
    lodging: str = "0",
    proration: str = rules.PRORATE_MONTHS,
    reference_date: datetime.date | None = None,
    spring: datetime.date | None = None,
    autumn: datetime.date | None = None,
    version: int = 1,
) -> rules.Rates:
    return rules.Rates(
        table_id=500 + authority,
        authority_id=authority,
        year=year,
        version=version,
        proration=proration,
        reference_date=reference_date,
        subsidy_default=Decimal(subsidy),
        subsidy_by_stage={k: Decimal(v) for k, v in (by_stage or {}).items()},
        transport_per_month=Decimal(transport),
        lodging_per_month=Decimal(lodging),
        spring_term_starts=spring,
        autumn_term_starts=autumn,
    )


def agreement(
    *,
    of: rules.MemberFacts | None = None,
    fee: str = "12000",
    period: str = rules.YEARLY,
    starts_on: datetime.date = NEW_YEAR_2025,
    ends_on: datetime.date = END_2027,
    payer: str = rules.PAYER_SCHOOL,
) -> rules.AgreementFacts:
    return rules.AgreementFacts(
        agreement_id=31,
        member=of or member(authority=SHIBEI),
        fee=Decimal(fee),
        period=period,
        starts_on=starts_on,
        ends_on=ends_on,
        payer=payer,
    )


def dispatch(
    *,
    of: rules.MemberFacts | None = None,
    starts_on: datetime.date = NEW_YEAR_2025,
    ends_on: datetime.date | None = None,
) -> rules.DispatchFacts:
    return rules.DispatchFacts(
        dispatch_id=41,
        member=of or member(authority=SHIBEI),
        person_name="王老师",
        role_label="骨干教师",
        starts_on=starts_on,
        ends_on=ends_on,
    )


__all__ = ["D", "SHIBEI", "SHINAN", "agreement", "dispatch", "member", "rates"]
