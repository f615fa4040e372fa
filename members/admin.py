from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from members.models import Authority, District, Partner, School, User


@admin.register(District)
class DistrictAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "city", "sort_order"]
    search_fields = ["name", "code"]
    list_select_related = ["city"]
    autocomplete_fields = ["city"]


@admin.register(Authority)
class AuthorityAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "kind", "district", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    list_select_related = ["district", "parent"]
    autocomplete_fields = ["district", "parent"]


@admin.register(School)
class SchoolAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "authority", "district", "stage", "nature", "is_weak"]
    list_filter = ["district", "stage", "nature", "is_weak", "authority"]
    search_fields = ["name", "code", "principal_name"]
    list_select_related = ["authority", "district"]
    autocomplete_fields = ["authority", "district"]


@admin.register(Partner)
class PartnerAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "contact_name", "contact_phone"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(User)
class AppUserAdmin(UserAdmin, SimpleHistoryAdmin):
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
