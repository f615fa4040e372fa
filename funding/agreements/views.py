"""Members' cooperation agreements, receivables and payments (policy F-2, 谁受益谁出资):
access (person gate → 403, object outside the user's scope → 404) → form → service → message →
redirect (house style)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from funding.agreements.filters import ReceivableFilter
from funding.agreements.forms import AgreementCreateForm, AgreementEditForm, PaymentForm
from funding.agreements.models import Agreement
from funding.agreements.permissions import can_manage_agreements, can_record_payment
from funding.agreements.selectors import (
    agreement_get_for_user,
    agreement_rows,
    group_agreement_documents,
    group_for_agreements,
    receivable_list_for_user,
    receivables_of,
)
from funding.agreements.services import agreement_create, agreement_edit, payment_record
from groups.registry.models import Membership
from qingdao_groups.core.documents import attachments_of
from qingdao_groups.core.forms import keep_file_hint
from qingdao_groups.core.pagination import KeyFirstPaginator
from qingdao_groups.core.rules import RuleRefusal, add_form_error, require
from qingdao_groups.core.submissions import ALREADY_DONE, once

PAGE_SIZE = 25


def _year(request) -> int:
    value = request.GET.get("year", "")
    today = timezone.localdate()
    if value.isdigit() and 2000 <= int(value) <= today.year + 10:
        return int(value)
    return today.year


def agreement_list_view(request, group_id: int):
    """The group's agreements, one per member, with this year's receivable, paid and balance."""
    user = request.user
    group, sees_all = group_for_agreements(user=user, group_id=group_id)
    year = _year(request)
    rows = agreement_rows(user=user, group=group, year=year)
    page = KeyFirstPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for agreement in page:
        agreement.year_balance = (
            None if agreement.year_amount is None else agreement.year_amount - agreement.year_paid
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "funding/agreements/agreement_list.html",
        {
            "group": group,
            "sees_all": sees_all,
            "year": year,
            "years": range(timezone.localdate().year + 1, timezone.localdate().year - 6, -1),
            "page_obj": page,
            "query_string": query.urlencode(),
            "can_create": can_manage_agreements(user, group).allowed,
        },
    )


@dataclass(frozen=True)
class MemberChoice:
    school_id: int
    label: str


def _member_choices(group) -> list[MemberChoice]:
    today = timezone.localdate()
    choices: dict[int, MemberChoice] = {}
    memberships = (
        Membership.objects.filter(group=group, role=Membership.Role.MEMBER)
        .select_related("school")
        .order_by("school__name", "-joined_on")
    )
    for m in memberships:
        if m.school_id not in choices:
            state = m.state_on(today)
            choices[m.school_id] = MemberChoice(m.school_id, f"{m.school.name}（{state.label}）")
    return list(choices.values())


def agreement_create_view(request, group_id: int):
    """The core principal or the group's authority records a member's agreement (F-2)."""
    group, _sees_all = group_for_agreements(user=request.user, group_id=group_id)
    require(can_manage_agreements(request.user, group))
    documents = group_agreement_documents(group)
    form = AgreementCreateForm(
        request.POST or None,
        request.FILES or None,
        members=_member_choices(group),
        documents=documents,
        initial={"school": request.GET.get("school", "")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def create():
            return agreement_create(
                group=group,
                school_id=data["school"],
                title=data["title"],
                fee=data["fee"],
                period=data["period"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                payer=data["payer"],
                due_month=data["due_month"],
                note=data["note"],
                file=data.get("file"),
                group_document=data.get("group_document"),
                actor=request.user,
            )

        try:
            agreement, created = once(data["submission"], request.user, create)
        except RuleRefusal as exc:
            add_form_error(form, exc)
        else:
            if created:
                messages.success(
                    request,
                    _("已登记合作协议：%(title)s。应收款在下次计算台账时生成。")
                    % {"title": agreement.title},
                )
            else:
                messages.info(request, ALREADY_DONE)
            return redirect("funding:agreement-detail", agreement_id=agreement.pk)
    if request.method == "POST":
        keep_file_hint(form)
    return render(
        request,
        "funding/agreements/agreement_form.html",
        {"form": form, "group": group, "agreement": None},
    )


def _detail_context(request, agreement: Agreement, payment_form: PaymentForm | None = None):
    today = timezone.localdate()
    receivables = receivables_of(agreement, today)
    may_pay = can_record_payment(request.user, agreement).allowed
    open_receivables = [r for r in receivables if r.balance > 0]
    if may_pay and payment_form is None and open_receivables:
        payment_form = PaymentForm(
            receivables=open_receivables,
            initial={"paid_on": today, "receivable": open_receivables[-1].pk},
            prefix="pay",
        )
    return {
        "agreement": agreement,
        "group": agreement.group,
        "membership": agreement.membership,
        "receivables": receivables,
        "attachments": list(
            attachments_of(agreement)
            .select_related("uploaded_by")
            .defer("text")
            .order_by("-version", "-pk")
        ),
        "payment_form": payment_form if may_pay else None,
        "may_pay": may_pay,
        "can_edit": can_manage_agreements(request.user, agreement.group).allowed,
        "today": today,
    }


def agreement_detail_view(request, agreement_id: int):
    agreement = agreement_get_for_user(user=request.user, agreement_id=agreement_id)
    return render(
        request, "funding/agreements/agreement_detail.html", _detail_context(request, agreement)
    )


def agreement_edit_view(request, agreement_id: int):
    """The agreement's terms changed (F-2); locked ledgers get adjustments at the next run."""
    agreement = agreement_get_for_user(user=request.user, agreement_id=agreement_id)
    require(can_manage_agreements(request.user, agreement.group))
    initial = {
        name: getattr(agreement, name)
        for name in (
            "title",
            "fee",
            "period",
            "starts_on",
            "ends_on",
            "payer",
            "due_month",
            "note",
            "version",
        )
    }
    form = AgreementEditForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            agreement = agreement_edit(
                agreement=agreement,
                expected_version=data["version"],
                title=data["title"],
                fee=data["fee"],
                period=data["period"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                payer=data["payer"],
                due_month=data["due_month"],
                note=data["note"],
                file=data.get("file"),
                actor=request.user,
            )
        except RuleRefusal as exc:
            add_form_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "已修改合作协议。已锁定的台账不会改写：下次计算台账时，差额以调整项记入，"
                    "应收款随之更新。"
                ),
            )
            return redirect("funding:agreement-detail", agreement_id=agreement.pk)
    if request.method == "POST":
        keep_file_hint(form)
    return render(
        request,
        "funding/agreements/agreement_form.html",
        {"form": form, "group": agreement.group, "agreement": agreement},
    )


