"""Founding (policy L-1, L-2), admission (L-3, L-4) and exit with spin-off (L-5) through the
services, end to end: state, history rows (who and why), check results, consents, the records an
approval creates, in-app notifications and the e-mails that leave only after commit."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from groups.applications.models import (
    AdmissionCriterion,
    AdmissionScore,
    Application,
    CheckResult,
    Consent,
    ProposedMember,
)
from groups.applications.selectors import exit_spin_off_prefill
from groups.applications.services import (
    application_create,
    application_decide,
    application_submit,
    application_update,
    application_withdraw,
    consent_record,
    exit_opinion_record,
    proposed_member_set,
)
from groups.charter.models import GroupDocument
from groups.filings.models import Filing
from groups.registry.models import EducationGroup, Membership, Partnership
from members.models import User
from qingdao_groups.core.messages import render
from qingdao_groups.core.rules import RuleRefusal
from qingdao_groups.core.workflow import STALE, StaleVersion
from qingdao_groups.models import Notification
from tests.factories import MembershipFactory, SchoolFactory, UserFactory
from tests.groups import workflow_helpers as h

S = Application.Status
START_ON = h.START_ON
DECIDE_ONLY_CORE_AUTHORITY = "仅核心校所属教育行政部门可以审批（政策 L-1）。"


def stale_message(status: str) -> str:
    """The one stale-form message of every workflow (qingdao_groups.core.workflow)."""
    return str(STALE % {"subject": "申请", "status": status})


def history(application):
    """The application's audit rows, oldest first."""
    return list(
        Application.history.filter(id=application.pk).order_by("history_date", "history_id")
    )


def steps(application):
    """The audit rows of the workflow's moves, oldest first: the rows a drafting edit leaves
    (a version bump, issue 12: every write is in the history) folded into the step before."""
    rows = history(application)
    return [r for i, r in enumerate(rows) if i == 0 or r.status != rows[i - 1].status]


def decide(built, action="approve", reason="符合条件，同意。", **kw):
    app = built.refresh()
    kw.setdefault("actor", built.decider)
    application_decide(
        application=app,
        action=action,
        reason=reason,
        expected_version=kw.pop("expected_version", app.version),
        **kw,
    )
    return built.refresh()


def snapshot(application):
    """What must not move when a service refuses."""
    app = h.fresh(application)
    return {
        "status": app.status,
        "version": app.version,
        "decided_by": app.decided_by_id,
        "history": Application.history.filter(id=app.pk).count(),
        "consents": sorted(
            Consent.objects.filter(application=app).values_list("status", flat=True)
        ),
        "checks": CheckResult.objects.filter(application=app).count(),
        "groups": EducationGroup.objects.count(),
        "memberships": list(Membership.objects.order_by("pk").values_list("pk", "left_on")),
        "filings": Filing.objects.count(),
        "notifications": Notification.objects.count(),
    }


def recipients():
    return sorted(m.to[0] for m in mail.outbox)


# --- founding: the whole story ----------------------------------------------------------------


