"""The funding pages (policy F-1 … F-5, S-1, S-2; issue 9), one URL module per feature."""

from django.urls import include, path

app_name = "funding"

urlpatterns = [
    path("", include("funding.overview.urls")),
    path("ledgers/", include("funding.ledgers.urls")),
    path("rates/", include("funding.rates.urls")),
    path("agreements/", include("funding.agreements.urls")),
    path("dispatches/", include("funding.dispatches.urls")),
    path("spending/", include("funding.spending.urls")),
    path("awards/", include("funding.awards.urls")),
    path("staffing/", include("funding.staffing.urls")),
]
