"""Application pages: drafting, consenting, opinions and decisions (policy L-1 … L-5).

Each POST view: access (404 if not visible) -> person gate (permissions.py, 403) -> form ->
service -> message -> redirect. The person gate runs before any state is read; a state that does
not allow the step (RuleRefusal from the workflow runner) is shown as a message on the detail
page; nothing was changed."""

from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from groups.applications import checks
from groups.applications import services as svc
from groups.applications.forms import (
    AdmissionForm,
    ConsentForm,
    DecisionForm,
    EvaluationForm,
    ExitForm,
    FoundingForm,
    OpinionForm,
    ProposedMemberForm,
    ProposedPartnerForm,
    UploadForm,
)
from groups.applications.models import Application, CheckResult, Consent, ProposedMember
from groups.applications.permissions import (
    DOCUMENT_KINDS,
    can_decide_application,
    can_draft_application,
    can_edit_application,
    can_give_exit_opinion,
    can_record_consent,
    can_withdraw_application,
)
from groups.applications.selectors import (
    admission_criteria_for,
    application_get_for_user,
    application_list_filtered,
    application_list_for_user,
    deadline_for,
    decided_by_message,
    exit_spin_off_prefill,
    open_exit_for,
)
from groups.applications.workflows import (
    APPLICATION_TRANSITIONS,
    DECISION_ACTIONS,
    Action,
    ApplicationStatus,
    ConsentStatus,
)
from groups.filings.permissions import can_handle_filing
from groups.registry.models import Membership
from groups.registry.selectors import group_get_for_user
from members.models import School
from qingdao_groups.core.archive import documents_of
from qingdao_groups.core.forms import keep_file_hint
from qingdao_groups.core.history import history_rows
from qingdao_groups.core.inbox import (
    INBOX_ALL_PER_KIND,
    INBOX_PER_KIND,
    filtered_items,
    inbox_counts,
    inbox_page,
    kind_counts,
)
from qingdao_groups.core.notifications import notifications_mark_read
from qingdao_groups.core.pagination import KeyFirstPaginator
from qingdao_groups.core.queries import by_key
from qingdao_groups.core.reminders import can_send_reminder, watched_items
from qingdao_groups.core.rules import RuleRefusal, add_form_error, require
from qingdao_groups.core.submissions import ALREADY_DONE, once
from qingdao_groups.core.workflow import StaleVersion, can_move, refused
from qingdao_groups.core.worklist import WorkListFilter
from qingdao_groups.models import Attachment, Notification


def _may(application, action) -> bool:
    """Whether the table allows `action` now (which forms to show; the service decides)."""
    return can_move(APPLICATION_TRANSITIONS[application.kind], application.status, action)


def inbox_view(request):
    """The work list (待办): what awaits the user — what it is, whose turn, since when, the
    deadline and days left, overdue marked in words — filtered by kind, district and deadline
    (core.worklist), the oldest INBOX_PER_KIND of each kind (bounded, issue 7); city staff
    acknowledge filings several at a time from it. Principals also see their applications."""
    user = request.user
    mine = []
    if user.is_principal and user.school_id:
        mine = list(
            application_list_for_user(user=user)
            .filter(applicant_school_id=user.school_id)
            .prefetch_related("consents__authority")[:30]
        )
    notices = list(Notification.objects.filter(user=user, read_at__isnull=True)[:20])
    kinds = inbox_counts(user)
    may_remind = can_send_reminder(user).allowed
    watching = may_remind and request.GET.get("view") == "watch"
    watched = watched_items(user) if watching else []
    filterset = WorkListFilter(
        request.GET or None,
        kinds=kind_counts(watched) if watching else kinds,
        show_district=not user.is_principal,
    )
    show_all = bool(request.GET.get("all"))
    if watching:
        inbox = filtered_items(watched, filterset.work_filter())
    else:
        inbox = inbox_page(
            user,
            per_kind=INBOX_ALL_PER_KIND if show_all else INBOX_PER_KIND,
            work_filter=filterset.work_filter(),
        )
    query = request.GET.copy()
    query.pop("all", None)
    return render(
        request,
        "applications/inbox.html",
        {
            "items": inbox.items,
            "more": inbox.more,
            "mine": mine,
            "notices": notices,
            "can_found": user.is_principal,
            "form": filterset.form,
            "total": sum(k.count for k in kinds),
            "query_string": query.urlencode(),
            "show_all": show_all,
            "can_bulk_ack": not watching
            and can_handle_filing(user).allowed
            and any(item.ackable for item in inbox.items),
            "may_remind": may_remind,
            "watching": watching,
        },
    )