def test_founding_from_draft_to_filed_group(world, django_capture_on_commit_callbacks):
    """L-1: consents in parallel, a refusal returns it, resubmission resets the consents, the
    district approves with a justification; L-2: the district's approval is filed with the city."""
    h.world_emails(world)
    built = h.founding_draft(world, fusion_warning=True)
    app, principal_user, decider = built.application, built.principal, built.decider
    shibei_staff = built.consenters[world.shibei.pk]
    laoshan_staff = built.consenters[world.laoshan.pk]
    assert app.status == S.DRAFT
    assert app.deciding_authority == world.shinan  # the core school's own authority (L-1)

    # submit: one consent per member authority, requested in parallel; mail only after commit
    with django_capture_on_commit_callbacks() as callbacks:
        h.submit(built)
        assert mail.outbox == []
    assert built.application.status == S.AWAITING_CONSENTS
    consents = {c.authority_id: c for c in Consent.objects.filter(application=app)}
    assert set(consents) == {world.shibei.pk, world.laoshan.pk}
    assert {c.status for c in consents.values()} == {"pending"}
    for callback in callbacks:
        callback()
    assert recipients() == sorted([shibei_staff.email, laoshan_staff.email])
    assert Notification.objects.filter(user=shibei_staff).count() == 1
    assert Notification.objects.filter(user=laoshan_staff).count() == 1
    assert not Notification.objects.filter(user=decider).exists()

    # 崂山 refuses: a reason is required, then the application returns to the principal
    with pytest.raises(RuleRefusal) as exc:
        consent_record(
            consent=consents[world.laoshan.pk], given=False, reason="  ", actor=laoshan_staff
        )
    assert exc.value.field == "reason"
    assert built.refresh().status == S.AWAITING_CONSENTS
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        consent_record(
            consent=consents[world.laoshan.pk],
            given=False,
            reason="该校本学年已承担其他合作任务",
            actor=laoshan_staff,
        )
    assert built.refresh().status == S.RETURNED
    refused = Consent.objects.get(pk=consents[world.laoshan.pk].pk)
    assert (refused.status, refused.reason, refused.decided_by) == (
        "refused",
        "该校本学年已承担其他合作任务",
        laoshan_staff,
    )
    assert recipients() == [principal_user.email]
    notice = Notification.objects.get(user=principal_user)
    assert "崂山区教育和体育局" in notice.text and "退回" in notice.text
    assert str(app.pk) in notice.url
    # 市北 can no longer answer a returned application
    with pytest.raises(RuleRefusal):
        consent_record(consent=consents[world.shibei.pk], given=True, reason="", actor=shibei_staff)

    # the principal resubmits: every consent is asked again
    h.submit(built)
    assert built.application.status == S.AWAITING_CONSENTS
    for consent in Consent.objects.filter(application=app):
        assert (consent.status, consent.reason, consent.decided_by, consent.decided_at) == (
            "pending",
            "",
            None,
            None,
        )
    assert Consent.objects.filter(application=app).count() == 2

    # both give: the application goes to the core school's authority
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        consent_record(
            consent=built.consent_of(world.shibei), given=True, reason="", actor=shibei_staff
        )
        assert built.refresh().status == S.AWAITING_CONSENTS  # still waiting on 崂山
        consent_record(
            consent=built.consent_of(world.laoshan), given=True, reason="同意", actor=laoshan_staff
        )
    assert built.refresh().status == S.UNDER_DECISION
    assert recipients() == [decider.email]

    # T-1 fusion across stages warns: approval needs a written justification
    before = snapshot(app)
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuleRefusal) as exc:
        decide(built)
    assert exc.value.field == "justification"
    assert callbacks == []
    assert snapshot(app) == before

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decide(
            built,
            reason="方案完整，同意成立。",
            justification="两校同属一个片区，融合办学经区政府同意。",
        )
    app = built.application
    assert app.status == S.APPROVED
    assert app.decided_by == decider
    assert app.justification == "两校同属一个片区，融合办学经区政府同意。"
    assert app.decision_reason == "方案完整，同意成立。"

    # the group, dated: core membership and both member memberships from start_on
    group = EducationGroup.objects.get(name=app.proposed_name)
    assert app.group == group
    assert (group.core_school, group.authority, group.founded_on, group.specialty) == (
        app.applicant_school,
        world.shinan,
        START_ON,
        "科技创新",
    )
    assert group.unified_areas == ["philosophy", "teaching_research"]
    memberships = {m.school_id: m for m in group.memberships.all()}
    assert memberships[app.applicant_school_id].role == "core"
    shibei_school, laoshan_school = built.members
    assert (
        memberships[shibei_school.pk].relation_type,
        memberships[shibei_school.pk].relation_subtype,
    ) == ("T-1", "T-1a")
    assert (
        memberships[laoshan_school.pk].relation_type,
        memberships[laoshan_school.pk].relation_subtype,
    ) == ("T-3", "T-3b")
    assert {m.joined_on for m in memberships.values()} == {START_ON}
    assert all(m.left_on is None for m in memberships.values())
    assert len(memberships) == 3
    partnership = Partnership.objects.get(group=group)
    assert partnership.started_on == START_ON
    assert partnership.project_list() == ["研学实践", "科技社团"]

    # the approved plan, agreement and charter become the group's documents
    documents = {d.kind: d for d in GroupDocument.objects.filter(group=group)}
    assert set(documents) == {"plan", "agreement", "charter"}
    attachments = {a.kind: a for a in app.attachments.all()}
    for kind, document in documents.items():
        assert document.version == 1
        assert document.adopted_on == START_ON
        assert document.file.name == attachments[kind].file.name

    # L-2: a district's founding is filed with the city (filing is not approval)
    filing = Filing.objects.get(application=app)
    assert (filing.kind, filing.authority, filing.group, filing.status) == (
        "group_founding",
        world.shinan,
        group,
        "filed",
    )
    assert group.status == EducationGroup.Status.ACTIVE

    # history: who and why for each step
    assert len(history(app)) > len(steps(app))  # the drafting edits are in the history too
    rows = steps(app)
    assert [r.status for r in rows] == [
        "draft",
        "awaiting_consents",
        "returned",
        "awaiting_consents",
        "under_decision",
        "approved",
    ]
    assert [r.history_user for r in rows] == [
        principal_user,
        principal_user,
        laoshan_staff,
        principal_user,
        laoshan_staff,
        decider,
    ]
    assert all(render(r.history_change_reason) for r in rows)
    assert "该校本学年已承担其他合作任务" in rows[2].history_change_reason
    assert rows[-1].history_change_reason == "方案完整，同意成立。"
    for membership in memberships.values():
        assert membership.history.get().history_user == decider
    assert group.history.get().history_user == decider

    # the checks were kept at both stages, with the warning the approver overrode
    decision_checks = CheckResult.objects.filter(application=app, stage="decision")
    assert decision_checks.filter(clause="T-1", severity="warning", passed=False).exists()
    assert CheckResult.objects.filter(application=app, stage="submission").exists()

    # after commit: the applicant principal (decision) and city staff (filing) are told
    assert principal_user.email in recipients()
    assert world.users["city"].email in recipients()
    decision_notice = Notification.objects.filter(user=principal_user).first()
    assert "已批准" in decision_notice.text and "方案完整，同意成立。" in decision_notice.text


