"""A reason, remarks or opinion is saved whole, whatever its length (issue 6).

Every action that takes a person's reason, remarks, opinion, justification, conditions or note is
driven through its web page with 10,000 Chinese characters. The page must not fail, the model
field must hold the whole text, and so must the newest audit row (its copy of the field, and its
change reason where the action records the text there). On PostgreSQL the change reason used to
be a varchar(100); SQLite ignores lengths, so these tests matter most there, and pass on both.

Forms bound such texts at LONG_TEXT_MAX characters: beyond it the page explains, nothing is
saved, and there is still no server error."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.applications.models import Application, Consent
from groups.cards.models import Card
from groups.enrollment.models import EnrollmentPlan
from groups.filings.models import Filing
from groups.registry.models import CouncilSeat, EducationGroup, Membership
from members.models import User
from qingdao_groups.core.forms import LONG_TEXT_MAX
from qingdao_groups.core.messages import render
from tests.factories import SchoolFactory, UserFactory
from tests.groups import workflow_helpers as h

N = 10_000


def long_text(tag: str, n: int = N) -> str:
    """`n` Chinese characters starting with `tag`, varied so any cut shows."""
    body = "".join(chr(0x4E00 + (i * 37) % 20_900) for i in range(n))
    return (tag + body)[:n]


def newest_history(obj):
    return obj.history.order_by("-history_date", "-history_id").first()


def assert_whole(
    response, obj, field: str, text: str, *, in_reason: bool = False, reason_is: str | None = None
):
    """No server error; the field and the newest audit row hold `text` whole."""
    assert response.status_code < 500, response.status_code
    obj.refresh_from_db()
    saved = getattr(obj, field)
    assert len(saved) == len(text) and saved == text, (len(saved), len(text))
    row = newest_history(obj)
    assert getattr(row, field) == text
    if in_reason:
        assert text in render(row.history_change_reason)
    if reason_is is not None:
        assert render(row.history_change_reason) == reason_is


@pytest.fixture
def as_user(client):
    def _as(user):
        client.force_login(user)
        return client

    return _as


# --- application decisions (policy L-1, L-3, L-5) ---------------------------------------------


def _decide(as_user, built, **data):
    app = built.refresh()
    url = reverse("applications:decide", args=[app.pk])
    return as_user(built.decider).post(url, {"version": app.version, **data})


def test_approve_with_conditions_and_justification_keeps_every_text(world, as_user):
    built = h.founding_ready(world, fusion_warning=True)  # a T-1 warning needs a justification
    reason, conditions, justification = (
        long_text("审批意见"),
        long_text("附加条件"),
        long_text("书面说明"),
    )
    response = _decide(
        as_user,
        built,
        action="approve_with_conditions",
        reason=reason,
        conditions=conditions,
        justification=justification,
    )
    app = built.refresh()
    assert app.status == Application.Status.APPROVED_WITH_CONDITIONS
    assert_whole(response, app, "decision_reason", reason, reason_is=reason)
    assert_whole(response, app, "conditions", conditions)
    assert_whole(response, app, "justification", justification)


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("return", Application.Status.RETURNED),
        ("reject", Application.Status.REJECTED),
        ("approve", Application.Status.APPROVED),
    ],
)
def test_decision_reason_is_kept_whole(world, as_user, action, status):
    built = h.admission_ready(world)
    reason = long_text("审批意见")
    response = _decide(as_user, built, action=action, reason=reason)
    app = built.refresh()
    assert app.status == status
    assert_whole(response, app, "decision_reason", reason, reason_is=reason)


def test_exit_decision_reason_is_kept_whole(world, as_user):
    built = h.exit_ready(world)
    reason, justification = long_text("同意退出"), long_text("书面说明")
    response = _decide(as_user, built, action="approve", reason=reason, justification=justification)
    app = built.refresh()
    assert app.status == Application.Status.APPROVED
    assert_whole(response, app, "decision_reason", reason, reason_is=reason)
    assert_whole(response, app, "justification", justification)


def test_long_projects_of_a_proposed_member_become_the_membership_note_whole(world, as_user):
    built = h.founding_draft(world)
    laoshan_school = built.members[1]
    projects = long_text("合作项目")
    url = reverse("applications:member-add", args=[built.application.pk])
    response = as_user(built.principal).post(
        url,
        {
            "school": laoshan_school.pk,
            "relation_type": "T-3",
            "relation_subtype": "T-3a",  # one (long) project (policy T-3a)
            "projects": projects,
        },
    )
    assert response.status_code < 500
    h.submit(built)
    h.give_all_consents(built)
    response = _decide(as_user, built, action="approve", reason="同意成立")
    assert built.refresh().status == Application.Status.APPROVED
    membership = Membership.objects.get(school=laoshan_school, left_on__isnull=True)
    assert_whole(response, membership, "note", projects)


# --- consents (policy L-1, L-3) -----------------------------------------------------------------


@pytest.mark.parametrize("given", [True, False])
def test_consent_reason_is_kept_whole(world, as_user, given):
    built = h.founding_draft(world)
    h.submit(built)
    consent = built.consent_of(world.shibei)
    reason = long_text("同意理由" if given else "不同意理由")
    url = reverse("applications:consent", args=[built.application.pk, consent.pk])
    response = as_user(built.consenters[world.shibei.pk]).post(
        url, {"given": "1" if given else "0", "reason": reason, "version": consent.version}
    )
    consent = Consent.objects.get(pk=consent.pk)
    assert consent.status == (Consent.Status.GIVEN if given else Consent.Status.REFUSED)
    assert_whole(response, consent, "reason", reason, reason_is=reason)
    if not given:  # the application goes back, and its audit row says why, whole
        app = built.refresh()
        assert app.status == Application.Status.RETURNED
        assert reason in render(newest_history(app).history_change_reason)


# --- exit (policy L-5) --------------------------------------------------------------------------


def test_exit_application_reason_is_kept_whole(world, as_user):
    reason = long_text("申请退出理由")
    url = reverse("applications:new-exit", args=[world.membership.pk])
    response = as_user(world.users["member"]).post(url, {"version": 0, "reason": reason})
    app = Application.objects.get(kind=Application.Kind.EXIT, membership=world.membership)
    assert_whole(response, app, "reason", reason)


def test_core_principals_exit_opinion_is_kept_whole(world, as_user):
    built = h.exit_draft(world)
    app = h.submit(built)
    assert app.status == Application.Status.AWAITING_OPINION
    opinion = long_text("核心校意见")
    url = reverse("applications:opinion", args=[app.pk])
    response = as_user(world.users["principal"]).post(
        url, {"version": app.version, "supports": "1", "opinion": opinion}
    )
    app = built.refresh()
    assert app.status == Application.Status.UNDER_DECISION
    assert_whole(response, app, "opinion", opinion, reason_is=opinion)


# --- drafting: the texts that explain a choice (policy G-3, L-3) -------------------------------


def test_founding_chief_principal_reason_is_kept_whole(world, as_user):
    school = SchoolFactory(
        name="青岛长理由核心学校", authority=world.shinan, principal_name="核心校长甲"
    )
    principal = UserFactory(
        username="long-reason-core", role=User.Role.CORE_PRINCIPAL, school=school
    )
    reason = long_text("另行安排总校长的理由")
    description = long_text("说明")
    response = as_user(principal).post(
        reverse("applications:new-founding"),
        {
            "version": 0,
            "proposed_name": "长理由教育集团",
            "specialty": "科技创新",
            "chief_principal_name": "另一位校长",
            "chief_principal_reason": reason,
            "description": description,
        },
    )
    app = Application.objects.get(applicant_school=school)
    assert_whole(response, app, "chief_principal_reason", reason)
    assert_whole(response, app, "description", description)


def test_admission_evaluation_note_is_kept_whole(world, as_user):
    built = h.admission_draft(world, evaluated=False)
    criteria = h.criteria()
    note = long_text("准入评估说明")
    data = {"recommendation": "admit_with_conditions", "note": note}
    data |= {f"score_{c.pk}": 8 for c in criteria}
    url = reverse("applications:evaluation", args=[built.application.pk])
    response = as_user(built.principal).post(url, data)
    assert_whole(response, built.refresh(), "evaluation_note", note)


# --- cards (policy L-6) -------------------------------------------------------------------------


def _issue(as_user, world, **data):
    url = reverse("cards:issue", args=[world.membership.pk])
    return as_user(world.users["district"]).post(url, {"ground": "agreement", **data})


def _yellow(as_user, world, description: str = "未履行合作办学协议") -> Card:
    response = _issue(as_user, world, level="yellow", description=description)
    assert response.status_code == 302, response.status_code
    return Card.objects.filter(membership=world.membership, level="yellow").latest("pk")


def _rectified(as_user, world, rectification: str = "已整改") -> tuple[Card, object]:
    card = _yellow(as_user, world)
    url = reverse("cards:respond", args=[card.pk])
    response = as_user(world.users["member"]).post(
        url, {"respond-version": card.version, "respond-rectification": rectification}
    )
    card.refresh_from_db()
    assert card.status == Card.Status.UNDER_REVIEW
    return card, response


def test_yellow_card_description_is_kept_whole(world, as_user):
    description = long_text("黄牌情况说明")
    response = _issue(as_user, world, level="yellow", description=description)
    card = Card.objects.get(membership=world.membership, level="yellow")
    assert_whole(response, card, "description", description)


def test_rectification_is_kept_whole(world, as_user):
    rectification = long_text("整改情况")
    card, response = _rectified(as_user, world, rectification)
    assert_whole(response, card, "rectification", rectification)


def test_rejected_rectification_note_is_kept_whole(world, as_user):
    card, _ = _rectified(as_user, world)
    note = long_text("整改不通过的理由")
    url = reverse("cards:reject", args=[card.pk])
    response = as_user(world.users["district"]).post(
        url,
        {
            "reject-version": card.version,
            "reject-note": note,
            "reject-new_deadline": timezone.localdate() + datetime.timedelta(days=30),
        },
    )
    card.refresh_from_db()
    assert card.status == Card.Status.YELLOW_ISSUED
    assert_whole(response, card, "review_note", note)


def test_lift_note_is_kept_whole(world, as_user):
    card, _ = _rectified(as_user, world)
    note = long_text("审核意见")
    url = reverse("cards:lift", args=[card.pk])
    response = as_user(world.users["district"]).post(
        url, {"lift-version": card.version, "lift-note": note}
    )
    card.refresh_from_db()
    assert card.status == Card.Status.LIFTED
    assert_whole(response, card, "review_note", note)


def test_escalation_reason_is_kept_whole(world, as_user):
    yellow, _ = _rectified(as_user, world)  # escalation answers a rectification (policy L-6)
    reason = long_text("升级红牌理由")
    url = reverse("cards:escalate", args=[yellow.pk])
    response = as_user(world.users["district"]).post(
        url, {"escalate-version": yellow.version, "escalate-reason": reason}
    )
    red = Card.objects.get(membership=world.membership, level="red")
    assert_whole(response, red, "description", reason)
    assert Membership.objects.get(pk=world.membership.pk).left_on == timezone.localdate()


def test_direct_red_card_reason_is_kept_whole(world, as_user):
    reason = long_text("重大事故情况和理由")
    response = _issue(as_user, world, level="red", severe="on", description=reason)
    red = Card.objects.get(membership=world.membership, level="red")
    assert_whole(response, red, "description", reason)


# --- filings (policy L-2, D-1, D-2) -------------------------------------------------------------


def _filing(as_user, world, description: str = "配套政策摘要") -> tuple[Filing, object]:
    response = as_user(world.users["district"]).post(
        reverse("filings:filing-create"),
        {"kind": "policy", "title": "长意见测试配套政策", "description": description},
    )
    return Filing.objects.get(title="长意见测试配套政策"), response


def _handle(as_user, world, filing: Filing, decision: str, remarks: str):
    url = reverse("filings:filing-handle", args=[filing.pk])
    return as_user(world.users["city"]).post(
        url, {"version": filing.version, "decision": decision, "remarks": remarks}
    )


def test_filing_description_is_kept_whole(world, as_user):
    description = long_text("内容摘要")
    filing, response = _filing(as_user, world, description)
    assert_whole(response, filing, "description", description)


@pytest.mark.parametrize(
    ("decision", "status"),
    [("return", Filing.Status.RETURNED), ("acknowledge", Filing.Status.ACKNOWLEDGED)],
)
def test_filing_remarks_are_kept_whole(world, as_user, decision, status):
    filing, _ = _filing(as_user, world)
    remarks = long_text("市教育局意见")
    response = _handle(as_user, world, filing, decision, remarks)
    filing.refresh_from_db()
    assert filing.status == status
    assert_whole(response, filing, "remarks", remarks, in_reason=True)


def test_refiled_description_is_kept_whole(world, as_user):
    filing, _ = _filing(as_user, world)
    _handle(as_user, world, filing, "return", "请补充政策文本")
    filing.refresh_from_db()
    answer = long_text("补充说明")
    url = reverse("filings:filing-refile", args=[filing.pk])
    response = as_user(world.users["district"]).post(
        url, {"version": filing.version, "title": filing.title, "description": answer}
    )
    filing.refresh_from_db()
    assert filing.status == Filing.Status.FILED
    assert_whole(response, filing, "description", answer)


# --- enrollment plans (policy L-7) --------------------------------------------------------------


PLAN = {"places": 240, "classes": 6, "catchment": "宁夏路以南片区", "method": "catchment"}


def _plan(as_user, world, **content) -> tuple[EnrollmentPlan, object]:
    response = as_user(world.users["principal"]).post(
        reverse("enrollment:plan-file"), {"year": timezone.localdate().year, **PLAN, **content}
    )
    return EnrollmentPlan.objects.get(school=world.core), response


def _version(client, name: str, plan: EnrollmentPlan) -> int:
    """The stale-form token as the page hands it out."""
    return client.get(reverse(name, args=[plan.pk])).context["form"].initial["version"]


def _decide_plan(as_user, world, plan, decision: str, remarks: str):
    client = as_user(world.users["district"])
    return client.post(
        reverse("enrollment:plan-decide", args=[plan.pk]),
        {
            "decision": decision,
            "remarks": remarks,
            "version": _version(client, "enrollment:plan-decide", plan),
        },
    )


def test_plan_texts_are_kept_whole(world, as_user):
    catchment, notes = long_text("招生范围"), long_text("说明")
    plan, response = _plan(as_user, world, catchment=catchment, notes=notes)
    assert_whole(response, plan, "catchment", catchment)
    assert_whole(response, plan, "notes", notes)


@pytest.mark.parametrize(
    ("decision", "status"),
    [("return", EnrollmentPlan.Status.RETURNED), ("set", EnrollmentPlan.Status.SET)],
)
def test_plan_remarks_are_kept_whole(world, as_user, decision, status):
    plan, _ = _plan(as_user, world)
    remarks = long_text("主管部门意见")
    response = _decide_plan(as_user, world, plan, decision, remarks)
    plan.refresh_from_db()
    assert plan.status == status
    assert_whole(response, plan, "remarks", remarks, in_reason=True)


def test_refiled_plan_notes_are_kept_whole(world, as_user):
    plan, _ = _plan(as_user, world)
    _decide_plan(as_user, world, plan, "return", "请核实招生范围")
    notes = long_text("修改说明")
    client = as_user(world.users["principal"])
    response = client.post(
        reverse("enrollment:plan-refile", args=[plan.pk]),
        {**PLAN, "notes": notes, "version": _version(client, "enrollment:plan-refile", plan)},
    )
    plan.refresh_from_db()
    assert plan.status == EnrollmentPlan.Status.FILED
    assert_whole(response, plan, "notes", notes)


# --- the registry pages (administrators entering history, DESIGN.md) -----------------------------


def test_membership_end_note_is_kept_whole(world, as_user):
    note = long_text("结束成员关系备注")
    url = reverse("groups:membership-end", args=[world.group.pk, world.membership.pk])
    response = as_user(world.users["admin"]).post(
        url, {"left_on": timezone.localdate(), "end_reason": "exit", "note": note}
    )
    membership = Membership.objects.get(pk=world.membership.pk)
    assert membership.left_on == timezone.localdate()
    assert_whole(response, membership, "note", note)


def test_membership_add_note_is_kept_whole(world, as_user):
    school = SchoolFactory(name="长备注成员学校", authority=world.shinan)
    note = long_text("成员关系备注")
    url = reverse("groups:membership-add", args=[world.group.pk])
    response = as_user(world.users["admin"]).post(
        url,
        {
            "school": school.pk,
            "relation_type": "T-3",
            "relation_subtype": "T-3a",
            "joined_on": "2021-09-01",
            "note": note,
        },
    )
    assert_whole(response, Membership.objects.get(school=school), "note", note)


def test_group_chief_principal_reason_is_kept_whole(world, as_user):
    school = SchoolFactory(
        name="长理由登记核心学校", authority=world.shinan, principal_name="核心校长乙"
    )
    reason = long_text("总校长非核心校校长的理由")
    response = as_user(world.users["admin"]).post(
        reverse("groups:group-create"),
        {
            "name": "长理由登记教育集团",
            "code": "QD-LONG-001",
            "core_school": school.pk,
            "specialty": "科技创新",
            "founded_on": "2019-09-01",
            "chief_principal_name": "另一位总校长",
            "chief_principal_reason": reason,
        },
    )
    group = EducationGroup.objects.get(code="QD-LONG-001")
    seat = CouncilSeat.objects.get(group=group, role=CouncilSeat.Role.CHIEF_PRINCIPAL)
    assert_whole(response, seat, "non_default_reason", reason)


# --- the bound: generous, explained, never a server error --------------------------------------


def test_text_beyond_the_bound_is_refused_with_a_message_and_saves_nothing(world, as_user):
    built = h.admission_ready(world)
    before = built.refresh().version
    response = _decide(as_user, built, action="reject", reason=long_text("过长", LONG_TEXT_MAX + 1))
    assert response.status_code < 500
    app = built.refresh()
    assert app.version == before and app.decision_reason == ""
    assert str(LONG_TEXT_MAX) in response.content.decode()


def test_the_bound_admits_ten_thousand_chinese_characters():
    assert LONG_TEXT_MAX >= 2 * N


def test_every_long_text_form_field_is_bounded():
    """Each form field that takes a person's explanation has the generous bound, not none."""
    from assessments.practice import forms as practice_forms
    from groups.applications import forms as app_forms
    from groups.cards import forms as views_cards
    from groups.enrollment import forms as views_enrollment
    from groups.filings import forms as views_filings
    from groups.registry import forms as registry_forms

    fields = [
        (app_forms.FoundingForm, "chief_principal_reason"),
        (app_forms.FoundingForm, "description"),
        (app_forms.AdmissionForm, "description"),
        (app_forms.ExitForm, "reason"),
        (app_forms.ProposedMemberForm, "projects"),
        (app_forms.ProposedPartnerForm, "projects"),
        (app_forms.ConsentForm, "reason"),
        (app_forms.OpinionForm, "opinion"),
        (app_forms.DecisionForm, "reason"),
        (app_forms.DecisionForm, "conditions"),
        (app_forms.DecisionForm, "justification"),
        (app_forms.EvaluationForm, "note"),
        (registry_forms.GroupCreateForm, "chief_principal_reason"),
        (registry_forms.GroupCreateForm, "description"),
        (registry_forms.MembershipAddForm, "note"),
        (registry_forms.MembershipEndForm, "note"),
        (registry_forms.PartnershipAddForm, "projects"),
        (views_cards.RespondForm, "rectification"),
        (views_cards.LiftForm, "note"),
        (views_cards.RejectForm, "note"),
        (views_cards.EscalateForm, "reason"),
        (views_cards.IssueForm, "description"),
        (views_filings.FilingContentForm, "description"),
        (views_filings.FilingHandleForm, "remarks"),
        (views_enrollment.PlanContentForm, "catchment"),
        (views_enrollment.PlanContentForm, "notes"),
        (views_enrollment.PlanDecideForm, "remarks"),
        (practice_forms.CaseContentForm, "text"),
        (practice_forms.CaseReviewForm, "remarks"),
        (practice_forms.CaseWithdrawForm, "reason"),
    ]
    unbounded = [
        f"{form.__name__}.{name}"
        for form, name in fields
        if form.base_fields[name].max_length != LONG_TEXT_MAX
    ]
    assert unbounded == []


def test_history_change_reason_is_a_text_column_everywhere():
    from django.apps import apps
    from django.db import models

    narrow = [
        m._meta.label
        for m in apps.get_models()
        if m._meta.label.split(".")[1].startswith("Historical")
        and not isinstance(m._meta.get_field("history_change_reason"), models.TextField)
    ]
    assert narrow == []


def test_no_model_field_for_a_persons_explanation_is_a_short_column():
    from django.apps import apps
    from django.db import models

    words = ("reason", "remark", "opinion", "justification", "conditions", "note", "comment")
    short = [
        f"{m._meta.label}.{f.name}"
        for m in apps.get_models()
        for f in m._meta.fields
        if isinstance(f, models.CharField)
        and not f.choices
        and not m._meta.label.split(".")[1].startswith("Historical")
        and any(w in f.name for w in words)
    ]
    assert short == []
