from django.urls import path

from groups.charter import views

app_name = "documents"
urlpatterns = [
    path("groups/<int:group_id>/", views.group_documents_view, name="group-documents"),
    path("groups/<int:group_id>/compare/", views.compare_view, name="compare"),
    path(
        "files/<int:document_id>/download/",
        views.group_document_download_view,
        name="group-document-download",
    ),
]