def test_city_founding_has_consents_from_both_districts_and_no_filing(world):
    built = h.founding_ready(world, city=True)
    assert built.application.deciding_authority == world.city
    assert Consent.objects.filter(application=built.application, status="given").count() == 2
    decide(built)
    assert built.application.status == S.APPROVED
    assert EducationGroup.objects.filter(
        pk=built.application.group_id, authority=world.city
    ).exists()
    assert not Filing.objects.exists()  # L-2 concerns groups founded by a district only


def test_founding_with_members_of_the_core_authority_needs_no_consent(world):
    core = SchoolFactory(authority=world.shinan, name="市南独立学校")
    actor = h.principal(core)
    app = application_create(
        kind="founding",
        actor=actor,
        proposed_name="市南独立教育集团",
        specialty="艺术",
        start_on=START_ON,
    )
    proposed_member_set(
        application=app,
        school=SchoolFactory(
            authority=world.shinan, stage="junior", is_weak=True, weak_rated_year=2020
        ),
        relation_type="T-2",
        relation_subtype="T-2a",
        actor=actor,
    )
    h.upload(app, actor, *h.FOUNDING_DOCUMENTS)
    app = h.fresh(app)
    application_submit(application=app, actor=actor, expected_version=app.version)
    app = h.fresh(app)
    assert app.status == S.UNDER_DECISION
    assert not Consent.objects.filter(application=app).exists()
    assert [r.status for r in steps(app)] == ["draft", "awaiting_consents", "under_decision"]


def test_founding_submit_without_documents_is_refused_and_nothing_is_kept(world):
    built = h.founding_draft(world, documents=("plan",))
    before = snapshot(built.application)
    with pytest.raises(RuleRefusal) as exc:
        h.submit(built)
    assert "合作办学协议" in exc.value.message and "集团章程" in exc.value.message
    assert "L-1" in exc.value.message
    assert snapshot(built.application) == before


def test_consent_only_by_the_consenting_authority_and_only_once(world):
    built = h.founding_draft(world)
    h.submit(built)
    consent = built.consent_of(world.shibei)
    before = snapshot(built.application)
    for outsider in (built.decider, built.consenters[world.laoshan.pk], built.principal):
        with pytest.raises(PermissionDenied) as exc:  # a person gate: before any state
            consent_record(consent=consent, given=True, reason="", actor=outsider)
        assert str(exc.value) == "只有 市北区教育和体育局 的工作人员可以表态。"
    assert snapshot(built.application) == before
    consent_record(consent=consent, given=True, reason="", actor=built.consenters[world.shibei.pk])
    with pytest.raises(RuleRefusal):  # given once; the answer is not changed silently
        consent_record(
            consent=consent, given=False, reason="改变主意", actor=built.consenters[world.shibei.pk]
        )
    assert built.consent_of(world.shibei).status == "given"


