"""Services take the moment they act as `now` instead of reading a patched clock (issue 6,
item 4): given a past `now`, each workflow writes it into the timestamps it sets and into the
date of its audit history rows (and its notices); without one, it uses the real clock."""

import datetime

import pytest
from django.utils import timezone

from groups.applications.models import Application, CheckResult, Consent
from groups.applications.services import (
    application_create,
    application_decide,
    application_submit,
    application_withdraw,
    consent_record,
    exit_opinion_record,
    proposed_member_set,
    proposed_partner_add,
)
from groups.applications.workflows import Action
from groups.cards.models import Card
from groups.cards.services import (
    card_issue_red,
    card_issue_yellow,
    card_lift,
    card_reject_rectification,
    card_submit_rectification,
    cards_mark_overdue,
)
from groups.charter.models import GroupDocument
from groups.enrollment.models import EnrollmentPlan
from groups.enrollment.services import (
    enrollment_plan_file,
    enrollment_plan_refile,
    enrollment_plan_return,
    enrollment_plan_set,
)
from groups.filings.models import Filing
from groups.filings.services import (
    filing_acknowledge,
    filing_create,
    filing_refile,
    filing_return,
)
from groups.registry.models import CouncilSeat, Membership
from groups.registry.services import (
    group_create,
    membership_add,
    membership_end,
    partnership_add,
)
from members.models import School
from qingdao_groups.core.documents import attachment_add
from qingdao_groups.core.workflow import stamp
from qingdao_groups.models import Attachment, Notification
from tests.factories import PartnerFactory, SchoolFactory
from tests.groups.workflow_helpers import FOUNDING_DOCUMENTS, START_ON, pdf, principal, staff


def moment(month: int, day: int, hour: int = 10) -> datetime.datetime:
    """A past moment in 2025 (before START_ON, so the applications' start dates lie ahead)."""
    return timezone.make_aware(datetime.datetime(2025, month, day, hour))


def last_history_date(obj) -> datetime.datetime:
    return obj.history.order_by("-history_id").first().history_date


def history_dates(obj) -> set[datetime.datetime]:
    return set(obj.history.values_list("history_date", flat=True))


def notified_at(when: datetime.datetime) -> bool:
    return Notification.objects.filter(created_at=when).exists()


# --- applications (policy L-1 … L-5), with the registry, documents and filing they write -------


