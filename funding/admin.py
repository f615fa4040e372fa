"""The funding records in the Django admin, for administrators. Rates, agreements, dispatches,
spending, awards and staffing requests are entered on the app's own pages (with their rules);
the admin shows them with their history. Ledgers and their lines are computed, never typed:
read-only here. Every key to a large table is a raw id or read-only (issue 7)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from funding.agreements.models import Agreement, Payment, Receivable
from funding.awards.models import Award
from funding.dispatches.models import Dispatch
from funding.ledgers.models import Ledger, LedgerLine
from funding.rates.models import RateTable, SubsidyStageRate
from funding.spending.models import Spending
from funding.staffing.models import StaffingRequest


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SubsidyStageRateInline(admin.TabularInline):
    model = SubsidyStageRate
    extra = 0
    fields = ["stage", "amount"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RateTable)
class RateTableAdmin(ReadOnlyAdmin):
    """A version never changes once saved (new versions are made on the rate-table page)."""

    list_display = ["authority", "fiscal_year", "version", "subsidy_per_member", "created_at"]
    list_filter = ["fiscal_year"]
    raw_id_fields = ["authority", "created_by"]
    inlines = [SubsidyStageRateInline]


@admin.register(Ledger)
class LedgerAdmin(ReadOnlyAdmin):
    list_display = ["group", "authority", "fiscal_year", "sequence", "status", "total"]
    list_filter = ["fiscal_year", "status"]
    raw_id_fields = ["group", "authority", "computed_by", "confirmed_by", "locked_by"]


@admin.register(LedgerLine)
class LedgerLineAdmin(ReadOnlyAdmin):
    list_display = ["ledger", "position", "rule", "payer_name", "payee_name", "amount"]
    list_filter = ["rule", "is_adjustment"]
    raw_id_fields = ["ledger", "membership", "agreement", "dispatch", "member_school", "adjusts"]


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdmin):
    list_display = ["title", "group", "fee", "period", "starts_on", "ends_on"]
    raw_id_fields = ["group", "membership", "created_by"]


@admin.register(Receivable)
class ReceivableAdmin(ReadOnlyAdmin):
    list_display = ["agreement", "fiscal_year", "amount", "due_on"]
    raw_id_fields = ["agreement"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["receivable", "amount", "paid_on"]
    raw_id_fields = ["receivable", "recorded_by"]


@admin.register(Dispatch)
class DispatchAdmin(ReadOnlyAdmin):
    list_display = ["person_name", "role", "group", "starts_on", "ends_on"]
    raw_id_fields = ["group", "membership", "created_by"]


@admin.register(Spending)
class SpendingAdmin(ReadOnlyAdmin):
    list_display = ["group", "fiscal_year", "category", "amount", "spent_on"]
    raw_id_fields = ["group", "recorded_by"]


@admin.register(Award)
class AwardAdmin(ReadOnlyAdmin):
    list_display = ["title", "group", "level", "year", "amount"]
    raw_id_fields = ["group", "recorded_by"]


@admin.register(StaffingRequest)
class StaffingRequestAdmin(ReadOnlyAdmin):
    list_display = ["group", "kind", "count", "status", "created_at"]
    raw_id_fields = ["group", "school", "handled_by", "created_by"]