def test_a_submitted_application_cannot_be_edited(world):
    built = h.founding_draft(world)
    h.submit(built)
    before = snapshot(built.application)
    with pytest.raises(RuleRefusal) as exc:
        proposed_member_set(
            application=built.refresh(),
            school=SchoolFactory(stage="junior"),
            relation_type="T-2",
            relation_subtype="T-2a",
            actor=built.principal,
        )
    assert "不能修改申请" in exc.value.message
    with pytest.raises(RuleRefusal):
        application_update(
            application=built.refresh(),
            actor=built.principal,
            expected_version=built.application.version,
            proposed_name="改名",
        )
    assert snapshot(built.application) == before
    assert ProposedMember.objects.filter(application=built.application).count() == 2


def test_founding_core_already_in_a_group_cannot_start(world):
    with pytest.raises(RuleRefusal) as exc:
        application_create(
            kind="founding", actor=world.users["principal"], proposed_name="又一个集团"
        )
    assert "测试核心教育集团" in exc.value.message
    assert not Application.objects.exists()


# --- decision rules -------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["approve", "approve_with_conditions", "return", "reject"])
def test_every_decision_needs_a_reason(world, action):
    built = h.founding_ready(world)
    before = snapshot(built.application)
    with pytest.raises(RuleRefusal) as exc:
        decide(built, action=action, reason=" \n", conditions="一年内完成章程修订")
    assert exc.value.field == "reason"
    assert snapshot(built.application) == before


def test_approve_with_conditions_needs_conditions(world):
    built = h.founding_ready(world)
    before = snapshot(built.application)
    with pytest.raises(RuleRefusal) as exc:
        decide(built, action="approve_with_conditions", conditions="  ")
    assert exc.value.field == "conditions"
    assert snapshot(built.application) == before
    decide(built, action="approve_with_conditions", conditions="一年内完成章程修订")
    app = built.application
    assert (app.status, app.conditions) == (S.APPROVED_WITH_CONDITIONS, "一年内完成章程修订")
    assert app.group is not None
    assert Filing.objects.filter(application=app, group=app.group).exists()


def test_filing_of_a_conditional_approval_tells_the_city_the_conditions(world):
    built = h.founding_ready(world)
    decide(built, action="approve_with_conditions", conditions="一年内完成章程修订")
    filing = Filing.objects.get(application=built.application)
    assert "一年内完成章程修订" in filing.description


def test_a_clean_application_is_approved_without_justification(world):
    built = h.founding_ready(world)
    assert (
        CheckResult.objects.filter(
            application=built.application, severity="warning", passed=False
        ).count()
        == 0
    )
    decide(built)
    assert built.application.status == S.APPROVED


def test_return_sends_it_back_and_it_can_be_resubmitted(world, django_capture_on_commit_callbacks):
    h.world_emails(world)
    built = h.founding_ready(world)
    with django_capture_on_commit_callbacks(execute=True):
        decide(built, action="return", reason="请补充师资交流计划")
    assert built.application.status == S.RETURNED
    assert not EducationGroup.objects.filter(name=built.application.proposed_name).exists()
    assert Notification.objects.filter(
        user=built.principal, message__contains="请补充师资交流计划"
    ).exists()
    assert built.principal.email in recipients()
    h.submit(built)
    assert built.application.status == S.AWAITING_CONSENTS
    assert set(
        Consent.objects.filter(application=built.application).values_list("status", flat=True)
    ) == {"pending"}


def test_reject_creates_nothing(world):
    built = h.founding_ready(world)
    groups = EducationGroup.objects.count()
    decide(built, action="reject", reason="不符合区域布局规划")
    assert built.application.status == S.REJECTED
    assert built.application.decision_reason == "不符合区域布局规划"
    assert EducationGroup.objects.count() == groups
    assert not Filing.objects.exists()
    with pytest.raises(RuleRefusal):
        decide(built, action="approve")  # a decision is final


def test_decision_by_another_authority_is_refused_and_changes_nothing(world):
    built = h.founding_ready(world)
    before = snapshot(built.application)
    for outsider in (
        h.staff(world.laoshan),  # consented, but does not decide (L-1)
        world.users["city"],  # the city does not decide a district's founding
        world.users["principal"],
        world.users["auditor"],
    ):
        with pytest.raises(PermissionDenied) as exc:
            decide(built, actor=outsider)
        assert str(exc.value) == DECIDE_ONLY_CORE_AUTHORITY
        assert snapshot(built.application) == before


