"""by_key reads one row by its key like QuerySet.get, without get()'s LIMIT (issue 7: with a
LIMIT PostgreSQL plans a many-join query several times longer)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from groups.applications.models import Application
from groups.registry.models import EducationGroup, Membership
from qingdao_groups.core.queries import by_key


def test_by_key_returns_the_row_like_get_without_a_limit(world):
    qs = EducationGroup.objects.select_related("core_school", "authority")
    with CaptureQueriesContext(connection) as ctx:
        group = by_key(qs, world.group.pk)
    assert group == qs.get(pk=world.group.pk)
    assert group.core_school.name == world.core.name  # the joined rows came with it
    assert "LIMIT" not in ctx.captured_queries[0]["sql"].upper()


def test_by_key_raises_what_get_raises(world):
    with pytest.raises(EducationGroup.DoesNotExist):
        by_key(EducationGroup.objects.all(), 10**9)
    with pytest.raises(Application.DoesNotExist):
        by_key(Application.objects.filter(pk__gt=0), 10**9)
    repeated = EducationGroup.objects.filter(memberships__in=Membership.objects.all())
    assert repeated.filter(pk=world.group.pk).count() == 2  # the core and the member
    with pytest.raises(EducationGroup.MultipleObjectsReturned):
        by_key(repeated, world.group.pk)