def test_a_founding_is_dated_by_the_moments_it_is_given(world):
    drafted, submitted, consented, decided = (
        moment(3, 3),
        moment(3, 10),
        moment(3, 17),
        moment(3, 24),
    )
    core = SchoolFactory(
        name="青岛定时核心学校",
        authority=world.shinan,
        district="shinan",
        stage=School.Stage.PRIMARY,
        principal_name="定时校长",
    )
    shibei = SchoolFactory(
        name="市北定时成员学校",
        authority=world.shibei,
        stage=School.Stage.JUNIOR,
        is_weak=True,
        weak_rated_year=2021,
    )
    laoshan = SchoolFactory(
        name="崂山定时成员学校", authority=world.laoshan, stage=School.Stage.JUNIOR
    )
    actor = principal(core)
    application = application_create(
        kind=Application.Kind.FOUNDING,
        actor=actor,
        proposed_name="青岛定时核心学校教育集团",
        specialty="科技创新",
        unified_areas=["philosophy", "teaching_research"],
        start_on=START_ON,
        description="测试",
        now=drafted,
    )
    proposed_member_set(
        application=application,
        school=shibei,
        relation_type="T-2",
        relation_subtype="T-2a",
        actor=actor,
        now=drafted,
    )
    proposed_member_set(
        application=application,
        school=laoshan,
        relation_type="T-3",
        relation_subtype="T-3b",
        projects="科技社团\n教师培训",  # several projects (policy T-3b)
        actor=actor,
        now=drafted,
    )
    proposed_partner_add(
        application=application, partner=PartnerFactory(), projects="研学", actor=actor, now=drafted
    )
    attachments = [
        attachment_add(owner=application, kind=kind, uploaded_file=pdf(), actor=actor, now=drafted)
        for kind in FOUNDING_DOCUMENTS
    ]
    application.refresh_from_db()
    assert application.created_at == drafted
    assert history_dates(application) == {drafted}
    for attachment in attachments:
        assert attachment.uploaded_at == drafted and history_dates(attachment) == {drafted}
    for member in application.proposed_members.all():
        assert history_dates(member) == {drafted}

    staff(world.shibei), staff(world.laoshan)  # the consenting authorities' staff, notified
    application_submit(application=application, actor=actor, now=submitted)
    application.refresh_from_db()
    assert application.status == Application.Status.AWAITING_CONSENTS
    assert application.submitted_at == submitted == application.step_started_at
    assert last_history_date(application) == submitted
    consents = list(Consent.objects.filter(application=application))
    assert {c.requested_at for c in consents} == {submitted}
    assert set(
        CheckResult.objects.filter(application=application).values_list("created_at", flat=True)
    ) == {submitted}
    assert notified_at(submitted)

    for consent in consents:
        consent_record(
            consent=consent, given=True, reason="", actor=staff(consent.authority), now=consented
        )
    for consent in consents:
        consent.refresh_from_db()
        assert consent.decided_at == consented and last_history_date(consent) == consented
    application.refresh_from_db()
    assert application.status == Application.Status.UNDER_DECISION
    assert application.step_started_at == consented == last_history_date(application)

    application_decide(
        application=application,
        action=Action.APPROVE,
        reason="同意",
        actor=staff(world.shinan),
        expected_version=application.version,
        justification="说明",
        now=decided,
    )
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED
    assert application.decided_at == decided == last_history_date(application)
    group = application.group
    assert history_dates(group) == {decided}
    assert {last_history_date(m) for m in group.memberships.all()} == {decided}
    assert {last_history_date(p) for p in group.partnerships.all()} == {decided}
    assert {last_history_date(s) for s in group.council_seats.all()} == {decided}
    documents = GroupDocument.objects.filter(group=group)
    assert documents.exists() and {d.uploaded_at for d in documents} == {decided}
    assert {last_history_date(d) for d in documents} == {decided}
    filing = Filing.objects.get(application=application)  # a district's founding (policy L-2)
    assert filing.filed_on == decided.date() and history_dates(filing) == {decided}
    assert notified_at(decided)
    # The history reads in the order the steps were taken.
    assert list(
        application.history.order_by("history_id").values_list("history_date", flat=True)
    ) == sorted(application.history.values_list("history_date", flat=True))


def test_an_exit_and_a_withdrawal_are_dated_by_the_moments_they_are_given(world):
    drafted, submitted, opined, decided = moment(4, 1), moment(4, 2), moment(4, 3), moment(4, 4)
    member = principal(world.member_school, "member_principal")
    application = application_create(
        kind=Application.Kind.EXIT,
        actor=member,
        membership=world.membership,
        start_on=START_ON,
        reason="拟退出",
        now=drafted,
    )
    application_submit(application=application, actor=member, now=submitted)
    application.refresh_from_db()
    assert application.status == Application.Status.AWAITING_OPINION
    exit_opinion_record(
        application=application,
        supports=True,
        opinion="同意",
        actor=principal(world.core),
        now=opined,
    )
    application.refresh_from_db()
    assert application.step_started_at == opined == last_history_date(application)
    application_decide(
        application=application,
        action=Action.APPROVE,
        reason="同意",
        actor=staff(world.shinan),
        expected_version=application.version,
        justification="说明",
        now=decided,
    )
    application.refresh_from_db()
    assert application.decided_at == decided == last_history_date(application)
    membership = Membership.objects.get(pk=world.membership.pk)
    assert membership.left_on == START_ON  # an exit dated later: a member until then (L-5)
    assert last_history_date(membership) == decided
    assert membership.history.order_by("-history_id").first().history_change_reason

    other = application_create(
        kind=Application.Kind.FOUNDING,
        actor=principal(SchoolFactory(authority=world.laoshan)),
        proposed_name="撤回用",
        specialty="特色",
        now=drafted,
    )
    withdrawn_at = moment(4, 5)
    application_withdraw(application=other, actor=other.created_by, now=withdrawn_at)
    other.refresh_from_db()
    assert other.status == Application.Status.WITHDRAWN
    assert other.step_started_at == withdrawn_at == last_history_date(other)