def test_stale_version_is_refused_and_changes_nothing(world):
    built = h.founding_ready(world)
    app = built.refresh()
    before = snapshot(app)
    for version in (app.version - 1, app.version + 1):
        with pytest.raises(RuleRefusal) as exc:
            decide(built, expected_version=version)
        assert isinstance(exc.value, StaleVersion)
        assert exc.value.message == stale_message("待审批")
        assert snapshot(app) == before
    # the fresh version still works
    decide(built)
    assert built.application.status == S.APPROVED


def test_second_decision_with_the_same_form_is_stale(world):
    built = h.founding_ready(world)
    version = built.refresh().version
    decide(built, action="reject", reason="不同意", expected_version=version)
    before = snapshot(built.application)
    with pytest.raises(RuleRefusal) as exc:
        decide(built, action="approve", expected_version=version)
    assert isinstance(exc.value, StaleVersion)
    assert exc.value.message == stale_message("未批准")
    assert snapshot(built.application) == before


def test_a_decision_before_consents_are_in_is_refused(world):
    built = h.founding_draft(world)
    h.submit(built)
    before = snapshot(built.application)
    with pytest.raises(RuleRefusal) as exc:
        decide(built)
    assert exc.value.message == "该申请当前状态为“待成员校主管部门出具意见”，不能批准。"
    assert snapshot(built.application) == before


def test_a_member_that_joined_another_group_meanwhile_blocks_approval(world):
    built = h.founding_ready(world)
    shibei_school = built.members[0]
    Membership.objects.create(
        group=world.other_group,
        school=shibei_school,
        role="member",
        relation_type="T-3",
        relation_subtype="T-3a",
        joined_on=datetime.date(2024, 9, 1),
    )
    before = snapshot(built.application)
    with pytest.raises(RuleRefusal) as exc:
        decide(built, justification="已知悉")
    assert "不能批准" in exc.value.message and "G-1" in exc.value.message
    assert snapshot(built.application) == before
    # a return is still possible, so the principal can take the school off the list
    decide(built, action="return", reason="请调整成员校")
    assert built.application.status == S.RETURNED


# --- admission ----------------------------------------------------------------------------------


def test_admission_end_to_end(world, django_capture_on_commit_callbacks):
    """L-3: mode recorded, evaluation first, the candidate's authority consents, the core's
    authority approves, the membership starts on the stated date."""
    h.world_emails(world)
    built = h.admission_draft(world, mode=Application.AdmissionMode.ADMINISTRATIVE, evaluated=False)
    app = built.application
    candidate = built.members[0]
    laoshan_staff = built.consenters[world.laoshan.pk]
    assert (app.applicant_school, app.group, app.deciding_authority) == (
        world.core,
        world.group,
        world.shinan,
    )
    assert app.admission_mode == "administrative"

    # the admission evaluation comes before the submission
    before = snapshot(app)
    with pytest.raises(RuleRefusal) as exc:
        h.submit(built)
    assert "准入评估" in exc.value.message
    assert snapshot(app) == before
    h.evaluate(built)
    assert built.application.evaluation_recommendation == "admit"
    assert built.application.admission_scores.count() == 2
    before = snapshot(app)
    # a partial evaluation is not enough either
    AdmissionCriterion.objects.create(name="新增评估项", max_score=5, order=9)
    with pytest.raises(RuleRefusal):
        h.submit(built)
    assert snapshot(app) == before
    h.evaluate(built)

    with django_capture_on_commit_callbacks(execute=True):
        h.submit(built)
    assert built.application.status == S.AWAITING_CONSENTS
    assert list(Consent.objects.filter(application=app).values_list("authority_id", flat=True)) == [
        world.laoshan.pk
    ]
    assert recipients() == [laoshan_staff.email]

    h.give_all_consents(built)
    assert built.application.status == S.UNDER_DECISION
    decide(built, reason="同意吸纳")
    assert built.application.status == S.APPROVED
    membership = Membership.objects.get(group=world.group, school=candidate)
    assert (membership.role, membership.joined_on, membership.left_on) == ("member", START_ON, None)
    assert (membership.relation_type, membership.relation_subtype) == ("T-2", "T-2a")
    assert "行政主导结合" in membership.note
    assert membership.history.get().history_user == built.decider
    assert [r.history_user for r in history(app)][-1] == built.decider


