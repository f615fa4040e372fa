from django.contrib import admin
from guardian.admin import GuardedModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from groups.models import CouncilSeat, EducationGroup, GroupDocument, Membership, Partnership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["school"]
    fields = ["school", "role", "relation_type", "relation_subtype", "joined_on", "left_on",
              "end_reason", "note"]


@admin.register(EducationGroup)
class EducationGroupAdmin(GuardedModelAdmin, SimpleHistoryAdmin):
    """Object permissions (guardian) let an administrator grant one group to one outside user,
    e.g. an adviser; broad access comes from roles (members.selectors)."""

    list_display = ["name", "code", "core_school", "authority", "founded_on", "status"]
    list_filter = ["status", "authority"]
    search_fields = ["name", "code", "core_school__name"]
    list_select_related = ["core_school", "authority"]
    autocomplete_fields = ["core_school"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["school", "group", "role", "relation_subtype", "joined_on", "left_on",
                    "end_reason"]
    list_filter = ["role", "relation_type", "end_reason"]
    search_fields = ["school__name", "group__name"]
    list_select_related = ["school", "group"]
    autocomplete_fields = ["school", "group"]


@admin.register(Partnership)
class PartnershipAdmin(SimpleHistoryAdmin):
    list_display = ["partner", "group", "started_on", "ended_on"]
    list_select_related = ["partner", "group"]
    search_fields = ["partner__name", "group__name"]


@admin.register(CouncilSeat)
class CouncilSeatAdmin(SimpleHistoryAdmin):
    list_display = ["person_name", "role", "group", "school", "started_on", "ended_on"]
    list_filter = ["role"]
    list_select_related = ["group", "school"]


@admin.register(GroupDocument)
class GroupDocumentAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "version", "group", "adopted_on", "uploaded_by"]
    list_filter = ["kind"]
    list_select_related = ["group", "uploaded_by"]
    exclude = ["file"]  # uploads with content checks arrive with the document workflow
