"""Assessment frameworks (policy A-1 … A-4; issue 10), mounted at /assessments/frameworks/."""

from django.urls import path

from assessments.frameworks import views

app_name = "frameworks"

urlpatterns = [
    path("", views.framework_list_view, name="framework-list"),
    path("<int:framework_id>/", views.framework_detail_view, name="framework-detail"),
    path("<int:framework_id>/copy/", views.framework_copy_view, name="framework-copy"),
    path("<int:framework_id>/edit/", views.framework_edit_view, name="framework-edit"),
    path("<int:framework_id>/publish/", views.framework_publish_view, name="framework-publish"),
    path("<int:framework_id>/dimensions/add/", views.dimension_add_view, name="dimension-add"),
    path(
        "<int:framework_id>/dimensions/<int:dimension_id>/edit/",
        views.dimension_edit_view,
        name="dimension-edit",
    ),
    path(
        "<int:framework_id>/dimensions/<int:dimension_id>/remove/",
        views.dimension_remove_view,
        name="dimension-remove",
    ),
    path(
        "<int:framework_id>/dimensions/<int:dimension_id>/move/",
        views.dimension_move_view,
        name="dimension-move",
    ),
    path(
        "<int:framework_id>/dimensions/<int:dimension_id>/indicators/add/",
        views.indicator_add_view,
        name="indicator-add",
    ),
    path(
        "<int:framework_id>/indicators/<int:indicator_id>/edit/",
        views.indicator_edit_view,
        name="indicator-edit",
    ),
    path(
        "<int:framework_id>/indicators/<int:indicator_id>/remove/",
        views.indicator_remove_view,
        name="indicator-remove",
    ),
    path(
        "<int:framework_id>/indicators/<int:indicator_id>/move/",
        views.indicator_move_view,
        name="indicator-move",
    ),
]
