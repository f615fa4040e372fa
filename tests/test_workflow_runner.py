"""The one workflow runner (qingdao_groups.core.workflow, issue 6 item 1), across every stateful
model: applications (L-1 … L-5), consents (L-1, L-3), cards (L-6), filings (L-2, D-1, D-2) and
enrollment plans (L-7).

- a stale form is refused with the same exception and the same message shape everywhere;
- a person who may never take the step gets 403 before any state is read (no row is locked),
  even when the object's state would refuse the step anyway;
- the runner saves only the fields that changed and writes one history row with the actor and
  the whole reason;
- a move the table does not list is refused and changes nothing."""

import datetime
from unittest import mock

import pytest
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation

from groups.applications.models import Application, Consent
from groups.applications.services import application_decide, consent_record
from groups.cards.models import Card
from groups.cards.services import card_submit_rectification
from groups.enrollment.models import EnrollmentPlan
from groups.enrollment.services import enrollment_plan_set
from groups.filings.models import Filing
from groups.filings.services import filing_acknowledge
from groups.filings.workflows import FILING_TRANSITIONS, FilingAction
from qingdao_groups.core.messages import render
from qingdao_groups.core.rules import RuleRefusal
from qingdao_groups.core.workflow import NOT_NOW, STALE, StaleVersion, transition
from tests.groups.workflow_helpers import staff


def _application(world, status=Application.Status.UNDER_DECISION, version=1) -> Application:
    return Application.objects.create(
        kind=Application.Kind.ADMISSION,
        status=status,
        applicant_school=world.core,
        group=world.group,
        deciding_authority=world.shinan,
        admission_mode="own_choice",
        start_on=datetime.date(2025, 9, 1),
        created_by=world.users["principal"],
        version=version,
    )


def _card(world, status=Card.Status.YELLOW_ISSUED, version=1, closed=False) -> Card:
    return Card.objects.create(
        membership=world.membership,
        group=world.group,
        level=Card.Level.YELLOW,
        status=status,
        ground=Card.Ground.AGREEMENT,
        description="未履行协议",
        deadline="2099-01-01",
        issued_by=world.users["district"],
        version=version,
        closed_at=timezone.now() if closed else None,
    )


def _filing(world, status=Filing.Status.FILED, version=1) -> Filing:
    return Filing.objects.create(
        authority=world.shinan,
        kind=Filing.Kind.POLICY,
        title="配套政策",
        filed_on=datetime.date(2025, 3, 1),
        status=status,
        filed_by=world.users["district"],
        version=version,
    )


def _plan(world, school, status=EnrollmentPlan.Status.FILED, version=1) -> EnrollmentPlan:
    return EnrollmentPlan.objects.create(
        school=school,
        year=2026,
        places=200,
        classes=5,
        catchment="测试片区",
        method=EnrollmentPlan.Method.CATCHMENT,
        status=status,
        filed_by=world.users["principal"],
        version=version,
    )


# --- a stale form: one exception, one message shape --------------------------------------------


def _stale_application(world):
    app = _application(world, version=3)
    return app, lambda: application_decide(
        application=app,
        action="reject",
        reason="不同意",
        actor=world.users["district"],
        expected_version=2,
    )


def _stale_consent(world):
    app = _application(world, status=Application.Status.AWAITING_CONSENTS)
    consent = Consent.objects.create(application=app, authority=world.shibei, version=3)
    return consent, lambda: consent_record(
        consent=consent, given=True, reason="", actor=staff(world.shibei), expected_version=2
    )


def _stale_card(world):
    card = _card(world, version=3)
    return card, lambda: card_submit_rectification(
        card=card, rectification="已整改", actor=world.users["member"], expected_version=2
    )


def _stale_filing(world):
    filing = _filing(world, version=3)
    return filing, lambda: filing_acknowledge(
        filing=filing, actor=world.users["city"], expected_version=2
    )


def _stale_plan(world):
    plan = _plan(world, world.core, version=3)
    return plan, lambda: enrollment_plan_set(
        plan=plan, actor=world.users["district"], expected_version=2
    )


def _stale_cycle(world):
    from assessments.cycles.services import cycle_start
    from tests.assessments.cycle_helpers import open_cycle

    cycle = open_cycle(world)
    cycle.version = 3
    cycle.save()
    return cycle, lambda: cycle_start(cycle=cycle, actor=world.users["city"], expected_version=2)


