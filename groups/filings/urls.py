"""District filings with the city (policy L-2, D-1, D-2), mounted at /filings/."""

from django.urls import path

from groups.filings import views

app_name = "filings"
urlpatterns = [
    path("", views.filing_list_view, name="filing-list"),
    path("new/", views.filing_create_view, name="filing-create"),
    path("acknowledge/", views.filing_bulk_acknowledge_view, name="filing-bulk-acknowledge"),
    path("<int:filing_id>/", views.filing_detail_view, name="filing-detail"),
    path("<int:filing_id>/handle/", views.filing_handle_view, name="filing-handle"),
    path("<int:filing_id>/refile/", views.filing_refile_view, name="filing-refile"),
    path("<int:filing_id>/upload/", views.filing_upload_view, name="upload"),
]
