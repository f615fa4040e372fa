"""URLs of funding/overview (issue 9), under /funding/."""

from django.urls import path

from funding.overview import views

urlpatterns = [
    path("", views.overview_view, name="overview"),
    path(
        "authorities/<int:authority_id>/<int:year>/",
        views.authority_year_view,
        name="authority-year",
    ),
    path("city/", views.city_view, name="city"),
    path("city/compute/", views.compute_year_view, name="compute-year"),
    path("all-ledgers/", views.ledger_list_view, name="ledger-list"),
]