# --- cards (policy L-6) ------------------------------------------------------------------------


def test_cards_are_dated_by_the_moments_they_are_given(world):
    issuer = world.users["district"]  # staff of the core school's authority (市南)
    member = principal(world.member_school, "member_principal")
    issued, rectified, rejected, again, lifted = (
        moment(5, 1),
        moment(5, 2),
        moment(5, 3),
        moment(5, 4),
        moment(5, 5),
    )
    card = card_issue_yellow(
        membership=world.membership,
        ground=Card.Ground.AGREEMENT,
        description="未履行协议",
        actor=issuer,
        now=issued,
    )
    card.refresh_from_db()
    assert card.issued_at == issued and history_dates(card) == {issued}
    assert card.deadline > issued.date()  # the default period runs from `now`'s day
    assert notified_at(issued)
    card_submit_rectification(card=card, rectification="已整改", actor=member, now=rectified)
    card.refresh_from_db()
    assert card.rectified_at == rectified == last_history_date(card)
    card_reject_rectification(
        card=card, note="不够", new_deadline=datetime.date(2025, 6, 1), actor=issuer, now=rejected
    )
    assert last_history_date(card) == rejected
    card_submit_rectification(card=card, rectification="再整改", actor=member, now=again)
    card_lift(card=card, note="通过", actor=issuer, now=lifted)
    card.refresh_from_db()
    assert card.status == Card.Status.LIFTED
    assert card.closed_at == lifted == last_history_date(card)

    overdue_on, marked, expelled = moment(6, 1), moment(6, 20), moment(6, 25)
    yellow = card_issue_yellow(
        membership=world.membership,
        ground=Card.Ground.AGREEMENT,
        description="再次未履行",
        actor=issuer,
        deadline=datetime.date(2025, 6, 10),
        now=overdue_on,
    )
    assert cards_mark_overdue(today=marked.date(), now=marked) == 1
    yellow.refresh_from_db()
    assert yellow.status == Card.Status.OVERDUE and last_history_date(yellow) == marked
    red = card_issue_red(
        membership=world.membership,
        reason="逾期未整改",
        actor=issuer,
        escalate_from=yellow,
        now=expelled,
    )
    red.refresh_from_db()
    yellow.refresh_from_db()
    assert red.issued_at == expelled == red.closed_at == last_history_date(red)
    assert yellow.closed_at == expelled == last_history_date(yellow)
    membership = Membership.objects.get(pk=world.membership.pk)
    assert membership.left_on == expelled.date() and last_history_date(membership) == expelled
    assert notified_at(expelled)


# --- district filings (policy D-1, D-2, L-2) ---------------------------------------------------


def test_filings_are_dated_by_the_moments_they_are_given(world):
    district, city = world.users["district"], world.users["city"]
    filed, returned, refiled, acknowledged = moment(7, 1), moment(7, 2), moment(7, 3), moment(7, 4)
    filing = filing_create(
        kind=Filing.Kind.PROJECT,
        title="走教项目",
        actor=district,
        project_starts_on=datetime.date(2025, 8, 1),
        now=filed,
    )
    filing.refresh_from_db()
    assert filing.filed_on == filing.first_filed_on == filed.date()
    assert not filing.is_late  # judged against `now`'s day, not the real one (D-2)
    assert history_dates(filing) == {filed} and notified_at(filed)
    filing_return(filing=filing, remarks="补充", actor=city, now=returned)
    filing.refresh_from_db()
    assert filing.handled_at == returned == last_history_date(filing)
    filing_refile(
        filing=filing,
        title="走教项目（修改）",
        actor=district,
        project_starts_on=datetime.date(2025, 8, 1),
        now=refiled,
    )
    filing.refresh_from_db()
    assert filing.filed_on == refiled.date() and last_history_date(filing) == refiled
    filing_acknowledge(filing=filing, actor=city, now=acknowledged)
    filing.refresh_from_db()
    assert filing.handled_at == acknowledged == last_history_date(filing)


