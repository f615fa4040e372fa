"""Yellow and red cards (policy L-6), mounted at /cards/."""

from django.urls import path

from groups.cards import views

app_name = "cards"
urlpatterns = [
    path("", views.card_list_view, name="list"),
    path("<int:card_id>/", views.card_detail_view, name="detail"),
    path("<int:card_id>/respond/", views.card_respond_view, name="respond"),
    path("<int:card_id>/lift/", views.card_lift_view, name="lift"),
    path("<int:card_id>/reject/", views.card_reject_view, name="reject"),
    path("<int:card_id>/escalate/", views.card_escalate_view, name="escalate"),
    path("<int:card_id>/upload/", views.card_upload_view, name="upload"),
    path("issue/<int:membership_id>/", views.card_issue_view, name="issue"),
]
