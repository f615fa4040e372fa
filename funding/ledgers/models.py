"""Yearly ledgers and their lines (policy F-1, F-2, F-4; DESIGN.md "Money").

A ledger is one group's fiscal year as one paying authority sees it: every line it confirms is
paid by that authority or by a school under it. A group whose members sit under several
authorities has one ledger per paying authority, so each authority confirms what it pays and
nothing else. `sequence` 1 is the year's ledger; 2, 3 … are supplements holding adjustment lines
computed after the earlier ones were locked."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from funding.agreements.models import Agreement
from funding.dispatches.models import Dispatch
from funding.ledgers.workflows import LedgerStatus
from funding.rates.models import MONEY
from groups.registry.models import EducationGroup, Membership
from members.models import Authority, School
from qingdao_groups.models import OfficialDocument


class Ledger(models.Model):
    Status = LedgerStatus

    group = models.ForeignKey(
        EducationGroup, verbose_name=_("集团"), on_delete=models.PROTECT, related_name="+"
    )
    authority = models.ForeignKey(
        Authority, verbose_name=_("付款教育行政部门"), on_delete=models.PROTECT, related_name="+"
    )
    fiscal_year = models.PositiveSmallIntegerField(_("财政年度"))
    sequence = models.PositiveSmallIntegerField(_("序号"), default=1)
    status = models.CharField(
        _("状态"), max_length=20, choices=LedgerStatus.choices, default=LedgerStatus.DRAFT
    )
    total = models.DecimalField(_("合计（元）"), default=0, **MONEY)
    # The sums per rule (F-1, F-2, F-4) of the lines, written with them (services._rule_totals).
    total_f1 = models.DecimalField(_("成员校专项奖补（元）"), default=0, **MONEY)
    total_f2 = models.DecimalField(_("合作协议费用（元）"), default=0, **MONEY)
    total_f4 = models.DecimalField(_("派驻人员补助（元）"), default=0, **MONEY)
    line_count = models.PositiveIntegerField(_("明细行数"), default=0)
    digest = models.CharField(_("明细摘要"), max_length=64, blank=True)
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("计算人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    locked_at = models.DateTimeField(_("锁定时间"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("锁定人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    version = models.PositiveIntegerField(default=1)
    documents = GenericRelation(
        OfficialDocument, content_type_field="owner_type", object_id_field="owner_id"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("经费台账")
        verbose_name_plural = _("经费台账")
        ordering = ["-fiscal_year", "group_id", "authority_id", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "authority", "fiscal_year", "sequence"], name="ledger_once"
            ),
            # At most one ledger of a (group, authority, year) is open (not locked) at a time.
            models.UniqueConstraint(
                fields=["group", "authority", "fiscal_year"],
                condition=~Q(status="locked"),
                name="ledger_one_open",
            ),
        ]
        indexes = [
            models.Index(fields=["authority", "fiscal_year"], name="ledger_authority_year_idx"),
            models.Index(fields=["fiscal_year", "status"], name="ledger_year_status_idx"),
            # The ledger list's order (funding/overview: newest year first, then group, paying
            # authority, sequence): its pages are cut on this index, not by sorting every ledger.
            models.Index(
                fields=["-fiscal_year", "group", "authority", "sequence", "id"],
                name="ledger_list_order_idx",
            ),
        ]

    def __str__(self) -> str:
        suffix = f"（补充{self.sequence - 1}）" if self.sequence > 1 else ""
        return f"{self.group} {self.fiscal_year}年度 · {self.authority}{suffix}"

    @property
    def is_supplement(self) -> bool:
        return self.sequence > 1


class LedgerLine(models.Model):
    """One line: (rule, subject — membership, agreement or dispatch —, period), payer, payee,
    clause, inputs, formula and amount. A line of 0 with `applicable=False` says why a member
    gets nothing under a rule (a private school, another authority's school). An adjustment
    books the difference against a locked line (`adjusts`) after the year was locked."""

    class Rule(models.TextChoices):
        F1 = "F-1", _("成员校专项奖补")
        F2 = "F-2", _("合作协议费用（谁受益谁出资）")
        F4 = "F-4", _("派驻人员补助")

    class Subject(models.TextChoices):
        MEMBERSHIP = "membership", _("成员关系")
        AGREEMENT = "agreement", _("合作协议")
        DISPATCH = "dispatch", _("派驻")

    class PartyKind(models.TextChoices):
        AUTHORITY = "authority", _("教育行政部门")
        SCHOOL = "school", _("学校")
        PERSON = "person", _("个人")

    ledger = models.ForeignKey(
        Ledger, verbose_name=_("台账"), on_delete=models.CASCADE, related_name="lines"
    )
    position = models.PositiveIntegerField(_("行号"))
    rule = models.CharField(_("规则"), max_length=5, choices=Rule.choices)
    subject_kind = models.CharField(_("对象"), max_length=12, choices=Subject.choices)
    slot = models.CharField(_("期次"), max_length=10, blank=True)
    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    dispatch = models.ForeignKey(
        Dispatch, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    member_school = models.ForeignKey(
        School, verbose_name=_("成员校"), on_delete=models.PROTECT, related_name="+"
    )
    payer_kind = models.CharField(max_length=10, choices=PartyKind.choices)
    payer_id = models.PositiveBigIntegerField(null=True, blank=True)
    payer_name = models.CharField(_("付款方"), max_length=100)
    payee_kind = models.CharField(max_length=10, choices=PartyKind.choices)
    payee_id = models.PositiveBigIntegerField(null=True, blank=True)
    payee_name = models.CharField(_("收款方"), max_length=100)
    period_start = models.DateField(_("期间起"))
    period_end = models.DateField(_("期间止"))
    inputs = models.JSONField(_("计算依据"), default=dict)
    formula = models.TextField(_("计算过程"))
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    applicable = models.BooleanField(_("适用"), default=True)

    class Why(models.TextChoices):
        """Why a line pays nothing or what it corrects (the rules' reason codes)."""

        NONE = "", _("—")
        PRIVATE = "funding.f1.private", _("民办成员校")
        OTHER_AUTHORITY = "funding.f1.other_authority", _("成员校隶属其他教育行政部门")
        NO_RATES = "funding.no_rates", _("尚未设定费率")
        ADJUSTMENT = "funding.adjustment", _("锁定后调整")

    reason_code = models.CharField(max_length=60, blank=True, choices=Why.choices)
    is_adjustment = models.BooleanField(_("调整行"), default=False)
    adjusts = models.ForeignKey(
        "self",
        verbose_name=_("调整的已锁定行"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("台账明细")
        verbose_name_plural = _("台账明细")
        ordering = ["ledger_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["ledger", "position"], name="ledger_line_position"),
            models.CheckConstraint(
                condition=Q(is_adjustment=True) | Q(amount__gte=0),
                name="ledger_line_negative_only_as_adjustment",
            ),
            models.CheckConstraint(
                condition=Q(applicable=True) | Q(amount=0),
                name="ledger_line_not_applicable_is_zero",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="ledger_line_period_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["membership"], name="ledger_line_membership_idx"),
            models.Index(fields=["agreement"], name="ledger_line_agreement_idx"),
            models.Index(fields=["dispatch"], name="ledger_line_dispatch_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.payer_name} → {self.payee_name} {self.amount}"

    @property
    def subject_id(self) -> int | None:
        return self.membership_id or self.agreement_id or self.dispatch_id

    @property
    def key(self) -> tuple[str, str, int | None, str]:
        return (self.rule, self.subject_kind, self.subject_id, self.slot)
