from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _

from members import views_two_factor as two_factor_views
from members.two_factor import second_factor_not_required
from qingdao_groups import views
from qingdao_groups.core import views as core_views
from qingdao_groups.forms import BootstrapAuthenticationForm, BootstrapPasswordChangeForm

urlpatterns = [
    path("", views.home_view, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=BootstrapAuthenticationForm),
        name="login",
    ),
    path(
        "accounts/logout/",
        second_factor_not_required(auth_views.LogoutView.as_view()),
        name="logout",
    ),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(form_class=BootstrapPasswordChangeForm),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # Two-factor sign-in (issue 12).
    path("accounts/two-factor/", two_factor_views.settings_view, name="two-factor-settings"),
    path("accounts/two-factor/enrol/", two_factor_views.enrol_view, name="two-factor-enrol"),
    path("accounts/two-factor/verify/", two_factor_views.verify_view, name="two-factor-verify"),
    path("accounts/two-factor/codes/", two_factor_views.codes_view, name="two-factor-codes"),
    path(
        "accounts/two-factor/codes/renew/",
        two_factor_views.codes_renew_view,
        name="two-factor-codes-renew",
    ),
    path("accounts/two-factor/disable/", two_factor_views.disable_view, name="two-factor-disable"),
    path(
        "accounts/two-factor/reset/<int:user_id>/",
        two_factor_views.reset_view,
        name="two-factor-reset",
    ),
    path(
        "i18n/setlang/",
        second_factor_not_required(views.language_set_view),
        name="set_language",
    ),
    path("healthz", views.healthz_view, name="healthz"),
    path("bench/floor/", views.bench_floor_view, name="bench-floor"),
    path("reminders/send/", views.reminder_send_view, name="reminder-send"),
    path("groups/", include("groups.registry.urls")),
    path("schools/", include("members.urls")),
    path("applications/", include("groups.applications.urls")),
    path("cards/", include("groups.cards.urls")),
    path("filings/", include("groups.filings.urls")),
    path("enrollment-plans/", include("groups.enrollment.urls")),
    path("funding/", include("funding.urls")),
    # Good practice and typical cases (policy A-6): the public pages need no login.
    path("practice/", include("assessments.practice.urls")),
    path("dashboard/", include("assessments.dashboard.urls")),
    path("assessments/dossiers/", include("assessments.dossier.urls")),
    path("assessments/frameworks/", include("assessments.frameworks.urls")),
    path("assessments/reports/", include("assessments.reports.urls")),
    path("assessments/cycles/", include("assessments.cycles.urls")),
    path("exports/", include("qingdao_groups.core.exports.urls")),
    path("audit/", include("qingdao_groups.core.audit_urls")),
    path("documents/attachments/", include("qingdao_groups.core.urls")),
    path("documents/official/", include("qingdao_groups.core.archive_urls")),
    # The address printed (and QR-coded) on every official document: public, no login.
    re_path(r"^verify/(?P<code>[^/]{1,40})/?$", core_views.verify_view, name="verify"),
    path("documents/", include("groups.charter.urls")),
    path("api/", include("api.urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = _("青岛市中小学集团化办学管理系统")
admin.site.site_title = _("集团化办学管理")
