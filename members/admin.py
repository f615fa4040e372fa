from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from members.models import Authority, District, Partner, School, User
from qingdao_groups.core.admin_rules import NeverDeleted
from qingdao_groups.core.workflow import stamp


@admin.register(District)
class DistrictAdmin(NeverDeleted, SimpleHistoryAdmin):
    list_display = ["name", "code", "city", "sort_order"]
    search_fields = ["name", "code"]
    list_select_related = ["city"]
    autocomplete_fields = ["city"]


@admin.register(Authority)
class AuthorityAdmin(NeverDeleted, SimpleHistoryAdmin):
    list_display = ["name", "code", "kind", "district", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    list_select_related = ["district", "parent"]
    autocomplete_fields = ["district", "parent"]


@admin.register(School)
class SchoolAdmin(NeverDeleted, SimpleHistoryAdmin):
    list_display = ["name", "code", "authority", "district", "stage", "nature", "is_weak"]
    list_filter = ["district", "stage", "nature", "is_weak", "authority"]
    search_fields = ["name", "code", "principal_name"]
    list_select_related = ["authority", "district"]
    autocomplete_fields = ["authority", "district"]


@admin.register(Partner)
class PartnerAdmin(NeverDeleted, SimpleHistoryAdmin):
    list_display = ["name", "kind", "contact_name", "contact_phone"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(User)
class AppUserAdmin(NeverDeleted, UserAdmin, SimpleHistoryAdmin):
    """A user is deactivated, never deleted (issue 12): deleting one would blank "who" on every
    history row of theirs (and PostgreSQL refuses it: qingdao_groups.core.append_only)."""

    actions = ["deactivate"]
    list_display = [
        "username",
        "last_name",
        "first_name",
        "role",
        "authority",
        "school",
        "is_active",
    ]
    list_filter = ["role", "is_active", "is_staff"]
    list_select_related = ["authority", "school"]
    autocomplete_fields = ["authority", "school"]
    fieldsets = UserAdmin.fieldsets + (
        (_("角色与单位"), {"fields": ("role", "authority", "school", "rank")}),
    )
    add_fieldsets = UserAdmin.add_fieldsets + (
        (_("角色与单位"), {"fields": ("role", "authority", "school")}),
    )

    @admin.action(description=_("停用所选用户"), permissions=["change"])
    def deactivate(self, request, queryset):
        done = 0
        for user in queryset.filter(is_active=True).exclude(pk=request.user.pk):
            user.is_active = False
            stamp(user, actor=request.user)
            user.save(update_fields=["is_active"])
            done += 1
        self.message_user(request, _("已停用 %(count)d 个用户。") % {"count": done})