def _stale_flag(world):
    from assessments.cycles.models import CycleGroup, FactualFlag
    from assessments.cycles.services import flag_resolve
    from tests.assessments.builders import make_cycle

    cycle = make_cycle(world, status="factual_check")
    flag = FactualFlag.objects.create(
        entry=CycleGroup.objects.get(cycle=cycle, group=world.group), text="有误", version=3
    )
    return flag, lambda: flag_resolve(
        flag=flag, actor=world.users["city"], action="reject", reply="否", expected_version=2
    )


@pytest.mark.parametrize(
    "build",
    [
        _stale_application,
        _stale_consent,
        _stale_card,
        _stale_filing,
        _stale_plan,
        _stale_cycle,
        _stale_flag,
    ],
    ids=[
        "application",
        "consent",
        "card",
        "filing",
        "enrollment_plan",
        "assessment_cycle",
        "factual_flag",
    ],
)
def test_a_stale_version_is_refused_the_same_way_everywhere(world, build):
    obj, act = build(world)
    history_before = obj.history.count()
    with pytest.raises(StaleVersion) as exc:
        act()
    assert isinstance(exc.value, RuleRefusal)  # the one exception for "the rules refuse this"
    assert exc.value.message == STALE % {
        "subject": obj._meta.verbose_name,
        "status": obj.get_status_display(),
    }
    assert "当前状态：" in exc.value.message  # it names the current status
    obj.refresh_from_db()
    assert obj.version == 3 and obj.history.count() == history_before


# --- a wrong person: 403 before any state is read ----------------------------------------------


def _no_lock():
    """Any row lock means the view read state before the person gate."""
    return mock.patch.object(
        QuerySet,
        "select_for_update",
        side_effect=AssertionError("state read before the person gate"),
    )


def _wrong_application(world):
    # A draft cannot be decided anyway; the applicant's principal may never decide.
    app = _application(world, status=Application.Status.DRAFT)
    return (
        app,
        world.users["principal"],
        reverse("applications:decide", args=[app.pk]),
        {"version": app.version, "action": "approve", "reason": "同意"},
    )


def _wrong_consent(world):
    # An answered consent of a returned application; 市南 staff never answer for 市北.
    app = _application(world, status=Application.Status.RETURNED)
    consent = Consent.objects.create(
        application=app, authority=world.shibei, status=Consent.Status.GIVEN
    )
    return (
        consent,
        world.users["district"],
        reverse("applications:consent", args=[app.pk, consent.pk]),
        {"version": consent.version, "given": "1", "reason": ""},
    )


def _wrong_card(world):
    # A lifted card cannot be lifted again; the warned member never lifts its own card.
    card = _card(world, status=Card.Status.LIFTED, closed=True)
    return (
        card,
        world.users["member"],
        reverse("cards:lift", args=[card.pk]),
        {"lift-version": card.version, "lift-note": "通过"},
    )


def _wrong_card_response(world):
    # A lifted card awaits no response; the bureau never responds for the member.
    card = _card(world, status=Card.Status.LIFTED, closed=True)
    return (
        card,
        world.users["district"],
        reverse("cards:respond", args=[card.pk]),
        {"respond-version": card.version, "respond-rectification": "已整改"},
    )


def _wrong_filing(world):
    # An acknowledged filing is not handled again; a district never handles filings.
    filing = _filing(world, status=Filing.Status.ACKNOWLEDGED)
    return (
        filing,
        world.users["district"],
        reverse("filings:filing-handle", args=[filing.pk]),
        {"version": filing.version, "decision": "acknowledge", "remarks": ""},
    )


def _wrong_refile(world):
    # A filing with the city is not refiled; the city never refiles a district's filing.
    filing = _filing(world)
    return (
        filing,
        world.users["city"],
        reverse("filings:filing-refile", args=[filing.pk]),
        {"version": filing.version, "title": "改", "description": ""},
    )


def _wrong_plan(world):
    # A plan already set is not decided again; a principal never sets a plan.
    plan = _plan(world, world.core, status=EnrollmentPlan.Status.SET)
    return (
        plan,
        world.users["principal"],
        reverse("enrollment:plan-decide", args=[plan.pk]),
        {"version": plan.version, "decision": "set", "remarks": ""},
    )


def _wrong_cycle(world):
    # A published cycle is not published again; district staff never move a city cycle.
    from tests.assessments.builders import make_cycle

    cycle = make_cycle(world, status="published")
    return (
        cycle,
        world.users["district"],
        reverse("cycles:cycle-move", args=[cycle.pk, "publish"]),
        {"version": cycle.version},
    )


