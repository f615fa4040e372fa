"""The ledger pages (issue 9; policy F-1, F-2, F-4): a group's fiscal year, one ledger with its
steps, and the 复核 of a locked ledger. Thin views: access (a person who may not act → 403; a
group or ledger outside the reader's scope → 404) → form → service → message → redirect."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from funding.ledgers.explain import explain
from funding.ledgers.forms import LedgerConfirmForm, LedgerLockForm, LedgerReturnForm
from funding.ledgers.models import Ledger
from funding.ledgers.permissions import (
    can_compute_group_ledgers,
    can_confirm_ledger,
    can_lock_ledger,
    can_return_ledger,
)
from funding.ledgers.selectors import (
    YEAR_MAX,
    YEAR_MIN,
    group_funding_for_user,
    group_ledger_years,
    group_year_ledgers,
    ledger_get_for_user,
    ledger_verify,
    rule_sections,
    year_totals,
)
from funding.ledgers.services import (
    SEPARATION,
    ledger_confirm,
    ledger_lock,
    ledger_return,
    ledgers_compute,
)
from funding.ledgers.workflows import LEDGER_TRANSITIONS, LedgerAction, LedgerStatus
from qingdao_groups.core.exports import registered_exports
from qingdao_groups.core.history import history_rows
from qingdao_groups.core.rules import RuleRefusal, add_form_error, require
from qingdao_groups.core.workflow import StaleVersion, can_move

# The export another part of issue 9 registers for ledger lines; the pages offer its buttons
# only when it exists.
LINES_EXPORT = "ledger-lines"


def _year(year: int) -> int:
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise Http404
    return year


def _explained(ledgers: list[Ledger]) -> None:
    """Each line carries its explanation (clause, inputs in words, formula) for the template."""
    for ledger in ledgers:  # attributes for the template only (setattr: not model fields)
        for line in ledger.lines.all():
            setattr(line, "explanation", explain(line))  # noqa: B010
        setattr(ledger, "sections", rule_sections(list(ledger.lines.all())))  # noqa: B010
        setattr(ledger, "statements", list(ledger.documents.all()))  # noqa: B010


@require_safe
def group_year_view(request, group_id: int, year: int):
    """A group's fiscal year: every ledger the reader may see, its lines by rule, each line
    explained on click; the group's income (F-1 and F-2 paid to the core school, policy F-3)."""
    year = _year(year)
    funding = group_funding_for_user(user=request.user, group_id=group_id)
    group = funding.group
    ledgers = group_year_ledgers(funding=funding, year=year)
    _explained(ledgers)
    years = group_ledger_years(funding=funding)
    return render(
        request,
        "funding/ledgers/group_year.html",
        {
            "group": group,
            "year": year,
            "full": funding.full,
            "ledgers": ledgers,
            "totals": year_totals(ledgers, group),
            "years": sorted(set(years) | {year}),
            "previous_year": year - 1 if year > YEAR_MIN else None,
            "next_year": year + 1 if year < YEAR_MAX else None,
            "can_compute": can_compute_group_ledgers(request.user, group).allowed,
            "lines_export": LINES_EXPORT in registered_exports(),
        },
    )


@require_POST
def group_compute_view(request, group_id: int, year: int):
    """Compute the group's year now (idempotent; a locked ledger gets adjustment lines in a
    supplement, never a rewrite; policy F-1, F-2, F-4)."""
    year = _year(year)
    funding = group_funding_for_user(user=request.user, group_id=group_id)
    if not funding.full:
        raise PermissionDenied
    require(can_compute_group_ledgers(request.user, funding.group))
    try:
        result = ledgers_compute(year=year, group_ids={funding.group.pk}, actor=request.user)
    except RuleRefusal as exc:
        messages.error(request, exc.message)
    else:
        text = _(
            "已计算 %(year)s 年度：新建 %(created)s 本台账，重新计算 %(rewritten)s 本，"
            "未变化 %(unchanged)s 本。"
        ) % {
            "year": year,
            "created": result.created,
            "rewritten": result.rewritten,
            "unchanged": result.unchanged,
        }
        if result.supplements:
            text += " " + _(
                "已锁定的台账不会改写：%(n)s 本补充台账记录与锁定数的差额（调整行）。"
            ) % {"n": result.supplements}
        messages.success(request, text)
    return redirect("funding:group-year", group_id=funding.group.pk, year=year)


