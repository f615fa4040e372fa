from django.contrib import admin
from guardian.admin import GuardedModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from groups.charter.models import GroupDocument
from groups.registry.models import CouncilSeat, EducationGroup, Membership, Partnership
from qingdao_groups.core.admin_rules import NeverDeleted, ReadOnly


class ReadOnlyRegistryMixin:
    """Memberships and groups change only through services (registry pages for pre-system
    history, workflows otherwise), which check overlaps and the core rules the admin's forms
    cannot see across rows (DESIGN.md); the admin shows them with their history."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # never delete a membership or a group: end it (DESIGN.md)


class MembershipInline(ReadOnlyRegistryMixin, admin.TabularInline):
    model = Membership
    extra = 0
    can_delete = False
    fields = [
        "school",
        "role",
        "relation_type",
        "relation_subtype",
        "joined_on",
        "left_on",
        "end_reason",
        "note",
    ]
    readonly_fields = fields

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("school", "group")


@admin.register(EducationGroup)
class EducationGroupAdmin(ReadOnlyRegistryMixin, GuardedModelAdmin, SimpleHistoryAdmin):
    """Object permissions (guardian) let an administrator grant one group to one outside user,
    e.g. an adviser; broad access comes from roles (members.selectors). New groups come from
    the founding workflow or the registry page, which create the core membership too."""

    readonly_fields = ["core_school", "authority", "founded_on", "status", "dissolved_on"]

    list_display = ["name", "code", "core_school", "authority", "founded_on", "status"]
    list_filter = ["status", "authority"]
    search_fields = ["name", "code", "core_school__name"]
    list_select_related = ["core_school", "authority"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyRegistryMixin, SimpleHistoryAdmin):
    list_display = [
        "school",
        "group",
        "role",
        "relation_subtype",
        "joined_on",
        "left_on",
        "end_reason",
    ]
    list_filter = ["role", "relation_type", "end_reason"]
    search_fields = ["school__name", "group__name"]
    list_select_related = ["school", "group"]
    autocomplete_fields = ["school", "group"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Partnership)
class PartnershipAdmin(NeverDeleted, SimpleHistoryAdmin):
    list_display = ["partner", "group", "started_on", "ended_on"]
    list_select_related = ["partner", "group"]
    search_fields = ["partner__name", "group__name"]
    autocomplete_fields = ["partner", "group"]


@admin.register(CouncilSeat)
class CouncilSeatAdmin(NeverDeleted, SimpleHistoryAdmin):
    list_display = ["person_name", "role", "group", "school", "started_on", "ended_on"]
    list_filter = ["role"]
    list_select_related = ["group", "school"]
    autocomplete_fields = ["group", "school"]


@admin.register(GroupDocument)
class GroupDocumentAdmin(ReadOnly, SimpleHistoryAdmin):
    """A stored document (its text, version, file and uploader) is never changed or deleted,
    administrators included (issue 12): a new version is uploaded through the app."""

    list_display = ["title", "kind", "version", "group", "adopted_on", "uploaded_by"]
    list_filter = ["kind"]
    list_select_related = ["group", "uploaded_by"]
    autocomplete_fields = ["group", "uploaded_by"]
    exclude = ["file"]  # uploads with content checks arrive with the document workflow
