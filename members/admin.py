from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from members.models import Authority, District, Partner, School, SecondFactorEvent, User
from qingdao_groups.core.admin_rules import NeverDeleted, ReadOnly
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

    actions = ["deactivate", "second_factor_reset"]
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

    @admin.action(description=_("重置两步验证（设备丢失）"), permissions=["change"])
    def second_factor_reset(self, request, queryset):
        """One person at a time, on the page that asks for the reason (members.two_factor)."""
        if queryset.count() != 1:
            self.message_user(request, _("请只选择一个用户。"), level="warning")
            return None
        return HttpResponseRedirect(reverse("two-factor-reset", args=[queryset.get().pk]))


@admin.register(SecondFactorEvent)
class SecondFactorEventAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["at", "user", "kind", "actor", "reason", "address"]
    list_filter = ["kind"]
    list_select_related = ["user", "actor"]
    search_fields = ["user__username", "reason"]
    readonly_fields = ["user", "kind", "actor", "reason", "address", "at"]


# The devices hold the TOTP secrets and the recovery codes: never shown or edited in the admin
# (enrolment, renewal and an administrator's reset have their own pages, with a record).
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
