from django.urls import path

from assessments.reports import views

app_name = "reports"

urlpatterns = [
    path("cycle/<int:cycle_id>/", views.cycle_reports_view, name="cycle"),
    path("<int:report_id>/", views.report_detail_view, name="detail"),
    path("<int:report_id>/pdf/", views.report_pdf_view, name="pdf"),
    path("<int:report_id>/regenerate/", views.report_regenerate_view, name="regenerate"),
]
