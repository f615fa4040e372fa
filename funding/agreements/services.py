"""Members' cooperation agreements, and the payments recorded against their yearly receivables
(policy F-2, 谁受益谁出资: a member under another unit, or its authority, pays the core school
the fee its agreement sets).

Receivables are not written here: the ledger computation (`funding.ledgers.services.
ledgers_compute` → `_receivables_sync`) keeps each year's receivable equal to the sum of the
agreement's F-2 lines in that year's ledgers. Editing an agreement never touches a locked
ledger: the next computation books the difference as adjustment lines.

Every service is atomic, keyword-only, takes the acting user as `actor` and `now` (default the
real clock), checks the person gate (permissions.py, PermissionDenied) before reading any state,
and refuses with `RuleRefusal` (a form error, nothing saved)."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.files import File
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from funding.agreements.models import Agreement, Payment, Receivable
from funding.agreements.permissions import can_manage_agreements, can_record_payment
from funding.rates.models import MAX_RATE
from funding.rules import fen, money_text
from groups.charter.models import GroupDocument
from groups.registry.models import EducationGroup, Membership
from members.models import School, User
from qingdao_groups.core.documents import attachment_add
from qingdao_groups.core.rules import RuleRefusal, require
from qingdao_groups.core.workflow import stamp
from qingdao_groups.models import Attachment

TITLE_MAX: int = Agreement._meta.get_field("title").max_length  # type: ignore[assignment]
NOTE_MAX = 2000  # a person's explanation: a text column, bounded by the form
CREATED = gettext_lazy("登记合作协议")
EDITED = gettext_lazy("修改合作协议")
PAID = gettext_lazy("登记到账")


def _money(value, *, field: str, allow_zero: bool) -> Decimal:
    """An amount of yuan as stored: two places, half-up; refused when absurd (F-2)."""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise RuleRefusal(_("请填写金额（元）。"), field=field) from None
    if not amount.is_finite():
        raise RuleRefusal(_("请填写金额（元）。"), field=field)
    if amount < 0 or (amount == 0 and not allow_zero):
        message = _("金额不能为负数。") if amount < 0 else _("金额必须大于 0。")
        raise RuleRefusal(message, field=field)
    if amount > MAX_RATE:
        raise RuleRefusal(
            _("金额不能超过 %(max)s 元，请检查是否多输了位数。") % {"max": money_text(MAX_RATE)},
            field=field,
        )
    return fen(amount)


def _clean_terms(
    *,
    title: str,
    fee,
    period: str,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
    payer: str,
    due_month: int,
) -> tuple[str, Decimal]:
    """The terms of an agreement as stored, or a refusal naming the field (policy F-2)."""
    title = (title or "").strip()
    if not title:
        raise RuleRefusal(_("请填写协议名称。"), field="title")
    if len(title) > TITLE_MAX:
        raise RuleRefusal(_("协议名称不能超过 %(n)s 个字。") % {"n": TITLE_MAX}, field="title")
    fee = _money(fee, field="fee", allow_zero=True)
    if period not in Agreement.Period.values:
        raise RuleRefusal(_("请选择计费周期。"), field="period")
    if payer not in Agreement.Payer.values:
        raise RuleRefusal(_("请选择付款方：成员校或其主管教育行政部门。"), field="payer")
    if not isinstance(due_month, int) or not 1 <= due_month <= 12:
        raise RuleRefusal(_("付款截止月份须在 1 至 12 之间。"), field="due_month")
    if starts_on is None:
        raise RuleRefusal(_("请填写协议开始日期。"), field="starts_on")
    if ends_on is None:
        raise RuleRefusal(_("请填写协议结束日期。"), field="ends_on")
    if ends_on < starts_on:
        raise RuleRefusal(
            _("协议结束日期（%(end)s）不能早于开始日期（%(start)s）。")
            % {"end": ends_on.isoformat(), "start": starts_on.isoformat()},
            field="ends_on",
        )
    return title, fee


def _member_of_group(
    group: EducationGroup, school_id: int, starts_on: datetime.date, ends_on: datetime.date
) -> Membership:
    """The school's membership of the group in force at some time of the agreement's term,
    from the membership API, locked against a second agreement at once; a clear refusal when
    the school is not a member of that group then (policy F-2: the agreement binds a member)."""
    members = Membership.objects.filter(
        group=group, school_id=school_id, role=Membership.Role.MEMBER
    )
    found = members.overlapping(starts_on, ends_on).order_by("-joined_on", "-id").first()
    if found is not None:
        return Membership.objects.select_for_update(of=("self",)).get(pk=found.pk)
    name = School.objects.filter(pk=school_id).values_list("name", flat=True).first()
    if name is None:
        raise RuleRefusal(_("请选择成员校。"), field="school")
    if not members.exists():
        raise RuleRefusal(
            _(
                "%(school)s不是%(group)s的成员校，不能为其登记合作协议"
                "（政策 F-2：合作协议约定的是集团成员校的费用）。"
            )
            % {"school": name, "group": group.name},
            field="school",
        )
    raise RuleRefusal(
        _(
            "%(school)s在%(group)s的成员期与协议期限（%(start)s 至 %(end)s）没有重叠："
            "协议须在其成员期内开始（政策 F-2）。"
        )
        % {
            "school": name,
            "group": group.name,
            "start": starts_on.isoformat(),
            "end": ends_on.isoformat(),
        },
        field="starts_on",
    )


def _refuse_overlap(
    membership: Membership,
    starts_on: datetime.date,
    ends_on: datetime.date,
    exclude: int | None = None,
) -> None:
    """One agreement per member at a time: two overlapping ones would bill the year twice."""
    other = (
        Agreement.objects.filter(
            membership=membership, starts_on__lte=ends_on, ends_on__gte=starts_on
        )
        .exclude(pk=exclude)  # type: ignore[misc]  # None excludes nothing
        .order_by("starts_on")
        .first()
    )
    if other is not None:
        raise RuleRefusal(
            _(
                "该成员校已有期限重叠的合作协议“%(title)s”（%(start)s 至 %(end)s），"
                "请修改原协议或调整期限（政策 F-2）。"
            )
            % {
                "title": other.title,
                "start": other.starts_on.isoformat(),
                "end": other.ends_on.isoformat(),
            },
            field="starts_on",
        )


def _copy_group_document(
    *, agreement: Agreement, document: GroupDocument, actor: User, now: datetime.datetime
) -> Attachment:
    """The group's existing agreement document (a founding's, kept as a group document) becomes
    the member agreement's attachment: its file is copied through the documents registry, so the
    agreement's file is checked, versioned and downloaded like any upload, and stays whatever
    happens to the group document."""
    if document.group_id != agreement.group_id or document.kind != GroupDocument.Kind.AGREEMENT:
        raise RuleRefusal(_("所选文件不是本集团的合作办学协议。"), field="group_document")
    if not document.file:
        raise RuleRefusal(
            _("所选集团文件没有上传文件，请直接上传协议文件。"), field="group_document"
        )
    try:
        handle = document.file.storage.open(document.file.name, "rb")
    except OSError:
        raise RuleRefusal(
            _("所选集团文件已无法读取，请直接上传协议文件。"), field="group_document"
        ) from None
    with handle:
        upload = File(handle, name=document.original_name or f"agreement-v{document.version}")
        return attachment_add(
            owner=agreement,
            kind=Attachment.Kind.AGREEMENT,
            uploaded_file=upload,
            actor=actor,
            now=now,
        )


@transaction.atomic
def agreement_create(
    *,
    group: EducationGroup,
    school_id: int,
    title: str,
    fee,
    period: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    payer: str,
    actor: User,
    due_month: int = 12,
    note: str = "",
    file=None,
    group_document: GroupDocument | None = None,
    now: datetime.datetime | None = None,
) -> Agreement:
    """Record a member's cooperation agreement and the fee it sets (policy F-2): by the group's
    core principal or its approving authority; for a school that is a member of the group at
    some time of the agreement's term (the membership API); the member school or its authority
    pays, the core school is paid; fee ≥ 0 and sane; ends_on ≥ starts_on; no other agreement of
    the member overlapping it. The agreement file is uploaded, or the group's existing agreement
    document copied, through the documents registry in the same transaction."""
    require(can_manage_agreements(actor, group))
    now = now or timezone.now()
    title, fee = _clean_terms(
        title=title,
        fee=fee,
        period=period,
        starts_on=starts_on,
        ends_on=ends_on,
        payer=payer,
        due_month=due_month,
    )
    if file and group_document is not None:
        raise RuleRefusal(
            _("请上传协议文件或选择集团已有的协议文件，二者选一。"), field="group_document"
        )
    membership = _member_of_group(group, school_id, starts_on, ends_on)
    _refuse_overlap(membership, starts_on, ends_on)
    agreement = Agreement(
        group=group,
        membership=membership,
        title=title,
        fee=fee,
        period=period,
        starts_on=starts_on,
        ends_on=ends_on,
        payer=payer,
        due_month=due_month,
        note=(note or "").strip(),
        created_by=actor,
        created_at=now,
    )
    stamp(agreement, actor=actor, reason=CREATED, now=now)
    agreement.save()
    if file:
        attachment_add(
            owner=agreement,
            kind=Attachment.Kind.AGREEMENT,
            uploaded_file=file,
            actor=actor,
            now=now,
        )
    elif group_document is not None:
        _copy_group_document(agreement=agreement, document=group_document, actor=actor, now=now)
    return agreement


STALE = gettext_lazy("该合作协议已被他人修改，请刷新页面查看最新内容后再修改。")
FIELDS = ("title", "fee", "period", "starts_on", "ends_on", "payer", "due_month", "note")


@transaction.atomic
def agreement_edit(
    *,
    agreement: Agreement,
    expected_version: int | None,
    title: str,
    fee,
    period: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    payer: str,
    actor: User,
    due_month: int = 12,
    note: str = "",
    file=None,
    now: datetime.datetime | None = None,
) -> Agreement:
    """Change an agreement's terms (policy F-2), by whoever may record it, on the version the
    form showed. Locked ledgers are not touched: the next computation of a locked year books
    the difference as adjustment lines, and the receivables follow the ledgers. A new file is
    stored as the agreement file's next version."""
    require(can_manage_agreements(actor, agreement.group))
    now = now or timezone.now()
    locked = Agreement.objects.select_for_update(of=("self",)).get(pk=agreement.pk)
    if expected_version is not None and locked.version != expected_version:
        raise RuleRefusal(STALE)
    title, fee = _clean_terms(
        title=title,
        fee=fee,
        period=period,
        starts_on=starts_on,
        ends_on=ends_on,
        payer=payer,
        due_month=due_month,
    )
    membership = Membership.objects.select_for_update(of=("self",)).get(pk=locked.membership_id)
    if not Membership.objects.filter(pk=membership.pk).overlapping(starts_on, ends_on).exists():
        raise RuleRefusal(
            _("新的协议期限（%(start)s 至 %(end)s）不在该校的成员期内（政策 F-2）。")
            % {"start": starts_on.isoformat(), "end": ends_on.isoformat()},
            field="starts_on",
        )
    _refuse_overlap(membership, starts_on, ends_on, exclude=locked.pk)
    values = dict(
        title=title,
        fee=fee,
        period=period,
        starts_on=starts_on,
        ends_on=ends_on,
        payer=payer,
        due_month=due_month,
        note=(note or "").strip(),
    )
    changed = [name for name in FIELDS if getattr(locked, name) != values[name]]
    if changed:
        for name in changed:
            setattr(locked, name, values[name])
        locked.version += 1
        stamp(locked, actor=actor, reason=EDITED, now=now)
        locked.save(update_fields=[*changed, "version"])
    if file:
        attachment_add(
            owner=locked, kind=Attachment.Kind.AGREEMENT, uploaded_file=file, actor=actor, now=now
        )
    return locked