def application_list_view(request):
    qs, status, kind = application_list_filtered(
        application_list_for_user(user=request.user), request.GET
    )
    page = KeyFirstPaginator(qs.order_by("-created_at", "-id"), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "applications/application_list.html",
        {
            "page_obj": page,
            "statuses": ApplicationStatus.choices,
            "kinds": Application.Kind.choices,
            "status": status,
            "kind": kind,
            "query_string": "&".join(
                f"{k}={v}" for k, v in (("status", status), ("kind", kind)) if v
            ),
        },
    )


# What the detail page shows besides the application's own row, by kind (one query each,
# whatever the number of members, partners, consents or documents; none for what the kind's
# page does not show: partners are a founding's, scores an admission's, proposed schools are
# not an exit's).
_DETAIL_PREFETCH = {
    "proposed_members": Prefetch(
        "proposed_members",
        queryset=ProposedMember.objects.select_related("school", "school__district"),
    ),
    "proposed_partners": Prefetch("proposed_partners__partner"),
    "consents": Prefetch(
        "consents", queryset=Consent.objects.select_related("authority", "decided_by")
    ),
    "check_results": Prefetch(
        "check_results",
        queryset=CheckResult.objects.order_by("stage", "severity", "clause", "id"),
    ),
    "attachments": Prefetch(
        "attachments", queryset=Attachment.objects.select_related("uploaded_by")
    ),
    "admission_scores": Prefetch("admission_scores__criterion"),
}
_SHOWN_BY_KIND = {
    Application.Kind.FOUNDING: (
        "proposed_members",
        "proposed_partners",
        "consents",
        "check_results",
        "attachments",
    ),
    Application.Kind.ADMISSION: (
        "proposed_members",
        "consents",
        "check_results",
        "attachments",
        "admission_scores",
    ),
    Application.Kind.EXIT: ("consents", "check_results", "attachments"),
}


def _detail_application(user, application_id: int) -> Application:
    """The application with the rows its page names (not its author or the opinion's author,
    which the page does not show: past eight joined tables PostgreSQL spent 15-20 ms planning
    the query, issue 7); 404 when the user may not see it."""
    qs = (
        application_list_for_user(user=user)
        .select_related(None)
        .select_related(
            "applicant_school__authority",
            "group__core_school",
            "deciding_authority",
            "membership",
            "decided_by",
        )
    )
    try:
        return by_key(qs, application_id)
    except Application.DoesNotExist as exc:
        raise Http404 from exc


def application_detail_view(request, application_id: int):
    return _render_detail(request, _detail_application(request.user, application_id))


def _render_detail(request, application: Application, decision_form=None, bound=None):
    """The application page. `bound`: a sub-form (by its context name) that was refused, shown
    with what the person typed and its errors."""
    return render(
        request,
        "applications/application_detail.html",
        _detail_context(request, application, decision_form, bound),
    )


def _detail_context(request, application: Application, decision_form=None, bound=None) -> dict:
    prefetch_related_objects(
        [application], *(_DETAIL_PREFETCH[name] for name in _SHOWN_BY_KIND[application.kind])
    )
    user = request.user
    bound = bound or {}
    editable = can_edit_application(user, application).allowed and _may(application, Action.EDIT)
    ctx = {
        "application": application,
        "editable": editable,
        "history": history_rows(Application, pk=application.pk)
        .select_related("history_user")
        .order_by("-history_date")[:40],
        "deadline": deadline_for(application),
        "results": {
            stage: application.stored_outcomes(stage) for stage in CheckResult.Stage.values
        },
    }
    # The warnings the stored justification answered: those of the checks run at the decision.
    ctx["answered_warnings"] = [
        r
        for r in ctx["results"][CheckResult.Stage.DECISION]
        if r.severity == CheckResult.Severity.WARNING and not r.passed
    ]
    # Its 批复 (issue 8): the archived PDF, for whoever sees the application.
    ctx["official_documents"] = list(documents_of(application))
    if editable:
        # Live checks while drafting, so the principal sees what the approver will see.
        ctx["live_checks"] = checks.run_checks(application, timezone.localdate())
        ctx["member_form"] = bound.get("member_form") or ProposedMemberForm(
            schools=_candidate_schools()
        )
        ctx["partner_form"] = bound.get("partner_form") or ProposedPartnerForm()
        ctx["upload_form"] = bound.get("upload_form") or UploadForm(kinds=_kinds(application))
        ctx["fields_form"] = bound.get("fields_form") or _fields_form(application)
        if application.kind == Application.Kind.ADMISSION:
            ctx["evaluation_form"] = bound.get("evaluation_form") or _evaluation_form(application)
    my_consent = next(
        (
            c
            for c in application.consents.all()
            if c.status == ConsentStatus.PENDING
            and _may(application, Action.CONSENT_REFUSED)
            and can_record_consent(user, c).allowed
        ),
        None,
    )
    if my_consent:
        ctx["consent"] = my_consent
        ctx["consent_form"] = bound.get("consent_form") or ConsentForm(
            initial={"version": my_consent.version}
        )
    # An exit may be withdrawn at every step before the decision (policy L-5), not only while
    # it is with the applicant.
    ctx["may_withdraw"] = can_withdraw_application(user, application).allowed and _may(
        application, Action.WITHDRAW
    )
    if can_give_exit_opinion(user, application).allowed and _may(application, Action.OPINION_GIVEN):
        ctx["opinion_form"] = bound.get("opinion_form") or OpinionForm(
            initial={"version": application.version}
        )
    if _may_decide(user, application):
        ctx.update(_decision_context(application, decision_form))
    return ctx


