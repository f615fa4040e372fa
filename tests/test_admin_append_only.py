"""The admin deletes no domain record and changes no stored document, administrators included
(issue 12); users are deactivated instead of deleted."""

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import RequestFactory
from django.urls import reverse

from members.models import User
from tests.factories import UserFactory

# Not domain records: auth groups (grants), the scheduler's rows, and axes' lockout counter
# (deleting an AccessAttempt unlocks an account).
NOT_DOMAIN = {"auth", "django_celery_beat"}
MUTABLE = {"axes.AccessAttempt"}
DOCUMENTS = {"groups.GroupDocument", "qingdao_groups.OfficialDocument", "qingdao_groups.Attachment"}
CONTENT = {"file", "pdf", "text", "version", "uploaded_by", "sha256", "data"}


def _superuser_request(world):
    request = RequestFactory().get("/admin/")
    request.user = world.users["admin"]
    return request


def _guarded():
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in NOT_DOMAIN or model._meta.label in MUTABLE:
            continue
        yield model, model_admin


def test_no_domain_record_can_be_deleted_from_the_admin(world):
    request = _superuser_request(world)
    deletable = []
    for model, model_admin in _guarded():
        admins = [model_admin] + [i(model, admin.site) for i in model_admin.inlines]
        for ma in admins:
            instance = ma.model.objects.first()
            if ma.has_delete_permission(request) or ma.has_delete_permission(request, instance):
                deletable.append(ma.model._meta.label)
        if "delete_selected" in model_admin.get_actions(request):
            deletable.append(f"{model._meta.label} (action)")
    assert deletable == []
    assert len(list(_guarded())) >= 30


def test_stored_documents_cannot_be_changed_from_the_admin(world):
    request = _superuser_request(world)
    changeable = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.label not in DOCUMENTS or not model_admin.has_change_permission(request):
            continue
        fields = {f.name for f in model._meta.concrete_fields} & CONTENT
        shown = set(model_admin.get_readonly_fields(request)) | set(model_admin.exclude or ())
        changeable += [f"{model._meta.label}.{f}" for f in fields - shown]
    assert changeable == []


def test_a_user_is_deactivated_not_deleted(client, world):
    admin_user = world.users["admin"]
    someone = UserFactory(username="t-to-deactivate")
    client.force_login(admin_user)
    delete = reverse("admin:members_user_delete", args=[someone.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:members_user_changelist")
    page = client.get(changelist)
    assert 'value="deactivate"' in page.content.decode()
    assert 'value="delete_selected"' not in page.content.decode()
    response = client.post(
        changelist,
        {"action": "deactivate", ACTION_CHECKBOX_NAME: [someone.pk, admin_user.pk]},
    )
    assert response.status_code == 302
    someone.refresh_from_db()
    admin_user.refresh_from_db()
    assert not someone.is_active and admin_user.is_active  # never oneself
    record = someone.history.first()
    assert record.is_active is False and record.history_user == admin_user
    assert User.objects.filter(pk=someone.pk).exists()


@pytest.mark.parametrize(
    "url",
    [
        "admin:axes_accesslog_changelist",
        "admin:axes_accessfailurelog_changelist",
        "admin:groups_groupdocument_changelist",
    ],
)
def test_the_read_only_lists_still_render(client, world, url):
    client.force_login(world.users["admin"])
    assert client.get(reverse(url)).status_code == 200
