"""The cycle pages (policy A-1 … A-4), mounted at /assessments/cycles/."""

from django.urls import path

from assessments.cycles import views

app_name = "cycles"

urlpatterns = [
    path("", views.cycle_list_view, name="cycle-list"),
    path("new/", views.cycle_create_view, name="cycle-create"),
    path("<int:cycle_id>/", views.cycle_detail_view, name="cycle-detail"),
    path("<int:cycle_id>/edit/", views.cycle_edit_view, name="cycle-edit"),
    path("<int:cycle_id>/move/<slug:action>/", views.cycle_move_view, name="cycle-move"),
    path("parts/<int:entry_id>/", views.entry_detail_view, name="entry-detail"),
    path("parts/<int:entry_id>/self/", views.entry_self_view, name="entry-self"),
    path("parts/<int:entry_id>/submit/", views.entry_submit_view, name="entry-submit"),
    path("parts/<int:entry_id>/evidence/", views.evidence_add_view, name="evidence-add"),
    path("parts/<int:entry_id>/score/", views.entry_score_view, name="entry-score"),
    path("parts/<int:entry_id>/flags/", views.flag_create_view, name="flag-create"),
    path("flags/<int:flag_id>/resolve/", views.flag_resolve_view, name="flag-resolve"),
    path("groups/<int:group_id>/latest/", views.group_latest_view, name="group-latest"),
]
