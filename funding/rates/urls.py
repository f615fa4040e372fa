"""Rate tables (policy F-1, F-4), mounted at /funding/rates/."""

from django.urls import path

from funding.rates import views

urlpatterns = [
    path("", views.rate_list_view, name="rate-list"),
    path("<int:authority_id>/<int:year>/new/", views.rate_create_view, name="rate-create"),
    path("<int:table_id>/", views.rate_detail_view, name="rate-detail"),
]
