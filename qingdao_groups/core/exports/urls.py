"""URLs of the export helper: every list's export, and the background jobs of large ones."""

from django.urls import path

from qingdao_groups.core.exports import views

app_name = "exports"
urlpatterns = [
    path("jobs/<int:job_id>/", views.export_job_view, name="job"),
    path("jobs/<int:job_id>/status/", views.export_job_status_view, name="job-status"),
    path("jobs/<int:job_id>/download/", views.export_job_download_view, name="job-download"),
    path("<slug:key>/", views.export_view, name="list"),
    path("<slug:key>/start/", views.export_start_view, name="start"),
]
