"""Income against spending (policy F-3), mounted at /funding/spending/."""

from django.urls import path

from funding.spending import views

urlpatterns = [
    path("groups/<int:group_id>/<int:year>/", views.spending_list_view, name="spending-list"),
    path("groups/<int:group_id>/new/", views.spending_create_view, name="spending-create"),
]
