from django.urls import path

from members import views, views_import

app_name = "members"
urlpatterns = [
    path("", views.school_list_view, name="school-list"),
    path("new/", views.school_create_view, name="school-create"),
    path("import/", views_import.school_import_view, name="school-import"),
    path("export/", views_import.school_export_view, name="school-export"),
    path("pick/<slug:key>/", views.school_pick_view, name="school-pick"),
    path("choices/<slug:key>/", views.choice_pick_view, name="choice-pick"),
    path("<int:school_id>/", views.school_detail_view, name="school-detail"),
    path("<int:school_id>/edit/", views.school_edit_view, name="school-edit"),
]
