"""Admin of the shared parts: the archive of official documents (read-only: an issued document
is never changed), each authority's document-number pattern (文号格式) and the log of reminders
(催办记录, read-only: what was sent stays as it was sent)."""

from axes import admin as axes_admin
from axes.models import AccessFailureLog, AccessLog
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from qingdao_groups.core.admin_rules import NeverDeleted
from qingdao_groups.core.archive import default_pattern
from qingdao_groups.models import DocumentNumberPattern, OfficialDocument, Reminder


@admin.register(OfficialDocument)
class OfficialDocumentAdmin(admin.ModelAdmin):
    """Archived documents are shown, never added, changed or deleted here (issue 8)."""

    list_display = ["number", "title", "kind", "authority", "issued_on", "code"]
    list_filter = ["kind"]
    search_fields = ["number", "title", "code", "sha256"]
    list_select_related = ["authority"]
    date_hierarchy = "issued_on"
    exclude = ["pdf"]
    readonly_fields = [
        "owner_type",
        "owner_id",
        "kind",
        "authority",
        "year",
        "serial",
        "number",
        "title",
        "addressee",
        "issued_on",
        "issued_at",
        "issued_by",
        "code",
        "size",
        "sha256",
        "template",
        "data",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("pdf", "data")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DocumentNumberPattern)
class DocumentNumberPatternAdmin(NeverDeleted, SimpleHistoryAdmin):
    list_display = ["authority", "pattern", "default"]
    list_select_related = ["authority"]
    autocomplete_fields = ["authority"]

    @admin.display(description=_("默认格式"))
    def default(self, obj):
        return default_pattern(obj.authority)


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """Every reminder sent, by hand or by the daily run (issue 8): looked up, never edited."""

    list_display = [
        "sent_at",
        "recipient",
        "owner_type",
        "owner_id",
        "sent_by",
        "automatic",
        "overdue",
    ]
    list_filter = ["automatic", "overdue", "owner_type"]
    search_fields = ["recipient"]
    list_select_related = ["owner_type", "sent_by"]
    date_hierarchy = "day"
    readonly_fields = [
        "owner_type",
        "owner_id",
        "recipient",
        "recipient_count",
        "sent_by",
        "sent_at",
        "day",
        "automatic",
        "overdue",
        "deadline",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# axes' login records (issue 12): read-only, never deleted (PostgreSQL refuses it too:
# qingdao_groups.core.append_only). AccessAttempt, the lockout counter, stays as axes has it:
# deleting one unlocks an account.
class _LoginRecordAdmin:
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


for _model, _axes_admin in (
    (AccessLog, axes_admin.AccessLogAdmin),
    (AccessFailureLog, axes_admin.AccessFailureLogAdmin),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, type(_axes_admin.__name__, (_LoginRecordAdmin, _axes_admin), {}))