def test_admission_from_the_core_authority_needs_no_consent(world):
    built = h.admission_draft(world, same_authority=True)
    h.submit(built)
    assert built.application.status == S.UNDER_DECISION
    assert not Consent.objects.filter(application=built.application).exists()
    decide(built)
    assert Membership.objects.current().filter(group=world.group, school=built.members[0]).exists()


def test_admission_of_a_school_active_in_another_group_is_refused_at_submit(
    world, django_capture_on_commit_callbacks
):
    # Proposed while free (proposing a busy school is refused at once: test_exit_once.py), then
    # recorded in another group before the submission (policy G-1).
    built = h.admission_draft(world)
    candidate = built.application.proposed_members.get().school
    MembershipFactory(group=world.other_group, school=candidate)
    before = snapshot(built.application)
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuleRefusal) as exc:
        h.submit(built)
    assert "崂山其他教育集团" in exc.value.message and "G-1" in exc.value.message
    assert callbacks == []
    assert snapshot(built.application) == before  # no checks, consents, history, notices kept
    assert built.refresh().submitted_at is None


def test_admission_candidate_can_only_be_one_school(world):
    built = h.admission_draft(world)
    second = SchoolFactory(authority=world.laoshan, stage="junior")
    proposed_member_set(
        application=built.refresh(),
        school=second,
        relation_type="T-3",
        relation_subtype="T-3a",
        projects="教研",
        actor=built.principal,
    )
    assert list(
        ProposedMember.objects.filter(application=built.application).values_list(
            "school", flat=True
        )
    ) == [second.pk]


def test_only_the_core_principal_applies_for_admission(world):
    with pytest.raises(PermissionDenied) as exc:
        application_create(kind="admission", actor=world.users["member"], group=world.group)
    assert "L-3" in str(exc.value)
    with pytest.raises(PermissionDenied):
        application_create(kind="admission", actor=world.users["district"], group=world.group)
    assert not Application.objects.exists()


def test_admission_without_a_mode_cannot_be_submitted(world):
    built = h.admission_draft(world, mode="")
    before = snapshot(built.application)
    with pytest.raises(RuleRefusal) as exc:
        h.submit(built)
    assert "L-3" in exc.value.message or "结合方式" in exc.value.message
    assert snapshot(built.application) == before


# --- exit and spin-off --------------------------------------------------------------------------


def test_exit_then_spin_off(world, django_capture_on_commit_callbacks):
    """L-5: the member applies, the core principal gives an opinion, the core's authority
    decides; the membership ends with reason exit and the leaver may found its own group."""
    h.world_emails(world)
    member_principal, core_principal = world.users["member"], world.users["principal"]
    built = h.exit_draft(world)
    app = built.application
    assert (app.applicant_school, app.group, app.membership, app.deciding_authority) == (
        world.member_school,
        world.group,
        world.membership,
        world.shinan,
    )

    # still a member: it cannot start a founding yet
    with pytest.raises(RuleRefusal):
        application_create(kind="founding", actor=member_principal, proposed_name="过早的集团")

    with django_capture_on_commit_callbacks(execute=True):
        h.submit(built)
    assert built.application.status == S.AWAITING_OPINION
    assert not Consent.objects.filter(application=app).exists()  # no consents step for exit
    assert recipients() == [core_principal.email]

    # no decision before the core school's opinion
    before = snapshot(app)
    with pytest.raises(RuleRefusal) as exc:
        decide(built, justification="x")
    assert exc.value.message == "该申请当前状态为“待核心校出具意见”，不能批准。"
    assert snapshot(app) == before
    # only the core principal gives it, and not empty
    with pytest.raises(PermissionDenied):
        exit_opinion_record(
            application=built.refresh(), supports=True, opinion="同意", actor=member_principal
        )
    with pytest.raises(RuleRefusal) as exc:
        exit_opinion_record(
            application=built.refresh(), supports=True, opinion=" ", actor=core_principal
        )
    assert exc.value.field == "opinion"
    assert snapshot(app) == before
    h.give_opinion(world, built)
    app = built.application
    assert (app.status, app.opinion_supports, app.opinion_by) == (
        S.UNDER_DECISION,
        True,
        core_principal,
    )

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        # the group would be left without members: A-4 warns, the approver justifies
        decide(built, reason="同意退出", justification="该校退出后牵头组建新集团")
    assert built.application.status == S.APPROVED
    membership = Membership.objects.get(pk=world.membership.pk)
    assert (membership.left_on, membership.end_reason) == (START_ON, "exit")
    assert membership.history.latest().history_user == built.decider
    assert sorted(recipients()) == sorted([member_principal.email, core_principal.email])
    assert [r.status for r in history(app)] == [
        "draft",
        "awaiting_opinion",
        "under_decision",
        "approved",
    ]
    assert [r.history_user for r in history(app)] == [
        member_principal,
        member_principal,
        core_principal,
        built.decider,
    ]

    # spin-off: the leaver founds its own group at once, prefilled from its record
    prefill = exit_spin_off_prefill(exit_application=built.application)
    assert prefill["proposed_name"] == "市北测试成员学校教育集团"
    assert "测试核心教育集团" in prefill["description"]
    founding = application_create(
        kind="founding", actor=member_principal, spun_off_from=built.application, **prefill
    )
    assert (founding.status, founding.applicant_school, founding.deciding_authority) == (
        S.DRAFT,
        world.member_school,
        world.shibei,
    )
    assert founding.spun_off_from == built.application
    assert founding.proposed_name == "市北测试成员学校教育集团"