def _decision_context(application: Application, form=None) -> dict:
    """What the deciding authority sees: the policy checks run again now, beside the results
    stored at submission, with what changed marked; the warnings a justification must answer;
    the form carrying the digest of the checks shown (policy L-1, L-3, L-5)."""
    live = checks.run_checks(application, timezone.localdate())
    submitted = [
        r for r in application.check_results.all() if r.stage == CheckResult.Stage.SUBMISSION
    ]
    seen = checks.digest(live)
    if form is None:
        form = DecisionForm(initial={"version": application.version, "checks": seen})
    else:  # the page now shows these checks: the next post answers them
        form.data = form.data.copy()
        form.data["checks"] = seen
    default_language = None
    if translation.get_language() != settings.LANGUAGE_CODE:
        # Stored texts are in the submitter's language, mostly the default one: compare with
        # this run in it too, so a reader in English does not see every line as changed.
        with translation.override(settings.LANGUAGE_CODE):
            default_language = checks.run_checks(application, timezone.localdate())
    compared = checks.compare_checks(checks.outcomes_of(submitted), live, default_language)
    return {
        "decision_form": form,
        "compared_checks": compared,
        "checks_changed": sum(1 for c in compared if c.changed),
        "warnings_to_answer": checks.warnings(live),
        "live_hard_failures": checks.hard_failures(live),
    }


def _may_decide(user, application) -> bool:
    return can_decide_application(user, application).allowed and any(
        _may(application, a) for a in DECISION_ACTIONS
    )


def _kinds(application):
    labels = dict(Attachment.Kind.choices)
    return [(k, labels[k]) for k in DOCUMENT_KINDS[application.kind]]


def _candidate_schools():
    # Any school: one that cannot be proposed (the core itself, one in a group, one proposed by
    # another application) passes the field and the service refuses it with the rule's own
    # words (policy G-1, L-1, L-3), not a generic "invalid choice"; the picker shows a busy
    # school greyed (selectors.proposable_schools).
    return School.objects.all()


def _fields_form(application, data=None):
    initial = {"version": application.version}
    if application.kind == Application.Kind.FOUNDING:
        for f in (
            "proposed_name",
            "specialty",
            "unified_areas",
            "chief_principal_name",
            "chief_principal_reason",
            "start_on",
            "description",
        ):
            initial[f] = getattr(application, f)
        return FoundingForm(data, initial=initial)
    if application.kind == Application.Kind.ADMISSION:
        for f in ("admission_mode", "start_on", "description"):
            initial[f] = getattr(application, f)
        return AdmissionForm(data, initial=initial)
    initial.update(reason=application.reason, start_on=application.start_on)
    return ExitForm(data, initial=initial)


def _evaluation_form(application, data=None):
    criteria = admission_criteria_for(application.group)
    scores = {s.criterion_id: s.score for s in application.admission_scores.all()}
    return EvaluationForm(
        data,
        criteria=criteria,
        initial_scores=scores,
        initial={
            "recommendation": application.evaluation_recommendation,
            "note": application.evaluation_note,
        },
    )


def _back(application_id: int):
    return redirect("applications:detail", application_id=application_id)


