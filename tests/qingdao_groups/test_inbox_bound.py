"""The inbox shows the oldest items of each kind, and how many more wait (issue 7)."""

import datetime

import pytest
from django.urls import reverse

from qingdao_groups.core.inbox import (
    InboxItem,
    inbox_page,
    register_inbox_provider,
    unregister_inbox_provider,
)


@pytest.fixture
def many_items():
    start = datetime.date(2024, 1, 1)

    def provider(user):
        return [
            InboxItem("待表态", f"申请{i}", start + datetime.timedelta(days=i), "")
            for i in range(30)
        ] + [
            InboxItem("待审批", f"审批{i}", start + datetime.timedelta(days=40 + i), "")
            for i in range(3)
        ]

    register_inbox_provider("test-many", provider)
    yield
    unregister_inbox_provider("test-many")


def test_inbox_page_keeps_the_oldest_of_each_kind(many_items, world):
    page = inbox_page(world.users["district"], per_kind=20)
    titles = [i.title for i in page.items if i.kind == "待表态"]
    assert titles == [f"申请{i}" for i in range(20)]  # the oldest 20
    assert len([i for i in page.items if i.kind == "待审批"]) == 3
    assert page.more == {"待表态": 10}
    assert inbox_page(world.users["district"], per_kind=None).more == {}


def test_inbox_view_is_bounded_with_a_link_to_everything(many_items, client, world):
    client.force_login(world.users["district"])
    url = reverse("applications:inbox")
    bounded = client.get(url)
    assert "申请19" in bounded.text and "申请20" not in bounded.text
    assert 'data-testid="inbox-more"' in bounded.text
    everything = client.get(url, {"all": 1})
    assert "申请29" in everything.text and 'data-testid="inbox-more"' not in everything.text


def test_a_source_is_counted_by_the_database_and_built_for_the_page_only(world):
    """A kind with many rows (a city's filings) returns an InboxSource: the page shows its
    oldest rows and counts the rest, building items for the shown rows alone."""
    from members.models import School
    from qingdao_groups.core.inbox import InboxSource

    built = []

    def item(school):
        built.append(school.pk)
        return InboxItem("待核对学校", school.name, datetime.date(2024, 1, 1), "")

    register_inbox_provider(
        "test-source",
        lambda user: InboxSource("待核对学校", School.objects.order_by("pk"), item),
    )
    try:
        total = School.objects.count()
        page = inbox_page(world.users["district"], per_kind=2)
        shown = [i.title for i in page.items if i.kind == "待核对学校"]
        first_two = list(School.objects.order_by("pk").values_list("name", flat=True)[:2])
        assert sorted(shown) == sorted(first_two)  # the oldest two (same day: by title)
        assert page.more["待核对学校"] == total - 2
        assert len(built) == 2
    finally:
        unregister_inbox_provider("test-source")
