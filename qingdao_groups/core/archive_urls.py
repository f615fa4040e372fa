"""URLs of the archive of official documents: the permission-checked download (the public
verification page, /verify/<code>, is mounted at the root: the QR code on the paper names it)."""

from django.urls import path

from qingdao_groups.core import views

app_name = "official"
urlpatterns = [
    path("<int:document_id>/download/", views.official_document_download_view, name="download"),
]