@require_POST
def payment_add_view(request, agreement_id: int):
    """The payee or the paying authority records a payment against a year's receivable (F-2);
    never above the outstanding balance."""
    agreement = agreement_get_for_user(user=request.user, agreement_id=agreement_id)
    require(can_record_payment(request.user, agreement))
    receivables = {r.pk: r for r in receivables_of(agreement, timezone.localdate())}
    form = PaymentForm(request.POST, receivables=list(receivables.values()), prefix="pay")
    if form.is_valid():
        data = form.cleaned_data
        receivable = receivables[data["receivable"]]
        try:
            payment, created = once(
                data["submission"],
                request.user,
                lambda: payment_record(
                    receivable=receivable,
                    amount=data["amount"],
                    paid_on=data["paid_on"],
                    note=data["note"],
                    actor=request.user,
                ),
            )
        except RuleRefusal as exc:
            add_form_error(form, exc)
        else:
            if created:
                messages.success(
                    request,
                    _("已登记 %(year)s 年度到账 %(amount)s 元。")
                    % {"year": receivable.fiscal_year, "amount": f"{payment.amount:,.2f}"},
                )
            else:
                messages.info(request, ALREADY_DONE)
            return redirect("funding:agreement-detail", agreement_id=agreement.pk)
    context = _detail_context(request, agreement, payment_form=form)
    return render(request, "funding/agreements/agreement_detail.html", context, status=200)


def receivable_list_view(request):
    """Balances and overdue receivables across the agreements in the user's scope (F-2)."""
    user = request.user
    filterset = ReceivableFilter(request.GET or None, queryset=receivable_list_for_user(user=user))
    page = KeyFirstPaginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "funding/agreements/receivable_list.html",
        {
            "form": filterset.form,
            "page_obj": page,
            "query_string": query.urlencode(),
        },
    )
