"""Reads of cooperation agreements, receivables and payments, scoped per user (policy F-2), with
the balances computed in the database so that list pages run a constant number of queries.

Who sees an agreement: whoever sees everything (city, auditors, the finance reviewer — read
only), the group's approving authority and core principal (the payee), the member school's
principal (their own agreement) and the member school's authority (what it or its school pays).
Everyone else gets 404."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from funding.agreements.models import Agreement, Payment, Receivable
from groups.charter.models import GroupDocument
from groups.registry.models import EducationGroup, Membership
from members.models import User

MONEY_FIELD: DecimalField = DecimalField(max_digits=14, decimal_places=2)
ZERO = Value(Decimal("0.00"), output_field=MONEY_FIELD)


def agreement_scope_q(user: User, prefix: str = "") -> Q | None:
    """The agreements `user` may see, as a filter (None: every one; see the module's text).

    A district's and a principal's share are two sets (the groups they approve or lead, the
    members they are or govern) read as one literal list of keys in one UNION query, each part
    by its own index: an OR across the two joins made PostgreSQL read every agreement of the
    nation (1.6 s for a district's receivables at nation scale)."""
    if user.sees_everything:
        return None
    if user.is_district_staff and user.authority_id:
        parts = (
            Agreement.objects.filter(group__authority_id=user.authority_id),
            Agreement.objects.filter(membership__school__authority_id=user.authority_id),
        )
    elif user.is_principal and user.school_id:
        parts = (
            Agreement.objects.filter(group__core_school_id=user.school_id),
            Agreement.objects.filter(membership__school_id=user.school_id),
        )
    else:
        return Q(pk__in=[])
    first, second = (part.order_by().values_list("pk", flat=True) for part in parts)
    keys = sorted(set(first.union(second)))
    return Q(**{f"{prefix}pk__in": keys})


def _scoped(qs: QuerySet, user: User, prefix: str = "") -> QuerySet:
    scope = agreement_scope_q(user, prefix)
    return qs if scope is None else qs.filter(scope)


def can_view_agreement(user: User, agreement: Agreement) -> bool:
    return _scoped(Agreement.objects.filter(pk=agreement.pk), user).exists()


def group_for_agreements(*, user: User, group_id: int) -> tuple[EducationGroup, bool]:
    """The group whose agreements the page lists, and whether the user sees all of them (the
    group's overseers and payee) or only those of their school or authority; 404 for anyone
    with nothing to see in the group."""
    try:
        group = EducationGroup.objects.select_related("core_school", "authority").get(pk=group_id)
    except EducationGroup.DoesNotExist as exc:
        raise Http404 from exc
    if (
        user.sees_everything
        or user.acts_for_authority(group.authority_id)
        or (user.is_principal and user.school_id == group.core_school_id)
    ):
        return group, True
    members = Membership.objects.filter(group=group, role=Membership.Role.MEMBER)
    if user.is_principal and user.school_id:
        members = members.filter(school_id=user.school_id)
    elif user.is_district_staff and user.authority_id:
        members = members.filter(school__authority_id=user.authority_id)
    else:
        raise Http404
    if members.exists():
        return group, False
    raise Http404


def with_balances(qs: QuerySet[Receivable], today: datetime.date) -> QuerySet[Receivable]:
    """Each receivable with what was paid, the balance (receivable − payments) and whether it is
    overdue (its due day has passed with a balance left), computed in the query (F-2)."""
    paid = (
        Payment.objects.filter(receivable=OuterRef("pk"))
        .order_by()
        .values("receivable")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return qs.annotate(
        paid=Coalesce(Subquery(paid, output_field=MONEY_FIELD), ZERO),
    ).annotate(
        balance=F("amount") - F("paid"),
        overdue=Case(
            When(Q(due_on__lt=today) & Q(amount__gt=F("paid")), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def agreement_list_for_user(*, user: User) -> QuerySet[Agreement]:
    return _scoped(Agreement.objects.all(), user)


def agreement_rows(
    *, user: User, group: EducationGroup, year: int, today: datetime.date | None = None
) -> QuerySet[Agreement]:
    """The group's agreements the user sees, each with the year's receivable, what was paid
    against it, and whether any of its receivables is overdue (F-2)."""
    today = today or timezone.localdate()
    year_receivable = Receivable.objects.filter(agreement=OuterRef("pk"), fiscal_year=year)
    year_paid = (
        Payment.objects.filter(receivable__agreement=OuterRef("pk"), receivable__fiscal_year=year)
        .order_by()
        .values("receivable__agreement")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    overdue = with_balances(Receivable.objects.filter(agreement=OuterRef("pk")), today).filter(
        overdue=True  # type: ignore[misc]  # an annotation of with_balances
    )
    return (
        agreement_list_for_user(user=user)
        .filter(group=group)
        .select_related("membership__school__authority")
        .annotate(
            year_amount=Subquery(year_receivable.values("amount")[:1], output_field=MONEY_FIELD),
            year_paid=Coalesce(Subquery(year_paid, output_field=MONEY_FIELD), ZERO),
            any_overdue=Exists(overdue),
        )
        .order_by("membership__school__name", "-starts_on", "id")
    )


def agreement_get_for_user(*, user: User, agreement_id: int) -> Agreement:
    try:
        return (
            agreement_list_for_user(user=user)
            .select_related(
                "group__core_school", "group__authority", "membership__school__authority"
            )
            .get(pk=agreement_id)
        )
    except Agreement.DoesNotExist as exc:
        raise Http404 from exc


def receivables_of(agreement: Agreement, today: datetime.date) -> list[Receivable]:
    """The agreement's receivables, newest year first, each with its balance and payments."""
    return list(
        with_balances(agreement.receivables.all(), today)
        .prefetch_related(
            Prefetch(
                "payments",
                queryset=Payment.objects.select_related("recorded_by").order_by("paid_on", "id"),
            )
        )
        .order_by("-fiscal_year")
    )


def receivable_list_for_user(*, user: User, today: datetime.date | None = None):
    """Every receivable the user sees across agreements (F-2), with balances, newest year
    first, the overdue ones first within a year."""
    today = today or timezone.localdate()
    qs = _scoped(Receivable.objects.all(), user, prefix="agreement__")
    return with_balances(
        qs.select_related(
            "agreement__group__core_school",
            "agreement__membership__school__authority",
        ),
        today,
    ).order_by("-fiscal_year", "-overdue", "due_on", "id")


def group_agreement_documents(group: EducationGroup) -> QuerySet[GroupDocument]:
    """The group's own agreement documents (a founding's agreements became group documents, not
    tied to the member they bind, policy L-1): offered to link to a member's agreement."""
    return GroupDocument.objects.filter(group=group, kind=GroupDocument.Kind.AGREEMENT).order_by(
        "-version"
    )
