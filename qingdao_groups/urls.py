from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from qingdao_groups import views

urlpatterns = [
    path("", views.home_view, name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("healthz", views.healthz_view, name="healthz"),
    path("groups/", include("groups.urls")),
    path("schools/", include("members.urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "青岛市中小学集团化办学管理系统"
admin.site.site_title = "集团化办学管理"