def outstanding(receivable: Receivable) -> Decimal:
    """What is left to pay on a receivable: its amount minus the payments so far (F-2)."""
    paid = receivable.payments.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    return fen(receivable.amount - paid)


@transaction.atomic
def payment_record(
    *,
    receivable: Receivable,
    amount,
    paid_on: datetime.date,
    actor: User,
    note: str = "",
    now: datetime.datetime | None = None,
) -> Payment:
    """Record a payment received against a year's receivable (policy F-2): by the core
    principal (the payee) or the paying authority's staff; amount > 0, paid on a day not in the
    future, and never above the outstanding balance (receivable − payments so far). The
    receivable's row is locked first, so two payments at once cannot overpay together."""
    agreement = Agreement.objects.select_related("group", "membership__school").get(
        pk=receivable.agreement_id
    )
    require(can_record_payment(actor, agreement))
    now = now or timezone.now()
    amount = _money(amount, field="amount", allow_zero=False)
    if paid_on is None:
        raise RuleRefusal(_("请填写到账日期。"), field="paid_on")
    if paid_on > timezone.localdate(now):
        raise RuleRefusal(_("到账日期不能晚于今天。"), field="paid_on")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise RuleRefusal(_("备注不能超过 %(n)s 个字。") % {"n": NOTE_MAX}, field="note")
    locked = Receivable.objects.select_for_update(of=("self",)).get(pk=receivable.pk)
    balance = outstanding(locked)
    if amount > balance:
        paid = fen(locked.amount - balance)
        raise RuleRefusal(
            _(
                "到账金额 %(amount)s 元超过 %(year)s 年度应收款的未收余额 %(balance)s 元"
                "（应收 %(due)s 元，已到账 %(paid)s 元），未登记（政策 F-2）。"
            )
            % {
                "amount": money_text(amount),
                "year": locked.fiscal_year,
                "balance": money_text(balance),
                "due": money_text(locked.amount),
                "paid": money_text(paid),
            },
            field="amount",
        )
    payment = Payment(
        receivable=locked,
        amount=amount,
        paid_on=paid_on,
        note=note,
        recorded_by=actor,
        recorded_at=now,
    )
    stamp(payment, actor=actor, reason=PAID, now=now)
    payment.save()
    return payment