@pytest.mark.parametrize(
    "build",
    [
        _wrong_application,
        _wrong_consent,
        _wrong_card,
        _wrong_card_response,
        _wrong_filing,
        _wrong_refile,
        _wrong_plan,
        _wrong_cycle,
    ],
    ids=[
        "application",
        "consent",
        "card-lift",
        "card-respond",
        "filing",
        "filing-refile",
        "enrollment_plan",
        "assessment_cycle",
    ],
)
def test_a_wrong_person_gets_403_before_any_state_is_read(world, login, build):
    obj, user, url, data = build(world)
    client = login(user)
    with _no_lock():
        response = client.post(url, data)
    assert response.status_code == 403
    obj.refresh_from_db()
    assert obj.version == 1


# --- the runner itself -------------------------------------------------------------------------


def test_the_runner_saves_only_changed_fields_and_writes_one_history_row(world):
    filing = _filing(world)
    city = world.users["city"]
    reason = "确认：" + "已知悉，请按期总结实施情况。" * 4
    rows_before = filing.history.count()
    original_save = Filing.save
    with mock.patch.object(Filing, "save", autospec=True, side_effect=original_save) as save:
        moved = transition(
            filing,
            action=FilingAction.ACKNOWLEDGE,
            table=FILING_TRANSITIONS,
            actor=city,
            reason=reason,
            expected_version=1,
            changes={"remarks": "", "handled_by": city, "handled_at": timezone.now()},
        )
    assert save.call_count == 1
    # remarks were already empty: not written; nothing else but what moved
    assert sorted(save.call_args.kwargs["update_fields"]) == [
        "handled_at",
        "handled_by",
        "status",
        "version",
    ]
    assert (moved.status, moved.version) == (Filing.Status.ACKNOWLEDGED, 2)
    filing.refresh_from_db()
    assert (filing.status, filing.version, filing.handled_by) == (
        Filing.Status.ACKNOWLEDGED,
        2,
        city,
    )
    assert filing.history.count() == rows_before + 1
    latest = filing.history.latest()
    assert latest.history_user == city
    assert latest.history_change_reason == reason  # whole, never cut


def test_the_runner_names_the_action_when_no_reason_is_given(world):
    filing = _filing(world)
    transition(
        filing,
        action=FilingAction.ACKNOWLEDGE,
        table=FILING_TRANSITIONS,
        actor=world.users["city"],
        expected_version=None,
    )
    stored = filing.history.latest().history_change_reason
    # kept as a code (issue 8) and shown in the reader's language
    assert render(stored) == str(FilingAction.ACKNOWLEDGE.label)
    with translation.override("en"):
        assert render(stored) == "Acknowledge" == str(FilingAction.ACKNOWLEDGE.label)


def test_a_transition_not_in_the_table_is_refused_and_changes_nothing(world):
    filing = _filing(world, status=Filing.Status.ACKNOWLEDGED)
    rows_before = filing.history.count()
    with pytest.raises(RuleRefusal) as exc:
        transition(
            filing,
            action=FilingAction.RETURN,
            table=FILING_TRANSITIONS,
            actor=world.users["city"],
            reason="退回",
            expected_version=1,
            changes={"remarks": "退回"},
        )
    assert not isinstance(exc.value, StaleVersion)
    assert exc.value.message == NOT_NOW % {
        "subject": "报备",
        "status": "已确认",
        "action": FilingAction.RETURN.label,
    }
    filing.refresh_from_db()
    assert (filing.status, filing.version, filing.remarks) == (Filing.Status.ACKNOWLEDGED, 1, "")
    assert filing.history.count() == rows_before


def test_the_version_is_checked_before_the_table(world):
    """A stale form on an object that also moved out of the step says "stale", the one message
    that tells the user to look again."""
    filing = _filing(world, status=Filing.Status.ACKNOWLEDGED, version=2)
    with pytest.raises(StaleVersion):
        filing_acknowledge(filing=filing, actor=world.users["city"], expected_version=1)


def test_a_state_refusal_through_a_service_has_the_same_shape(world):
    plan = _plan(world, world.core, status=EnrollmentPlan.Status.SET)
    with pytest.raises(RuleRefusal) as exc:
        enrollment_plan_set(plan=plan, actor=world.users["district"], expected_version=1)
    assert exc.value.message == "该招生计划当前状态为“主管部门已核定”，不能核定。"
