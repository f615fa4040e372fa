"""Groups granted one by one (django-guardian; an outside adviser given one group): the grant,
directly or through an auth group, adds that group to what the role already shows, and nothing
else; a withdrawn grant hides it again (groups.registry.selectors.group_scope_q)."""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from guardian.models import UserObjectPermission
from guardian.shortcuts import assign_perm, remove_perm

from groups.registry.selectors import group_list_for_user
from members.models import School


def _seen(user):
    return set(group_list_for_user(user=user).values_list("name", flat=True))


def test_a_grant_adds_one_group_to_the_roles_own(world, login):
    district = world.users["district"]  # 市南: sees its own group, not 崂山's
    assert _seen(district) == {world.group.name}
    assign_perm("groups.view_educationgroup", district, world.other_group)
    assert _seen(district) == {world.group.name, world.other_group.name}
    client = login(district)
    page = client.get(reverse("groups:group-detail", args=[world.other_group.pk]))
    assert page.status_code == 200
    assert world.other_group.name in client.get(reverse("groups:group-list")).content.decode()
    remove_perm("groups.view_educationgroup", district, world.other_group)
    assert _seen(district) == {world.group.name}
    page = client.get(reverse("groups:group-detail", args=[world.other_group.pk]))
    assert page.status_code == 404


def test_a_grant_through_an_auth_group_counts_too(world):
    member = world.users["member"]  # a member principal sees their own group only
    advisers = Group.objects.create(name="外聘顾问")
    member.groups.add(advisers)
    assert _seen(member) == {world.group.name}
    assign_perm("groups.view_educationgroup", advisers, world.other_group)
    assert _seen(member) == {world.group.name, world.other_group.name}


def test_another_models_grant_or_another_users_grant_shows_nothing(world):
    district, member = world.users["district"], world.users["member"]
    assign_perm("groups.view_educationgroup", member, world.other_group)
    # a grant on a school whose key is the other group's key: another model, not a group
    # (bulk_create: guardian's save() would look the school up, and no school has that key)
    UserObjectPermission.objects.bulk_create(
        [
            UserObjectPermission(
                user=district,
                permission=Permission.objects.get(codename="view_school"),
                content_type=ContentType.objects.get_for_model(School),
                object_pk=str(world.other_group.pk),
            )
        ]
    )
    assert _seen(district) == {world.group.name}
