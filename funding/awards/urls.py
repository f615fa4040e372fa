"""Awards (policy F-5), mounted at /funding/awards/."""

from django.urls import path

from funding.awards import views

urlpatterns = [
    path("", views.award_list_view, name="award-list"),
    path("new/", views.award_create_view, name="award-create"),
]
