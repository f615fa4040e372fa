"""URLs of the dashboard (issue 10), under /dashboard/."""

from django.urls import path

from assessments.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.dashboard_view, name="index"),
    path("schools-outside/", views.schools_outside_view, name="schools-outside"),
    path("export.xlsx", views.export_view, name="export"),
]
