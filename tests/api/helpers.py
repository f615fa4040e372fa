"""Building API clients and calling the API with their keys (issue 11)."""

import datetime

from django.test import Client
from django.utils import timezone

from api.models import ApiKey, Scope
from api.services import api_client_register
from funding.ledgers.models import Ledger
from groups.applications.models import Application
from groups.cards.models import Card
from groups.enrollment.models import EnrollmentPlan
from groups.filings.models import Filing
from groups.filings.services import filing_attachment_add
from members.models import User
from tests.factories import UserFactory
from tests.test_uploads import make_pdf, upload

ALL_SCOPES = [s.value for s in Scope]


def make_client(world, *, authority=None, school=None, scopes=None, name=None):
    """(ApiClient, token) registered by the world's administrator."""
    unit = authority or school
    client, new = api_client_register(
        name=name or f"系统-{unit.pk}-{authority is not None}-{timezone.now().timestamp()}",
        scopes=ALL_SCOPES if scopes is None else scopes,
        authority=authority,
        school=school,
        actor=world.users["admin"],
    )
    return client, new.token


class Api:
    """The Django test client speaking to the API with one key."""

    def __init__(self, token: str | None, language: str | None = None):
        self.http = Client()
        self.headers = {}
        if token:
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        if language:
            self.headers["HTTP_ACCEPT_LANGUAGE"] = language

    def get(self, path, data=None, **extra):
        return self.http.get(path, data, **self.headers, **extra)

    def post(self, path, data=None, content_type=None, **extra):
        if content_type:
            return self.http.post(path, data, content_type=content_type, **self.headers, **extra)
        return self.http.post(path, data, **self.headers, **extra)


def expire(token: str) -> None:
    prefix = token.split("_")[1]
    ApiKey.objects.filter(prefix=prefix).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )


# --- the objects ---------------------------------------------------------------------------------


def build_objects(world) -> dict[str, dict[str, int]]:
    """For each kind of object the API serves, one of the world group's / 市南's ("own") and one
    of the 崂山 group's ("other"): {object key: {"own": id, "other": id}}. A filing has one
    attachment, a report its archived PDF ("document")."""
    from tests.assessments.builders import archive_fake_report, make_published_cycle

    laoshan_staff = UserFactory(role=User.Role.DISTRICT_STAFF, authority=world.laoshan)
    laoshan_principal = UserFactory(role=User.Role.CORE_PRINCIPAL, school=world.other_core)
    objects: dict[str, dict[str, int]] = {
        "school": {"own": world.core.pk, "other": world.other_school.pk},
        "group": {"own": world.group.pk, "other": world.other_group.pk},
    }
    keys = ("filing", "attachment", "application", "card", "plan", "ledger", "report", "document")
    objects |= {key: {} for key in keys}
    cycle = make_published_cycle(world)
    sides = {
        "own": (world.shinan, world.group, world.core, world.users["district"]),
        "other": (world.laoshan, world.other_group, world.other_core, laoshan_staff),
    }
    for which, (authority, group, core, staff) in sides.items():
        filing = Filing.objects.create(
            authority=authority,
            kind=Filing.Kind.POLICY,
            title=f"矩阵报备 {which}",
            filed_on=datetime.date(2025, 3, 1),
            status=Filing.Status.FILED,
            filed_by=staff,
        )
        attachment = filing_attachment_add(
            filing=filing, kind="policy", uploaded_file=upload(make_pdf(), "政策.pdf"), actor=staff
        )
        objects["filing"][which] = filing.pk
        objects["attachment"][which] = attachment.pk
        principal = world.users["principal"] if which == "own" else laoshan_principal
        objects["application"][which] = Application.objects.create(
            kind=Application.Kind.ADMISSION,
            status=Application.Status.AWAITING_CONSENTS,
            applicant_school=core,
            group=group,
            deciding_authority=authority,
            created_by=principal,
        ).pk
        membership = group.memberships.get(role="member")
        objects["card"][which] = Card.objects.create(
            membership=membership,
            group=group,
            level=Card.Level.YELLOW,
            status=Card.Status.YELLOW_ISSUED,
            ground=Card.Ground.AGREEMENT,
            description="未履行协议",
            deadline="2099-01-01",
            issued_by=staff,
        ).pk
        objects["plan"][which] = EnrollmentPlan.objects.create(
            school=core,
            year=2026,
            places=200,
            classes=5,
            catchment="测试片区",
            method=EnrollmentPlan.Method.CATCHMENT,
            status=EnrollmentPlan.Status.FILED,
            filed_by=principal,
        ).pk
        objects["ledger"][which] = Ledger.objects.create(
            group=group,
            authority=authority,
            fiscal_year=2025,
            status=Ledger.Status.CONFIRMED,
            computed_at=timezone.now(),
            confirmed_at=timezone.now(),
        ).pk
        report = archive_fake_report(cycle, group=group)
        objects["report"][which] = report.pk
        objects["document"][which] = report.documents.get().pk
    return objects