def _history(ledger: Ledger) -> list:
    return list(
        history_rows(Ledger, pk=ledger.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )


def _render_detail(request, ledger: Ledger, bound: dict | None = None, status: int = 200):
    user = request.user
    _explained([ledger])
    version = {"version": ledger.version}
    forms_ = {
        "confirm": LedgerConfirmForm(prefix="confirm", initial=version),
        "return": LedgerReturnForm(prefix="return", initial=version),
        "lock": LedgerLockForm(prefix="lock", initial=version),
    } | (bound or {})
    may = {
        "confirm": can_confirm_ledger(user, ledger).allowed
        and can_move(LEDGER_TRANSITIONS, ledger.status, LedgerAction.CONFIRM),
        "return": can_return_ledger(user, ledger).allowed
        and can_move(LEDGER_TRANSITIONS, ledger.status, LedgerAction.RETURN),
        "lock": can_lock_ledger(user, ledger).allowed
        and can_move(LEDGER_TRANSITIONS, ledger.status, LedgerAction.LOCK),
    }
    return render(
        request,
        "funding/ledgers/ledger_detail.html",
        {
            "ledger": ledger,
            "group": ledger.group,
            "history": _history(ledger),
            "official_documents": getattr(ledger, "statements", []),
            "forms": forms_,
            "may": may,
            # The one who computed or confirmed it may not lock it: said before they try.
            "separated": may["lock"] and user.pk in (ledger.computed_by_id, ledger.confirmed_by_id),
            "separation_text": SEPARATION,
            "lines_export": LINES_EXPORT in registered_exports(),
        },
        status=status,
    )


@require_safe
def ledger_detail_view(request, ledger_id: int):
    ledger = ledger_get_for_user(user=request.user, ledger_id=ledger_id)
    return _render_detail(request, ledger)


def _step(request, ledger_id: int, *, form_class, prefix: str, rule, run):
    """One shape for every step: access (404), person gate (403, before any state is read),
    form, service, message, redirect. A stale form or a refusal for the state of things is said
    as a message over the ledger as it is now; a missing reason comes back with what was typed."""
    ledger = ledger_get_for_user(user=request.user, ledger_id=ledger_id)
    require(rule(request.user, ledger))
    form = form_class(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            message = run(ledger, form.cleaned_data)
        except RuleRefusal as exc:
            if isinstance(exc, StaleVersion) or exc.field not in form.fields:
                messages.error(request, exc.message)
                return redirect("funding:ledger-detail", ledger_id=ledger.pk)
            add_form_error(form, exc)
        else:
            messages.success(request, message)
            return redirect("funding:ledger-detail", ledger_id=ledger.pk)
    return _render_detail(request, ledger, bound={prefix: form})


@require_POST
def ledger_confirm_view(request, ledger_id: int):
    """The paying authority's staff confirm what they pay (policy F-1, F-2, F-4)."""

    def run(ledger, data):
        ledger_confirm(ledger=ledger, actor=request.user, expected_version=data["version"])
        return _("已确认台账，等待市财政局审核人员锁定。")

    return _step(
        request,
        ledger_id,
        form_class=LedgerConfirmForm,
        prefix="confirm",
        rule=can_confirm_ledger,
        run=run,
    )


@require_POST
def ledger_return_view(request, ledger_id: int):
    """A confirmed ledger goes back to draft with a reason (the finance reviewer or the paying
    authority)."""

    def run(ledger, data):
        ledger_return(
            ledger=ledger,
            actor=request.user,
            reason=data["reason"],
            expected_version=data["version"],
        )
        return _("已退回台账，待付款部门重新核对确认。")

    return _step(
        request,
        ledger_id,
        form_class=LedgerReturnForm,
        prefix="return",
        rule=can_return_ledger,
        run=run,
    )


@require_POST
def ledger_lock_view(request, ledger_id: int):
    """The finance reviewer locks a confirmed ledger; the one who computed or confirmed it is
    refused (separation of duties) and told so."""

    def run(ledger, data):
        ledger_lock(ledger=ledger, actor=request.user, expected_version=data["version"])
        return _("已锁定台账，结算单已归档（可在“正式文件”中下载）。")

    return _step(
        request, ledger_id, form_class=LedgerLockForm, prefix="lock", rule=can_lock_ledger, run=run
    )


@require_safe
def ledger_verify_view(request, ledger_id: int):
    """复核: a locked ledger recomputed from the audit history as it stood when it was locked,
    compared with the locked figures (issue 9: reproducibility). Computed only here, on demand,
    so the ledger page stays cheap."""
    ledger = ledger_get_for_user(user=request.user, ledger_id=ledger_id)
    if ledger.status != LedgerStatus.LOCKED:
        messages.info(request, _("只有已锁定的台账可以复核。"))
        return redirect("funding:ledger-detail", ledger_id=ledger.pk)
    return render(
        request,
        "funding/ledgers/ledger_verify.html",
        {"ledger": ledger, "group": ledger.group, "check": ledger_verify(ledger)},
    )
