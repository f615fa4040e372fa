"""URLs of members' cooperation agreements, receivables and payments (policy F-2), mounted at
/funding/agreements/ in the `funding` namespace."""

from django.urls import path

from funding.agreements import views

urlpatterns = [
    path("groups/<int:group_id>/", views.agreement_list_view, name="agreement-list"),
    path("groups/<int:group_id>/new/", views.agreement_create_view, name="agreement-create"),
    path("receivables/", views.receivable_list_view, name="receivable-list"),
    path("<int:agreement_id>/", views.agreement_detail_view, name="agreement-detail"),
    path("<int:agreement_id>/edit/", views.agreement_edit_view, name="agreement-edit"),
    path("<int:agreement_id>/payments/", views.payment_add_view, name="payment-add"),
]