# --- enrollment plans (policy L-7) -------------------------------------------------------------


def test_enrollment_plans_are_dated_by_the_moments_they_are_given(world):
    school_principal, authority = principal(world.core), world.users["district"]
    filed, returned, refiled, set_at = moment(8, 1), moment(8, 2), moment(8, 3), moment(8, 4)
    content = {"places": 300, "classes": 6, "catchment": "市南区", "method": "catchment"}
    plan = enrollment_plan_file(
        school=world.core, year=2025, actor=school_principal, now=filed, **content
    )
    plan.refresh_from_db()
    assert plan.filed_at == filed and history_dates(plan) == {filed} and notified_at(filed)
    enrollment_plan_return(plan=plan, remarks="修改", actor=authority, now=returned)
    plan.refresh_from_db()
    assert plan.set_at == returned == last_history_date(plan)
    enrollment_plan_refile(plan=plan, actor=school_principal, now=refiled, **content)
    plan.refresh_from_db()
    assert plan.filed_at == refiled == last_history_date(plan)
    enrollment_plan_set(plan=plan, actor=authority, now=set_at)
    plan.refresh_from_db()
    assert plan.status == EnrollmentPlan.Status.SET
    assert plan.set_at == set_at == last_history_date(plan)


# --- assessment cycles (policy A-1 … A-4) -------------------------------------------------------


def test_assessment_cycles_are_dated_by_the_moments_they_are_given(world):
    from assessments.cycles import services as cycle_services
    from assessments.cycles.models import CycleGroup, FactualFlag
    from assessments.cycles.workflows import FlagAction
    from tests.assessments.cycle_helpers import fill_self, open_cycle, score_all

    city, core = world.users["city"], world.users["principal"]
    opened, started, filled, inspected, scored, checked, flagged, resolved, published = (
        moment(9, d) for d in (1, 2, 3, 4, 5, 6, 7, 8, 9)
    )
    cycle = open_cycle(world, group_ids=[world.group.pk], now=opened)
    assert cycle.created_at == opened == last_history_date(cycle)
    cycle = cycle_services.cycle_start(
        cycle=cycle, actor=city, expected_version=cycle.version, now=started
    )
    assert cycle.step_started_at == started == last_history_date(cycle) and notified_at(started)
    entry = fill_self(CycleGroup.objects.get(cycle=cycle), core, now=filled)
    entry = cycle_services.self_assessment_submit(
        entry=entry, actor=core, expected_version=entry.version, now=filled
    )
    assert entry.self_submitted_at == filled == last_history_date(entry)
    cycle = cycle_services.cycle_to_inspection(
        cycle=cycle, actor=city, expected_version=cycle.version, now=inspected
    )
    assert last_history_date(cycle) == inspected
    entry = score_all(CycleGroup.objects.get(pk=entry.pk), city, now=scored)
    assert entry.inspected_at == scored == last_history_date(entry)
    cycle = cycle_services.cycle_to_factual_check(
        cycle=cycle, actor=city, expected_version=cycle.version, now=checked
    )
    flag = cycle_services.flag_raise(
        entry=entry, actor=core, indicator=None, text="有误", now=flagged
    )
    assert flag.raised_at == flagged == last_history_date(flag)
    cycle_services.flag_resolve(
        flag=flag,
        actor=city,
        action=FlagAction.REJECT,
        reply="不予采纳",
        expected_version=flag.version,
        now=resolved,
    )
    assert FactualFlag.objects.get(pk=flag.pk).resolved_at == resolved
    cycle = cycle_services.cycle_publish(
        cycle=cycle, actor=city, expected_version=cycle.version, now=published
    )
    assert cycle.published_at == published == last_history_date(cycle)


