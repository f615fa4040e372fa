"""The dossier pages (policy A-1; issue 10), under /assessments/dossiers/."""

from django.urls import path

from assessments.dossier import views

app_name = "dossier"
urlpatterns = [
    path("groups/<int:group_id>/", views.dossier_request_view, name="request"),
    path("groups/<int:group_id>/start/", views.dossier_start_view, name="start"),
]
