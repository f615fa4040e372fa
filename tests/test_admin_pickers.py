"""The Django admin never lists every school, authority, district, group or user in a <select> (issue 7:
200,000 options made a 13 MB page): every foreign key to them is an autocomplete, a raw id or
read-only."""

import pytest
from django.contrib import admin
from django.urls import reverse

from groups.registry.models import CouncilSeat, EducationGroup
from members.models import Authority, District, School, User
from tests.factories import SchoolFactory

BIG = (School, Authority, District, EducationGroup, User)


def _unlisted(model_admin, field) -> bool:
    shown = model_admin.fields  # an inline's own list leaves out its parent's key
    return (
        (shown is not None and field.name not in shown)
        or field.name in model_admin.autocomplete_fields
        or field.name in model_admin.raw_id_fields
        or field.name in (model_admin.readonly_fields or ())
        or field.name in (model_admin.exclude or ())
    )


def test_every_foreign_key_to_a_large_table_is_searched_not_listed():
    missing = []
    for model, model_admin in admin.site._registry.items():
        admins = [model_admin] + [i(model, admin.site) for i in model_admin.inlines]
        for ma in admins:
            for field in ma.model._meta.get_fields():
                if (
                    field.is_relation
                    and (field.many_to_one or field.one_to_one)
                    and field.concrete
                    and field.related_model in BIG
                    and not _unlisted(ma, field)
                ):
                    missing.append(f"{ma.model.__name__}.{field.name}")
    assert missing == []


@pytest.mark.parametrize("model", [CouncilSeat, User], ids=["council-seat", "user"])
def test_admin_add_pages_do_not_list_the_schools(client, world, model):
    for i in range(30):
        SchoolFactory(name=f"后台列表学校{i:02d}", authority=world.shinan)
    client.force_login(world.users["admin"])
    opts = model._meta
    page = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    assert page.status_code == 200
    assert "后台列表学校" not in page.content.decode()