def _refused_form(request, application_id: int, exc: RuleRefusal, form, name: str | None):
    """A refusal that concerns what the person typed is shown beside it, on the page with
    every value kept; one about the state of things (stale form, moved on) is a message on the
    application as it is now."""
    if form is None or name is None or isinstance(exc, StaleVersion) or exc.field == "state":
        messages.error(request, exc.message)
        return _back(application_id)
    add_form_error(form, exc)
    return _rerender(request, application_id, form, name)


# The step each sub-form of the page belongs to (for the state's refusal when it is not shown).
_FORM_STEP = {
    "fields_form": Action.EDIT,
    "member_form": Action.EDIT,
    "partner_form": Action.EDIT,
    "upload_form": Action.EDIT,
    "evaluation_form": Action.EDIT,
    "consent_form": Action.CONSENT_REFUSED,
    "opinion_form": Action.OPINION_GIVEN,
}


def _rerender(request, application_id: int, form, name: str):
    """The page again with the refused sub-form as typed; when the application's state no
    longer shows that form (someone moved it on), the state's refusal as a message instead of
    a page where the input would silently vanish."""
    keep_file_hint(form)
    application = _detail_application(request.user, application_id)
    ctx = _detail_context(request, application, bound={name: form})
    if ctx.get(name) is not form:
        messages.error(request, refused(application, _FORM_STEP[name]).message)
        return _back(application_id)
    return render(request, "applications/application_detail.html", ctx)


def _run(request, application_id: int, action, success: str, form=None, name=None):
    try:
        action()
    except RuleRefusal as exc:
        return _refused_form(request, application_id, exc, form, name)
    messages.success(request, success)
    return _back(application_id)


def _run_once(request, application_id: int, form, action, success: str, name=None):
    """_run for an action that creates something: a repeat of the same form creates nothing."""
    try:
        _created_object, created = once(form.cleaned_data["submission"], request.user, action)
    except RuleRefusal as exc:
        return _refused_form(request, application_id, exc, form, name)
    _created(request, created, success)
    return _back(application_id)


# Form fields that are not the application's own: the version seen and the one-time token.
_NOT_FIELDS = ("version", "submission")


def _created(request, created: bool, success: str) -> None:
    messages.success(request, success) if created else messages.info(request, ALREADY_DONE)


def founding_new_view(request):
    """A principal starts a founding application; a leaver's is prefilled (policy L-5)."""
    require(can_draft_application(request.user, Application.Kind.FOUNDING))
    prefill, spun_off_from = {}, None
    if request.GET.get("spin_off"):
        if not request.GET["spin_off"].isdigit():
            raise Http404
        spun_off_from = application_get_for_user(
            user=request.user, application_id=int(request.GET["spin_off"])
        )
        if (
            spun_off_from.kind != Application.Kind.EXIT
            or spun_off_from.applicant_school_id != request.user.school_id
        ):
            raise Http404
        prefill = exit_spin_off_prefill(exit_application=spun_off_from)
    form = FoundingForm(request.POST or None, initial={"version": 0, **prefill})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in _NOT_FIELDS}
        try:
            application, created = once(
                form.cleaned_data["submission"],
                request.user,
                lambda: svc.application_create(
                    kind=Application.Kind.FOUNDING,
                    actor=request.user,
                    spun_off_from=spun_off_from,
                    **data,
                ),
            )
        except RuleRefusal as exc:
            form.add_error(None, exc.message)
        else:
            _created(request, created, _("已创建草稿，请添加成员校、合作单位和材料后提交。"))
            return _back(application.pk)
    return render(
        request,
        "applications/application_new.html",
        {"form": form, "kind": Application.Kind.FOUNDING},
    )


def admission_new_view(request, group_id: int):
    group = group_get_for_user(user=request.user, group_id=group_id)
    require(can_draft_application(request.user, Application.Kind.ADMISSION, group=group))
    form = AdmissionForm(request.POST or None, initial={"version": 0})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in _NOT_FIELDS}
        application, created = once(
            form.cleaned_data["submission"],
            request.user,
            lambda: svc.application_create(
                kind=Application.Kind.ADMISSION, actor=request.user, group=group, **data
            ),
        )
        _created(request, created, _("已创建草稿，请选择拟吸纳学校、完成准入评估并上传协议。"))
        return _back(application.pk)
    return render(
        request,
        "applications/application_new.html",
        {"form": form, "kind": Application.Kind.ADMISSION, "group": group},
    )


