from django.urls import path

from groups.applications import views as v

app_name = "applications"
urlpatterns = [
    path("inbox/", v.inbox_view, name="inbox"),
    path("", v.application_list_view, name="list"),
    path("new/founding/", v.founding_new_view, name="new-founding"),
    path("new/admission/<int:group_id>/", v.admission_new_view, name="new-admission"),
    path("new/exit/<int:membership_id>/", v.exit_new_view, name="new-exit"),
    path("notifications/read/", v.notifications_read_view, name="notifications-read"),
    path("<int:application_id>/", v.application_detail_view, name="detail"),
    path("<int:application_id>/edit/", v.application_edit_view, name="edit"),
    path("<int:application_id>/members/", v.member_add_view, name="member-add"),
    path(
        "<int:application_id>/members/<int:member_id>/remove/",
        v.member_remove_view,
        name="member-remove",
    ),
    path("<int:application_id>/partners/", v.partner_add_view, name="partner-add"),
    path("<int:application_id>/upload/", v.upload_view, name="upload"),
    path("<int:application_id>/evaluation/", v.evaluation_view, name="evaluation"),
    path("<int:application_id>/submit/", v.submit_view, name="submit"),
    path("<int:application_id>/withdraw/", v.withdraw_view, name="withdraw"),
    path("<int:application_id>/consents/<int:consent_id>/", v.consent_view, name="consent"),
    path("<int:application_id>/opinion/", v.opinion_view, name="opinion"),
    path("<int:application_id>/decide/", v.decide_view, name="decide"),
]
