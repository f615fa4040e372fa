"""The ledger pages (issue 9; policy F-1, F-2, F-4), under /funding/ledgers/."""

from django.urls import path

from funding.ledgers import views

urlpatterns = [
    path("groups/<int:group_id>/<int:year>/", views.group_year_view, name="group-year"),
    path(
        "groups/<int:group_id>/<int:year>/compute/",
        views.group_compute_view,
        name="group-compute",
    ),
    path("<int:ledger_id>/", views.ledger_detail_view, name="ledger-detail"),
    path("<int:ledger_id>/confirm/", views.ledger_confirm_view, name="ledger-confirm"),
    path("<int:ledger_id>/return/", views.ledger_return_view, name="ledger-return"),
    path("<int:ledger_id>/lock/", views.ledger_lock_view, name="ledger-lock"),
    path("<int:ledger_id>/verify/", views.ledger_verify_view, name="ledger-verify"),
]
