"""Enrollment plans, one per school per year (policy L-7), mounted at /enrollment-plans/."""

from django.urls import path

from groups.enrollment import views

app_name = "enrollment"
urlpatterns = [
    path("", views.plan_list_view, name="plan-list"),
    path("new/", views.plan_file_view, name="plan-file"),
    path("<int:plan_id>/", views.plan_detail_view, name="plan-detail"),
    path("<int:plan_id>/decide/", views.plan_decide_view, name="plan-decide"),
    path("<int:plan_id>/refile/", views.plan_refile_view, name="plan-refile"),
]
