"""Writes through the API go through the pages' services (issue 11): a filing made through the
API and one made through the page are the same in the database and the history except for who
made it; enrollment plans (L-7); one-time tokens; refusals as problem+json with the clause."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.enrollment.models import EnrollmentPlan
from groups.filings.models import Filing
from qingdao_groups.models import Attachment, Notification
from tests.api.helpers import Api, make_client
from tests.test_uploads import make_pdf, upload

pytestmark = pytest.mark.django_db

FILINGS = "/api/v1/filings/"
LATER = timezone.localdate() + datetime.timedelta(days=30)

# What may differ between the two: keys, who acted and when.
VOLATILE = {"id", "filed_by_id", "history_id", "history_date", "history_user_id", "owner_id"}


def _fields(obj) -> dict:
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.attname not in VOLATILE and f.attname not in ("file", "uploaded_by_id", "uploaded_at")
    }


def _history(filing) -> list[dict]:
    return [
        {k: v for k, v in row.__dict__.items() if k not in VOLATILE and not k.startswith("_")}
        | {"history_change_reason": row.history_change_reason}
        for row in filing.history.order_by("history_id")
    ]


def test_a_filing_through_the_api_equals_one_through_the_page(world, client):
    """D-1, D-2: same service, same checks, same rows; only the recorded actor differs."""
    data = {
        "kind": "project",
        "title": "课后服务改革试点",
        "description": "我的摘要",
        "project_starts_on": LATER.isoformat(),
        "file_kind": "other",
    }
    client.force_login(world.users["district"])
    page = client.post(
        reverse("filings:filing-create"), data | {"file": upload(make_pdf(), "实施方案.pdf")}
    )
    assert page.status_code == 302
    by_page = Filing.objects.get()

    api_client, token = make_client(world, authority=world.shinan, scopes=["filings:write"])
    response = Api(token).post(FILINGS, data | {"file": upload(make_pdf(), "实施方案.pdf")})
    assert response.status_code == 201, response.content
    by_api = Filing.objects.exclude(pk=by_page.pk).get()
    assert response.json()["id"] == by_api.pk
    assert response["Location"] == f"{FILINGS}{by_api.pk}/"

    assert _fields(by_api) == _fields(by_page)
    assert by_page.filed_by == world.users["district"]
    assert by_api.filed_by == api_client.user  # the recorded client
    assert _history(by_api) == _history(by_page)
    assert by_api.history.get().history_user == api_client.user
    [doc_page] = Attachment.objects.filter(owner_id=by_page.pk, owner_type__model="filing")
    [doc_api] = Attachment.objects.filter(owner_id=by_api.pk, owner_type__model="filing")
    assert _fields(doc_api) | {"owner_id": 0} == _fields(doc_page) | {"owner_id": 0}
    # The city is told of both alike.
    notices = Notification.objects.filter(user=world.users["city"]).order_by("id")
    assert notices.count() == 2
    assert notices[0].message.replace(str(by_page.pk), "") == notices[1].message.replace(
        str(by_api.pk), ""
    )


def test_a_repeated_idempotency_key_files_once(world):
    _client, token = make_client(world, authority=world.shinan, scopes=["filings:write"])
    key = str(uuid.uuid4())
    data = {"kind": "policy", "title": "配套政策一"}
    first = Api(token).post(
        FILINGS, data, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )
    again = Api(token).post(
        FILINGS, data, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Filing.objects.count() == 1


def test_a_refused_filing_answers_with_the_clause_and_stores_nothing(world):
    _client, token = make_client(world, authority=world.shinan, scopes=["filings:write"])
    response = Api(token).post(
        FILINGS, {"kind": "project", "title": "没有开始日期的项目"}, content_type="application/json"
    )
    assert response.status_code == 422
    body = response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert body["code"] == "rule_refused" and body["clause"] == "D-2"
    assert "project_starts_on" in body["errors"]
    assert Filing.objects.count() == 0


def test_bad_input_is_400_with_messages_per_field(world):
    _client, token = make_client(world, authority=world.shinan, scopes=["filings:write"])
    response = Api(token).post(
        FILINGS, {"kind": "nonsense", "title": "x" * 201}, content_type="application/json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and {"kind", "title"} <= set(body["errors"])


def test_a_refused_file_is_400_and_leaves_no_filing(world):
    _client, token = make_client(world, authority=world.shinan, scopes=["filings:write"])
    exe = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200
    response = Api(token).post(
        FILINGS, {"kind": "policy", "title": "带病毒的文件", "file": upload(exe, "政策.pdf")}
    )
    assert response.status_code == 400
    assert "file" in response.json()["errors"]
    assert Filing.objects.count() == 0


def test_a_school_client_cannot_file_with_the_city(world):
    _client, token = make_client(world, school=world.core, scopes=["filings:write"])
    response = Api(token).post(FILINGS, {"kind": "policy", "title": "学校不能报备"})
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert Filing.objects.count() == 0


def test_documents_are_added_to_an_own_filing_and_not_to_anothers(world):
    _client, token = make_client(world, authority=world.shinan, scopes=["filings:write"])
    api = Api(token)
    filing_id = api.post(FILINGS, {"kind": "policy", "title": "配套政策二"}).json()["id"]
    added = api.post(
        f"{FILINGS}{filing_id}/documents/",
        {"kind": "policy", "file": upload(make_pdf(), "政策.pdf")},
    )
    assert added.status_code == 201
    assert added.json()["original_name"] == "政策.pdf"
    download = api.get(added.json()["download"])
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    _other, other_token = make_client(world, authority=world.laoshan, scopes=["filings:write"])
    refused = Api(other_token).post(
        f"{FILINGS}{filing_id}/documents/", {"kind": "policy", "file": upload(make_pdf(), "x.pdf")}
    )
    assert refused.status_code == 404  # 崂山 does not see 市南's filing at all


def test_a_school_system_files_its_enrollment_plan(world):
    """L-7: one plan per school per year, through the same service as the page."""
    client, token = make_client(world, school=world.core, scopes=["plans:write"])
    data = {
        "year": timezone.localdate().year + 1,
        "places": 400,
        "classes": 10,
        "catchment": "本校学区",
        "method": "catchment",
    }
    first = Api(token).post("/api/v1/enrollment-plans/", data, content_type="application/json")
    assert first.status_code == 201, first.content
    plan = EnrollmentPlan.objects.get()
    assert plan.school == world.core and plan.filed_by == client.user and plan.places == 400
    second = Api(token).post("/api/v1/enrollment-plans/", data, content_type="application/json")
    assert second.status_code == 422
    assert second.json()["clause"] == "L-7"
    assert EnrollmentPlan.objects.count() == 1
    district, district_token = make_client(world, authority=world.shinan, scopes=["plans:write"])
    refused = Api(district_token).post(
        "/api/v1/enrollment-plans/", data, content_type="application/json"
    )
    assert refused.status_code == 403