def test_exit_withdrawn_while_awaiting_the_opinion(world):
    built = h.exit_draft(world)
    h.submit(built)
    with pytest.raises(PermissionDenied):  # not someone else's to withdraw
        application_withdraw(application=built.refresh(), actor=world.users["principal"])
    application_withdraw(application=built.refresh(), actor=built.principal)
    assert built.refresh().status == S.WITHDRAWN
    assert Membership.objects.get(pk=world.membership.pk).left_on is None


@pytest.mark.parametrize("step", ["awaiting_consents", "under_decision"])
def test_founding_cannot_be_withdrawn_once_submitted(world, step):
    built = h.founding_draft(world)
    h.submit(built)
    if step == "under_decision":
        h.give_all_consents(built)
    before = snapshot(built.application)
    with pytest.raises(RuleRefusal):
        application_withdraw(application=built.refresh(), actor=built.principal)
    assert snapshot(built.application) == before


def test_draft_and_returned_can_be_withdrawn(world):
    draft = h.founding_draft(world)
    application_withdraw(application=draft.refresh(), actor=draft.principal)
    assert draft.refresh().status == S.WITHDRAWN
    returned = h.founding_ready(world)
    decide(returned, action="return", reason="补充材料")
    application_withdraw(application=returned.refresh(), actor=returned.principal)
    assert returned.refresh().status == S.WITHDRAWN
    assert history(returned.application)[-1].history_user == returned.principal


def test_only_the_member_principal_applies_to_leave(world):
    for actor in (
        world.users["principal"],
        world.users["district"],
        UserFactory(role=User.Role.MEMBER_PRINCIPAL, school=SchoolFactory()),
    ):
        with pytest.raises(PermissionDenied) as exc:
            application_create(kind="exit", actor=actor, membership=world.membership)
        assert "L-5" in str(exc.value) or str(exc.value) == "只有学校校长可以发起申请。"
    assert not Application.objects.exists()


# --- audit of every row a step writes ------------------------------------------------------------


def test_consent_requests_record_who_asked(world):
    built = h.founding_draft(world)
    h.submit(built)
    rows = Consent.history.filter(application_id=built.application.pk)
    assert rows.count() == 2
    assert {r.history_user for r in rows} == {built.principal}


def test_drafting_rows_record_who_wrote_them(world):
    built = h.admission_draft(world)
    for model in (ProposedMember, AdmissionScore):
        rows = model.history.filter(application_id=built.application.pk)
        assert rows.exists()
        assert {r.history_user for r in rows} == {built.principal}, model.__name__


# --- inconsistencies between the checks and the approval ---------------------------------------


def test_non_default_chief_without_reason_never_reaches_an_unapprovable_decision(world):
    built = h.founding_draft(world, chief_principal_name="外聘总校长")
    try:
        h.submit(built)
    except RuleRefusal as exc:
        assert "G-3" in exc.message  # refusing at submission is a correct fix
        return
    h.give_all_consents(built)
    decide(built, justification="外聘专家任总校长经区委研究同意")
    assert built.application.status == S.APPROVED


def test_founding_without_a_name_is_refused_at_submit(world):
    built = h.founding_draft(world, proposed_name="")
    with pytest.raises(RuleRefusal):
        h.submit(built)
