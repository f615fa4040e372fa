"""Build founding, admission and exit applications through the services, up to any step.

For tests of the application machinery (policy L-1 … L-5) and anyone who needs a ready-to-decide
application: `founding_ready(world)`, `admission_ready(world)`, `exit_ready(world)` return a
`Built` whose `.application` is under decision and whose `.decider` may decide it. Everything goes
through groups.services (nothing is written behind the services' back), so a test that uses these
helpers also exercises the drafting, upload, submission and consent steps.

Users made here have e-mail addresses, so notification e-mails can be counted in mail.outbox."""

import datetime
import itertools
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from groups.applications.models import AdmissionCriterion, Application, Consent
from groups.applications.services import (
    admission_evaluation_record,
    application_create,
    application_submit,
    consent_record,
    exit_opinion_record,
    proposed_member_set,
    proposed_partner_add,
)
from groups.registry.models import Membership
from members.models import Authority, School, User
from qingdao_groups.core.documents import attachment_add
from tests.factories import PartnerFactory, SchoolFactory, UserFactory
from tests.test_uploads import make_pdf

# A real one-page PDF: uploads parse PDFs for active content and refuse damaged ones (issue 12).
MINIMAL_PDF = make_pdf("minimal")
START_ON = datetime.date(2025, 9, 1)
FOUNDING_DOCUMENTS = ("plan", "agreement", "charter")

_seq = itertools.count(1)

ON_POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]


