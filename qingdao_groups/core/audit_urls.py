"""URLs of the auditors' desk: the whole audit log, and the search of its pickers."""

from django.urls import path

from qingdao_groups.core import audit_views

app_name = "audit"
urlpatterns = [
    path("", audit_views.audit_log_view, name="log"),
    path("pick/<slug:key>/", audit_views.audit_pick_view, name="pick"),
]
