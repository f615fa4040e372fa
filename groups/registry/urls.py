from django.urls import path

from groups.registry import views

app_name = "groups"
urlpatterns = [
    path("", views.group_list_view, name="group-list"),
    path("new/", views.group_create_view, name="group-create"),
    path("<int:group_id>/", views.group_detail_view, name="group-detail"),
    path("<int:group_id>/history/", views.group_history_view, name="group-history"),
    path("<int:group_id>/audit/", views.group_audit_view, name="group-audit"),
    path("<int:group_id>/members/new/", views.membership_add_view, name="membership-add"),
    path(
        "<int:group_id>/members/<int:membership_id>/end/",
        views.membership_end_view,
        name="membership-end",
    ),
    path("<int:group_id>/partners/new/", views.partnership_add_view, name="partnership-add"),
]