def pdf(name: str = "材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, MINIMAL_PDF, content_type="application/pdf")


def give_emails(*users: User) -> None:
    for user in users:
        if not user.email:
            user.email = f"{user.username}@example.cn"
            user.save(update_fields=["email"])


def world_emails(world) -> None:
    """Give every `world` user an e-mail address (notifications are mailed after commit)."""
    give_emails(*world.users.values())


def staff(authority: Authority) -> User:
    """The (first) staff user of an authority, made on demand, with an e-mail address."""
    role = (
        User.Role.CITY_STAFF if authority.kind == Authority.Kind.CITY else User.Role.DISTRICT_STAFF
    )
    user = User.objects.filter(authority=authority, role=role).order_by("pk").first()
    if user is None:
        user = UserFactory(username=f"staff-{authority.code}", role=role, authority=authority)
    give_emails(user)
    return user


def principal(school: School, role: str = User.Role.CORE_PRINCIPAL) -> User:
    user = User.objects.filter(school=school, role__in=User.SCHOOL_ROLES).order_by("pk").first()
    if user is None:
        user = UserFactory(username=f"principal-{school.code}", role=role, school=school)
    give_emails(user)
    return user


def upload(application: Application, actor: User, *kinds: str):
    return [
        attachment_add(owner=application, kind=kind, uploaded_file=pdf(f"{kind}.pdf"), actor=actor)
        for kind in kinds
    ]


def fresh(application: Application) -> Application:
    return Application.objects.get(pk=application.pk)


@dataclass
class Built:
    application: Application
    principal: User  # the applicant school's principal
    decider: User  # staff of the deciding authority (the core school's, policy L-1)
    members: list[School] = field(default_factory=list)
    consenters: dict[int, User] = field(default_factory=dict)  # authority id -> its staff

    def refresh(self) -> Application:
        self.application = fresh(self.application)
        return self.application

    def consent_of(self, authority: Authority) -> Consent:
        return Consent.objects.get(application=self.application, authority=authority)


# --- founding (policy L-1, L-2) ----------------------------------------------------------------


def founding_draft(
    world,
    *,
    city: bool = False,
    fusion_warning: bool = False,
    start_on: datetime.date = START_ON,
    documents=FOUNDING_DOCUMENTS,
    partner: bool = True,
    **fields,
) -> Built:
    """A new core school (a 市南 school, or a city-bureau school when `city`) drafts a founding
    with two proposed members from two other districts (市北, 崂山), a partner and the documents.

    By default the draft passes every check cleanly; `fusion_warning` makes the 市北 member a
    fusion (T-1) of a different stage, which warns and needs the approver's justification."""
    n = next(_seq)
    authority = world.city if city else world.shinan
    core = SchoolFactory(
        name=f"青岛新核心学校{n}",
        authority=authority,
        district="shinan",
        stage=School.Stage.PRIMARY,
        principal_name=f"核心校长{n}",
    )
    shibei_school = SchoolFactory(
        name=f"市北拟成员学校{n}",
        authority=world.shibei,
        stage=School.Stage.JUNIOR,
        is_weak=True,
        weak_rated_year=2021,
    )
    laoshan_school = SchoolFactory(
        name=f"崂山拟成员学校{n}", authority=world.laoshan, stage=School.Stage.JUNIOR
    )
    actor = principal(core)
    values = {
        "proposed_name": f"青岛新核心学校{n}教育集团",
        "specialty": "科技创新",
        "unified_areas": ["philosophy", "teaching_research"],
        "start_on": start_on,
        "description": "测试用成立申请",
    } | fields
    application = application_create(kind=Application.Kind.FOUNDING, actor=actor, **values)
    if fusion_warning:
        proposed_member_set(
            application=application,
            school=shibei_school,
            relation_type="T-1",
            relation_subtype="T-1a",
            actor=actor,
        )
    else:
        proposed_member_set(
            application=application,
            school=shibei_school,
            relation_type="T-2",
            relation_subtype="T-2a",
            actor=actor,
        )
    proposed_member_set(
        application=application,
        school=laoshan_school,
        relation_type="T-3",
        relation_subtype="T-3b",
        projects="科技社团\n教师培训",
        actor=actor,
    )
    if partner:
        proposed_partner_add(
            application=application,
            partner=PartnerFactory(),
            projects="研学实践\n科技社团",
            actor=actor,
        )
    upload(application, actor, *documents)
    return Built(
        application=fresh(application),
        principal=actor,
        decider=staff(authority),
        members=[shibei_school, laoshan_school],
        consenters={world.shibei.pk: staff(world.shibei), world.laoshan.pk: staff(world.laoshan)},
    )


def submit(built: Built) -> Application:
    app = built.refresh()
    application_submit(application=app, actor=built.principal, expected_version=app.version)
    return built.refresh()


def give_all_consents(built: Built) -> Application:
    for consent in Consent.objects.filter(application=built.application).select_related(
        "authority"
    ):
        consent_record(
            consent=consent,
            given=True,
            reason="",
            actor=built.consenters.get(consent.authority_id) or staff(consent.authority),
        )
    return built.refresh()


def founding_ready(world, **kwargs) -> Built:
    """A founding under decision: submitted, every member authority has consented."""
    built = founding_draft(world, **kwargs)
    submit(built)
    give_all_consents(built)
    assert built.application.status == Application.Status.UNDER_DECISION
    return built


# --- admission (policy L-3, L-4) ---------------------------------------------------------------


def criteria(n: int = 2) -> list[AdmissionCriterion]:
    """The city-wide admission evaluation checklist (准入评估), made once."""
    existing = list(AdmissionCriterion.objects.filter(group__isnull=True, active=True))
    if existing:
        return existing
    names = ["办学理念契合度", "师资互补性", "地理位置与交通", "家长与社会认可"]
    return [
        AdmissionCriterion.objects.create(name=names[i], max_score=10, order=i) for i in range(n)
    ]


def evaluate(built: Built, recommendation: str = "admit") -> Application:
    """Score every active checklist item and recommend (准入评估, policy L-3)."""
    criteria()
    scores = {
        c.pk: (min(8, c.max_score), "符合") for c in AdmissionCriterion.objects.filter(active=True)
    }
    admission_evaluation_record(
        application=built.refresh(),
        scores=scores,
        recommendation=recommendation,
        note="评估良好",
        actor=built.principal,
    )
    return built.refresh()


def admission_draft(
    world,
    *,
    candidate: School | None = None,
    same_authority: bool = False,
    mode: str = Application.AdmissionMode.OWN_CHOICE,
    start_on: datetime.date = START_ON,
    evaluated: bool = True,
    agreement: bool = True,
) -> Built:
    """The core principal of world.group applies to admit a new (weak, junior) school from 崂山
    (its authority must consent) or, with `same_authority`, from 市南 (no consent needed)."""
    n = next(_seq)
    if candidate is None:
        candidate = SchoolFactory(
            name=f"拟吸纳学校{n}",
            authority=world.shinan if same_authority else world.laoshan,
            stage=School.Stage.JUNIOR,
            is_weak=True,
            weak_rated_year=2022,
        )
    actor = world.users["principal"]
    give_emails(actor)
    application = application_create(
        kind=Application.Kind.ADMISSION,
        actor=actor,
        group=world.group,
        admission_mode=mode,
        start_on=start_on,
        description="测试用吸纳申请",
    )
    proposed_member_set(
        application=application,
        school=candidate,
        relation_type="T-2",
        relation_subtype="T-2a",
        actor=actor,
    )
    if agreement:
        upload(application, actor, "agreement")
    built = Built(
        application=fresh(application),
        principal=actor,
        decider=staff(world.shinan),
        members=[candidate],
        consenters={candidate.authority_id: staff(candidate.authority)},
    )
    if evaluated:
        evaluate(built)
    return built


def admission_ready(world, **kwargs) -> Built:
    built = admission_draft(world, **kwargs)
    submit(built)
    give_all_consents(built)
    assert built.application.status == Application.Status.UNDER_DECISION
    return built


# --- exit (policy L-5) -------------------------------------------------------------------------


def exit_draft(
    world, *, membership: Membership | None = None, start_on: datetime.date = START_ON
) -> Built:
    """The member principal of world.member_school applies to leave world.group."""
    membership = membership or world.membership
    actor = principal(membership.school, User.Role.MEMBER_PRINCIPAL)
    application = application_create(
        kind=Application.Kind.EXIT,
        actor=actor,
        membership=membership,
        start_on=start_on,
        reason="办学质量提升，拟牵头组建新集团",
    )
    return Built(
        application=fresh(application),
        principal=actor,
        decider=staff(membership.group.authority),
        members=[membership.school],
    )


def give_opinion(world, built: Built, supports: bool = True) -> Application:
    core_principal = principal(built.application.group.core_school)
    app = built.refresh()
    exit_opinion_record(
        application=app,
        supports=supports,
        opinion="同意该校退出",
        actor=core_principal,
        expected_version=app.version,
    )
    return built.refresh()


def exit_ready(world, **kwargs) -> Built:
    built = exit_draft(world, **kwargs)
    submit(built)
    give_opinion(world, built)
    assert built.application.status == Application.Status.UNDER_DECISION
    return built
