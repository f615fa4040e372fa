"""API clients, keys and the call log in the admin: read-only. Clients and keys are registered,
rotated and revoked on the app's own pages (/api/clients/, with their rules and the key shown
once); the call log is written once and never changed (issue 11)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from api.models import ApiCall, ApiClient, ApiKey


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiClient)
class ApiClientAdmin(ReadOnlyAdmin):
    list_display = ["name", "authority", "school", "created_at", "revoked_at"]
    raw_id_fields = ["authority", "school", "user", "created_by"]


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "client", "created_at", "expires_at", "revoked_at", "last_used_at"]
    exclude = ["secret_sha256"]
    raw_id_fields = ["client", "created_by"]


@admin.register(ApiCall)
class ApiCallAdmin(admin.ModelAdmin):
    list_display = ["at", "client", "method", "path", "status", "duration_ms"]
    list_filter = ["status", "method"]
    raw_id_fields = ["client", "key", "user"]
    show_full_result_count = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
