"""Staffing requests (policy S-1) and principals' ranks (policy S-2), mounted at
/funding/staffing/."""

from django.urls import path

from funding.staffing import views

urlpatterns = [
    path("", views.staffing_list_view, name="staffing-list"),
    path("new/", views.staffing_create_view, name="staffing-create"),
    path("<int:request_id>/", views.staffing_detail_view, name="staffing-detail"),
    path("<int:request_id>/handle/", views.staffing_handle_view, name="staffing-handle"),
    path("principals/<int:user_id>/rank/", views.principal_rank_view, name="principal-rank"),
]
