"""A feature outside groups/ (funding, assessments, …) plugs its documents, work-list items and
timeline events into the shared parts without editing groups/ (issue 6, shared parts).

The throwaway owner here is members.Partner (a model groups/ knows nothing about as an owner),
with a rule of its own; the provider and the timeline source are fakes registered by the test."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from members.models import Partner, User
from qingdao_groups.core import inbox, timeline
from qingdao_groups.core.documents import (
    _OWNERS,
    attachment_add,
    attachments_of,
    register_document_owner,
)
from qingdao_groups.core.rules import RuleRefusal
from qingdao_groups.models import Attachment
from tests.test_uploads import make_pdf, upload


def _only_city(user, partner) -> bool:
    """The throwaway rule: only city staff see a partner's documents."""
    return user.is_city_staff


@pytest.fixture
def partner_owner():
    register_document_owner(
        Partner, can_view=_only_city, upload_kinds=lambda user, partner: [Attachment.Kind.OTHER]
    )
    yield
    _OWNERS.pop(Partner, None)


@pytest.fixture
def partner(world):
    return Partner.objects.create(name="某高校", kind=Partner.Kind.HIGHER_EDUCATION)


def test_any_model_owns_documents_with_access_by_its_own_rule(world, partner_owner, partner, login):
    city, district = world.users["city"], world.users["district"]
    first = attachment_add(
        owner=partner,
        kind=Attachment.Kind.OTHER,
        uploaded_file=upload(make_pdf(), "合作协议.pdf"),
        actor=city,
    )
    second = attachment_add(
        owner=partner,
        kind=Attachment.Kind.OTHER,
        uploaded_file=upload(make_pdf(), "合作协议.pdf"),
        actor=city,
    )
    assert (first.owner, first.version, second.version) == (partner, 1, 2)
    assert list(attachments_of(partner).order_by("version")) == [first, second]
    # Its rule decides who may add which kind …
    with pytest.raises(PermissionDenied):
        attachment_add(
            owner=partner,
            kind=Attachment.Kind.OTHER,
            uploaded_file=upload(make_pdf()),
            actor=district,
        )
    with pytest.raises(RuleRefusal):
        attachment_add(
            owner=partner,
            kind=Attachment.Kind.EVIDENCE,
            uploaded_file=upload(make_pdf()),
            actor=city,
        )
    # … and who may download: the shared view asks the owner's rule, 404 for everyone else.
    url = reverse("attachments:download", args=[first.pk])
    response = login(city).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == make_pdf()
    assert login(district).get(url).status_code == 404
    assert login(world.users["auditor"]).get(url).status_code == 404


def test_an_unregistered_owner_takes_no_documents_and_serves_none(world, partner, login):
    with pytest.raises(TypeError):
        attachment_add(
            owner=partner,
            kind=Attachment.Kind.OTHER,
            uploaded_file=upload(make_pdf()),
            actor=world.users["city"],
        )
    stored = Attachment.objects.create(
        owner=partner,
        kind=Attachment.Kind.OTHER,
        file="attachments/2025/01/x.pdf",
        original_name="x.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        uploaded_by=world.users["city"],
    )
    response = login(world.users["city"]).get(reverse("attachments:download", args=[stored.pk]))
    assert response.status_code == 404


@pytest.fixture
def fake_provider():
    def provider(user):
        if user.role != User.Role.CITY_STAFF:
            return []
        return [
            inbox.InboxItem(
                "待核拨经费",
                "某集团 2025 年经费",
                datetime.date(2000, 1, 1),
                "/funding/1/",
                "F-1",
                overdue=True,
            )
        ]

    inbox.register_inbox_provider("test-funding", provider)
    yield
    inbox.unregister_inbox_provider("test-funding")


def test_a_registered_provider_adds_its_items_to_the_inbox(world, fake_provider, login):
    response = login(world.users["city"]).get(reverse("applications:inbox"))
    items = response.context["items"]
    assert items[0].title == "某集团 2025 年经费" and items[0].overdue  # the oldest first
    html = response.content.decode()
    assert "待核拨经费" in html and 'href="/funding/1/"' in html
    district = login(world.users["district"]).get(reverse("applications:inbox"))
    assert all(i.title != "某集团 2025 年经费" for i in district.context["items"])


@pytest.fixture
def fake_timeline_source():
    from members.models import School

    source = timeline.TimelineSource(
        "test-assessment",
        lambda group_id, user: School.history.filter(name="青岛测试核心学校"),
        lambda values: f"评估：{values[0]}",
        ("name",),
    )
    timeline.register_timeline_source(source)
    yield
    timeline._SOURCES.pop("test-assessment", None)


def test_a_registered_timeline_source_adds_its_events(world, fake_timeline_source):
    entries = timeline.timeline_for(group_id=world.group.pk, user=world.users["city"])
    assert any(e.subject == "评估：青岛测试核心学校" for e in entries)


def test_the_timeline_is_one_query_whatever_the_sources(world, django_assert_num_queries):
    """All registered history tables are read in one UNION ALL, newest first."""
    with django_assert_num_queries(1):
        entries = timeline.timeline_for(group_id=world.group.pk, user=world.users["city"])
    assert entries and entries == sorted(entries, key=lambda e: e.when, reverse=True)
