"""Dispatched staff (policy F-4), mounted at /funding/dispatches/."""

from django.urls import path

from funding.dispatches import views

urlpatterns = [
    path("groups/<int:group_id>/", views.dispatch_list_view, name="dispatch-list"),
    path("groups/<int:group_id>/new/", views.dispatch_create_view, name="dispatch-create"),
    path("<int:dispatch_id>/edit/", views.dispatch_edit_view, name="dispatch-edit"),
    path("<int:dispatch_id>/end/", views.dispatch_end_view, name="dispatch-end"),
]