def exit_new_view(request, membership_id: int):
    try:
        membership = Membership.objects.select_related("group", "school").get(
            pk=membership_id, school_id=request.user.school_id
        )
    except Membership.DoesNotExist as exc:
        raise Http404 from exc
    require(can_draft_application(request.user, Application.Kind.EXIT, membership=membership))
    form = ExitForm(request.POST or None, initial={"version": 0})
    if request.method == "POST" and form.is_valid():
        try:
            application, created = once(
                form.cleaned_data["submission"],
                request.user,
                lambda: svc.application_create(
                    kind=Application.Kind.EXIT,
                    actor=request.user,
                    membership=membership,
                    reason=form.cleaned_data["reason"],
                    start_on=form.cleaned_data["start_on"],
                ),
            )
        except RuleRefusal as exc:  # one open exit per membership (policy L-5)
            add_form_error(form, exc)
        else:
            _created(request, created, _("已创建退出申请草稿，确认无误后请提交。"))
            return _back(application.pk)
    return render(
        request,
        "applications/application_new.html",
        {
            "form": form,
            "kind": Application.Kind.EXIT,
            "group": membership.group,
            # A page left open (or the back button) says where the open exit is at once.
            "open_exit": open_exit_for(membership_id=membership.pk),
        },
    )


@require_POST
def application_edit_view(request, application_id: int):
    application = application_get_for_user(user=request.user, application_id=application_id)
    require(can_edit_application(request.user, application))
    form = _fields_form(application, request.POST)
    if not form.is_valid():
        return _rerender(request, application.pk, form, "fields_form")
    data = {k: v for k, v in form.cleaned_data.items() if k not in _NOT_FIELDS}
    return _run(
        request,
        application.pk,
        lambda: svc.application_update(
            application=application,
            actor=request.user,
            expected_version=form.cleaned_data["version"],
            **data,
        ),
        _("已保存。"),
        form=form,
        name="fields_form",
    )


@require_POST
def member_add_view(request, application_id: int):
    application = application_get_for_user(user=request.user, application_id=application_id)
    require(can_edit_application(request.user, application))
    form = ProposedMemberForm(request.POST, schools=_candidate_schools())
    if not form.is_valid():
        return _rerender(request, application.pk, form, "member_form")
    d = form.cleaned_data
    return _run_once(
        request,
        application.pk,
        form,
        lambda: svc.proposed_member_set(
            application=application,
            school=d["school"],
            relation_type=d["relation_type"],
            relation_subtype=d["relation_subtype"],
            through_training=d["through_training"],
            pilot_approval=d["pilot_approval"],
            projects=d["projects"],
            actor=request.user,
        ),
        _("已添加拟加入学校：%(school)s") % {"school": d["school"].name},
        name="member_form",
    )


@require_POST
def member_remove_view(request, application_id: int, member_id: int):
    application = application_get_for_user(user=request.user, application_id=application_id)
    require(can_edit_application(request.user, application))
    return _run(
        request,
        application.pk,
        lambda: svc.proposed_member_remove(
            application=application, member_id=member_id, actor=request.user
        ),
        _("已移除。"),
    )


@require_POST
def partner_add_view(request, application_id: int):
    application = application_get_for_user(user=request.user, application_id=application_id)
    require(can_edit_application(request.user, application))
    form = ProposedPartnerForm(request.POST)
    if not form.is_valid():
        return _rerender(request, application.pk, form, "partner_form")
    return _run_once(
        request,
        application.pk,
        form,
        lambda: svc.proposed_partner_add(
            application=application,
            partner=form.cleaned_data["partner"],
            projects=form.cleaned_data["projects"],
            actor=request.user,
        ),
        _("已添加合作单位。"),
        name="partner_form",
    )


@require_POST
def upload_view(request, application_id: int):
    application = application_get_for_user(user=request.user, application_id=application_id)
    require(can_edit_application(request.user, application))
    form = UploadForm(request.POST, request.FILES, kinds=_kinds(application))
    if not form.is_valid():
        return _rerender(request, application.pk, form, "upload_form")
    return _run_once(
        request,
        application.pk,
        form,
        lambda: svc.application_attachment_add(
            application=application,
            kind=form.cleaned_data["kind"],
            uploaded_file=form.cleaned_data["file"],
            actor=request.user,
        ),
        _("材料已上传。"),
        name="upload_form",
    )


