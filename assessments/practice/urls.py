"""Good-practice cases (policy A-6), mounted at /practice/: the public pages at the top (no
login), the staff pages under manage/."""

from django.urls import path

from assessments.practice import views

app_name = "practice"
urlpatterns = [
    path("", views.public_list_view, name="public-list"),
    path("<int:case_id>/", views.public_detail_view, name="public-detail"),
    path("<int:case_id>/files/<int:attachment_id>/", views.public_file_view, name="public-file"),
    path("manage/", views.case_list_view, name="case-list"),
    path("manage/new/", views.case_create_view, name="case-create"),
    path("manage/<int:case_id>/", views.case_detail_view, name="case-detail"),
    path("manage/<int:case_id>/edit/", views.case_edit_view, name="case-edit"),
    path("manage/<int:case_id>/submit/", views.case_submit_view, name="case-submit"),
    path("manage/<int:case_id>/upload/", views.case_upload_view, name="case-upload"),
    path("manage/<int:case_id>/review/", views.case_review_view, name="case-review"),
    path("manage/<int:case_id>/withdraw/", views.case_withdraw_view, name="case-withdraw"),
]
