"""URLs of the shared parts: the permission-checked download of any owner's attachment."""

from django.urls import path

from qingdao_groups.core import views

app_name = "attachments"
urlpatterns = [
    path("<int:attachment_id>/download/", views.attachment_download_view, name="download"),
]