@require_POST
def evaluation_view(request, application_id: int):
    application = application_get_for_user(user=request.user, application_id=application_id)
    require(can_edit_application(request.user, application))
    if application.kind != Application.Kind.ADMISSION:
        raise Http404
    form = _evaluation_form(application, request.POST)
    if not form.is_valid():
        return _rerender(request, application.pk, form, "evaluation_form")
    return _run(
        request,
        application.pk,
        lambda: svc.admission_evaluation_record(
            application=application,
            scores=form.scores(),
            recommendation=form.cleaned_data["recommendation"],
            note=form.cleaned_data["note"],
            actor=request.user,
        ),
        _("已保存准入评估。"),
        form=form,
        name="evaluation_form",
    )


@require_POST
def submit_view(request, application_id: int):
    application = application_get_for_user(user=request.user, application_id=application_id)
    require(can_edit_application(request.user, application))
    return _run(
        request,
        application.pk,
        lambda: svc.application_submit(
            application=application, actor=request.user, expected_version=_version(request)
        ),
        _("已提交。"),
    )


@require_POST
def withdraw_view(request, application_id: int):
    application = application_get_for_user(user=request.user, application_id=application_id)
    require(can_withdraw_application(request.user, application))
    return _run(
        request,
        application.pk,
        lambda: svc.application_withdraw(
            application=application, actor=request.user, expected_version=_version(request)
        ),
        _("已撤回。"),
    )


def _version(request) -> int | None:
    try:
        return int(request.POST["version"])
    except (KeyError, ValueError):
        return None


@require_POST
def consent_view(request, application_id: int, consent_id: int):
    application = application_get_for_user(user=request.user, application_id=application_id)
    try:
        consent = application.consents.select_related("authority").get(pk=consent_id)
    except Consent.DoesNotExist as exc:
        raise Http404 from exc
    require(can_record_consent(request.user, consent))
    form = ConsentForm(request.POST)
    if not form.is_valid():
        return _rerender(request, application.pk, form, "consent_form")
    return _run(
        request,
        application.pk,
        lambda: svc.consent_record(
            consent=consent,
            given=form.cleaned_data["given"],
            reason=form.cleaned_data["reason"],
            actor=request.user,
            expected_version=form.cleaned_data["version"],
        ),
        _("已记录贵单位的意见。"),
        form=form,
        name="consent_form",
    )


@require_POST
def opinion_view(request, application_id: int):
    application = application_get_for_user(user=request.user, application_id=application_id)
    require(can_give_exit_opinion(request.user, application))
    form = OpinionForm(request.POST)
    if not form.is_valid():
        return _rerender(request, application.pk, form, "opinion_form")
    return _run(
        request,
        application.pk,
        lambda: svc.exit_opinion_record(
            application=application,
            supports=form.cleaned_data["supports"],
            opinion=form.cleaned_data["opinion"],
            actor=request.user,
            expected_version=form.cleaned_data["version"],
        ),
        _("已提出意见。"),
        form=form,
        name="opinion_form",
    )


@require_POST
def decide_view(request, application_id: int):
    """The decision page is the detail page. A refusal about the input (a missing reason, a
    justification, checks that changed since the page was opened) shows the page again with
    everything typed; a decision someone else made first redirects to the application with who
    decided, when and how (post/redirect/get: a reload never posts again)."""
    application = _detail_application(request.user, application_id)
    require(can_decide_application(request.user, application))
    form = DecisionForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            svc.application_decide(
                application=application,
                action=d["action"],
                reason=d["reason"],
                conditions=d["conditions"],
                justification=d["justification"],
                checks_seen=d["checks"] or None,
                actor=request.user,
                expected_version=d["version"],
            )
        except RuleRefusal as exc:
            if isinstance(exc, StaleVersion) or exc.field == "state":
                return _decided_elsewhere(request, application_id, exc)
            add_form_error(form, exc)
        else:
            messages.success(request, _("审批已完成。"))
            return _back(application.pk)
    if not any(_may(application, a) for a in DECISION_ACTIONS):
        return _decided_elsewhere(request, application_id, refused(application, Action.APPROVE))
    # Refused with nothing changed (the service worked on its own locked copy): the page shows
    # the application and its checks as they are now, with the approver's input.
    return _render_detail(request, application, decision_form=form)


def _decided_elsewhere(request, application_id: int, exc: RuleRefusal):
    """The losing side of two decisions (or a form left open while the application moved on):
    say who decided, when and how, with the state now, on the application's page."""
    application = _detail_application(request.user, application_id)
    messages.error(request, decided_by_message(application) or exc.message)
    return _back(application_id)


@require_POST
def notifications_read_view(request):
    notifications_mark_read(user=request.user)
    return redirect("applications:inbox")
