"""The report pages (assessments/reports/views.py; policy A-1; issue 10): a cycle's reports, a
report's page from the archived data, the PDF as archived, a new version for staff, and a
constant number of queries whatever the number of reports."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.reports.models import Report
from tests.assessments.builders import archive_fake_report, make_published_cycle
from tests.factories import EducationGroupFactory, SchoolFactory

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_the_report_page_shows_the_archived_data_and_links_the_pdf_A1_A2(client, world):
    cycle = make_published_cycle(world)
    report = archive_fake_report(cycle, group=world.group)
    client.force_login(world.users["principal"])
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    document = report.documents.get()
    assert world.group.name in page and document.code in page
    assert reverse("reports:pdf", args=[report.pk]) in page
    assert "A-2" in page and "A-3" in page and "A-4" in page
    assert 'data-testid="chart-dimensions"' in page and "<svg" in page
    assert "report-regenerate" not in page  # principals do not make versions
    pdf = client.get(reverse("reports:pdf", args=[report.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content if pdf.streaming else [pdf.content]).startswith(b"%PDF")


def test_the_cycle_list_is_scoped_to_the_reader(client, world):
    cycle = make_published_cycle(world)
    archive_fake_report(cycle, group=world.group)
    archive_fake_report(cycle, group=world.other_group)
    archive_fake_report(cycle, authority=world.shinan)
    archive_fake_report(cycle)
    url = reverse("reports:cycle", args=[cycle.pk])
    client.force_login(world.users["principal"])
    page = client.get(url).content.decode()
    assert world.group.name in page and world.other_group.name not in page
    client.force_login(world.users["district"])
    page = client.get(url).content.decode()
    assert world.group.name in page and world.other_group.name not in page
    assert world.shinan.name in page and "全市" in page
    client.force_login(world.users["auditor"])
    page = client.get(url).content.decode()
    assert world.group.name in page and world.other_group.name in page


def test_city_staff_regenerate_a_new_version(client, world):
    cycle = make_published_cycle(world, groups=[world.group])
    report = archive_fake_report(cycle, group=world.group)
    client.force_login(world.users["city"])
    response = client.post(reverse("reports:regenerate", args=[report.pk]))
    new = Report.objects.get(cycle=cycle, group=world.group, number=2)
    assert response.status_code == 302 and response["Location"] == reverse(
        "reports:detail", args=[new.pk]
    )
    assert Report.objects.filter(cycle=cycle, group=world.group).count() == 2
    page = client.get(reverse("reports:detail", args=[new.pk])).content.decode()
    assert "v1" in page  # the earlier version stays listed


def test_english_page_labels(client, world):
    cycle = make_published_cycle(world, groups=[world.group])
    report = archive_fake_report(cycle, group=world.group)
    user = world.users["city"]
    user.language = "en"
    user.save()
    client.force_login(user)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "Download PDF" in page


@pytest.mark.parametrize("role", ["city", "district", "principal"])
def test_report_pages_run_a_constant_number_of_queries(client, world, role):
    cycle = make_published_cycle(world)
    report = archive_fake_report(cycle, group=world.group)
    archive_fake_report(cycle)
    client.force_login(world.users[role])
    urls = [reverse("reports:cycle", args=[cycle.pk]), reverse("reports:detail", args=[report.pk])]
    for url in urls:
        client.get(url)  # warm per-process caches
    small = [_queries(client, url) for url in urls]
    # more groups in the cycle, each with its report, and more versions of this one
    from assessments.cycles.models import CycleGroup

    for _ in range(6):
        group = EducationGroupFactory(core_school=SchoolFactory(authority=world.shinan))
        CycleGroup.objects.create(cycle=cycle, group=group)
        archive_fake_report(cycle, group=group)
    for n in (2, 3):
        archive_fake_report(cycle, group=world.group, number=n)
    for url in urls:
        client.get(url)  # the new rows replaced the cached work-list counts: warm them again
    large = [_queries(client, url) for url in urls]
    assert large == small
    assert max(large) <= 12, large