# --- the registry (policy G-1, G-3, L-5) -------------------------------------------------------


def test_registry_writes_are_dated_by_the_moments_they_are_given(world):
    admin = world.users["admin"]
    founded, joined, partnered, ended = moment(2, 1), moment(2, 2), moment(2, 3), moment(2, 4)
    core = SchoolFactory(name="定时登记核心学校", authority=world.laoshan)
    group = group_create(
        name="定时登记教育集团",
        code="QD-T-NOW",
        core_school=core,
        specialty="特色",
        founded_on=founded.date(),
        actor=admin,
        now=founded,
    )
    assert history_dates(group) == {founded}
    assert history_dates(group.memberships.get()) == {founded}
    assert history_dates(CouncilSeat.objects.get(group=group)) == {founded}
    school = SchoolFactory(authority=world.laoshan)
    membership = membership_add(
        group=group,
        school=school,
        relation_type="T-2",
        relation_subtype="T-2a",
        joined_on=joined.date(),
        actor=admin,
        now=joined,
    )
    assert history_dates(membership) == {joined}
    partnership = partnership_add(
        group=group,
        partner=PartnerFactory(),
        projects=["研学"],
        started_on=partnered.date(),
        actor=admin,
        now=partnered,
    )
    assert history_dates(partnership) == {partnered}
    membership_end(
        membership=membership,
        left_on=ended.date(),
        end_reason=Membership.EndReason.EXIT,
        actor=admin,
        now=ended,
    )
    row = membership.history.order_by("-history_id").first()
    assert row.history_date == ended and row.history_change_reason  # the reason, whole


# --- without `now`: the real clock -------------------------------------------------------------


def _yellow(world):
    return card_issue_yellow(
        membership=world.membership,
        ground=Card.Ground.AGREEMENT,
        description="未履行协议",
        actor=world.users["district"],
    )


def _application(world):
    return application_create(
        kind=Application.Kind.FOUNDING,
        actor=principal(SchoolFactory(authority=world.laoshan)),
        proposed_name="实时",
        specialty="特色",
    )


def _filing(world):
    return filing_create(kind=Filing.Kind.POLICY, title="实时政策", actor=world.users["district"])


def _plan(world):
    return enrollment_plan_file(
        school=world.core,
        year=2026,
        actor=principal(world.core),
        places=10,
        classes=1,
        catchment="市南区",
        method="catchment",
    )


def _membership(world):
    return membership_add(
        group=world.group,
        school=SchoolFactory(authority=world.shinan),
        relation_type="T-2",
        relation_subtype="T-2a",
        joined_on=datetime.date(2021, 9, 1),
        actor=world.users["admin"],
    )


def _attachment(world):
    filing = _filing(world)
    return attachment_add(
        owner=filing,
        kind=Attachment.Kind.POLICY,
        uploaded_file=pdf(),
        actor=world.users["district"],
    )


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (_application, "created_at"),
        (_yellow, "issued_at"),
        (_filing, None),
        (_plan, "filed_at"),
        (_membership, None),
        (_attachment, "uploaded_at"),
    ],
)
def test_without_now_the_real_clock_dates_the_writes(world, build, field):
    before = timezone.now()
    obj = build(world)
    after = timezone.now()
    assert before <= last_history_date(obj) <= after
    if field:
        assert before <= getattr(type(obj).objects.get(pk=obj.pk), field) <= after


def test_stamp_dates_the_next_history_row(world):
    school = world.other_school
    then = moment(1, 15)
    stamp(school, actor=world.users["admin"], reason="改名", now=then)
    school.name = "改名后的学校"
    school.save()
    row = school.history.order_by("-history_id").first()
    assert (row.history_date, row.history_user, row.history_change_reason) == (
        then,
        world.users["admin"],
        "改名",
    )
