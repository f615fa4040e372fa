"""The approver decides on live checks (issue 8, policy L-1, L-3, L-5): the decision page runs the
policy checks again and marks what changed since submission; the service decides on them; the
justification names the warnings it answers and is kept in the record and the group's history;
the losing side of two decisions is told who decided, when and how (post/redirect/get)."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groups.applications import checks
from groups.applications.checks import Outcome
from groups.applications.models import Application, CheckResult
from groups.applications.services import application_decide
from qingdao_groups.core.rules import RuleRefusal
from tests.factories import MembershipFactory, SchoolFactory
from tests.groups import workflow_helpers as h

pytestmark = pytest.mark.django_db


def _detail(client, built):
    return client.get(reverse("applications:detail", args=[built.application.pk]))


def _post_decision(client, built, **data):
    page = _detail(client, built).context
    form = page["decision_form"]
    values = {
        "version": form.initial.get("version", built.application.version),
        "checks": form.initial.get("checks", ""),
        "action": "approve",
        "reason": "同意",
    } | data
    return client.post(reverse("applications:decide", args=[built.application.pk]), values)


# --- comparing stored and live results ---------------------------------------------------------


def test_compare_marks_new_failures_passes_and_changed_figures():
    # policy A-4 (a figure), G-1 (a hard rule), T-1 (a warning)
    stored = [
        Outcome("A-4", "warning", True, "薄弱学校占成员校 1/2（50.0%）"),
        Outcome("G-1", "hard", True, "拟加入学校均未加入其他集团。"),
        Outcome("T-1", "warning", False, "学段不同"),
        Outcome("L-1", "hard", True, "必需材料齐全。"),
    ]
    live = [
        Outcome("A-4", "warning", True, "薄弱学校占成员校 2/2（100.0%）"),
        Outcome("G-1", "hard", False, "某校已是“某集团”的在册学校"),
        Outcome("L-1", "hard", True, "必需材料齐全。"),
    ]
    rows = {r.clause: r for r in checks.compare_checks(stored, live)}
    assert rows["A-4"].change == checks.CHANGED
    assert rows["G-1"].change == checks.NEW_FAILURE
    assert rows["L-1"].change == checks.SAME and not rows["L-1"].changed
    assert rows["T-1"].change == checks.NOW_PASSES and rows["T-1"].live is None
    assert checks.digest(live) == checks.digest(list(reversed(live)))
    assert checks.digest(live) != checks.digest(stored)


# --- the page --------------------------------------------------------------------------------


def test_decision_page_shows_live_checks_beside_the_submitted_ones(client, world):
    """policy A-4: a figure that changed after submission is marked on the decision page."""
    built = h.founding_ready(world)
    client.force_login(built.decider)
    response = _detail(client, built)
    assert response.context["checks_changed"] == 0
    assert 'data-testid="checks-unchanged"' in response.content.decode()

    laoshan_school = built.members[1]
    laoshan_school.is_weak, laoshan_school.weak_rated_year = True, 2022
    laoshan_school.save()
    response = _detail(client, built)
    html = response.content.decode()
    changed = [c for c in response.context["compared_checks"] if c.changed]
    assert [(c.clause, c.change) for c in changed] == [("A-4", checks.CHANGED)]
    assert "2/2" in html and "1/2" in html and "数据有变化" in html


def test_new_hard_failure_is_marked_and_blocks_approval(client, world):
    """policy G-1: a proposed school that joined another group after submission is a new hard
    failure on the page, and the service refuses to approve though submission passed."""
    built = h.founding_ready(world)
    MembershipFactory(school=built.members[1], joined_on=datetime.date(2024, 9, 1))
    client.force_login(built.decider)
    response = _detail(client, built)
    rows = [c for c in response.context["compared_checks"] if c.change == checks.NEW_FAILURE]
    assert [r.clause for r in rows] == ["G-1"]
    assert response.context["live_hard_failures"]
    assert "新出现的问题" in response.content.decode()

    response = _post_decision(client, built)
    assert response.status_code == 200
    assert "不能批准" in response.content.decode()
    assert built.refresh().status == Application.Status.UNDER_DECISION
    # Returning it is still possible.
    response = _post_decision(client, built, action="return", reason="请更换成员校")
    assert response.status_code == 302
    assert built.refresh().status == Application.Status.RETURNED


def test_service_decides_on_the_checks_as_they_are_now(world):
    """policy G-1: the hard failure that appeared after submission refuses the approval even
    without a page (the service runs the checks itself)."""
    built = h.founding_ready(world)
    MembershipFactory(school=built.members[0], joined_on=datetime.date(2024, 9, 1))
    with pytest.raises(RuleRefusal, match="不能批准"):
        application_decide(
            application=built.application,
            action="approve",
            reason="同意",
            actor=built.decider,
            expected_version=built.application.version,
        )
    assert built.refresh().status == Application.Status.UNDER_DECISION


def test_approval_refused_when_checks_changed_after_the_page_was_opened(client, world):
    """policy A-4: a warning that appeared after the approver opened the page is not answered by
    the justification written for the page: refused, shown, and the next post goes through."""
    built = h.founding_ready(world)
    client.force_login(built.decider)
    page = _detail(client, built).context
    seen = page["decision_form"].initial["checks"]
    assert not page["warnings_to_answer"]
    shibei_school = built.members[0]
    shibei_school.is_weak, shibei_school.weak_rated_year = False, None
    shibei_school.save()  # 0 weak schools of 2: A-4 now warns
    url = reverse("applications:decide", args=[built.application.pk])
    data = {
        "version": built.application.version,
        "checks": seen,
        "action": "approve",
        "reason": "同意成立",
        "justification": "",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "政策检查结果有了变化" in html and "同意成立" in html
    assert response.context["warnings_to_answer"][0].clause == "A-4"
    assert response.context["decision_form"].data["checks"] != seen
    assert built.refresh().status == Application.Status.UNDER_DECISION

    data |= {
        "checks": response.context["decision_form"].data["checks"],
        "justification": "该区薄弱学校将于明年并入",
    }
    assert client.post(url, data).status_code == 302
    assert built.refresh().status == Application.Status.APPROVED


def test_justification_names_the_warnings_and_is_kept_in_record_and_history(client, world):
    """policy T-1: the warning is listed right above the justification box; the justification
    stays in the application's record and the group's history with the warnings it answered."""
    built = h.founding_ready(world, fusion_warning=True)
    client.force_login(built.decider)
    response = _detail(client, built)
    html = response.content.decode()
    box = html.index('data-testid="warnings-to-answer"')
    assert html.index("T-1", box) < html.index('name="justification"')
    assert [w.clause for w in response.context["warnings_to_answer"]] == ["T-1"]

    response = _post_decision(client, built, justification="两校已开展多年联合教研")
    assert response.status_code == 302
    application = built.refresh()
    assert application.status == Application.Status.APPROVED
    html = _detail(client, built).content.decode()
    record = html[html.index('data-testid="justification"') :]
    assert "两校已开展多年联合教研" in record and "T-1" in record[: record.index("</div>")]

    group_page = client.get(reverse("groups:group-detail", args=[application.group_id]))
    timeline = group_page.content.decode()
    timeline = timeline[timeline.index('data-testid="story"') :]
    assert "两校已开展多年联合教研" in timeline


def test_decision_page_queries_stay_constant_with_live_checks(client, world):
    """The live run is a constant number of queries whatever the number of proposed schools."""
    small = h.founding_ready(world)
    client.force_login(small.decider)
    url = reverse("applications:detail", args=[small.application.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    big = h.founding_ready(world)
    from groups.applications.models import ProposedMember

    for i in range(10):
        ProposedMember.objects.create(
            application=big.application,
            school=SchoolFactory(name=f"追加学校{i}", authority=world.shinan),
            relation_type="T-3",
            relation_subtype="T-3a",
            projects="项目",
        )
        MembershipFactory(school=SchoolFactory(), joined_on=datetime.date(2024, 9, 1))
    client.force_login(big.decider)
    url = reverse("applications:detail", args=[big.application.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert "compared_checks" in response.context
    assert len(many) == len(few), (len(few), len(many))


# --- the losing side of two decisions ------------------------------------------------------


def test_losing_decision_redirects_and_says_who_decided_when_and_how(client, world):
    """policy L-1: the second approver's form is stale: a redirect to the application with
    "已由 <name> 于 <time> 批准" and the state now; nothing decided twice."""
    built = h.founding_ready(world)
    winner = built.decider
    winner.first_name, winner.last_name = "伟", "张"
    winner.save()
    loser = h.staff(world.shinan)
    client.force_login(loser)
    form = _detail(client, built).context["decision_form"]
    decided_at = timezone.now().replace(microsecond=0)
    application_decide(
        application=built.application,
        action="approve",
        reason="同意",
        actor=winner,
        expected_version=built.application.version,
        now=decided_at,
    )
    response = client.post(
        reverse("applications:decide", args=[built.application.pk]),
        {
            "version": form.initial["version"],
            "checks": form.initial["checks"],
            "action": "reject",
            "reason": "不同意",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:detail", args=[built.application.pk])
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    local = timezone.localtime(decided_at).strftime("%Y-%m-%d %H:%M")
    assert texts == [f"该申请已由 张伟 于 {local} 批准。当前状态：已批准。"]
    page = client.get(response["Location"])
    assert page.status_code == 200 and "已由 张伟" in page.content.decode()
    assert built.refresh().status == Application.Status.APPROVED
    assert CheckResult.objects.filter(application=built.application, stage="decision").count()


def test_losing_decision_names_the_actual_action(client, world):
    built = h.founding_ready(world)
    client.force_login(h.staff(world.shinan))
    form = _detail(client, built).context["decision_form"]
    application_decide(
        application=built.application,
        action="reject",
        reason="不符合条件",
        actor=built.decider,
        expected_version=built.application.version,
    )
    response = client.post(
        reverse("applications:decide", args=[built.application.pk]),
        {"version": form.initial["version"], "action": "approve", "reason": "同意"},
        follow=True,
    )
    html = response.content.decode()
    assert "不予批准。当前状态：未批准。" in html
    assert response.redirect_chain[-1][1] == 302


def test_successful_decision_redirects(client, world):
    """post/redirect/get: a reload of the page after deciding does not post again."""
    built = h.founding_ready(world)
    client.force_login(built.decider)
    response = _post_decision(client, built, action="reject", reason="不同意")
    assert response.status_code == 302
    assert built.refresh().status == Application.Status.REJECTED


# --- a refused sub-form keeps what was typed ---------------------------------------------------


def test_refused_add_school_form_keeps_every_value(client, world):
    """policy T-1 … T-3: a subtype that is not of the chosen type is refused beside the field;
    the school, the projects and the pilot number typed stay in the form, which stays open."""
    built = h.founding_draft(world)
    client.force_login(built.principal)
    school = SchoolFactory(name="新增拟加入学校", authority=world.shinan)
    response = client.post(
        reverse("applications:member-add", args=[built.application.pk]),
        {
            "school": school.pk,
            "relation_type": "T-3",
            "relation_subtype": "T-1a",
            "pilot_approval": "青教试〔2025〕3号",
            "projects": "科技社团",
            "submission": "tok-keep-1",
        },
    )
    assert response.status_code == 200
    form = response.context["member_form"]
    assert "relation_subtype" in form.errors
    html = response.content.decode()
    assert "青教试〔2025〕3号" in html and "科技社团" in html and "新增拟加入学校" in html
    assert '<details class="mb-3" open><summary>' in html


def test_refused_upload_asks_to_choose_the_file_again(client, world):
    built = h.founding_draft(world)
    client.force_login(built.principal)
    response = client.post(
        reverse("applications:upload", args=[built.application.pk]),
        {"kind": "nonsense", "file": h.pdf("方案.pdf"), "submission": "tok-keep-2"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "请重新选择" in html and "方案.pdf" in html


def test_upload_posted_with_progress_names_its_redirect(client, world):
    """static/js/forms.js posts files through XMLHttpRequest: the redirect comes back as its
    target (X-Location), so the browser navigates and the next page shows the message."""
    built = h.founding_draft(world, documents=())
    client.force_login(built.principal)
    url = reverse("applications:upload", args=[built.application.pk])
    data = {"kind": "plan", "file": h.pdf("方案.pdf"), "submission": "tok-progress-1"}
    response = client.post(url, data, headers={"X-Upload-Progress": "1"})
    assert response.status_code == 200
    assert response["X-Location"] == reverse("applications:detail", args=[built.application.pk])
    assert not response.has_header("Location")
    page = client.get(response["X-Location"])
    assert "材料已上传" in page.content.decode()
    # Without the header: the ordinary redirect.
    data = {"kind": "charter", "file": h.pdf("章程.pdf"), "submission": "tok-progress-2"}
    assert client.post(url, data).status_code == 302


def test_reader_in_english_sees_no_change_where_there_is_none(client, world):
    """Stored texts are in the submitter's language (Chinese): an English reader's page compares
    them with the live run in Chinese too, and marks nothing (policy A-4, L-1)."""
    built = h.founding_ready(world)
    built.decider.language = "en"  # the reader's choice, kept on the account
    built.decider.save(update_fields=["language"])
    client.force_login(built.decider)
    url = reverse("applications:detail", args=[built.application.pk])
    response = client.get(url)
    assert response.context["checks_changed"] == 0, [
        (c.clause, c.change) for c in response.context["compared_checks"]
    ]
    assert "Now" in response.content.decode()
    school = built.members[1]
    school.is_weak, school.weak_rated_year = True, 2022
    school.save()
    response = client.get(url)
    assert [(c.clause, c.change) for c in response.context["compared_checks"] if c.changed] == [
        ("A-4", checks.CHANGED)
    ]
