"""Long filter lists (issue 7): a city's districts are a plain <select>; a nation's thousands are
the chosen one and a search box (members:choice-pick), and the filter still filters. Lists count
up to a cap and say when there are more."""

import pytest
from django.urls import reverse

from members.models import District, School
from members.pickers import CHOICE_SELECT_MAX, PICKER_LIMIT
from qingdao_groups.core.pagination import KeyFirstPaginator
from tests.factories import SchoolFactory


def _many_districts(n):
    District.objects.bulk_create(
        [District(code=f"zz{i:04d}", name=f"测试县{i:04d}") for i in range(n)]
    )
    # bulk_create sends no signals: drop the cached lists as a save would
    from members.selectors import drop_choice_caches

    drop_choice_caches()


def test_a_city_gets_every_district_as_an_option(world, login):
    page = login(world.users["city"]).get(reverse("members:school-list")).content.decode()
    assert 'data-testid="choice-search"' not in page
    for district in District.objects.all():
        assert f'<option value="{district.code}"' in page


def test_a_nation_gets_a_search_box_and_the_filter_still_filters(world, login):
    _many_districts(CHOICE_SELECT_MAX + 1)
    client = login(world.users["city"])
    page = client.get(reverse("members:school-list")).content.decode()
    assert 'data-testid="choice-search"' in page
    assert "测试县0001" not in page  # not one option per district
    # the chosen district stays shown, and the list is filtered by it
    there = SchoolFactory(name="远方测试学校", district_id="zz0007", authority=world.shinan)
    page = client.get(reverse("members:school-list"), {"district": "zz0007"}).content.decode()
    assert '<option value="zz0007" selected>测试县0007</option>' in page
    assert there.name in page
    assert world.core.name not in page
    # the search answers at most PICKER_LIMIT matches, then "all districts"
    found = client.get(reverse("members:choice-pick", args=["district"]), {"q": "测试县"})
    options = found.content.decode()
    assert options.count('<option value="zz') == PICKER_LIMIT
    assert options.rstrip().endswith('<option value="">全部区（市）</option>')
    one = client.get(reverse("members:choice-pick", args=["district"]), {"q": "县0042"})
    assert '<option value="zz0042">测试县0042</option>' in one.content.decode()
    none = client.get(reverse("members:choice-pick", args=["district"]), {"q": "不存在的县"})
    assert "没有找到" in none.content.decode()
    assert client.get(reverse("members:choice-pick", args=["nope"])).status_code == 404


def test_a_bad_district_gets_the_filters_message_not_an_error(world, login):
    _many_districts(CHOICE_SELECT_MAX + 1)
    page = login(world.users["city"]).get(reverse("members:school-list"), {"district": "x' or 1"})
    assert page.status_code == 200
    assert "区（市）：选择一个有效的选项" in page.content.decode()


@pytest.mark.parametrize("cap", [3])
def test_a_list_longer_than_the_cap_says_so_and_pages_stop_there(world, login, monkeypatch, cap):
    monkeypatch.setattr(KeyFirstPaginator, "cap", cap)
    client = login(world.users["city"])
    total = School.objects.count()
    assert total > cap
    page = client.get(reverse("members:school-list")).content.decode()
    assert f"超过 {cap} 所" in page
    assert 'data-testid="list-capped"' in page
    paginator = KeyFirstPaginator(School.objects.order_by("name", "id"), 2)
    assert paginator.capped and paginator.num_pages == 2  # 3 rows listed, 2 per page
    assert len(paginator.page(2)) == 1
    # under the cap, the exact count and no note
    monkeypatch.setattr(KeyFirstPaginator, "cap", total)
    page = client.get(reverse("members:school-list")).content.decode()
    assert f"共 {total} 所" in page
    assert 'data-testid="list-capped"' not in page
